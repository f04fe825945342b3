"""A file named .vtt without its WEBVTT signature: accepted with a warning when it reads whole as SRT (nothing is
lost), refused for the missing signature on line 1 otherwise, on every path (form, API, command line)."""

from __future__ import annotations

import pytest

from catalogue.subtitles.parsing import SubtitleError, parse_subtitle
from tests.test_ingest import CONFIG, DATA

BROKEN_SRT = "1\n00:00:01,000 --> 00:00:02,000\nBonjour\n\n2\n00:00:03,000 -> 00:00:04,000\nMerci\n"


def test_a_whole_srt_named_vtt_is_read_as_srt_with_a_warning_saying_so() -> None:
    parsed = parse_subtitle((DATA / "fr-crlf.srt").read_bytes(), "fr", CONFIG, filename="misnamed.vtt")
    assert parsed.format == "srt" and parsed.cues
    assert parsed.warnings[0].code == "named-vtt"
    assert "read as SRT" in parsed.warnings[0].message


def test_a_broken_file_named_vtt_is_refused_for_its_missing_signature() -> None:
    with pytest.raises(SubtitleError) as refused:
        parse_subtitle(BROKEN_SRT.encode(), "fr", CONFIG, filename="subtitles.vtt")
    problem = refused.value.problems[0]
    assert (problem.line, problem.code) == (1, "no-signature")
    # The same broken file named .srt is refused for what SRT lacks, on its own line.
    with pytest.raises(SubtitleError) as as_srt:
        parse_subtitle(BROKEN_SRT.encode(), "fr", CONFIG, filename="subtitles.srt")
    assert (as_srt.value.problems[0].line, as_srt.value.problems[0].code) == (5, "no-timing")
