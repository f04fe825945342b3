"""The read side of the JSON API (design.md §8): the RECORDING shape, cues, and errors as JSON."""

from datetime import UTC, datetime

import pytest

from tests.factories import make_audio_track, make_event, make_recording, make_subtitles, make_workshop

RECORDING_KEYS = {
    "slug",
    "title",
    "event",
    "workshop",
    "recorded_at",
    "duration_s",
    "url",
    "audio_tracks",
    "subtitles",
    "chapters",
    "stream",
}
FRENCH_CUES = [
    (500, 4000, "Ceci est un extrait de démonstration\navec une voix de synthèse.", "Güldem Özatağan"),
    (4500, 7000, "Merci."),
]


@pytest.fixture
def summit(app):
    """An event in Izmir's time zone with three workshops; the first recording has two audio tracks, subtitles
    in three languages and chapters; the third workshop has no known start time."""
    with app.app_context():
        event = make_event(slug="summit-2021", title="Summit on Living Together", timezone="Europe/Istanbul")
        first = make_workshop(
            event, number=1, title="Building resilience", starts_at=datetime(2021, 12, 8, 5, 0, 7, tzinfo=UTC)
        )
        recording = make_recording(
            first,
            slug="resilience",
            duration_ms=49_628,
            chapters=[(0, "Opening and moderation", "Güldem Özatağan"), (15_049, "Introduction")],
        )
        make_audio_track(recording, kind="interpretation", languages=["en"], media_url="/media/resilience/en.opus")
        make_audio_track(
            recording, kind="original", languages=["en", "fr", "tr"], media_url="/media/resilience/floor.opus"
        )
        for language in ("tr", "en"):
            make_subtitles(recording, language)
        make_subtitles(recording, "fr", FRENCH_CUES)
        make_recording(make_workshop(event, number=2, title="Diversity"), slug="diversity")
        make_recording(make_workshop(event, number=3, title="Dialogue", starts_at=None), slug="dialogue")


def test_recordings_list(client, summit):
    body = client.get("/api/v1/recordings").get_json()
    assert body["total"] == 3
    assert [r["workshop"]["number"] for r in body["recordings"]] == [1, 2, 3]
    for recording in body["recordings"]:
        assert set(recording) == RECORDING_KEYS


def test_recording_shape(client, summit):
    body = client.get("/api/v1/recordings/resilience").get_json()
    assert body["event"] == {"slug": "summit-2021", "title": "Summit on Living Together"}
    assert body["workshop"] == {"number": 1, "title": "Building resilience"}
    # 05:00:07 UTC, told in the event's own time zone.
    assert body["recorded_at"] == "2021-12-08T08:00:07+03:00"
    assert body["duration_s"] == 49.628
    assert body["url"] == "http://localhost/recordings/resilience"
    interpretation, floor = body["audio_tracks"]
    assert set(interpretation) >= {"id", "label", "kind", "languages", "url", "mime_type"}
    assert (interpretation["kind"], interpretation["languages"]) == ("interpretation", ["en"])
    assert (floor["kind"], floor["languages"]) == ("original", ["en", "fr", "tr"])
    assert floor["url"] == "http://localhost/media/resilience/floor.opus"
    assert floor["mime_type"] == "audio/ogg; codecs=opus"
    assert [s["language"] for s in body["subtitles"]] == ["en", "fr", "tr"]
    assert body["subtitles"][1] == {
        "language": "fr",
        "revision": 1,
        "cue_count": 2,
        "vtt_url": "http://localhost/recordings/resilience/subtitles/fr.vtt",
        "srt_url": "http://localhost/recordings/resilience/subtitles/fr.srt",
    }
    # A chapter runs until the next one starts; the last until the end of the recording.
    assert body["chapters"] == [
        {"start_s": 0.0, "end_s": 15.049, "title": "Opening and moderation", "speaker": "Güldem Özatağan"},
        {"start_s": 15.049, "end_s": 49.628, "title": "Introduction", "speaker": None},
    ]
    third = client.get("/api/v1/recordings/dialogue").get_json()
    assert third["recorded_at"] is None


def test_subtitle_cues(client, summit):
    body = client.get("/api/v1/recordings/resilience/subtitles/fr").get_json()
    # The contract's keys, plus the paging that design §8 asks of lists that grow.
    assert set(body) == {"language", "revision", "cues", "warnings"} | {
        "total",
        "page",
        "per_page",
        "pages",
        "next",
        "warning_count",
    }
    assert (body["total"], body["page"], body["pages"], body["next"]) == (2, 1, 1, None)
    assert (body["language"], body["revision"]) == ("fr", 1)
    cue = body["cues"][0]
    assert set(cue) == {"id", "start_s", "end_s", "text", "voice"}
    assert (cue["start_s"], cue["end_s"]) == (0.5, 4.0)
    assert cue["text"] == "Ceci est un extrait de démonstration\navec une voix de synthèse."
    assert cue["voice"] == "Güldem Özatağan"
    assert body["cues"][1]["voice"] is None
    assert isinstance(body["warnings"], list)


def test_errors_are_json(client, summit):
    for url in (
        "/api/v1/recordings/nope",
        "/api/v1/recordings/resilience/subtitles/de",
        "/api/v1/nothing-here",
    ):
        response = client.get(url)
        assert response.status_code == 404
        error = response.get_json()["errors"][0]
        assert set(error) == {"line", "code", "message"}
        assert error["code"] == "not-found"
