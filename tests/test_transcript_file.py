"""The transcript as plain text: one `[m:ss] Voice: text` line per cue, downloaded like the other subtitle files."""

from __future__ import annotations

import pytest

from tests.factories import make_recording, make_subtitles

SLUG = "building-resilience"
TXT_URL = f"/recordings/{SLUG}/subtitles/fr.txt"
FIRST_LINE = "[0:00] Güldem Özatağan: Ceci est un extrait de démonstration avec une voix de synthèse."
FRENCH = [
    (500, 4000, "Ceci est un extrait de démonstration\navec une voix de synthèse.", "Güldem Özatağan"),
    (4500, 7000, "Sans personne nommée."),
    (65_000, 68_000, "Merci à vous.", "Ozan Uştuk"),
]


@pytest.fixture
def recording(app):
    """A two-minute recording with French subtitles: a two-line cue, a cue without a voice, one past a minute."""
    with app.app_context():
        make_subtitles(make_recording(slug=SLUG, duration_ms=120_000), "fr", FRENCH)


def test_text_transcript_is_plain_text_attachment(client, recording):
    response = client.get(TXT_URL)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert f'filename="{SLUG}.fr.txt"' in disposition
    body = response.get_data(as_text=True)
    lines = body.splitlines()
    assert lines[0] == FIRST_LINE
    assert body.endswith("\n")


def test_one_line_per_cue_with_the_voice_only_when_there_is_one(client, recording):
    cues = client.get(f"/api/v1/recordings/{SLUG}/subtitles/fr").get_json()["cues"]
    lines = client.get(TXT_URL).get_data(as_text=True).splitlines()
    assert len(lines) == len(cues)
    for line, cue in zip(lines, cues, strict=True):
        minutes, seconds = divmod(int(cue["start_s"]), 60)
        text = " ".join(cue["text"].split())
        expected = f"[{minutes}:{seconds:02d}] " + (f"{cue['voice']}: {text}" if cue["voice"] else text)
        assert line == expected
    assert lines[1] == "[0:04] Sans personne nommée."  # No voice: nothing before the text.
    assert lines[-1] == "[1:05] Ozan Uştuk: Merci à vous."


def test_etag_and_revalidation(client, recording):
    etag = client.get(TXT_URL).headers["ETag"]
    assert etag
    vtt_etag = client.get(TXT_URL.replace(".txt", ".vtt")).headers["ETag"]
    assert etag != vtt_etag  # A different body needs its own validator.
    again = client.get(TXT_URL, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert client.get(TXT_URL, headers={"If-None-Match": '"stale"'}).status_code == 200


def test_unknown_language_or_recording_is_404(client, recording):
    assert client.get(f"/recordings/{SLUG}/subtitles/de.txt").status_code == 404
    assert client.get("/recordings/no-such-recording/subtitles/fr.txt").status_code == 404


def test_past_an_hour_the_time_has_hours(app, client):
    with app.app_context():
        recording = make_recording(duration_ms=4_000_000)
        make_subtitles(recording, "fr", [(500, 2000, "Bonjour."), (3_725_400, 3_729_000, "Au revoir.", "Ozan Uştuk")])
        slug = recording.slug
    last = client.get(f"/recordings/{slug}/subtitles/fr.txt").get_data(as_text=True).splitlines()[-1]
    assert last == "[1:02:05] Ozan Uştuk: Au revoir."
