"""Turn an uploaded subtitle file into checked cues, or refuse it with errors that name the line.

One pipeline serves every way a file arrives (web form, API, CLI, demo loader):
decode -> detect the format -> parse -> check quality. Nothing here touches the database.
"""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass, field
from typing import Any

import webvtt
from webvtt.errors import MalformedCaptionError, MalformedFileError

# Code pages that subtitle files in the wild use for each language when they are not UTF-8.
LEGACY_CODE_PAGES = {
    "tr": "cp1254",
    "az": "cp1254",
    "fr": "cp1252",
    "en": "cp1252",
    "de": "cp1252",
    "es": "cp1252",
    "it": "cp1252",
    "pt": "cp1252",
    "nl": "cp1252",
}
BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)

TIMESTAMP = re.compile(r"^(?:(\d{2,}):)?(\d{2}):(\d{2})\.(\d{3})$")
VTT_SIGNATURE = re.compile(r"^WEBVTT(?:[ \t].*)?$")
SBV_TIMING = re.compile(r"^\d+:\d{2}:\d{2}\.\d{3},\d+:\d{2}:\d{2}\.\d{3}\s*$", re.MULTILINE)
SRT_TIMING = re.compile(r"^\s*\d+:\d{2}:\d{2},\d{3}\s*-->", re.MULTILINE)
TAG = re.compile(r"<[^>]*>")
VOICE = re.compile(r"<v(?:\.[^\s>]+)*[ \t]+([^>]+)>")


@dataclass(frozen=True)
class Problem:
    line: int | None
    code: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "code": self.code, "message": self.message}


class SubtitleError(Exception):
    """The file is refused; every problem says where and what, so the uploader can fix it."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(f"line {p.line}: {p.message}" if p.line else p.message for p in problems))
        self.problems = problems


@dataclass
class ParsedCue:
    start_ms: int
    end_ms: int
    text: str
    voice: str | None = None
    identifier: str | None = None
    line: int | None = None


@dataclass
class ParsedSubtitle:
    format: str
    encoding: str
    cues: list[ParsedCue]
    warnings: list[Problem] = field(default_factory=list)


def decode(data: bytes, language: str, encoding: str | None = None) -> tuple[str, str]:
    """Bytes to text: a named encoding, else the byte-order mark, else strict UTF-8, else the language's code page."""
    if encoding:
        return _decode_strict(data, encoding), encoding
    for bom, name in BOMS:
        if data.startswith(bom):
            return _decode_strict(data, name), name.removesuffix("-sig").removesuffix("-le").removesuffix("-be")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    code_page = LEGACY_CODE_PAGES.get(language.split("-")[0].lower(), "cp1252")
    return _decode_strict(data, code_page), code_page


