"""Subtitle files nobody on this project wrote (`../shared/external`, listed in its manifest.json): what every
other project's test suite expects of them, asserted against our ingest (parsing only, no database).

- `webvtt`: accepted with exactly the expected cues (start, end, plain text), or refused naming a line where the
  W3C algorithm drops a block or the file is no WebVTT (`refusal_ok`). In the 4 `disputed` cases vtt.js (an older
  draft) and w3c/webvtt.js (stricter than the spec about the header) disagree: an accepted file gives one's cues.
- `cuetext`: the one cue's plain text is what the spec's cue-text tree shows (tags, timestamps and unclosed tags
  hidden, entities decoded).
- `samples`: `accept` with the source's cue count (and first text), `refuse` naming a line, `lenient` (the source
  skips a broken block) refused naming the line or read without losing a cue.

A whitespace-only file has no line to name: its refusal is the file-level `empty`.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from catalogue.subtitles.parsing import ParsedSubtitle, SubtitleError, parse_subtitle
from tests.conftest import SHARED, shared_folder
from tests.test_ingest import CONFIG

EXTERNAL = SHARED / "external"
MANIFEST = EXTERNAL / "manifest.json"
CASES: dict[str, list[dict[str, Any]]] = json.loads(MANIFEST.read_text(encoding="utf-8")) if MANIFEST.exists() else {}
WEBVTT, CUETEXT, SAMPLES = (CASES.get(section, []) for section in ("webvtt", "cuetext", "samples"))
# What may refuse a WebVTT file the spec reads with fewer cues: each names the line of a cue that would be lost.
LOST_CUE_CODES = {"bad-timestamp", "no-timing", "end-before-start"}


def test_the_external_corpus_is_there():
    shared_folder("external")  # Skipped without ../shared, unless in CI: there a missing corpus fails.
    assert (len(WEBVTT), len(CUETEXT), len(SAMPLES)) == (49, 77, 51)


def read(case: dict[str, Any], **options: Any) -> tuple[bytes, ParsedSubtitle | SubtitleError]:
    """The file's bytes and what our ingest makes of them: the parse, or the refusal."""
    data = (EXTERNAL / case["file"]).read_bytes()
    try:
        return data, parse_subtitle(data, case.get("language", "en"), CONFIG, filename=case["file"], **options)
    except SubtitleError as error:
        return data, error


def assert_names_its_lines(error: SubtitleError, data: bytes) -> None:
    """Every problem of a refusal points at a line of the file (an all-blank file has none to point at)."""
    assert error.problems
    last_line = data.count(b"\n") + 1
    for problem in error.problems:
        if problem.code == "empty":
            assert not data.strip()
        else:
            assert problem.line is not None and 1 <= problem.line <= last_line, (problem.code, problem.line)


def cues_of(parsed: ParsedSubtitle) -> list[tuple[int, int, str]]:
    return [(cue.start_ms, cue.end_ms, cue.text) for cue in parsed.cues]


def expected(cues: list[dict[str, Any]]) -> list[tuple[int, int, str]]:
    return [(cue["start"], cue["end"], cue.get("plain", cue["text"])) for cue in cues]


@pytest.mark.parametrize("case", WEBVTT, ids=[case["name"] for case in WEBVTT])
def test_webvtt_file_gives_the_expected_cues(case):
    data, result = read(case)
    want = case["expect"]
    if isinstance(result, SubtitleError):
        assert want["refusal_ok"], [(p.line, p.code) for p in result.problems]
        assert_names_its_lines(result, data)
        if not want["rejected"]:  # The spec reads this file: only a cue it would drop may refuse it.
            assert {p.code for p in result.problems} <= LOST_CUE_CODES | {"no-signature"}
        return
    assert not want["rejected"]
    if case.get("disputed"):
        assert cues_of(result) in (expected(want["cues"]), expected(case["reference"]["cues"]))
    else:
        assert cues_of(result) == expected(want["cues"])
    assert result.format == "vtt"


@pytest.mark.parametrize("case", CUETEXT, ids=[case["name"] for case in CUETEXT])
def test_cue_text_is_the_plain_text_players_show(case):
    data, result = read(case)
    if isinstance(result, SubtitleError):
        assert case["refusal_ok"], [(p.line, p.code) for p in result.problems]
        assert_names_its_lines(result, data)
        return
    (cue,) = result.cues
    assert cue.text == case["expected_plain"]


