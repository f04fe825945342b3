"""What must hold as the catalogue grows and several people write at once."""

from __future__ import annotations

import re
import threading
from pathlib import Path

from sqlalchemy import event, func, select

from catalogue.extensions import db
from catalogue.recordings.models import AudioKind, AudioTrack, Recording, Workshop
from catalogue.subtitles.models import SubtitleRevision, SubtitleTrack
from catalogue.subtitles.store import publish_subtitle
from tests.conftest import api_token

DATA = Path(__file__).resolve().parent / "data"
PAGES = [
    "/",
    "/events/mayors-summit-2021",
    "/recordings/workshop-1-building-resilience",
    "/api/v1/recordings",
    "/search?q=resilience",
]


def queries_per_page(app) -> dict[str, int]:
    counts: dict[str, int] = {}
    client = app.test_client()
    with app.app_context():
        engine = db.engine
    current = [0]

    def count(*_args: object) -> None:
        current[0] += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        for path in PAGES:
            current[0] = 0
            assert client.get(path).status_code == 200
            counts[path] = current[0]
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return counts


def add_recordings(app, how_many: int) -> None:
    with app.app_context():
        workshop = db.session.scalar(select(Workshop).order_by(Workshop.number))
        for i in range(how_many):
            recording = Recording(workshop=workshop, slug=f"extra-{i}", title=f"Extra {i}", duration_ms=60_000)
            recording.audio_tracks = [
                AudioTrack(
                    slug="interpretation",
                    kind=AudioKind.INTERPRETATION,
                    languages=["en"],
                    label="English",
                    media_url=f"/media/extra-{i}.opus",
                    mime_type="audio/ogg",
                    is_default=True,
                ),
                AudioTrack(
                    slug="floor",
                    kind=AudioKind.ORIGINAL,
                    languages=["en", "fr", "tr"],
                    label="Floor",
                    media_url=f"/media/extra-{i}-floor.opus",
                    mime_type="audio/ogg",
                    position=1,
                ),
            ]
            db.session.add(recording)
            db.session.commit()
            publish_subtitle(recording, "fr", (DATA / "fr-crlf.srt").read_bytes(), filename="fr.srt")


def test_pages_make_the_same_number_of_queries_for_3_or_13_recordings(demo_app):
    """No N+1: the number of queries of a page does not grow with the catalogue."""
    before = queries_per_page(demo_app)
    add_recordings(demo_app, 10)
    after = queries_per_page(demo_app)
    assert after == before
    # At most: the filters' options, the counts, the page's ids, its recordings with their relations (one query
    # each), the events, and the page cache's version read.
    assert all(count <= 12 for count in after.values()), after


def test_two_uploads_to_one_track_at_once_both_become_revisions(demo_app, live_server):
    """Both uploads land, as revisions 2 and 3 in some order; neither is lost nor refused."""
    import urllib.request

    token = api_token(demo_app, "archivist@example.org", "archivist", display_name="A")
    files = [(DATA / "fr-windows-1252.srt").read_bytes(), (DATA / "fr-crlf.srt").read_bytes()]
    statuses: list[int] = []
    start = threading.Barrier(len(files))

    def upload(data: bytes) -> None:
        request = urllib.request.Request(
            f"{live_server}/api/v1/recordings/workshop-1-building-resilience/subtitles/fr",
            data=data,
            method="PUT",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/octet-stream"},
        )
        start.wait()
        with urllib.request.urlopen(request, timeout=30) as response:
            statuses.append(response.status)

    threads = [threading.Thread(target=upload, args=(data,)) for data in files]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [201, 201]
    with demo_app.app_context():
        track = db.session.scalar(
            select(SubtitleTrack)
            .join(Recording)
            .where(Recording.slug == "workshop-1-building-resilience", SubtitleTrack.language == "fr")
        )
        numbers = sorted(
            db.session.scalars(select(SubtitleRevision.number).where(SubtitleRevision.track_id == track.id))
        )
        assert numbers == [1, 2, 3]
        assert track.current_revision.number == 3
        assert db.session.scalar(select(func.count()).select_from(SubtitleRevision)) == 11


