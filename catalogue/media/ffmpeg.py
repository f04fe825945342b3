"""ffprobe and ffmpeg as subprocesses: what a file holds, whether its streams decode, and runs with progress.

Only this module starts them. Their paths come from CATALOGUE_FFMPEG and CATALOGUE_FFPROBE (Debian's `ffmpeg`
package by default). Failures are MediaError: a stable code, a msgid naming the file and the stream, and
ffmpeg's own words as a parameter.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import current_app

from catalogue.problems import N_, Problem

# A probe reads headers only; a decode check reads a few seconds. Neither should ever take long.
PROBE_TIMEOUT_S = 60
DECODE_CHECK_S = 2
# How much of ffmpeg's complaint a message quotes.
MAX_REASON_CHARS = 400
_NOT_MEDIA = N_("“%(file)s” is not a media file that ffmpeg can read: %(reason)s")
# Whole sentences per kind of stream: the reader's language may place "audio" anywhere.
_UNDECODABLE = {
    "audio": N_("Audio stream %(stream)s of “%(file)s” cannot be decoded: %(reason)s"),
    "video": N_("Video stream %(stream)s of “%(file)s” cannot be decoded: %(reason)s"),
}


class MediaError(Exception):
    """Media we refuse or could not package: a Problem (said in the reader's language) and an HTTP status."""

    def __init__(self, code: str, text: str, status: int = 422, **params: Any) -> None:
        self.problem = Problem(None, code, text, params)
        self.status = status
        super().__init__(text % params if params else text)


_TOO_LARGE = N_("“%(file)s” is too large: media files may be up to %(limit)s bytes.")


def check_size(size: int | None, shown: str) -> None:
    """Refuse a file past CATALOGUE_MAX_MEDIA_BYTES: before reading it (a Content-Length, a file on disk) and as
    its bytes arrive (an upload, a download)."""
    limit = int(current_app.config["CATALOGUE_MAX_MEDIA_BYTES"])
    if size is not None and size > limit:
        raise MediaError("too-large", _TOO_LARGE, 413, file=shown, limit=limit)


@dataclass(frozen=True, slots=True)
class StreamInfo:
    index: int  # In the file: ffmpeg's "#0:index".
    type: str  # video, audio, subtitle, data
    codec: str | None  # None: ffmpeg knows no decoder for it.
    language: str | None = None
    width: int | None = None
    height: int | None = None
    channels: int | None = None
    sample_rate: int | None = None
    profile: str | None = None
    frame_rate: float | None = None
    attached_picture: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__slots__ if getattr(self, k) not in (None, False)}


@dataclass(frozen=True, slots=True)
class Probe:
    """What ffprobe says of a file: its container, duration and streams."""

    format: str
    duration_s: float | None
    streams: list[StreamInfo] = field(default_factory=list)

    @property
    def audio(self) -> list[StreamInfo]:
        return [s for s in self.streams if s.type == "audio"]

    @property
    def video(self) -> StreamInfo | None:
        """The picture: the first video stream that is not a cover image."""
        return next((s for s in self.streams if s.type == "video" and not s.attached_picture), None)

    def summary(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "duration_s": self.duration_s,
            "streams": [s.as_dict() for s in self.streams],
        }


def ffmpeg_binary() -> str:
    return _binary("CATALOGUE_FFMPEG")


def ffprobe_binary() -> str:
    return _binary("CATALOGUE_FFPROBE")


def _binary(setting: str) -> str:
    name: str = current_app.config[setting]
    found = shutil.which(name)
    if found is None:
        raise MediaError(
            "no-ffmpeg", N_("%(program)s is not installed here: install Debian's ffmpeg package."), 500, program=name
        )
    return found


