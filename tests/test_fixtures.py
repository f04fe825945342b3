"""The suite's own helpers: the shared corpora are never skipped in CI, and the factories make what the app makes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from catalogue.accounts.services import user_for_token
from catalogue.extensions import db
from catalogue.recordings.models import Recording
from tests.conftest import shared_folder
from tests.factories import make_api_token, make_audio_track, make_recording, make_subtitles


def test_a_missing_shared_folder_is_skipped_locally_and_fails_in_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no-such-corpus is missing"):
        shared_folder("no-such-corpus")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="no-such-corpus is missing"):
        shared_folder("no-such-corpus")


def test_an_empty_app_has_no_recording(app, client):
    """`client` talks to an empty catalogue: a test that needs the summit says so with `demo`."""
    assert client.get("/api/v1/recordings").get_json()["total"] == 0
    with app.app_context():
        assert db.session.scalars(select(Recording)).all() == []


def test_factory_rows_are_the_ones_the_app_makes(app, client):
    with app.app_context():
        recording = make_recording(people=[("moderator", "Ayşe Yılmaz")], chapters=[(0, "Opening", "Ayşe Yılmaz")])
        floor = make_audio_track(recording, languages=["en", "fr", "tr"])
        interpretation = make_audio_track(recording, kind="interpretation", languages=["fr"])
        first = make_subtitles(recording, "fr", [(0, 300, "Oui.")])
        second = make_subtitles(recording, "fr")
        token = make_api_token()
        # The archive's rules: the first track is the default, slugs say what a track is.
        assert (floor.slug, floor.is_default, interpretation.slug) == ("floor", True, "interpretation-fr")
        # Real uploads: numbered revisions, the track pointing at the last, cues and warnings stored.
        assert (first.number, second.number, second.track.current_revision_id) == (1, 2, second.id)
        assert [w["code"] for w in first.warnings] == ["too-short"]
        assert [c.voice for c in second.cues] == ["Ayşe Yılmaz", None]
        assert recording.workshop.people_in("moderator")[0].name == "Ayşe Yılmaz"
        assert recording.chapters[0].person.name == "Ayşe Yılmaz"
        assert user_for_token(token).role == "archivist"
        slug = recording.slug
    body = client.get(f"/api/v1/recordings/{slug}/subtitles/fr").get_json()
    assert (body["revision"], body["cues"][0]["text"]) == (2, "Welcome to the workshop.")
