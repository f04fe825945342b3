from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from catalogue.extensions import db
from catalogue.recordings.models import Event, Recording, Role, Workshop
from tests.factories import make_recording

ISTANBUL = timezone(timedelta(hours=3))


def test_times_come_back_aware_and_equal(app):
    with app.app_context():
        slug = make_recording(recorded_at=datetime(2021, 12, 8, 8, 0, 7, tzinfo=ISTANBUL)).slug
    with app.app_context():  # A new session: the value comes back from the database.
        recording = db.session.scalar(select(Recording).where(Recording.slug == slug))
        assert recording.recorded_at.tzinfo is not None
        assert recording.recorded_at == datetime(2021, 12, 8, 8, 0, 7, tzinfo=ISTANBUL)
        assert recording.recorded_at.astimezone(UTC).hour == 5


def test_naive_datetimes_are_refused(app):
    with app.app_context():
        event = Event(slug="e", title="E", starts_on=datetime(2021, 1, 1).date(), ends_on=datetime(2021, 1, 1).date())
        db.session.add(Workshop(event=event, number=1, slug="w", title="W", starts_at=datetime(2021, 1, 1, 9)))
        with pytest.raises(Exception, match="naive datetime"):
            db.session.commit()
        db.session.rollback()


def test_workshop_numbers_are_unique_per_event(app):
    with app.app_context():
        day = datetime(2021, 1, 1).date()
        event = Event(slug="e", title="E", starts_on=day, ends_on=day)
        db.session.add_all(
            [Workshop(event=event, number=1, slug="a", title="A"), Workshop(event=event, number=1, slug="b", title="B")]
        )
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_people_and_unknown_introductions(demo_app):
    with demo_app.app_context():
        workshops = db.session.scalars(select(Workshop).order_by(Workshop.number)).all()
        assert [p.name for p in workshops[0].people_in(Role.MODERATOR)] == ["Güldem Özatağan"]
        assert [p.name for p in workshops[0].people_in(Role.CONCLUSION)] == ["Ozan Uştuk"]
        # The programme names nobody for the first two introductions: nobody is invented.
        assert workshops[0].people_in(Role.INTRODUCTION) == []
        assert workshops[1].people_in(Role.INTRODUCTION) == []
        assert [p.name for p in workshops[2].people_in(Role.INTRODUCTION)] == ["Eric Rosand"]
        assert workshops[2].starts_at is None


def test_each_recording_has_interpretation_and_floor_audio(demo_app):
    with demo_app.app_context():
        for recording in db.session.scalars(select(Recording)):
            kinds = {t.slug: (t.kind.value, t.languages) for t in recording.audio_tracks}
            assert kinds == {"interpretation": ("interpretation", ["en"]), "floor": ("original", ["en", "fr", "tr"])}
            assert recording.default_audio.slug == "interpretation"
            assert sorted(t.language for t in recording.published_subtitles) == ["en", "fr", "tr"]
            assert recording.chapters[0].start_ms == 0
            assert recording.chapters[-1].end_ms == recording.duration_ms