def _reason(stderr: str) -> str:
    """ffmpeg's last words, trimmed: the lines that say what went wrong, not its banner."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    text = " ".join(lines[-3:])
    return text[-MAX_REASON_CHARS:] if text else "no message"


def _number(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if number == number and number not in (float("inf"), float("-inf")) else None


def _frame_rate(text: object) -> float | None:
    if not isinstance(text, str) or "/" not in text:
        return None
    top, _, bottom = text.partition("/")
    top_n, bottom_n = _number(top), _number(bottom)
    return round(top_n / bottom_n, 3) if top_n and bottom_n else None


def _stream(raw: dict[str, Any]) -> StreamInfo:
    tags = raw.get("tags") or {}
    language = tags.get("language") or tags.get("LANGUAGE")
    codec = raw.get("codec_name")
    return StreamInfo(
        index=int(raw.get("index", 0)),
        type=str(raw.get("codec_type") or "data"),
        codec=str(codec) if codec and codec != "none" else None,
        language=str(language) if language and language != "und" else None,
        width=raw.get("width"),
        height=raw.get("height"),
        channels=raw.get("channels"),
        sample_rate=int(raw["sample_rate"]) if str(raw.get("sample_rate", "")).isdigit() else None,
        profile=raw.get("profile"),
        frame_rate=_frame_rate(raw.get("avg_frame_rate")),
        attached_picture=bool((raw.get("disposition") or {}).get("attached_pic")),
    )


def probe(path: Path, shown_name: str) -> Probe:
    """What `path` holds, or MediaError "not-media" naming the file as the archivist knows it (`shown_name`)."""
    command = [ffprobe_binary(), "-v", "error", "-print_format", "json", "-show_format", "-show_streams", str(path)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=PROBE_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        raise MediaError("not-media", _NOT_MEDIA, file=shown_name, reason="ffprobe took too long") from None
    data: dict[str, Any] = {}
    if done.returncode == 0:
        try:
            data = json.loads(done.stdout or "{}")
        except ValueError:
            data = {}
    streams = [_stream(s) for s in data.get("streams", [])]
    if done.returncode != 0 or not streams or not data.get("format"):
        reason = _reason(done.stderr.replace(str(path), shown_name)) if done.stderr.strip() else "no streams"
        raise MediaError("not-media", _NOT_MEDIA, file=shown_name, reason=reason)
    form = data["format"]
    return Probe(format=str(form.get("format_name", "")), duration_s=_number(form.get("duration")), streams=streams)


def check_decodes(path: Path, shown_name: str, streams: Sequence[StreamInfo]) -> None:
    """Decode the first seconds of `streams`: MediaError "undecodable" naming the file and the stream otherwise.

    A codec ffmpeg has no decoder for is refused without running anything.
    """
    for stream in streams:
        if stream.codec is None:
            raise MediaError(
                "undecodable",
                _UNDECODABLE[stream.type],
                file=shown_name,
                stream=f"#0:{stream.index}",
                reason="ffmpeg has no decoder for this codec",
            )
    for stream in streams:
        command = [ffmpeg_binary(), "-nostdin", "-v", "error", "-xerror", "-t", str(DECODE_CHECK_S), "-i", str(path)]
        command += ["-map", f"0:{stream.index}", "-f", "null", "-"]
        done = subprocess.run(command, capture_output=True, text=True, timeout=PROBE_TIMEOUT_S, check=False)
        if done.returncode != 0 or done.stderr.strip():
            raise MediaError(
                "undecodable",
                _UNDECODABLE[stream.type],
                file=shown_name,
                stream=f"#0:{stream.index}",
                reason=_reason(done.stderr.replace(str(path), shown_name)),
            )


class FFmpegFailed(Exception):
    """ffmpeg exited with an error: its stderr, and whether the disk was full."""

    def __init__(self, stderr: str, returncode: int) -> None:
        super().__init__(_reason(stderr))
        self.stderr = stderr
        self.returncode = returncode

    @property
    def disk_full(self) -> bool:
        return "No space left on device" in self.stderr or os.strerror(errno.ENOSPC) in self.stderr

    @property
    def reason(self) -> str:
        return _reason(self.stderr)


_OUT_TIME = re.compile(r"out_time_us=(\d+)")


def run_ffmpeg(arguments: Sequence[str], duration_s: float | None, progress: Callable[[float], None]) -> None:
    """Run ffmpeg with `-progress pipe:1`, calling `progress(fraction)` as it reports its output time.

    stderr goes to a temporary file (never a pipe nobody reads, which would stall ffmpeg once full).
    """
    command = [ffmpeg_binary(), "-nostdin", "-y", "-v", "error", "-progress", "pipe:1", "-nostats", *arguments]
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace") as errors:
        with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, text=True) as process:
            assert process.stdout is not None
            for line in process.stdout:
                match = _OUT_TIME.match(line)
                if match and duration_s:
                    progress(int(match.group(1)) / 1e6 / duration_s)
            returncode = process.wait()
        errors.seek(0)
        stderr = errors.read()
    if returncode != 0:
        raise FFmpegFailed(stderr, returncode)


def run_quietly(arguments: Sequence[str], timeout_s: float | None = None) -> None:
    """Run ffmpeg for a small piece of work (a poster, thumbnails): FFmpegFailed when it fails."""
    command = [ffmpeg_binary(), "-nostdin", "-y", "-v", "error", *arguments]
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s, check=False)
    if done.returncode != 0:
        raise FFmpegFailed(done.stderr, done.returncode)
