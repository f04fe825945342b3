"""The W3C WebVTT file-parsing algorithm (https://w3c.github.io/webvtt/#file-parsing), step by step.

webvtt-py drops malformed blocks without a word, accepts `WEBVTTX` and keeps NUL, so WebVTT is parsed here,
as the spec says, and every block the spec would drop is reported with its line instead of vanishing.
The caller decides what to refuse; the cues themselves are exactly the spec's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ARROW = "-->"
# The spec's "ASCII whitespace" for cue timings: space, tab, form feed (LF and CR cannot occur in a line).
TIMING_WHITESPACE = " \t\f"
DIGITS = "0123456789"
# The cue columns are 32-bit INTEGERs: a timestamp past 596 hours cannot be stored, so it is read as a timing that
# fails (the caller names its line). Checked on the number of digits first: int() refuses more than 4,300.
MAX_TIMESTAMP_MS = 2**31 - 1
MAX_HOURS_DIGITS = len(str(MAX_TIMESTAMP_MS // 3_600_000))


@dataclass(slots=True)
class SpecCue:
    identifier: str
    start_ms: int
    end_ms: int
    text: str
    settings: str
    line: int  # 1-based line of the timing line


@dataclass(slots=True)
class DroppedBlock:
    line: int
    kind: str  # "bad-timing", "stray-text", "late-style", "late-region", "whitespace"
    text: str


@dataclass(slots=True)
class SpecResult:
    cues: list[SpecCue] = field(default_factory=list)
    dropped: list[DroppedBlock] = field(default_factory=list)
    # Cues whose timing line came right after their text with no blank line between.
    unseparated: list[int] = field(default_factory=list)


class SignatureError(ValueError):
    """The file does not start with the WebVTT signature: the spec fails the whole file."""


def preprocess(text: str) -> str:
    """NUL becomes U+FFFD; CRLF and lone CR become LF (spec §6.1, before parsing)."""
    return text.replace("\0", "\ufffd").replace("\r\n", "\n").replace("\r", "\n")


def _digits(line: str, pos: int) -> tuple[str, int]:
    """The run of ASCII digits at pos, and the position after it."""
    end = pos
    while end < len(line) and line[end] in DIGITS:
        end += 1
    return line[pos:end], end


def collect_timestamp(line: str, pos: int) -> tuple[int, int] | None:
    """Collect a WebVTT timestamp at pos: (milliseconds, new position), or None when it fails."""
    first, pos = _digits(line, pos)
    significant = first.lstrip("0")
    if not first or line[pos : pos + 1] != ":" or len(significant) > MAX_HOURS_DIGITS:
        return None
    first_value = int(significant or "0")
    hours_first = len(first) != 2 or first_value > 59
    second, pos = _digits(line, pos + 1)
    if len(second) != 2:
        return None
    if hours_first or line[pos : pos + 1] == ":":
        if line[pos : pos + 1] != ":":
            return None
        third, pos = _digits(line, pos + 1)
        if len(third) != 2:
            return None
        hours, minutes, seconds = first_value, int(second), int(third)
    else:
        hours, minutes, seconds = 0, first_value, int(second)
    if line[pos : pos + 1] != ".":
        return None
    millis, pos = _digits(line, pos + 1)
    total = ((hours * 60 + minutes) * 60 + seconds) * 1000 + int(millis) if len(millis) == 3 else None
    if total is None or minutes > 59 or seconds > 59 or total > MAX_TIMESTAMP_MS:
        return None
    return total, pos


def _skip_whitespace(line: str, pos: int) -> int:
    while pos < len(line) and line[pos] in TIMING_WHITESPACE:
        pos += 1
    return pos


def collect_timings(line: str) -> tuple[int, int, str] | None:
    """Collect WebVTT cue timings and settings: (start, end, settings) or None when it fails."""
    pos = _skip_whitespace(line, 0)
    start = collect_timestamp(line, pos)
    if start is None:
        return None
    pos = _skip_whitespace(line, start[1])
    if line[pos : pos + 3] != ARROW:
        return None
    pos = _skip_whitespace(line, pos + 3)
    end = collect_timestamp(line, pos)
    if end is None:
        return None
    return start[0], end[0], line[end[1] :]


def _is_block_keyword(buffer: str, keyword: str) -> bool:
    return buffer.startswith(keyword) and buffer[len(keyword) :].strip(" \t\n\f\r") == ""


def parse(text: str) -> SpecResult:
    """Parse a decoded WebVTT file (decoding took off one byte-order mark: a second one fails the signature).
    Raises SignatureError when the spec fails the whole file."""
    text = preprocess(text)
    if len(text) < 6 or not text.startswith("WEBVTT") or (len(text) > 6 and text[6] not in " \t\n"):
        raise SignatureError("The file must start with “WEBVTT”, followed by a space, a tab or a new line.")
    lines = text.split("\n")
    # lines[0] is the signature line; its rest is ignored, as the spec collects and drops it.
    result = SpecResult()
    if len(lines) == 1:
        return result
    index = _collect_block(lines, 1, in_header=True, seen_cue=False, result=result)
    seen_cue = False
    while index < len(lines):
        if lines[index] == "":
            index += 1
            continue
        if _blank_to_a_reader(lines, index):
            result.dropped.append(DroppedBlock(index + 1, "whitespace", lines[index]))
            index += 1
            continue
        before = len(result.cues)
        index = _collect_block(lines, index, in_header=False, seen_cue=seen_cue, result=result)
        seen_cue = seen_cue or len(result.cues) > before
    return result


def _collect_block(lines: list[str], index: int, *, in_header: bool, seen_cue: bool, result: SpecResult) -> int:
    """Collect one WebVTT block starting at lines[index]; returns the index where the next block starts."""
    first = index
    line_count = 0
    buffer: list[str] = []
    seen_arrow = False
    cue: SpecCue | None = None
    failed_timing_line: int | None = None
    keyword: str | None = None
    previous = index
    while index < len(lines):
        line = lines[index]
        index += 1
        line_count += 1
        if ARROW in line:
            if not in_header and (line_count == 1 or (line_count == 2 and not seen_arrow)):
                seen_arrow = True
                previous = index
                timings = collect_timings(line)
                if timings is None:
                    cue = None
                    failed_timing_line = index
                else:
                    start, end, settings = timings
                    cue = SpecCue("\n".join(buffer), start, end, "", settings, index)
                    buffer = []
                    seen_cue = True
            else:
                # A timing line that does not open this block starts the next one.
                index = previous
                if cue is not None and not in_header:
                    result.unseparated.append(index + 1)
                break
        elif line == "":
            break
        else:
            if not in_header and line_count == 2 and not seen_cue:
                joined = "\n".join(buffer)
                if _is_block_keyword(joined, "STYLE"):
                    keyword, buffer = "STYLE", []
                elif _is_block_keyword(joined, "REGION"):
                    keyword, buffer = "REGION", []
            buffer.append(line)
            previous = index
    if in_header:
        return index
    if cue is not None:
        cue.text = "\n".join(buffer)
        result.cues.append(cue)
    elif keyword is None:
        _report_dropped(lines, first, failed_timing_line, seen_cue, result)
    return index


def is_whitespace_line(line: str) -> bool:
    """A line of spaces and tabs only: a blank line to a reader, text to the spec (streaming services write them)."""
    return line != "" and line.strip(TIMING_WHITESPACE) == ""


def _blank_to_a_reader(lines: list[str], index: int) -> bool:
    """A line of spaces or tabs where a block would start, which the spec would drop as a block of its own (or as
    the head of the next block, losing that cue's identifier): read as a blank line. Followed by a timing line it
    is that cue's identifier, as the spec says."""
    return is_whitespace_line(lines[index]) and (index + 1 == len(lines) or ARROW not in lines[index + 1])


def _report_dropped(
    lines: list[str], first: int, failed_timing_line: int | None, seen_cue: bool, result: SpecResult
) -> None:
    """Name a block the spec would drop, unless it is a comment (NOTE) the author meant to leave out."""
    head = lines[first]
    if failed_timing_line is not None:
        result.dropped.append(DroppedBlock(failed_timing_line, "bad-timing", lines[failed_timing_line - 1]))
    elif head.startswith("NOTE") and head[4:5] in ("", " ", "\t"):
        return
    elif seen_cue and _is_block_keyword(head, "STYLE"):
        result.dropped.append(DroppedBlock(first + 1, "late-style", head))
    elif seen_cue and _is_block_keyword(head, "REGION"):
        result.dropped.append(DroppedBlock(first + 1, "late-region", head))
    else:
        result.dropped.append(DroppedBlock(first + 1, "stray-text", head))
