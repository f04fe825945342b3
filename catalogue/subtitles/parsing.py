"""Turn an uploaded subtitle file into checked cues, or refuse it with errors that name the line.

One pipeline serves every way a file arrives (web form, API, CLI, demo loader):
size and kind -> decode -> detect the format -> parse -> check quality. Nothing here touches the database.
WebVTT follows the W3C algorithm (catalogue.subtitles.vtt); SRT and SBV are read by a line scanner of our own,
so that nothing is skipped without its line being named (webvtt-py drops an SRT cue without its number).
"""

from __future__ import annotations

import codecs
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from charset_normalizer import from_bytes

from catalogue.problems import N_, Problem
from catalogue.subtitles import vtt

# Code pages that subtitle files in the wild use for each language when they are not UTF-8.
# Generic detectors misread Turkish and French ones, so the track's language decides.
LEGACY_CODE_PAGES = {
    "tr": "cp1254",
    "az": "cp1254",
    "ku": "cp1254",
    "fr": "cp1252",
    "en": "cp1252",
    "de": "cp1252",
    "es": "cp1252",
    "it": "cp1252",
    "pt": "cp1252",
    "nl": "cp1252",
    "ca": "cp1252",
    "da": "cp1252",
    "sv": "cp1252",
    "no": "cp1252",
    "nb": "cp1252",
    "fi": "cp1252",
    "ga": "cp1252",
    "eu": "cp1252",
    "gl": "cp1252",
    "pl": "cp1250",
    "cs": "cp1250",
    "sk": "cp1250",
    "hu": "cp1250",
    "hr": "cp1250",
    "sl": "cp1250",
    "ro": "cp1250",
    "bs": "cp1250",
    "ru": "cp1251",
    "uk": "cp1251",
    "bg": "cp1251",
    "sr": "cp1251",
    "mk": "cp1251",
    "el": "cp1253",
    "he": "cp1255",
    "ar": "cp1256",
    "fa": "cp1256",
}
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32"),
    (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
)
ARCHIVES = (
    (b"PK\x03\x04", "ZIP"),
    (b"PK\x05\x06", "ZIP"),
    (b"\x1f\x8b", "gzip"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip"),
    (b"Rar!\x1a\x07", "RAR"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"%PDF", "PDF"),
    (b"\x89PNG", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"OggS", "Ogg"),
    (b"ID3", "MP3"),
    (b"\x1a\x45\xdf\xa3", "Matroska/WebM"),
)
# What UTF-8 text looks like after a detour through Windows-1252 ("Ã©" for "é", "Ä±" for "ı").
MOJIBAKE = re.compile("[ÃÂ][\u0080-\u00bf\u2018-\u203a\u0152\u0153\u0160\u0161\u017d\u017e\u0178]|Ä[±°Ÿž]|Å[Ÿž\u009f]")
# Letters that Windows-1252 gives for Turkish-only Windows-1254 bytes (ğ ı ş Ğ İ Ş).
TURKISH_IN_1252 = re.compile("[ÐÝÞðýþ]")
CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")
# Every pattern below meets uploaded text, so each runs in linear time (design.md §9; benchmarks/linearity.py):
# possessive quantifiers where giving characters back cannot help, no two quantifiers after one another that can
# take the same characters, and no pattern that fails after reading to the end from each of many start positions.
# Hours of at most 9 digits after any leading zeros: int() refuses thousands, and _timings() refuses what the cue
# columns cannot hold.
SRT_TIMING = re.compile(
    r"^\s*+0*(\d{1,9}+):(\d{1,2}):(\d{1,2})[,.](\d{1,3})\s*+-->\s*+0*(\d{1,9}+):(\d{1,2}):(\d{1,2})[,.](\d{1,3})"
    r"(?:\s.*)?$"
)
SBV_TIMING = re.compile(
    r"^\s*+0*(\d{1,9}+):(\d{1,2}):(\d{1,2})\.(\d{3}),0*(\d{1,9}+):(\d{1,2}):(\d{1,2})\.(\d{3})\s*+$"
)
# A timing at the start of a line, after spaces. `[^\S\n]` (whitespace but a line break): with `\s*` each line of
# a long run of blank lines would start a scan to the end of the run.
SRT_HINT = re.compile(r"^[^\S\n]*+\d++:\d{1,2}:\d{1,2},\d{1,3}\s*+-->", re.MULTILINE)
SBV_HINT = re.compile(r"^[^\S\n]*+\d++:\d{1,2}:\d{1,2}\.\d{3},\d++:\d{1,2}:\d{1,2}\.\d{3}[^\S\n]*+$", re.MULTILINE)
# A tag, up to its `>` or the end of the text. Group 1 is the `>`: the WebVTT cue-text algorithm hides a tag left
# open to the end of the cue, SRT and SBV keep it as text. Either way one scan from the first `<`, where
# `<[^>]*>` read to the end again from every `<` of a line of `<`.
TAG = re.compile(r"<[^>]*+(>)?")
# An ASS override (`{\an8}`), likewise up to its `}` (group 1) or the end of the text, where it stays as text.
ASS_OVERRIDE = re.compile(r"\{\\[^}]*+(\})?")
# `<v.class.class Name>`: the voice is group 1 (what follows the first space, up to the `>`), stripped by the caller.
# A `<v…` that is no voice tag matches without group 1, after reading its classes once (the classes were
# `(?:\.[^\s>]+)*`, which splits `.a.a.a…` in every possible way: 2^n tries) and, when no `>` follows, everything
# to the end, so that the `<v` after it are not tried again.
VOICE = re.compile(r"<v(?:\.[^\s>]++)?+(?:([ \t\f][^>]++)>|[ \t\f][^>]*+\Z)?")
# Lines of spaces or tabs named in warnings, at most (the first ones): each is harmless.
WHITESPACE_WARNINGS = 10
# `&#` and more than 7 digits is past U+10FFFF (html.unescape gives U+FFFD), but int() refuses to read more than
# 4,300 digits: html.unescape would raise ValueError.
LONG_DECIMAL_REFERENCE = re.compile(r"&#([0-9]{8,}+)")


class SubtitleError(Exception):
    """The file is refused; every problem says where and what, so the uploader can fix it."""

    def __init__(self, problems: list[Problem], status: int = 422):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems
        self.status = status


@dataclass(slots=True)
class ParsedCue:
    start_ms: int
    end_ms: int
    text: str
    voice: str | None = None
    identifier: str | None = None
    line: int | None = None


@dataclass(slots=True)
class ParsedSubtitle:
    format: str
    encoding: str
    cues: list[ParsedCue]
    warnings: list[Problem] = field(default_factory=list)


def _refuse(where: int | None, code: str, text: str, **params: Any) -> SubtitleError:
    return SubtitleError([Problem(where, code, text, params)])


def check_kind(data: bytes, max_bytes: int) -> None:
    """Refuse what is too large, empty, an archive or another binary file, before reading it as text."""
    if len(data) > max_bytes:
        raise SubtitleError(
            [
                Problem(
                    None,
                    "too-large",
                    N_("The file is %(size)s bytes; the limit is %(limit)s bytes."),
                    {"size": len(data), "limit": max_bytes},
                )
            ],
            status=413,
        )
    if not data.strip():
        raise _refuse(None, "empty", N_("The file is empty."))
    for magic, what in ARCHIVES:
        if data.startswith(magic):
            message = N_("This is a %(kind)s file, not a subtitle file: upload the .vtt, .srt or .sbv file itself.")
            raise _refuse(None, "not-text", message, kind=what)


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text without a byte-order mark shows NUL in every other byte of its ASCII letters."""
    sample = data[:4096]
    if len(sample) < 4 or sample.count(0) < len(sample) // 4:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd > len(sample) // 4 and even < odd // 8:
        return "utf-16-le"
    if even > len(sample) // 4 and odd < even // 8:
        return "utf-16-be"
    return None


def _decode_strict(data: bytes, encoding: str, label: str | None = None) -> str:
    try:
        return data.decode(encoding)
    except LookupError:
        raise _refuse(None, "unknown-encoding", N_("Unknown encoding “%(encoding)s”."), encoding=encoding) from None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        message = N_(
            "Line %(line)s has bytes that are not valid %(encoding)s: save the file as UTF-8, or name its encoding."
        )
        raise _refuse(line, "undecodable", message, line=line, encoding=label or encoding) from None


def _line_of(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def decode(data: bytes, language: str, encoding: str | None = None) -> tuple[str, str]:
    """Bytes to text, never replacing a byte silently.

    The encoding the uploader names wins; then a byte-order mark; then strict UTF-8; then the code page of
    the track's language (a detector only for languages without one), checked for tell-tale mojibake.
    """
    if encoding:
        name = encoding.strip().lower()
        try:
            codecs.lookup(name)
        except LookupError:
            raise _refuse(None, "unknown-encoding", N_("Unknown encoding “%(encoding)s”."), encoding=encoding) from None
        return _decode_strict(data, name).removeprefix("\ufeff"), name
    for bom, codec, label in BOMS:
        if data.startswith(bom):
            return _decode_strict(data[len(bom) :], codec, label), label
    utf16 = _utf16_without_bom(data)
    if utf16:
        return _decode_strict(data, utf16), utf16
    if b"\0" in data:
        line = _line_of(data.decode("latin-1"), data.index(b"\0"))
        raise _refuse(
            line, "not-text", N_("Line %(line)s holds a NUL byte: this is not a text subtitle file."), line=line
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        garbled = MOJIBAKE.search(text)
        if garbled:
            line = _line_of(text, garbled.start())
            message = N_(
                "Line %(line)s looks garbled (“%(sample)s”): the text was converted to UTF-8 twice. "
                "Convert it back once, or upload the original file."
            )
            raise _refuse(line, "mojibake", message, line=line, sample=garbled.group())
        return text, "utf-8"
    base = language.split("-")[0].split("_")[0].lower()
    code_page = LEGACY_CODE_PAGES.get(base)
    if code_page is None:
        best = from_bytes(data).best()
        code_page = best.encoding if best else "cp1252"
    text = _decode_strict(data, code_page)
    if code_page == "cp1252" and base not in {"is", "fo"}:
        odd = TURKISH_IN_1252.search(text)
        if odd:
            line = _line_of(text, odd.start())
            message = N_(
                "Line %(line)s reads “%(sample)s” in Windows-1252, which suggests Turkish Windows-1254 text: "
                "check the track's language or name the encoding."
            )
            raise _refuse(line, "wrong-encoding", message, line=line, sample=odd.group())
    return text, code_page


def detect_format(text: str, filename: str = "") -> str | None:
    """By content first; the file name is only a hint for files too short to tell."""
    head = text.lstrip("\ufeff")
    if head.startswith("WEBVTT"):
        return "vtt"
    if SRT_HINT.search(head):
        return "srt"
    if SBV_HINT.search(head):
        return "sbv"
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return suffix if suffix in {"vtt", "srt", "sbv"} else None


def _unescape(text: str) -> str:
    """Entities decoded as html.unescape does, without its ValueError on `&#` followed by thousands of digits."""
    if "&#" in text:
        text = LONG_DECIMAL_REFERENCE.sub(_short_reference, text)
    return html.unescape(text)


def _short_reference(match: re.Match[str]) -> str:
    digits = match.group(1).lstrip("0")
    return "&#" + ("0" if not digits else digits if len(digits) <= 7 else "9999999")


def _without_closed(pattern: re.Pattern[str], text: str) -> str:
    """`pattern` removed where its group 1 (the closing character) matched; an unclosed one stays as text."""
    return pattern.sub(lambda match: "" if match.group(1) else match.group(0), text)


def _text_between_tags(raw: str, open_tag_hides_rest: bool) -> str:
    """Tags removed and each run of text between them decoded on its own, as the cue-text tokenizer reads it: a
    tag ends a character reference, so `&am<i>p;` is `&amp;` on screen, never `&`. One scan from left to right."""
    runs, position = [], 0
    for tag in TAG.finditer(raw):
        if tag.group(1) or open_tag_hides_rest:
            runs.append(_unescape(raw[position : tag.start()]))
            position = tag.end()
    runs.append(_unescape(raw[position:]))
    return "".join(runs)


def plain_text(raw: str, *, open_tag_hides_rest: bool = False) -> tuple[str, str | None]:
    """Cue markup to plain text: the voice kept apart, other tags removed, entities decoded.

    `open_tag_hides_rest`: a `<` never closed hides the rest of the cue, as the WebVTT cue-text algorithm says
    (design.md §7); in SRT and SBV, which have no way to escape a `<`, it stays as text.
    """
    voice_match = next((match for match in VOICE.finditer(raw) if match.group(1)), None)
    voice = _unescape(voice_match.group(1)).strip() if voice_match else None
    if "<" in raw or "&" in raw:
        raw = _text_between_tags(raw, open_tag_hides_rest)
    return raw, voice or None


def parse_vtt(text: str) -> tuple[list[ParsedCue], list[Problem]]:
    """WebVTT by the spec; a block the spec would drop, or a cue ending before it starts, refuses the file."""
    try:
        result = vtt.parse(text)
    except vtt.SignatureError:
        message = N_("The file must start with “WEBVTT” on its first line, followed by a space, a tab or a new line.")
        raise _refuse(1, "no-signature", message) from None
    errors, warnings = [], []
    for dropped in result.dropped:
        line = dropped.line
        if dropped.kind == "bad-timing":
            message = N_(
                "Line %(line)s: cannot read the timing “%(timing)s”; write it as “00:01:02.500 --> 00:01:04.000”. "
                "Players would drop this cue."
            )
            errors.append(Problem(line, "bad-timestamp", message, {"line": line, "timing": dropped.text.strip()}))
        elif dropped.kind == "stray-text":
            message = N_(
                "Line %(line)s: text without a timing line, which players would drop. Add its timing, or start "
                "the block with “NOTE” to keep it as a comment."
            )
            errors.append(Problem(line, "no-timing", message, {"line": line}))
        elif dropped.kind == "whitespace":
            continue
        else:
            message = N_("Line %(line)s: a %(block)s block after the first cue is ignored by players.")
            warnings.append(Problem(line, "late-header-block", message, {"line": line, "block": dropped.text.strip()}))
    warnings.extend(_whitespace_lines(d.line for d in result.dropped if d.kind == "whitespace"))
    dropped_lines = {d.line for d in result.dropped}
    for line in result.unseparated:
        if line not in dropped_lines:
            warnings.append(_missing_blank_line(line))
    cues = []
    for cue in result.cues:
        if cue.end_ms < cue.start_ms:
            errors.append(_end_before_start(cue.line))
        text, voice = plain_text(cue.text, open_tag_hides_rest=True)
        cues.append(ParsedCue(cue.start_ms, cue.end_ms, text, voice, cue.identifier or None, cue.line))
    if errors:
        raise SubtitleError(sorted(errors, key=lambda p: p.line or 0))
    return cues, warnings


def _end_before_start(line: int) -> Problem:
    return Problem(line, "end-before-start", N_("Line %(line)s: this cue ends before it starts."), {"line": line})


def _whitespace_lines(lines: Iterable[int]) -> list[Problem]:
    """A warning for each of the first lines that hold only spaces or tabs: a file of them is no reason to store
    a warning per line."""
    message = N_("Line %(line)s holds only spaces or tabs; it is read as a blank line.")
    return [Problem(line, "whitespace-line", message, {"line": line}) for line in islice(lines, WHITESPACE_WARNINGS)]


def _missing_blank_line(line: int) -> Problem:
    return Problem(line, "missing-blank-line", N_("Line %(line)s: put a blank line before this cue."), {"line": line})


def _bad_timing(line: int, timing: str, example: str) -> Problem:
    message = N_("Line %(line)s: cannot read the timing “%(timing)s”; write it as “%(example)s”.")
    return Problem(line, "bad-timestamp", message, {"line": line, "timing": timing.strip(), "example": example})


def _no_text(line: int) -> Problem:
    message = N_("Line %(line)s: this cue has a timing but no text (is the file cut short?).")
    return Problem(line, "no-text", message, {"line": line})


def _ms(hours: str, minutes: str, seconds: str, fraction: str) -> int:
    """SRT milliseconds are read as a number (`01,5` is 1.005 s), as pysrt, ffmpeg and VLC read them."""
    return ((int(hours) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + int(fraction)


def _timings(match: re.Match[str] | None) -> tuple[int, int] | None:
    """(start, end) of an SRT or SBV timing line; None when it cannot be read or stored (past 596 hours)."""
    if match is None:
        return None
    start, end = _ms(*match.groups()[:4]), _ms(*match.groups()[4:])
    return (start, end) if max(start, end) <= vtt.MAX_TIMESTAMP_MS else None


def _scan_blocks(text: str, warnings: list[Problem]) -> list[tuple[int, list[str]]]:
    """Blocks of non-blank lines with the number of their first line; a line of spaces or tabs is blank, with a
    warning."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = 0
    whitespace: list[int] = []
    for number, line in enumerate(vtt.preprocess(text.removeprefix("\ufeff")).split("\n"), 1):
        if line.strip():
            if not current:
                start = number
            current.append(line.rstrip())
            continue
        if vtt.is_whitespace_line(line) and len(whitespace) < WHITESPACE_WARNINGS:
            whitespace.append(number)
        if current:
            blocks.append((start, current))
            current = []
    if current:
        blocks.append((start, current))
    warnings.extend(_whitespace_lines(whitespace))
    return blocks


def _starts_cue(lines: list[str], offset: int) -> bool:
    """A timing line, or a cue number followed by one, starts an SRT cue (even without a blank line before)."""
    line = lines[offset]
    return "-->" in line or (line.strip().isdigit() and offset + 1 < len(lines) and "-->" in lines[offset + 1])


def _cue(start_ms: int, end_ms: int, lines: list[str], line: int) -> ParsedCue:
    """An SRT or SBV cue: its text lines as plain text (ASS overrides such as `{\\an8}` removed)."""
    text, voice = plain_text(_without_closed(ASS_OVERRIDE, "\n".join(lines)))
    return ParsedCue(start_ms, end_ms, text, voice, None, line)


@dataclass(slots=True)
class _SrtReader:
    """SRT read line by line, with or without cue numbers: every cue, or errors that name the line.

    Our own scanner rather than a library's, so that nothing is skipped without a word (webvtt-py drops a cue
    without its number, pysrt a cue whose timing it cannot read).
    """

    cues: list[ParsedCue] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    expected_number: int = 1

    def read(self, text: str) -> None:
        for start, lines in _scan_blocks(text, self.warnings):
            offset: int | None = 0
            while offset is not None and offset < len(lines):
                offset = self._cue_at(start, lines, offset)

    def _cue_at(self, start: int, lines: list[str], offset: int) -> int | None:
        """Read the cue at lines[offset]; the offset of the next one, or None when the rest of the block is lost."""
        if not _starts_cue(lines, offset):
            message = N_(
                "Line %(line)s: expected a cue number and a timing line (“00:01:02,500 --> 00:01:04,000”), found text."
            )
            self.errors.append(Problem(start + offset, "no-timing", message, {"line": start + offset}))
            return None
        if "-->" not in lines[offset]:
            self._check_number(int(lines[offset].strip()), start + offset)
            offset += 1
        self.expected_number += 1
        line = start + offset
        timings = _timings(SRT_TIMING.match(lines[offset]))
        if timings is None:
            self.errors.append(_bad_timing(line, lines[offset], "00:01:02,500 --> 00:01:04,000"))
            return None
        if timings[1] < timings[0]:
            self.errors.append(_end_before_start(line))
        text_start = offset = offset + 1
        while offset < len(lines) and not _starts_cue(lines, offset):
            offset += 1
        if offset == text_start:
            self.errors.append(_no_text(line))
        elif offset < len(lines):
            self.warnings.append(_missing_blank_line(start + offset))
        self.cues.append(_cue(*timings, lines[text_start:offset], line))
        return offset

    def _check_number(self, number: int, line: int) -> None:
        if number != self.expected_number:
            message = N_("Line %(line)s: cue number %(number)s, where %(expected)s was expected.")
            params = {"line": line, "number": number, "expected": self.expected_number}
            self.warnings.append(Problem(line, "numbering", message, params))
        self.expected_number = number


def parse_srt(text: str) -> tuple[list[ParsedCue], list[Problem]]:
    """SRT: every cue, numbered or not, or SubtitleError naming each line that would lose one."""
    reader = _SrtReader()
    reader.read(text)
    if reader.errors:
        raise SubtitleError(reader.errors)
    return reader.cues, reader.warnings


def parse_sbv(text: str) -> tuple[list[ParsedCue], list[Problem]]:
    """SBV (YouTube's format: `0:00:01.000,0:00:03.000` then text), line by line."""
    errors: list[Problem] = []
    warnings: list[Problem] = []
    cues = []
    for start, lines in _scan_blocks(text, warnings):
        timings = _timings(SBV_TIMING.match(lines[0]))
        if timings is None:
            errors.append(_bad_timing(start, lines[0], "0:01:02.500,0:01:04.000"))
            continue
        if timings[1] < timings[0]:
            errors.append(_end_before_start(start))
        if len(lines) < 2:
            errors.append(_no_text(start))
        cues.append(_cue(*timings, lines[1:], start))
    if errors:
        raise SubtitleError(errors)
    return cues, warnings


def quality_warnings(cues: list[ParsedCue], config: dict[str, Any], duration_ms: int | None) -> list[Problem]:
    """Warnings that are published with the revision and never block it (design.md §7)."""
    warnings = []
    max_chars, max_lines = config["SUBTITLE_MAX_LINE_CHARS"], config["SUBTITLE_MAX_LINES"]
    max_cps = config["SUBTITLE_MAX_CPS"]
    min_ms, max_ms = config["SUBTITLE_MIN_DURATION_MS"], config["SUBTITLE_MAX_DURATION_MS"]
    previous_end = None
    for number, cue in enumerate(cues, 1):

        def warn(code: str, message: str, **params: Any) -> None:
            warnings.append(Problem(cue.line, code, message, {"cue": number, **params}))  # noqa: B023

        lines = cue.text.split("\n")
        length_ms = cue.end_ms - cue.start_ms
        if any(len(line) > max_chars for line in lines):
            warn("line-too-long", N_("Cue %(cue)s: a line is longer than %(limit)s characters."), limit=max_chars)
        if len(lines) > max_lines:
            warn("too-many-lines", N_("Cue %(cue)s: more than %(limit)s lines."), limit=max_lines)
        if length_ms > 0 and (len(cue.text) - len(lines) + 1) * 1000 / length_ms > max_cps:
            warn("reading-speed", N_("Cue %(cue)s: more than %(limit)s characters per second."), limit=max_cps)
        if length_ms < min_ms:
            warn("too-short", N_("Cue %(cue)s: on screen for less than %(limit)s s."), limit=min_ms / 1000)
        if length_ms > max_ms:
            warn("too-long", N_("Cue %(cue)s: on screen for more than %(limit)s s."), limit=max_ms / 1000)
        if previous_end is not None and cue.start_ms < previous_end:
            warn("overlap", N_("Cue %(cue)s starts before the previous one ends."))
        if duration_ms is not None and cue.end_ms > duration_ms:
            warn("after-end", N_("Cue %(cue)s ends after the end of the recording."))
        previous_end = cue.end_ms if previous_end is None else max(previous_end, cue.end_ms)
    return warnings


_NAMED_VTT = N_(
    "The file is named .vtt but has no WEBVTT signature: it was read as %(format)s, which it is. Rename it, or "
    "add “WEBVTT” on its first line."
)


def parse_subtitle(
    data: bytes,
    language: str,
    config: dict[str, Any],
    *,
    filename: str = "",
    format: str | None = None,
    encoding: str | None = None,
    duration_ms: int | None = None,
) -> ParsedSubtitle:
    """The whole check of one file. Raises SubtitleError, naming lines, when the file cannot be published."""
    check_kind(data, config["CATALOGUE_MAX_SUBTITLE_BYTES"])
    text, used_encoding = decode(data, language, encoding)
    # A stray control character can be text (the spec allows them); many of them mean a binary file.
    control = CONTROL.search(text)
    if control and len(CONTROL.findall(text[:65536])) * 10 > min(len(text), 65536):
        line = _line_of(text, control.start())
        message = N_("Line %(line)s holds control characters: this does not look like a text subtitle file.")
        raise _refuse(line, "not-text", message, line=line)
    if format is not None and format not in {"vtt", "srt", "sbv"}:
        raise _refuse(None, "unknown-format", N_("Unknown format “%(format)s”: use vtt, srt or sbv."), format=format)
    fmt = format or detect_format(text, filename)
    if fmt is None:
        message = N_(
            "This is not a WebVTT, SRT or SBV file: a WebVTT file starts with “WEBVTT”, an SRT cue with a number "
            "and “00:00:01,000 --> 00:00:02,000”."
        )
        raise _refuse(1, "unknown-format", message)
    # A file named .vtt that reads as SRT is accepted (nothing is lost) with a warning; one that does not is
    # refused for what it lacks, its WEBVTT signature, never with an SRT example it was not meant to be.
    named_vtt = format is None and fmt != "vtt" and filename.lower().endswith(".vtt")
    try:
        cues, warnings = parse_vtt(text) if fmt == "vtt" else parse_srt(text) if fmt == "srt" else parse_sbv(text)
    except SubtitleError:
        if named_vtt:
            parse_vtt(text)  # Raises the missing signature, on line 1.
        raise
    if named_vtt:
        warnings.insert(0, Problem(None, "named-vtt", _NAMED_VTT, {"format": fmt.upper()}))
    if not cues and fmt != "vtt":
        raise _refuse(None, "no-cues", N_("The file holds no cue."))
    if not cues:  # A WebVTT file with a header and no cue is valid, and players read it.
        warnings.append(Problem(None, "no-cues", N_("The file holds no cue.")))
    return ParsedSubtitle(fmt, used_encoding, cues, warnings + quality_warnings(cues, config, duration_ms))
