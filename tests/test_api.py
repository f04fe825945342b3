from datetime import datetime

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


def test_recordings_list(client):
    body = client.get("/api/v1/recordings").get_json()
    assert body["total"] == 3
    assert [r["workshop"]["number"] for r in body["recordings"]] == [1, 2, 3]
    for recording in body["recordings"]:
        assert set(recording) == RECORDING_KEYS


def test_recording_shape(client):
    body = client.get("/api/v1/recordings/workshop-1-building-resilience").get_json()
    assert body["event"] == {"slug": "mayors-summit-2021", "title": "3rd Mayors Summit on Living Together"}
    assert body["workshop"] == {"number": 1, "title": "Building resilience in cities"}
    assert body["recorded_at"] == "2021-12-08T08:00:07+03:00"
    assert datetime.fromisoformat(body["recorded_at"]).utcoffset() is not None
    assert body["duration_s"] == 49.628
    assert body["url"] == "http://localhost/recordings/workshop-1-building-resilience"
    interpretation, floor = body["audio_tracks"]
    assert set(interpretation) >= {"id", "label", "kind", "languages", "url", "mime_type"}
    assert (interpretation["kind"], interpretation["languages"]) == ("interpretation", ["en"])
    assert (floor["kind"], floor["languages"]) == ("original", ["en", "fr", "tr"])
    assert floor["url"] == "http://localhost/media/demo/workshop-1-building-resilience-floor.opus"
    assert floor["mime_type"] == "audio/ogg; codecs=opus"
    assert [s["language"] for s in body["subtitles"]] == ["en", "fr", "tr"]
    fr = body["subtitles"][1]
    assert fr == {
        "language": "fr",
        "revision": 1,
        "cue_count": 11,
        "vtt_url": "http://localhost/recordings/workshop-1-building-resilience/subtitles/fr.vtt",
        "srt_url": "http://localhost/recordings/workshop-1-building-resilience/subtitles/fr.srt",
    }
    first, second = body["chapters"][:2]
    assert first == {
        "start_s": 0.0,
        "end_s": second["start_s"],  # A chapter runs until the next one starts.
        "title": "Opening and moderation",
        "speaker": "Güldem Özatağan",
    }
    assert 0 < first["end_s"] < body["duration_s"]
    assert second["speaker"] is None
    assert body["recorded_at"] is not None
    third = client.get("/api/v1/recordings/workshop-3-dialogue-solidarity").get_json()
    assert third["recorded_at"] is None


def test_subtitle_cues(client):
    body = client.get("/api/v1/recordings/workshop-1-building-resilience/subtitles/fr").get_json()
    # The contract's keys, plus the paging that design §8 asks of lists that grow.
    assert set(body) == {"language", "revision", "cues", "warnings"} | {
        "total",
        "page",
        "per_page",
        "pages",
        "next",
        "warning_count",
    }
    assert (body["total"], body["page"], body["pages"], body["next"]) == (len(body["cues"]), 1, 1, None)
    assert (body["language"], body["revision"]) == ("fr", 1)
    cue = body["cues"][0]
    assert set(cue) == {"id", "start_s", "end_s", "text", "voice"}
    assert cue["start_s"] == 0.5
    assert cue["text"] == "Ceci est un extrait de démonstration\navec une voix de synthèse."
    assert cue["voice"] == "Güldem Özatağan"
    assert isinstance(body["warnings"], list)


def test_errors_are_json(client):
    for url in (
        "/api/v1/recordings/nope",
        "/api/v1/recordings/workshop-1-building-resilience/subtitles/de",
        "/api/v1/nothing-here",
    ):
        response = client.get(url)
        assert response.status_code == 404
        error = response.get_json()["errors"][0]
        assert set(error) == {"line", "code", "message"}
        assert error["code"] == "not-found"
