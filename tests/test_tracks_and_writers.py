"""Retired tracks, uploads that queue on one track, and several processes writing to one database at once."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from benchmarks.load import Gunicorn
from catalogue.extensions import db
from catalogue.recordings.models import AudioTrack, Recording
from catalogue.subtitles.models import SubtitleRevision, SubtitleTrack
from tests.conftest import api_token, csrf_token_from

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SLUG = "workshop-1-building-resilience"
# Words that are in the demo's Turkish subtitles of this workshop, and nowhere else in its texts.
TURKISH_WORD = "kırılgan"


@pytest.fixture
def archivist(demo_app, make_user, login):
    make_user("archivist@example.org", "archivist")
    client = demo_app.test_client()
    assert login(client, "archivist@example.org").status_code == 302
    return client


def post_form(client, page_url: str, action: str):
    token = csrf_token_from(client.get(page_url).get_data(as_text=True))
    return client.post(action, data={"csrf_token": token})


# --- retiring a subtitle track ------------------------------------------------------------------------------


def test_a_retired_subtitle_track_disappears_for_viewers_and_comes_back(demo_app, archivist):
    viewer = demo_app.test_client()
    history = f"/archive/recordings/{SLUG}/subtitles/tr"
    assert viewer.get(f"/recordings/{SLUG}/subtitles/tr.vtt").status_code == 200
    assert viewer.get(f"/search?q={TURKISH_WORD}").get_data(as_text=True).count("<mark>") >= 1

    response = post_form(archivist, history, f"{history}/retire")
    assert response.status_code == 303

    assert viewer.get(f"/recordings/{SLUG}/subtitles/tr.vtt").status_code == 404
    assert viewer.get(f"/recordings/{SLUG}?subs=tr").status_code == 404
    watch = viewer.get(f"/recordings/{SLUG}").get_data(as_text=True)
    assert 'srclang="tr"' not in watch
    api = viewer.get(f"/api/v1/recordings/{SLUG}").get_json()
    assert "tr" not in [s["language"] for s in api["subtitles"]]
    assert "<mark>" not in viewer.get(f"/search?q={TURKISH_WORD}").get_data(as_text=True)
    # The archivist still sees it, marked, with its whole history.
    page = archivist.get(history).get_data(as_text=True)
    assert "Retired: viewers do not see these subtitles." in page
    assert "Retired: viewers do not see these subtitles." in archivist.get("/archive/").get_data(as_text=True)
    with demo_app.app_context():
        track = db.session.scalar(
            select(SubtitleTrack).join(Recording).where(Recording.slug == SLUG, SubtitleTrack.language == "tr")
        )
        assert track.retired_at is not None and len(track.revisions) == 1

    assert post_form(archivist, history, f"{history}/bring-back").status_code == 303
    assert viewer.get(f"/recordings/{SLUG}/subtitles/tr.vtt").status_code == 200
    assert viewer.get(f"/search?q={TURKISH_WORD}").get_data(as_text=True).count("<mark>") >= 1


def test_retiring_needs_the_form_token_and_an_archivist(demo_app, make_user, login):
    make_user("viewer@example.org", "viewer")
    viewer = demo_app.test_client()
    login(viewer, "viewer@example.org")
    assert viewer.post(f"/archive/recordings/{SLUG}/subtitles/tr/retire").status_code in (400, 403)
    assert demo_app.test_client().get(f"/recordings/{SLUG}/subtitles/tr.vtt").status_code == 200


# --- retiring an audio track --------------------------------------------------------------------------------


def test_a_retired_default_audio_track_hands_the_default_on(demo_app, archivist):
    with demo_app.app_context():
        recording = db.session.scalar(select(Recording).where(Recording.slug == SLUG))
        default = recording.default_audio
        others = [t.slug for t in recording.audio_tracks if t is not default]
        default_slug = default.slug
    assert others, "the demo recording has a second audio track"
    audio_page = f"/archive/recordings/{SLUG}/audio"
    assert post_form(archivist, audio_page, f"{audio_page}/{default_slug}/retire").status_code == 303

    viewer = demo_app.test_client()
    assert viewer.get(f"/recordings/{SLUG}?audio={default_slug}").status_code == 404
    api = viewer.get(f"/api/v1/recordings/{SLUG}").get_json()
    assert [t["slug"] for t in api["audio_tracks"]] == others
    with demo_app.app_context():
        tracks = db.session.scalars(select(AudioTrack).join(Recording).where(Recording.slug == SLUG)).all()
        assert [t.slug for t in tracks if t.is_default] == [others[0]]
    assert "Retired: viewers do not see this track." in archivist.get(audio_page).get_data(as_text=True)

    assert post_form(archivist, audio_page, f"{audio_page}/{default_slug}/bring-back").status_code == 303
    assert viewer.get(f"/recordings/{SLUG}?audio={default_slug}").status_code == 200


# --- many uploads to one track at once ----------------------------------------------------------------------


def _put(url: str, token: str, body: bytes) -> tuple[int, str | None]:
    request = urllib.request.Request(
        url, data=body, method="PUT", headers={"Authorization": f"Bearer {token}", "Content-Type": "text/vtt"}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, None
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Retry-After")


@pytest.fixture
def busy_gunicorn(demo_app, database_url, tmp_path):
    """Eight real gunicorn workers on the test database: enough writers to collide on one track."""
    server = Gunicorn(
        database_url, workers=8, threads=1, log=tmp_path / "gunicorn.log",
        extra_env={"CATALOGUE_MEDIA_DIR": str(tmp_path / "media")},
    )  # fmt: skip
    yield server.base
    server.stop()


def test_fifty_simultaneous_uploads_to_one_track_each_become_a_revision(busy_gunicorn, demo_app):
    gunicorn = busy_gunicorn
    token = api_token(demo_app, "archivist@example.org", "archivist", display_name="Script")
    url = f"{gunicorn}/api/v1/recordings/{SLUG}/subtitles/de"
    bodies = [f"WEBVTT\n\n00:00.000 --> 00:01.000\nZeile {i}\n".encode() for i in range(50)]
    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(lambda body: _put(url, token, body), bodies))
    # Each waits its turn on the track's lock (10 s at most, far more than 50 small uploads need): all land.
    statuses = [status for status, _ in results]
    assert statuses == [201] * 50, statuses
    created = 50
    with demo_app.app_context():
        numbers = db.session.scalars(
            select(SubtitleRevision.number)
            .join(SubtitleTrack, SubtitleRevision.track_id == SubtitleTrack.id)
            .join(Recording)
            .where(Recording.slug == SLUG, SubtitleTrack.language == "de")
            .order_by(SubtitleRevision.number)
        ).all()
    assert numbers == list(range(1, created + 1))


# --- two processes writing to one database ------------------------------------------------------------------

WRITER = textwrap.dedent(
    """
    import sys
    from catalogue import create_app
    from catalogue.extensions import db
    from catalogue.recordings.models import Recording
    from catalogue.subtitles.store import publish_subtitle

    app = create_app({"SQLALCHEMY_DATABASE_URI": sys.argv[1], "SECRET_KEY": "test"})
    with app.app_context():
        for i in range(15):
            recording = db.session.scalar(db.select(Recording).where(Recording.slug == sys.argv[2]))
            body = f"WEBVTT\\n\\n00:00.000 --> 00:01.000\\n{sys.argv[3]} {i}\\n".encode()
            publish_subtitle(recording, "it", body, uploaded_by=sys.argv[3])
    """
)


def test_two_processes_write_to_one_database_at_once(demo_app, database_url):
    env = os.environ | {"PYTHONPATH": str(PROJECT_ROOT)}
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, database_url, SLUG, name],
            cwd=PROJECT_ROOT,
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("first", "second")
    ]
    errors = [writer.communicate(timeout=120)[1] for writer in writers]
    assert [writer.returncode for writer in writers] == [0, 0], errors
    with demo_app.app_context():
        by = db.session.execute(
            select(SubtitleRevision.number, SubtitleRevision.uploaded_by)
            .join(SubtitleTrack, SubtitleRevision.track_id == SubtitleTrack.id)
            .where(SubtitleTrack.language == "it")
            .order_by(SubtitleRevision.number)
        ).all()
        assert [number for number, _ in by] == list(range(1, 31))
        assert sorted(who for _, who in by) == ["first"] * 15 + ["second"] * 15
        if db.engine.dialect.name == "sqlite":
            with db.engine.connect() as connection:
                assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
                assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 1000


def test_an_upload_that_cannot_get_the_track_lock_in_time_is_a_503_and_changes_nothing(make_app, database_url):
    from sqlalchemy import create_engine

    from catalogue.demo.cli import load_demo
    from tests.conftest import create_schema, reset_database

    app = make_app(CATALOGUE_LOCK_TIMEOUT_S=0.5)
    with app.app_context():
        reset_database()
        create_schema()
        load_demo()
        before = db.session.scalar(select(func.count()).select_from(SubtitleRevision))
    token = api_token(app, "archivist@example.org", "archivist", display_name="Script")
    holder = create_engine(database_url)
    try:
        with holder.connect() as connection:
            # Another writer holds the track (PostgreSQL: its row; SQLite: the database's write lock).
            if connection.dialect.name == "sqlite":
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                connection.execute(
                    select(SubtitleTrack.id)
                    .join(Recording)
                    .where(Recording.slug == SLUG, SubtitleTrack.language == "fr")
                    .with_for_update()
                )
            response = app.test_client().put(
                f"/api/v1/recordings/{SLUG}/subtitles/fr?lang=fr",
                data=b"WEBVTT\n\n00:00.000 --> 00:01.000\nBonjour\n",
                headers={"Authorization": f"Bearer {token}", "Content-Type": "text/vtt"},
            )
            connection.rollback()
    finally:
        holder.dispose()
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert response.get_json()["errors"][0]["code"] == "busy"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SubtitleRevision)) == before