def test_the_catalogue_home_is_paginated(demo_app):
    add_recordings(demo_app, 25)
    client = demo_app.test_client()
    first = client.get("/?lang=en").get_data(as_text=True)
    assert first.count('class="card"') == 24 and "28 recordings" in first
    assert 'href="/?page=2"' in first
    second = client.get("/?lang=en&page=2").get_data(as_text=True)
    assert second.count('class="card"') == 4
    filtered = client.get("/?lang=en&subs=tr").get_data(as_text=True)
    assert filtered.count('class="card"') == 3 and "3 recordings" in filtered
    assert client.get("/?page=99").status_code == 200  # Clamped to the last page.


def test_page_links_stay_short_on_a_long_list(demo_app):
    """Every paged list (catalogue, search, archive, translation editor) shares one row of page links."""
    with demo_app.test_request_context("/?lang=en"):
        pagination = demo_app.jinja_env.get_template("_pagination.html").module.pagination
        row = str(pagination(20, 42, "recordings.home", {"audio": "fr", "subs": None}))
    numbers = re.findall(r">(\d+)</a>", row)
    assert numbers == ["1", "18", "19", "20", "21", "22", "42"]
    assert row.count("…") == 2
    assert 'rel="prev" href="/?page=19&amp;audio=fr"' in row and 'rel="next" href="/?page=21&amp;audio=fr"' in row
    assert 'href="/?page=20&amp;audio=fr" aria-current="page"' in row
    with demo_app.test_request_context("/?lang=en"):
        assert "Previous page" not in str(pagination(1, 3, "recordings.home"))
        assert str(pagination(1, 1, "recordings.home")).strip() == ""


def test_http_caching_is_safe(demo_app, make_user, login):
    client = demo_app.test_client()
    page = client.get("/?lang=en").get_data(as_text=True)
    css = re.search(r'href="(/static/css/site\.css\?v=[0-9a-f]{12})"', page).group(1)
    with client.get(css) as response:
        assert response.status_code == 200
        assert (
            "immutable" in response.headers["Cache-Control"] and "max-age=31536000" in response.headers["Cache-Control"]
        )
    assert "private" not in client.get("/").headers.get("Cache-Control", "")
    make_user("archivist@example.org", "archivist")
    login(client, "archivist@example.org")
    personal = client.get("/archive/")
    assert "no-store" in personal.headers["Cache-Control"] and "private" in personal.headers["Cache-Control"]
    health = client.get("/healthz")
    assert (health.status_code, health.data) == (200, b"ok\n")


def test_the_recordings_api_pages(demo_app):
    add_recordings(demo_app, 5)
    client = demo_app.test_client()
    everything = client.get("/api/v1/recordings").get_json()
    assert everything["total"] == 8 and len(everything["recordings"]) == 8
    page = client.get("/api/v1/recordings?page=2&per_page=3").get_json()
    assert page["total"] == 8
    assert [r["slug"] for r in page["recordings"]] == [r["slug"] for r in everything["recordings"][3:6]]


def test_a_static_file_gets_a_new_url_when_it_changes(make_app, tmp_path):
    """static_url() builds each static URL once per file and fingerprint: an edited file gets a new one (at once
    in debug mode; in production within catalogue.caching.FINGERPRINT_TRUSTED_S, a deploy restarting the workers
    anyway)."""
    import os
    import time

    from catalogue.caching import FINGERPRINT_TRUSTED_S, static_url

    app = make_app()
    app.static_folder = str(tmp_path)
    style = tmp_path / "style.css"
    style.write_text("body { color: black }")
    with app.test_request_context("/"):
        first = static_url("style.css")
        assert re.fullmatch(r"/static/style\.css\?v=[0-9a-f]{12}", first)
        assert static_url("style.css") == first
        style.write_text("body { color: navy }")
        os.utime(style, ns=(time.time_ns(), time.time_ns() + 1_000_000))
        time.sleep(FINGERPRINT_TRUSTED_S + 0.05)
        second = static_url("style.css")
    assert second != first and second.startswith("/static/style.css?v=")
    app.debug = True
    style.write_text("body { color: teal }")
    os.utime(style, ns=(time.time_ns(), time.time_ns() + 2_000_000))
    with app.test_request_context("/"):
        assert static_url("style.css") not in (first, second)
