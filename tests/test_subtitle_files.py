import pytest

from catalogue.subtitles.parsing import SubtitleError, parse_subtitle, parse_vtt
from catalogue.subtitles.writing import to_srt, to_vtt

VTT_URL = "/recordings/workshop-1-building-resilience/subtitles/fr.vtt"


def test_vtt_is_served_as_text_vtt_with_an_etag(client):
    response = client.get(VTT_URL)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/vtt; charset=utf-8"
    assert response.headers["ETag"]
    body = response.get_data(as_text=True)
    assert body.startswith("WEBVTT\n")
    assert "<v Güldem Özatağan>Ceci est un extrait de démonstration" in body


def test_revalidation_answers_304(client):
    etag = client.get(VTT_URL).headers["ETag"]
    again = client.get(VTT_URL, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert client.get(VTT_URL, headers={"If-None-Match": '"stale"'}).status_code == 200


def test_srt_download(client):
    response = client.get("/recordings/workshop-1-building-resilience/subtitles/tr.srt")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/x-subrip; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data(as_text=True)
    assert body.startswith("1\n00:00:00,500 --> ")
    assert "Güldem Özatağan: Bu, sentezlenmiş sesle" in body
    srt_etag = response.headers["ETag"]
    assert (
        client.get(
            "/recordings/workshop-1-building-resilience/subtitles/tr.srt", headers={"If-None-Match": srt_etag}
        ).status_code
        == 304
    )


def test_vtt_download_link_is_an_attachment(client):
    response = client.get(VTT_URL + "?download=1")
    assert 'filename="workshop-1-building-resilience.fr.vtt"' in response.headers["Content-Disposition"]


CONFIG = {
    "SUBTITLE_MAX_LINE_CHARS": 42,
    "SUBTITLE_MAX_LINES": 2,
    "SUBTITLE_MAX_CPS": 21.0,
    "SUBTITLE_MIN_DURATION_MS": 700,
    "SUBTITLE_MAX_DURATION_MS": 7000,
}


@pytest.mark.parametrize(
    ("text", "line", "code"),
    [
        ("Hello\n\n00:00.000 --> 00:01.000\nHi\n", 1, "no-signature"),
        ("WEBVTT\n\n00:00.000 --> 00:01.000\nOne\n\n00:01.000 --> 00:0x.000\nTwo\n", 6, "bad-timestamp"),
        ("WEBVTT\n\n00:00:05.000 --> 00:00:01.000\nBackwards\n", 3, "end-before-start"),
        ("WEBVTT\n\n00:00.000 --> 00:01.000\nOne\n00:01.000 --> 00:02.000\nTwo\n", 5, "missing-blank-line"),
        ("WEBVTT\n\nstray text\n\n00:00.000 --> 00:01.000\nOne\n", 3, "no-timing"),
    ],
)
def test_malformed_vtt_is_refused_naming_the_line(text, line, code):
    with pytest.raises(SubtitleError) as refused:
        parse_vtt(text)
    assert (refused.value.problems[0].line, refused.value.problems[0].code) == (line, code)


def test_cue_markup_becomes_plain_text_with_the_voice_apart():
    cues = parse_vtt(
        "WEBVTT\n\nintro\n00:01.000 --> 00:02.500\n<v.loud Ayşe Yılmaz>Merhaba <b>&amp;</b> hoş geldiniz\n"
    )
    assert (cues[0].identifier, cues[0].start_ms, cues[0].end_ms) == ("intro", 1000, 2500)
    assert (cues[0].voice, cues[0].text) == ("Ayşe Yılmaz", "Merhaba & hoş geldiniz")


def test_written_files_escape_cue_text_and_read_back_the_same():
    cues = parse_vtt("WEBVTT\n\n00:01.000 --> 00:02.000\n<v A&amp;B>1 &lt; 2 &amp;&amp; <i>x</i> &gt; 0\n")
    written = to_vtt(cues)
    assert "<v A&amp;B>1 &lt; 2 &amp;&amp; x &gt; 0" in written
    again = parse_vtt(written)
    assert [(c.text, c.voice) for c in again] == [("1 < 2 && x > 0", "A&B")]
    assert to_srt(cues).startswith("1\n00:00:01,000 --> 00:00:02,000\nA&B: 1 < 2 && x > 0\n")


def test_turkish_windows_1254_srt_decodes_by_the_track_language():
    source = "1\n00:00:01,000 --> 00:00:03,000\nİzmir'de ılık bir gün, çalışma ğüşö\n".encode("cp1254")
    parsed = parse_subtitle(source, "tr", CONFIG)
    assert parsed.format == "srt" and parsed.encoding == "cp1254"
    assert parsed.cues[0].text == "İzmir'de ılık bir gün, çalışma ğüşö"


def test_quality_warnings_do_not_block():
    source = b"WEBVTT\n\n00:00.000 --> 00:00.300\nA line that is much too long to read comfortably here\n"
    parsed = parse_subtitle(source, "en", CONFIG, duration_ms=200)
    codes = {w.code for w in parsed.warnings}
    assert {"line-too-long", "too-short", "reading-speed", "after-end"} <= codes
