from pathlib import Path

import pytest
from sqlalchemy import func, select

from catalogue.demo.cli import DEMO_DIR, load_demo
from catalogue.extensions import db
from catalogue.jobs.models import Job
from catalogue.media.models import MediaSource, Stream, StreamState
from catalogue.recordings.models import Chapter, Participation, Person, Recording
from catalogue.subtitles.models import Cue, SubtitleRevision, SubtitleTrack
from tests.conftest import create_schema, reset_database

SLUG = "workshop-1-building-resilience"


def _counts():
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Person, Participation, Recording, Chapter, SubtitleRevision, Cue)
    }


def test_demo_load_twice_changes_nothing(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    assert "3 recordings, 9 new subtitle revisions" in first.output
    with app.app_context():
        before = _counts()
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0, second.output
    assert "0 new subtitle revisions" in second.output
    with app.app_context():
        assert _counts() == before
        assert before["Person"] == 7
        assert before["Recording"] == 3


def test_demo_media_are_copied_and_served(client, demo):
    url = "/media/demo/workshop-1-building-resilience-floor.opus"
    with client.get(url) as response:
        assert response.status_code == 200
        assert response.data[:4] == b"OggS"
    # Players seek with Range requests.
    with client.get(url, headers={"Range": "bytes=0-99"}) as partial:
        assert partial.status_code == 206
        assert len(partial.data) == 100


def test_demo_subtitles_went_through_the_upload_pipeline(demo_app):
    with demo_app.app_context():
        revision = db.session.scalar(select(SubtitleRevision).where(SubtitleRevision.cue_count > 0))
        assert revision.format == "vtt" and revision.encoding == "utf-8"
        assert revision.source_bytes.startswith(b"WEBVTT")
        # Voices are kept apart from the plain text.
        voiced = db.session.scalar(select(Cue).where(Cue.voice.is_not(None)))
        assert "<" not in voiced.text


def test_demo_load_never_replaces_someone_elses_subtitle_revision(demo_app, make_user):
    from catalogue.accounts.models import User
    from catalogue.subtitles.store import publish_subtitle

    make_user("archivist@example.org", "archivist")
    with demo_app.app_context():
        recording = db.session.scalar(select(Recording).where(Recording.slug == SLUG))
        archivist = db.session.scalar(select(User))
        edited = (DEMO_DIR / "subtitles" / f"{SLUG}.en.vtt").read_bytes().replace(b"demo excerpt", b"demo extract")
        mine = publish_subtitle(recording, "en", edited, filename="fixed.vtt", user=archivist)
        before = _counts()
        assert load_demo()["subtitle_revisions"] == 0
        assert _counts() == before
        served = db.session.scalar(
            select(SubtitleRevision)
            .join(SubtitleTrack, SubtitleTrack.current_revision_id == SubtitleRevision.id)
            .where(SubtitleTrack.recording_id == recording.id, SubtitleTrack.language == "en")
        )
        assert served.id == mine.id


# --- the demo as video (what `make serve` shows): packaged by demo load, once ---------------------------------


@pytest.fixture
def video_demo_app(make_app):
    app = make_app(CATALOGUE_DEMO_VIDEO=True)
    with app.app_context():
        reset_database()
        create_schema()
    return app


def test_demo_load_packages_each_recording_as_video_once(video_demo_app):
    runner = video_demo_app.test_cli_runner()
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    assert "3 recordings, 9 new subtitle revisions, 3 videos packaged." in first.output
    media = Path(video_demo_app.config["CATALOGUE_MEDIA_DIR"])
    with video_demo_app.app_context():
        streams = db.session.scalars(select(Stream).order_by(Stream.recording_id)).all()
        assert [s.state for s in streams] == [StreamState.READY] * 3
        assert all(s.has_video and s.poster and s.thumbnails for s in streams)
        assert [(r["track"], r["language"], r["default"]) for r in streams[0].renditions] == [
            ("interpretation", "en", True),
            ("floor", "mul", False),
        ]
        sources = db.session.scalars(select(MediaSource).order_by(MediaSource.id)).all()
        assert [(s.original_filename.endswith("-floor.mp4"), s.has_video) for s in sources[:2]] == [
            (True, True),
            (False, False),
        ]
        folders = [s.folder for s in streams]
        jobs = db.session.scalar(select(func.count()).select_from(Job))
        # Opus renditions say 48 kHz in both places of their init segment, or Chromium refuses to play them.
        for init in (media / folders[0]).glob("audio-*/init*.mp4"):
            data = init.read_bytes()
            at = data.find(b"dOps")
            assert int.from_bytes(data[at + 8 : at + 12], "big") == 48000

    client = video_demo_app.test_client()
    master = client.get(f"/media/{SLUG}/hls/master.m3u8").get_data(as_text=True)
    assert 'NAME="English interpretation",LANGUAGE="en",DEFAULT=YES' in master
    assert 'NAME="Original floor audio (EN, FR, TR)",LANGUAGE="mul",DEFAULT=NO' in master
    assert "RESOLUTION=640x360" in master
    stream = client.get(f"/api/v1/recordings/{SLUG}").get_json()["stream"]
    assert stream["state"] == "ready" and stream["hls"].endswith(f"/media/{SLUG}/hls/master.m3u8")
    assert stream["poster"].endswith("/poster.jpg")

    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0, second.output
    assert "0 new subtitle revisions, 0 videos packaged." in second.output
    with video_demo_app.app_context():
        assert [s.folder for s in db.session.scalars(select(Stream).order_by(Stream.recording_id))] == folders
        assert db.session.scalar(select(func.count()).select_from(Job)) == jobs