def _decode_strict(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except LookupError:
        raise SubtitleError([Problem(None, "unknown-encoding", f"Unknown encoding “{encoding}”.")]) from None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SubtitleError(
            [
                Problem(
                    line,
                    "undecodable",
                    f"Bytes that are not valid {encoding} at line {line}; "
                    "name the file's encoding or save it as UTF-8.",
                )
            ]
        ) from None


def detect_format(text: str, filename: str = "") -> str:
    """By content first; the file name is only a hint for files too short to tell."""
    head = text.lstrip("\ufeff")
    if head.startswith("WEBVTT"):
        return "vtt"
    if SRT_TIMING.search(head):
        return "srt"
    if SBV_TIMING.search(head):
        return "sbv"
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return suffix if suffix in {"vtt", "srt", "sbv"} else "vtt"


def parse_timestamp(value: str) -> int | None:
    match = TIMESTAMP.match(value)
    if not match:
        return None
    hours, minutes, seconds, millis = match.groups()
    if int(minutes) > 59 or int(seconds) > 59:
        return None
    return ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + int(millis)


def plain_text(raw: str) -> tuple[str, str | None]:
    """Cue markup to plain text: the voice kept apart, other tags removed, entities decoded."""
    voice_match = VOICE.search(raw)
    voice = html.unescape(voice_match.group(1)).strip() if voice_match else None
    return html.unescape(TAG.sub("", raw)), voice or None


def _split_vtt_lines(text: str) -> list[str]:
    # The WebVTT parser replaces NUL with U+FFFD and treats CR, LF and CRLF alike.
    return text.replace("\0", "\ufffd").replace("\r\n", "\n").replace("\r", "\n").split("\n")


def parse_vtt(text: str) -> list[ParsedCue]:
    """WebVTT after the W3C file-parsing algorithm, refusing what it would silently drop."""
    lines = _split_vtt_lines(text.removeprefix("\ufeff"))
    if not VTT_SIGNATURE.match(lines[0]):
        raise SubtitleError([Problem(1, "no-signature", "The file must start with “WEBVTT” on its first line.")])
    problems: list[Problem] = []
    cues: list[ParsedCue] = []
    index = 1
    # Header lines run until the first blank line.
    while index < len(lines) and lines[index] != "":
        if "-->" in lines[index]:
            problems.append(
                Problem(
                    index + 1, "timing-in-header", "A timing line right under “WEBVTT” needs a blank line before it."
                )
            )
        index += 1
    seen_cue = False
    while index < len(lines):
        if lines[index] == "":
            index += 1
            continue
        start = index
        while index < len(lines) and lines[index] != "":
            index += 1
        block = lines[start:index]
        cue = _vtt_block(block, start + 1, seen_cue, problems)
        if cue:
            cues.append(cue)
            seen_cue = True
    if problems:
        raise SubtitleError(problems)
    return cues


def _vtt_block(block: list[str], first_line: int, seen_cue: bool, problems: list[Problem]) -> ParsedCue | None:
    identifier = None
    timing_at = 0
    if "-->" not in block[0]:
        if block[0].startswith("NOTE") and block[0][4:5] in ("", " ", "\t"):
            return None
        if not seen_cue and block[0].split(None, 1)[0] in ("STYLE", "REGION"):
            return None  # Style sheets and regions come before the first cue.
        if len(block) < 2 or "-->" not in block[1]:
            problems.append(
                Problem(
                    first_line,
                    "no-timing",
                    "This block has no timing line (“00:00:01.000 --> 00:00:02.000”); "
                    "a player would drop it. Add the timing or a blank line before it.",
                )
            )
            return None
        identifier, timing_at = block[0], 1
    timing_line = first_line + timing_at
    start_text, _, rest = block[timing_at].partition("-->")
    end_parts = rest.strip().split(None, 1)
    start_ms = parse_timestamp(start_text.strip())
    end_ms = parse_timestamp(end_parts[0]) if end_parts else None
    if start_ms is None or end_ms is None or not start_text.endswith((" ", "\t")) or not rest.startswith((" ", "\t")):
        problems.append(
            Problem(
                timing_line,
                "bad-timestamp",
                f"Cannot read the timing “{block[timing_at].strip()}”: write it as “00:01:02.500 --> 00:01:04.000”.",
            )
        )
        return None
    if end_ms < start_ms:
        problems.append(Problem(timing_line, "end-before-start", "This cue ends before it starts."))
        return None
    text_lines = block[timing_at + 1 :]
    for offset, line in enumerate(text_lines):
        if "-->" in line:
            problems.append(
                Problem(
                    timing_line + 1 + offset,
                    "missing-blank-line",
                    "A timing line inside a cue: put a blank line between two cues.",
                )
            )
            return None
    text, voice = plain_text("\n".join(text_lines))
    return ParsedCue(start_ms, end_ms, text, voice, identifier, timing_line)


def parse_with_webvtt(text: str, fmt: str) -> list[ParsedCue]:
    """SRT and SBV through webvtt-py; its errors carry no line numbers, so we say which format failed."""
    try:
        captions = webvtt.WebVTT.from_buffer(io.StringIO(text.removeprefix("\ufeff")), format=fmt)
    except (MalformedFileError, MalformedCaptionError) as exc:
        raise SubtitleError([Problem(None, "malformed", f"Not a valid {fmt.upper()} file: {exc}")]) from None
    cues = []
    for caption in captions:
        start_ms, end_ms = caption.start_time.in_milliseconds(), caption.end_time.in_milliseconds()
        if end_ms < start_ms:
            raise SubtitleError(
                [
                    Problem(
                        None, "end-before-start", f"The cue at {caption.start} ends before it starts ({caption.end})."
                    )
                ]
            )
        text, voice = plain_text(caption.raw_text)
        cues.append(ParsedCue(start_ms, end_ms, text, voice, caption.identifier))
    return cues


def quality_warnings(cues: list[ParsedCue], config: dict[str, Any], duration_ms: int | None) -> list[Problem]:
    """Warnings that are published with the revision and never block it (design.md §7)."""
    warnings = []
    max_chars, max_lines = config["SUBTITLE_MAX_LINE_CHARS"], config["SUBTITLE_MAX_LINES"]
    previous_end = None
    for number, cue in enumerate(cues, 1):
        where = cue.line
        lines = cue.text.split("\n")
        length_ms = cue.end_ms - cue.start_ms
        if any(len(line) > max_chars for line in lines):
            warnings.append(
                Problem(where, "line-too-long", f"Cue {number}: a line is longer than {max_chars} characters.")
            )
        if len(lines) > max_lines:
            warnings.append(Problem(where, "too-many-lines", f"Cue {number}: more than {max_lines} lines."))
        if length_ms > 0 and len(cue.text.replace("\n", "")) * 1000 / length_ms > config["SUBTITLE_MAX_CPS"]:
            warnings.append(
                Problem(
                    where,
                    "reading-speed",
                    f"Cue {number}: more than {config['SUBTITLE_MAX_CPS']:g} characters per second.",
                )
            )
        if length_ms < config["SUBTITLE_MIN_DURATION_MS"]:
            warnings.append(
                Problem(
                    where,
                    "too-short",
                    f"Cue {number}: on screen for less than {config['SUBTITLE_MIN_DURATION_MS'] / 1000:g} s.",
                )
            )
        if length_ms > config["SUBTITLE_MAX_DURATION_MS"]:
            warnings.append(
                Problem(
                    where,
                    "too-long",
                    f"Cue {number}: on screen for more than {config['SUBTITLE_MAX_DURATION_MS'] / 1000:g} s.",
                )
            )
        if previous_end is not None and cue.start_ms < previous_end:
            warnings.append(Problem(where, "overlap", f"Cue {number} starts before the previous one ends."))
        if duration_ms is not None and cue.end_ms > duration_ms:
            warnings.append(Problem(where, "after-end", f"Cue {number} ends after the end of the recording."))
        previous_end = cue.end_ms if previous_end is None else max(previous_end, cue.end_ms)
    return warnings


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
    if not data.strip():
        raise SubtitleError([Problem(None, "empty", "The file is empty.")])
    text, used_encoding = decode(data, language, encoding)
    fmt = format or detect_format(text, filename)
    cues = parse_vtt(text) if fmt == "vtt" else parse_with_webvtt(text, fmt)
    if not cues:
        raise SubtitleError([Problem(None, "no-cues", "The file holds no cue.")])
    return ParsedSubtitle(fmt, used_encoding, cues, quality_warnings(cues, config, duration_ms))
