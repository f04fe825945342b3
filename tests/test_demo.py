from sqlalchemy import func, select

from catalogue.extensions import db
from catalogue.recordings.models import Chapter, Participation, Person, Recording
from catalogue.subtitles.models import Cue, SubtitleRevision


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


def test_demo_media_are_copied_and_served(client):
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
