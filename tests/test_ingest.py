"""The ingest pipeline on real files and on the W3C conformance corpus (no database: parsing only)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from catalogue.subtitles import vtt
from catalogue.subtitles.parsing import SubtitleError, parse_subtitle
from tests.conftest import shared_folder

DATA = Path(__file__).resolve().parent / "data"
CONFIG = {
    "CATALOGUE_MAX_SUBTITLE_BYTES": 5 * 1024 * 1024,
    "SUBTITLE_MAX_LINE_CHARS": 42,
    "SUBTITLE_MAX_LINES": 2,
    "SUBTITLE_MAX_CPS": 21.0,
    "SUBTITLE_MIN_DURATION_MS": 700,
    "SUBTITLE_MAX_DURATION_MS": 7000,
}


def ingest(name: str, language: str = "en", **options):
    return parse_subtitle((DATA / name).read_bytes(), language, CONFIG, filename=name, **options)


def refused(name: str, language: str = "en", **options) -> SubtitleError:
    with pytest.raises(SubtitleError) as error:
        ingest(name, language, **options)
    return error.value


# --- encodings: every letter comes out right -------------------------------------------------------------

TURKISH = ["İzmir'de ılık bir sabah.", "Çalışma grubu: şehirler, göç, ğ ü ö.", "IĞDIR, ŞİLE, ÇORUM, ÖDEMİŞ, ÜRGÜP"]
FRENCH = ["Égalité, fraternité : où est-ce ?", "Il était à Noël avec sa sœur.", "Ça va, très bien, merci."]


@pytest.mark.parametrize(
    ("name", "language", "encoding", "texts"),
    [
        ("tr-windows-1254.srt", "tr", "cp1254", TURKISH),
        ("tr-utf16le-bom.srt", "tr", "utf-16", TURKISH),
        ("fr-windows-1252.srt", "fr", "cp1252", FRENCH),
        ("fr-crlf.srt", "fr", "utf-8", FRENCH),
        ("fr-utf16le-nobom.srt", "fr", "utf-16-le", FRENCH),
    ],
)
def test_legacy_and_unicode_encodings_decode_right(name, language, encoding, texts):
    parsed = ingest(name, language)
    assert (parsed.format, parsed.encoding) == ("srt", encoding)
    assert [c.text for c in parsed.cues] == texts
    assert [(c.start_ms, c.end_ms) for c in parsed.cues] == [(1000, 3500), (4000, 6500), (7000, 9000)]


def test_utf16_big_endian_vtt_with_bom():
    parsed = ingest("tr-utf16be-bom.vtt", "tr")
    assert (parsed.format, parsed.encoding, parsed.cues[0].text) == ("vtt", "utf-16", "İyi günler, ışık.")


def test_the_uploader_can_name_the_encoding():
    parsed = ingest("tr-windows-1254.srt", "en", encoding="ISO-8859-9")
    assert parsed.encoding == "iso-8859-9"
    assert parsed.cues[0].text == TURKISH[0]
    assert refused("en.vtt", encoding="no-such-codec").problems[0].code == "unknown-encoding"


def test_turkish_bytes_on_a_french_track_are_not_silently_misread():
    error = refused("tr-windows-1254.srt", "fr")
    assert error.problems[0].code == "wrong-encoding"
    assert error.problems[0].line == 3  # "İzmir" reads "Ýzmir"


def test_double_encoded_utf8_is_refused():
    error = refused("mojibake.srt", "fr")
    assert (error.problems[0].code, error.problems[0].line) == ("mojibake", 3)


# --- formats ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["en.vtt", "en-utf8-bom.vtt"])
def test_webvtt_with_voices_entities_notes_and_settings(name):
    parsed = ingest(name)
    assert parsed.format == "vtt"
    assert parsed.encoding == ("utf-8-sig" if "bom" in name else "utf-8")
    assert [(c.identifier, c.voice, c.text) for c in parsed.cues] == [
        ("intro", "Güldem Özatağan", "Welcome to the first workshop."),
        (None, "Eric Rosand", "It is a pleasure & an honour."),
        (None, None, "Cities learn from each other."),
    ]


def test_youtube_sbv():
    parsed = ingest("en-youtube.sbv")
    assert parsed.format == "sbv"
    assert [(c.start_ms, c.end_ms, c.text) for c in parsed.cues] == [
        (1000, 3000, "Welcome to the summit."),
        (3500, 6000, "Building resilience\nin cities."),
    ]


def test_the_format_comes_from_the_content_not_the_name():
    data = (DATA / "fr-crlf.srt").read_bytes()
    assert parse_subtitle(data, "fr", CONFIG, filename="misnamed.vtt").format == "srt"


# --- refused files name the line --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "line", "code"),
    [
        ("bad-timestamp-middle.vtt", 6, "bad-timestamp"),
        ("end-before-start.vtt", 6, "end-before-start"),
        ("end-before-start.srt", 2, "end-before-start"),
        ("no-signature.vtt", 1, "no-signature"),
        ("signature-webvttx.vtt", 1, "no-signature"),
        ("truncated-last-cue.srt", 6, "bad-timestamp"),
        ("truncated-no-text.srt", 6, "no-text"),
        ("stray-text.vtt", 6, "no-timing"),
        ("nul-in-text.vtt", 4, "not-text"),
        ("empty.vtt", None, "empty"),
        ("blank.srt", None, "empty"),
        ("image.png", None, "not-text"),
        ("subtitles.zip", None, "not-text"),
    ],
)
def test_malformed_files_are_refused_naming_the_line(name, line, code):
    problem = refused(name).problems[0]
    assert (problem.line, problem.code) == (line, code)
    assert problem.message


def test_every_problem_is_reported_not_only_the_first():
    data = b"WEBVTT\n\n00:00:01.000 --> 00:00:0x.000\nA\n\n00:00:05.000 --> 00:00:04.000\nB\n\nstray\n"
    with pytest.raises(SubtitleError) as error:
        parse_subtitle(data, "en", CONFIG)
    assert [(p.line, p.code) for p in error.value.problems] == [
        (3, "bad-timestamp"),
        (6, "end-before-start"),
        (9, "no-timing"),
    ]


def test_oversize_is_refused_with_413_before_reading():
    config = CONFIG | {"CATALOGUE_MAX_SUBTITLE_BYTES": 100}
    with pytest.raises(SubtitleError) as error:
        parse_subtitle((DATA / "en.vtt").read_bytes(), "en", config)
    assert error.value.status == 413
    assert error.value.problems[0].code == "too-large"


@pytest.mark.parametrize(("name", "code", "line"), [
    ("missing-blank-line.srt", "missing-blank-line", 4),
    ("missing-blank-line.vtt", "missing-blank-line", 5),
    ("numbering-gap.srt", "numbering", 5),
])  # fmt: skip
def test_recoverable_slips_are_warnings_and_keep_every_cue(name, code, line):
    parsed = ingest(name)
    assert len(parsed.cues) == 2
    assert (line, code) in [(w.line, w.code) for w in parsed.warnings]


def test_cue_text_is_plain_text_and_payloads_stay_text():
    parsed = ingest("xss.vtt")
    first, second, third = parsed.cues
    assert first.identifier == "<script>alert('id')</script>"
    assert first.voice == "<img src=x onerror=alert(1)"
    # The voice tag ends at the first ">"; the second ">" is text, and the entities become plain characters.
    assert first.text == "><script>alert(2)</script>"
    assert second.text == "<img src=x onerror=alert(3)> link"
    assert third.text == "javascript:alert(5) <b onmouseover=alert(6)>hover</b>"


# --- the W3C conformance corpus ---------------------------------------------------------------------------


def load_corpus():
    corpus = shared_folder("conformance", "webvtt")
    spec = importlib.util.spec_from_file_location("check_corpus", corpus / "check_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.load_cases(corpus / "cases")


def _matches(cues, expected) -> bool:
    if len(cues) != len(expected):
        return False
    for cue, want in zip(cues, expected, strict=True):
        got = {"id": cue.identifier or "", "start": cue.start_ms, "end": cue.end_ms, "text": cue.text}
        for key, value in want.items():
            if key in ("start", "end"):
                value = round(value * 1000)
            if got[key] != value:
                return False
    return True


def test_conformance_corpus():
    """Refused cases are refused; every accepted file gives exactly the expected cues; the spec parser itself
    gives the expected cues for every case, including those our importer refuses for dropping a block."""
    cases = load_corpus()
    assert len(cases) == 48
    summary = {"refused as expected": 0, "accepted, cues equal": 0, "refused for a dropped block": 0}
    for name, data, expected in cases:
        try:
            parsed = parse_subtitle(data, "en", CONFIG, filename=f"{name}.vtt", format="vtt")
        except SubtitleError as error:
            if expected["rejected"]:
                summary["refused as expected"] += 1
                continue
            # The importer may refuse a file the spec would silently trim, naming the line, or one with no cue;
            # a NUL byte, which the spec would silently turn into U+FFFD, is refused naming its line too.
            allowed = {"bad-timestamp", "no-timing", "end-before-start", "no-cues"} | (
                {"not-text"} if b"\0" in data else set()
            )
            assert {p.code for p in error.problems} <= allowed, name
            assert all(p.line for p in error.problems if p.code != "no-cues"), name
            summary["refused for a dropped block"] += 1
        else:
            assert not expected["rejected"], f"{name} must be refused"
            if expected["cues"] is not None:
                assert _matches(parsed.cues, expected["cues"]), name
            summary["accepted, cues equal"] += 1
        if not expected["rejected"] and expected["cues"] is not None:
            spec_cues = vtt.parse(data.decode("utf-8").removeprefix("\ufeff")).cues
            assert _matches(spec_cues, expected["cues"]), f"spec parser differs on {name}"
    print(f"\nWebVTT conformance: {summary}")
    assert sum(summary.values()) == 48
    assert summary["refused as expected"] == sum(1 for _, _, e in cases if e["rejected"])
