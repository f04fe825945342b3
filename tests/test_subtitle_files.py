"""Subtitle files as viewers and players download them: WebVTT and SRT, with validators for revalidation."""

import pytest

from catalogue.subtitles.parsing import parse_vtt
from catalogue.subtitles.writing import to_srt, to_vtt
from tests.factories import make_recording, make_subtitles

SLUG = "building-resilience"
VTT_URL = f"/recordings/{SLUG}/subtitles/fr.vtt"
SRT_URL = f"/recordings/{SLUG}/subtitles/tr.srt"


@pytest.fixture
def recording(app):
    """A recording with French and Turkish subtitles, a speaker named on the first cue of each."""
    with app.app_context():
        recording = make_recording(slug=SLUG)
        make_subtitles(recording, "fr", [(500, 4000, "Ceci est un extrait de démonstration.", "Güldem Özatağan")])
        make_subtitles(recording, "tr", [(500, 4000, "Bu, sentezlenmiş sesle bir örnek.", "Güldem Özatağan")])


def test_vtt_is_served_as_text_vtt_with_an_etag(client, recording):
    response = client.get(VTT_URL)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/vtt; charset=utf-8"
    assert response.headers["ETag"]
    body = response.get_data(as_text=True)
    assert body.startswith("WEBVTT\n")
    assert "<v Güldem Özatağan>Ceci est un extrait de démonstration" in body


def test_revalidation_answers_304(client, recording):
    etag = client.get(VTT_URL).headers["ETag"]
    again = client.get(VTT_URL, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert client.get(VTT_URL, headers={"If-None-Match": '"stale"'}).status_code == 200
    # A cache that holds several copies sends their ETags as a list; the served one among them is still a 304.
    listed = client.get(VTT_URL, headers={"If-None-Match": f'"stale", {etag}'})
    assert listed.status_code == 304
    assert (listed.headers["ETag"], listed.headers["Cache-Control"]) == (etag, "public, no-cache")


def test_srt_download(client, recording):
    response = client.get(SRT_URL)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/x-subrip; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data(as_text=True)
    assert body.startswith("1\n00:00:00,500 --> ")
    assert "Güldem Özatağan: Bu, sentezlenmiş sesle" in body
    srt_etag = response.headers["ETag"]
    assert client.get(SRT_URL, headers={"If-None-Match": srt_etag}).status_code == 304


def test_vtt_download_link_is_an_attachment(client, recording):
    response = client.get(VTT_URL + "?download=1")
    assert f'filename="{SLUG}.fr.vtt"' in response.headers["Content-Disposition"]


def test_cue_markup_becomes_plain_text_with_the_voice_apart():
    cues, _ = parse_vtt(
        "WEBVTT\n\nintro\n00:01.000 --> 00:02.500\n<v.loud Ayşe Yılmaz>Merhaba <b>&amp;</b> hoş geldiniz\n"
    )
    assert (cues[0].identifier, cues[0].start_ms, cues[0].end_ms) == ("intro", 1000, 2500)
    assert (cues[0].voice, cues[0].text) == ("Ayşe Yılmaz", "Merhaba & hoş geldiniz")


def test_written_files_escape_cue_text_and_read_back_the_same():
    cues, _ = parse_vtt("WEBVTT\n\n00:01.000 --> 00:02.000\n<v A&amp;B>1 &lt; 2 &amp;&amp; <i>x</i> &gt; 0\n")
    written = to_vtt(cues)
    assert "<v A&amp;B>1 &lt; 2 &amp;&amp; x &gt; 0" in written
    again, _ = parse_vtt(written)
    assert [(c.text, c.voice) for c in again] == [("1 < 2 && x > 0", "A&B")]
    assert to_srt(cues).startswith("1\n00:00:01,000 --> 00:00:02,000\nA&B: 1 < 2 && x > 0\n")
