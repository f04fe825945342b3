"""What an archivist reads after sending a subtitle file: messages only (the codes are the API's), each line
named once, cue times to the millisecond, and a .vtt without its signature refused as exactly that."""

from __future__ import annotations

import io
import re

import pytest

from tests.conftest import csrf_token_from

SLUG = "workshop-1-building-resilience"


@pytest.fixture
def archivist(demo_app, make_user, login):
    make_user("archivist@example.org", "archivist", display_name="Ayşe Arşivci")
    client = demo_app.test_client()
    assert login(client, "archivist@example.org").status_code == 302
    return client


def send(client, name: str, body: str, lang: str = "en"):
    page = client.get(f"/archive/recordings/{SLUG}/subtitles/upload?language=fr&lang={lang}").get_data(as_text=True)
    data = {"csrf_token": csrf_token_from(page), "language": "fr", "format": "", "encoding": ""}
    data["file"] = (io.BytesIO(body.encode("utf-8")), name)
    return client.post(
        f"/archive/recordings/{SLUG}/subtitles/upload?lang={lang}", data=data, content_type="multipart/form-data"
    )


def listed(page: str) -> list[str]:
    """The problems as the list shows them, markup removed."""
    items = re.findall(r"<ul class=\"problems [a-z]+\">(.*?)</ul>", page, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", item).split()) for block in items for item in block.split("<li>")[1:]]


# An SRT-looking file named .vtt: the old check read it as SRT and quoted an SRT example.
SRT_AS_VTT = "1\n00:00:01,000 --> 00:00:02,000\nBonjour\n\n2\n00:00:03,000 -> 00:00:04,000\nMerci\n"


@pytest.mark.parametrize("lang", ["en", "fr", "tr"])
def test_a_vtt_file_without_its_signature_is_refused_for_that(archivist, lang):
    response = send(archivist, "subtitles.vtt", SRT_AS_VTT, lang)
    assert response.status_code == 422
    problems = listed(response.get_data(as_text=True))
    assert len(problems) == 1, problems
    assert "WEBVTT" in problems[0] and "00:01:02,500" not in problems[0]
    assert "no-signature" not in response.get_data(as_text=True)


def test_each_line_is_named_once_and_no_code_is_shown(archivist):
    body = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nBonjour\n\n00:00:03.000 --> 00:00:0x.000\nMerci\n"
    response = send(archivist, "broken.vtt", body)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    problems = listed(page)
    assert problems and problems[0].startswith("Line 6:"), problems
    assert problems[0].count("Line 6") == 1
    assert "bad-timestamp" not in page and "problem-code" not in page


def test_the_check_shows_cue_times_to_the_millisecond_and_warnings_with_their_line(archivist):
    long_line = "Une ligne bien trop longue pour un sous-titre lisible, vraiment trop longue."
    body = f"WEBVTT\n\n00:00:00.500 --> 00:00:05.229\nBonjour\n\n00:01:02.041 --> 00:01:04.000\n{long_line}\n"
    response = send(archivist, "fine.vtt", body)
    assert response.status_code == 303
    preview = archivist.get(response.headers["Location"] + "?lang=en").get_data(as_text=True)
    times = re.findall(r'<span class="cue-time">([^<]+)</span>', preview)
    assert times == ["0:00.500", "0:05.229", "1:02.041", "1:04.000"]
    warnings = listed(preview)
    # "Cue 2: a line is longer…" does not say its line: the list does, once; the code stays in the API.
    assert any(w.startswith("Line 6: Cue 2:") for w in warnings), warnings
    assert "line-too-long" not in preview
