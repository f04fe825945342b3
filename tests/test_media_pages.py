"""The archivist's media page (add a file in the browser, follow the packaging, package again after a failure),
the `stream` of the recording JSON, and the watch page's player data for a packaged recording.

Media are made here with ffmpeg; packaging jobs are run in this process with catalogue.jobs.services.run, as a
worker runs them (tests/test_media.py runs a real worker process).
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, select

from catalogue.extensions import db
from catalogue.jobs.models import Job, JobState
from catalogue.jobs.services import run
from catalogue.media.models import MediaSource, Stream
from catalogue.recordings.models import AudioTrack, Recording
from tests.conftest import csrf_token_from

SLUG = "workshop-1-building-resilience"
PAGE = f"/archive/recordings/{SLUG}/media"
SECONDS = 3


def ffmpeg(*arguments: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *arguments], check=True, timeout=60)


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A small H.264/AAC floor video (about 100 KB: louder than the app's request limit in these tests) and an
    AAC interpretation."""
    folder = tmp_path_factory.mktemp("page-media")
    floor, french = folder / "floor.mp4", folder / "french.m4a"
    ffmpeg(
        *["-f", "lavfi", "-i", f"testsrc2=size=320x180:rate=25:duration={SECONDS}"],
        *["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={SECONDS}"],
        *["-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-pix_fmt", "yuv420p", "-b:v", "250k"],
        *["-c:a", "aac", "-b:a", "64k", str(floor)],
    )
    ffmpeg("-f", "lavfi", "-i", f"sine=frequency=660:duration={SECONDS}", "-c:a", "aac", str(french))
    return {"floor": floor, "french": french}


@pytest.fixture
def archivist(demo_app: Flask, make_user, login) -> FlaskClient:
    make_user("archivist@example.org", "archivist", display_name="Archivist")
    client = demo_app.test_client()
    assert login(client, "archivist@example.org").status_code == 302
    return client


def post_media(client: FlaskClient, path: Path, token: str | None = None, **fields: str) -> Any:
    if token is None:
        token = csrf_token_from(client.get(PAGE).get_data(as_text=True))
    data: dict[str, Any] = {"csrf_token": token, "kind": "original", "languages": "en,fr,tr", "label": "", **fields}
    data["file"] = (path.open("rb"), path.name)
    return client.post(PAGE, data=data, content_type="multipart/form-data")


def count(app: Flask, model: type) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def run_queued(app: Flask) -> list[str]:
    """Run the queued jobs in order, as a worker would."""
    with app.app_context():
        ids = db.session.scalars(select(Job.id).where(Job.state == JobState.QUEUED).order_by(Job.id)).all()
        return [run(job_id) for job_id in ids]


def test_the_media_page_is_for_archivists(demo_app: Flask, make_user, login):
    anonymous = demo_app.test_client()
    assert anonymous.get(PAGE).status_code == 302
    assert anonymous.get(f"{PAGE}/status").status_code == 302
    make_user("viewer@example.org", "viewer")
    viewer = demo_app.test_client()
    login(viewer, "viewer@example.org")
    assert viewer.get(PAGE).status_code == 403
    assert viewer.get(f"{PAGE}/status").status_code == 403


def test_the_audio_page_leads_to_the_media_page(archivist: FlaskClient):
    page = archivist.get(f"/archive/recordings/{SLUG}/audio").get_data(as_text=True)
    assert f'href="{PAGE}"' in page


def test_an_upload_is_kept_queued_followed_and_published(demo_app: Flask, archivist: FlaskClient, media):
    page = archivist.get(PAGE).get_data(as_text=True)
    assert "No stream is published yet" in page and "No media file yet." in page
    # The app refuses bodies larger than a subtitle file; the media form lifts that for itself.
    demo_app.config["MAX_CONTENT_LENGTH"] = media["floor"].stat().st_size // 2

    response = post_media(archivist, media["floor"], label="Floor")
    assert response.status_code == 303 and response.location.endswith(PAGE)
    page = archivist.get(PAGE).get_data(as_text=True)
    assert "“floor.mp4” is kept as the audio track “Floor”; its packaging is queued." in page
    assert "Packaging: 0% done." in page and "data-active" in page
    status = archivist.get(f"{PAGE}/status").get_json()
    assert status["state"] == "queued" and status["job"]["state"] == "queued" and status["published"] is False

    post_media(archivist, media["french"], kind="interpretation", languages="fr", label="French")
    assert run_queued(demo_app)[-1] == "done"
    status = archivist.get(f"{PAGE}/status").get_json()
    assert status["state"] == "ready" and status["published"] is True
    with demo_app.app_context():
        last_job = db.session.scalar(select(func.max(Job.id)))
    # The page follows the last packaging job, the one that published the stream.
    assert status["job"] == {"id": last_job, "state": "done", "progress": 1.0, "error": None, "percent": "100%"}
    page = archivist.get(PAGE).get_data(as_text=True)
    assert "A stream is published" in page and "data-active" not in page
    assert "floor.mp4" in page and "french.m4a" in page and "with picture" in page
    with demo_app.app_context():
        tracks = db.session.scalars(select(AudioTrack.slug).join(Recording).where(Recording.slug == SLUG)).all()
        assert {"floor-2", "interpretation-fr"} <= set(tracks)