@pytest.mark.parametrize("case", SAMPLES, ids=[case["file"].removeprefix("samples/") for case in SAMPLES])
def test_real_subtitle_file(case):
    data, result = read(case)
    assert hashlib.sha256(data).hexdigest() == case["sha256"]
    if isinstance(result, SubtitleError):
        assert case["expect"] in {"refuse", "lenient"}, [(p.line, p.code) for p in result.problems]
        assert_names_its_lines(result, data)
        return
    assert case["expect"] in {"accept", "lenient"}, f"{case['file']} must be refused"
    assert result.format == case["format"]
    if case["expect"] == "accept":
        assert len(result.cues) == case["count"]
    else:  # Read after all, then with every cue the file holds, never fewer.
        assert len(result.cues) in {case["count"], case["reference"]["count"]} - {None, 0}
    if case["first_text"] is not None:
        assert result.cues[0].text == case["first_text"]
    if case.get("encoding_hint"):  # Found without being told: the same cues as with the encoding named.
        _, told = read(case, encoding=case["encoding_hint"])
        assert isinstance(told, ParsedSubtitle) and told.cues == result.cues


# --- what those files taught: the rules, each on a small file ---------------------------------------------------


def parse(text: str) -> ParsedSubtitle:
    return parse_subtitle(text.encode("utf-8"), "en", CONFIG)


def test_lines_of_spaces_between_webvtt_cues_are_blank_lines_with_a_warning():
    parsed = parse("WEBVTT\n\n  \n\n\t\n1\n00:00:01.000 --> 00:00:02.000\nHello\n\n \n")
    assert [(c.identifier, c.text) for c in parsed.cues] == [("1", "Hello")]
    assert [(w.line, w.code) for w in parsed.warnings if w.code == "whitespace-line"] == [
        (3, "whitespace-line"),
        (5, "whitespace-line"),
        (10, "whitespace-line"),
    ]


def test_a_line_of_spaces_before_a_timing_line_is_its_identifier_as_the_spec_says():
    parsed = parse("WEBVTT\n\n \n00:00:01.000 --> 00:00:02.000\nHello\n")
    assert [(c.identifier, c.text) for c in parsed.cues] == [(" ", "Hello")]


def test_text_after_a_line_of_spaces_is_still_a_lost_cue():
    with pytest.raises(SubtitleError) as refused:
        parse("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHello\n\n  \nlost words\n")
    assert [(p.line, p.code) for p in refused.value.problems] == [(7, "no-timing")]


def test_srt_without_cue_numbers_names_the_line_of_each_error():
    text = (
        "00:00:01,000 --> 00:00:02,000\nOne\n\n00:00:03,000 -> 00:00:04,000\nTwo\n\n"
        "Three\n\n00:00:05,000 --> 00:00:06,000\n"
    )
    with pytest.raises(SubtitleError) as refused:
        parse_subtitle(text.encode(), "en", CONFIG, format="srt")
    assert [(p.line, p.code) for p in refused.value.problems] == [(4, "no-timing"), (7, "no-timing"), (9, "no-text")]


def test_srt_with_and_without_numbers_and_spaces_for_blank_lines():
    parsed = parse("00:00:01,000 --> 00:00:02,500\nOne\n \n2\n00:00:03,000 --> 00:00:04,000\nTwo\nlines\n")
    assert cues_of(parsed) == [(1000, 2500, "One"), (3000, 4000, "Two\nlines")]
    assert [(w.line, w.code) for w in parsed.warnings if w.code == "whitespace-line"] == [(3, "whitespace-line")]


@pytest.mark.parametrize(
    ("cue_text", "plain"),
    [
        ("&am<i>p;</i> &lt<b>;</b>", "&amp; <;"),  # A tag ends a character reference.
        ("a & <b>b</b> &<c.x>c</c>", "a & b &c"),  # A lone `&` before `<` is text.
        ("<c.yellow.bg_blue>x</c> <00:00:01.500>y </i>z", "x y z"),  # Classes, timestamps, end tags.
        ("shown <i unclosed", "shown "),  # An unclosed tag hides the rest of the cue.
    ],
)
def test_webvtt_cue_text_is_what_the_cue_text_algorithm_shows(cue_text, plain):
    (cue,) = parse(f"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n{cue_text}\n").cues
    assert cue.text == plain


def test_srt_keeps_an_unclosed_angle_bracket_as_text():
    (cue,) = parse("1\n00:00:01,000 --> 00:00:02,000\n<i>z</i> x < y &amp; w\n").cues
    assert cue.text == "z x < y & w"


def test_a_webvtt_file_without_cues_is_accepted_with_a_warning():
    parsed = parse("WEBVTT\n\nNOTE nothing to show yet\n")
    assert parsed.cues == [] and [w.code for w in parsed.warnings] == ["no-cues"]


@pytest.mark.parametrize(
    "text",
    [
        "WEBVTT\n\n" + " \n\n" * 500 + "00:00:01.000 --> 00:00:02.000\nHello\n",
        "1\n00:00:01,000 --> 00:00:02,000\nHello\n" + "\t\n" * 500,
    ],
)
def test_a_file_full_of_lines_of_spaces_gets_a_few_warnings_not_one_per_line(text):
    parsed = parse(text)
    assert len(parsed.cues) == 1
    assert len([w for w in parsed.warnings if w.code == "whitespace-line"]) == 10
