"""The transcript as plain text: one `[m:ss] Voice: text` line per cue, downloaded like the other subtitle files."""

from __future__ import annotations

TXT_URL = "/recordings/workshop-1-building-resilience/subtitles/fr.txt"
FIRST_LINE = "[0:00] Güldem Özatağan: Ceci est un extrait de démonstration avec une voix de synthèse."


def test_text_transcript_is_plain_text_attachment(client):
    response = client.get(TXT_URL)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert 'filename="workshop-1-building-resilience.fr.txt"' in disposition
    body = response.get_data(as_text=True)
    lines = body.splitlines()
    assert lines[0] == FIRST_LINE
    assert body.endswith("\n")


def test_one_line_per_cue_with_the_voice_only_when_there_is_one(client):
    cues = client.get("/api/v1/recordings/workshop-1-building-resilience/subtitles/fr").get_json()["cues"]
    lines = client.get(TXT_URL).get_data(as_text=True).splitlines()
    assert len(lines) == len(cues)
    for line, cue in zip(lines, cues, strict=True):
        minutes, seconds = divmod(int(cue["start_s"]), 60)
        text = " ".join(cue["text"].split())
        expected = f"[{minutes}:{seconds:02d}] " + (f"{cue['voice']}: {text}" if cue["voice"] else text)
        assert line == expected
    assert any(not cue["voice"] for cue in cues)  # The demo has lines without a speaker too.


def test_etag_and_revalidation(client):
    etag = client.get(TXT_URL).headers["ETag"]
    assert etag
    vtt_etag = client.get(TXT_URL.replace(".txt", ".vtt")).headers["ETag"]
    assert etag != vtt_etag  # A different body needs its own validator.
    again = client.get(TXT_URL, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert client.get(TXT_URL, headers={"If-None-Match": '"stale"'}).status_code == 200


def test_unknown_language_or_recording_is_404(client):
    assert client.get("/recordings/workshop-1-building-resilience/subtitles/de.txt").status_code == 404
    assert client.get("/recordings/no-such-recording/subtitles/fr.txt").status_code == 404


def test_past_an_hour_the_time_has_hours(demo_app, client):
    from catalogue.extensions import db
    from catalogue.subtitles.queries import current_revision

    with demo_app.app_context():
        cue = current_revision("workshop-1-building-resilience", "fr").cues[-1]
        cue.start_ms, cue.end_ms = 3_725_400, 3_729_000
        db.session.commit()
    last = client.get(TXT_URL).get_data(as_text=True).splitlines()[-1]
    assert last.startswith("[1:02:05] Ozan Uştuk: ")