def test_a_refused_file_or_field_stores_nothing_and_says_why(
    demo_app: Flask, archivist: FlaskClient, media, tmp_path: Path
):
    notes = tmp_path / "minutes.mp4"
    notes.write_text("Minutes of the plenary, not a video.\n" * 20, encoding="utf-8")
    refused = post_media(archivist, notes)
    assert refused.status_code == 422
    assert "“minutes.mp4” is not a media file that ffmpeg can read" in refused.get_data(as_text=True)

    wrong = post_media(archivist, media["french"], kind="interpretation", languages="fr,!!")
    assert wrong.status_code == 422
    assert 'class="field-error"' in wrong.get_data(as_text=True)

    forged = post_media(archivist, media["french"], token="not-the-token")
    assert forged.status_code == 422

    demo_app.config["CATALOGUE_MAX_MEDIA_BYTES"] = 1000
    assert post_media(archivist, media["french"], kind="interpretation", languages="fr").status_code == 413
    assert count(demo_app, MediaSource) == 0 and count(demo_app, Job) == 0


def test_a_failed_packaging_says_why_and_can_be_packaged_again(
    demo_app: Flask, archivist: FlaskClient, media, tmp_path: Path
):
    post_media(archivist, media["french"], kind="original", languages="en")
    with demo_app.app_context():
        source = db.session.scalar(select(MediaSource))
        kept = Path(demo_app.config["CATALOGUE_MEDIA_DIR"]) / source.path
    moved = tmp_path / "away.m4a"
    kept.rename(moved)
    assert run_queued(demo_app) == ["failed"]
    page = archivist.get(PAGE).get_data(as_text=True)
    assert "The last packaging failed:" in page
    assert "The media file “french.m4a” is missing from the media folder." in page
    assert 'role="alert"' in page

    moved.rename(kept)
    token = csrf_token_from(page)
    again = archivist.post(f"{PAGE}/package", data={"csrf_token": token})
    assert again.status_code == 303
    assert "The packaging is queued again." in archivist.get(PAGE).get_data(as_text=True)
    assert run_queued(demo_app) == ["done"]
    assert archivist.get(f"{PAGE}/status").get_json()["state"] == "ready"
    # Without the form's token, nothing is queued.
    assert archivist.post(f"{PAGE}/package").status_code == 400


# --- the recording JSON and the watch page -------------------------------------------------------------------


def test_recordings_without_a_stream_say_none_and_keep_their_poster(client: FlaskClient, demo: Flask):
    recordings = client.get("/api/v1/recordings").get_json()["recordings"]
    assert [r["stream"]["state"] for r in recordings] == ["none"] * 3
    assert all(r["stream"]["hls"] is None for r in recordings)
    assert recordings[0]["stream"]["poster"].endswith(f"/media/demo/{SLUG}.svg")
    page = client.get(f"/recordings/{SLUG}").get_data(as_text=True)
    assert "data-hls" not in page and "hls.min.js" not in page
    assert f'src="/media/demo/{SLUG}-interpretation.opus"' in page


def test_a_packaged_recording_gives_the_player_its_stream(demo_app: Flask, archivist: FlaskClient, media):
    post_media(archivist, media["floor"], label="Floor")
    post_media(archivist, media["french"], kind="interpretation", languages="fr", label="French")
    assert run_queued(demo_app)[-1] == "done"
    anonymous = demo_app.test_client()

    statements: list[str] = []
    with demo_app.app_context():
        engine = db.engine

        def remember(_conn, _cursor, statement, *_args):
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", remember)
        try:
            listing = anonymous.get("/api/v1/recordings").get_json()["recordings"]
        finally:
            event.remove(engine, "before_cursor_execute", remember)
    # One query for the streams of the whole page, not one per recording.
    assert len([s for s in statements if re.search(r"\bFROM streams\b", s)]) == 1
    stream = next(r["stream"] for r in listing if r["slug"] == SLUG)
    assert stream["state"] == "ready"
    assert stream["hls"] == f"http://localhost/media/{SLUG}/hls/master.m3u8"
    assert re.fullmatch(rf"http://localhost/media/{SLUG}/hls/[0-9T-]+[0-9a-f]+/poster\.jpg", stream["poster"])
    assert anonymous.get(f"/api/v1/recordings/{SLUG}").get_json()["stream"] == stream
    # The renditions are the tracks with media files (the demo's own tracks are plain URLs).
    assert [a["track"] for a in stream["audio"]] == ["floor-2", "interpretation-fr"]

    page = anonymous.get(f"/recordings/{SLUG}?audio=interpretation-fr").get_data(as_text=True)
    assert f'data-hls="{stream["hls"]}"' in page
    assert f'poster="{stream["poster"]}"' in page
    assert "vendor/hls.js/hls.min.js" in page
    # No progressive src: the script attaches the stream; without script, native HLS or the track's file.
    assert re.search(r'<video[^>]*\ssrc="', page) is None
    assert f'<source src="{stream["hls"]}" type="application/vnd.apple.mpegurl">' in page
    french = re.search(r'<input type="radio" name="audio" value="interpretation-fr"[^>]*>', page, re.S).group(0)
    assert 'data-rendition="1"' in french and 'data-rendition-name="French"' in french
    assert 'data-rendition-language="fr"' in french and "checked" in french
    with demo_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Stream)) == 1


def test_the_player_messages_stay_data(client: FlaskClient, demo: Flask):
    """The watch page passes data in attributes and JSON, never inline script (the CSP forbids it)."""
    page = client.get(f"/recordings/{SLUG}").get_data(as_text=True)
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
    for attributes, body in scripts:
        assert 'src="' in attributes or 'type="application/json"' in attributes
        if body.strip():
            json.loads(body)
