"""Cues back to files: the canonical WebVTT we serve, and SRT for tools that want it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol


class CueLike(Protocol):
    start_ms: int
    end_ms: int
    text: str
    voice: str | None
    identifier: str | None


def _clock(ms: int, separator: str) -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{separator}{millis:03d}"


def _escape(text: str) -> str:
    # Cue text is plain text; in WebVTT these three characters would read as markup.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _safe_identifier(identifier: str | None) -> str | None:
    if not identifier or "-->" in identifier or "\n" in identifier:
        return None
    return identifier


def to_vtt(cues: Iterable[CueLike]) -> str:
    blocks = ["WEBVTT\n"]
    for cue in cues:
        lines = []
        identifier = _safe_identifier(cue.identifier)
        if identifier:
            lines.append(identifier)
        lines.append(f"{_clock(cue.start_ms, '.')} --> {_clock(cue.end_ms, '.')}")
        # Blank lines would end the cue early: a cue's own text never holds one.
        text = "\n".join(line for line in _escape(cue.text).split("\n") if line.strip()) or " "
        if cue.voice:
            text = f"<v {_escape(cue.voice)}>{text}"
        lines.append(text)
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)


def to_srt(cues: Iterable[CueLike]) -> str:
    blocks = []
    for number, cue in enumerate(cues, 1):
        text = "\n".join(line for line in cue.text.split("\n") if line.strip()) or " "
        if cue.voice:
            text = f"{cue.voice}: {text}"
        blocks.append(f"{number}\n{_clock(cue.start_ms, ',')} --> {_clock(cue.end_ms, ',')}\n{text}\n")
    return "\n".join(blocks)
