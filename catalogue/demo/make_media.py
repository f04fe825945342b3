"""Make the demo media of the summit demo (audio, subtitles, chapters, posters) from summit.json.

Why this exists: the demo that ships with the app must let a new user press play, switch between the English
interpretation and the original floor audio, and read subtitles in English, French or Turkish that match what is
said. We have no rights to ship the real webinar recordings, so every recording is a short excerpt of synthesised
speech, clearly labelled as a demo.

This script was run once and its outputs are committed next to it; the app never runs it and needs none of its tools.
Run it again only after editing summit.json:

    .venv/bin/python catalogue/demo/make_media.py

It needs espeak-ng and ffmpeg on the PATH (the Python side is standard library only). The output is deterministic:
the same summit.json and tool versions give the same bytes.

For every recording it writes
  media/<slug>-interpretation.opus   every sentence in English (the interpreter's track)
  media/<slug>-floor.opus            every sentence in its segment's floor language (the original audio)
  subtitles/<slug>.<en|fr|tr>.vtt    one cue per sentence
  posters/<slug>.svg                 a 1280x720 title card
and, for all recordings together, timeline.json (duration and chapters, in milliseconds).

Timing: after a 0.5 s lead-in, each sentence gets a slot as long as the longer of its English and floor-language
speech, plus a 0.5 s gap. Both audio tracks place the sentence at the start of its slot, so they stay in step and
have the same length, and every subtitle cue covers exactly the speech of its sentence.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import textwrap
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SUMMIT_JSON = HERE / "summit.json"
MEDIA_DIR = HERE / "media"
SUBTITLES_DIR = HERE / "subtitles"
POSTERS_DIR = HERE / "posters"
TIMELINE_JSON = HERE / "timeline.json"

LANGUAGES = ("en", "fr", "tr")
VOICES = {"en": "en-gb", "fr": "fr-fr", "tr": "tr"}
SPEED_WPM = 150
LEAD_IN_MS = 500
GAP_MS = 500
MIN_SPEECH_MS = 300  # anything shorter means espeak-ng produced (nearly) nothing
OPUS_RATE_HZ = 24000
OPUS_BITRATE = "24k"
MAX_LINE_CHARS = 42
MAX_LINES = 2


@dataclass(frozen=True)
class Clip:
    """One sentence synthesised in one language."""

    path: Path
    frames: int
    rate: int

    @property
    def duration_ms(self) -> int:
        return round(self.frames * 1000 / self.rate)


@dataclass(frozen=True)
class Slot:
    """One sentence on the recording's timeline."""

    start_ms: int
    speech_ms: int  # the longer of the English and the floor-language speech
    segment: dict[str, Any]  # from summit.json
    sentence: dict[str, Any]
    clips: dict[str, Clip]

    @property
    def end_ms(self) -> int:
        return self.start_ms + self.speech_ms + GAP_MS

    @property
    def floor_clip(self) -> Clip:
        return self.clips[self.segment["floor_language"]]


# --- synthesis ----------------------------------------------------------------------------------------------------


class Synthesiser:
    """Runs espeak-ng once per (language, text) and remembers the WAV it made."""

    def __init__(self, work_dir: Path) -> None:
        self.work_dir = work_dir
        self.cache: dict[tuple[str, str], Clip] = {}

    def clip(self, language: str, text: str) -> Clip:
        key = (language, text)
        if key not in self.cache:
            self.cache[key] = self._synthesise(language, text, self.work_dir / f"{len(self.cache):04d}.wav")
        return self.cache[key]

    def _synthesise(self, language: str, text: str, path: Path) -> Clip:
        # -b 1: the text is UTF-8; --stdin keeps the text out of the argument list.
        command = ["espeak-ng", "-b", "1", "-v", VOICES[language], "-s", str(SPEED_WPM), "-w", str(path), "--stdin"]
        subprocess.run(command, input=text.encode("utf-8"), check=True)
        with wave.open(str(path), "rb") as wav:
            if wav.getnchannels() != 1 or wav.getsampwidth() != 2:
                raise RuntimeError(f"unexpected WAV format from espeak-ng: {path}")
            clip = Clip(path, wav.getnframes(), wav.getframerate())
        if clip.duration_ms < MIN_SPEECH_MS:
            raise RuntimeError(f"espeak-ng made almost no audio for {language}: {text!r}")
        return clip


# --- timeline -----------------------------------------------------------------------------------------------------


def lay_out(recording: dict[str, Any], synth: Synthesiser) -> list[Slot]:
    """Give every sentence of the recording its slot, in order, after the lead-in."""
    slots: list[Slot] = []
    start_ms = LEAD_IN_MS
    for segment in recording["segments"]:
        for sentence in segment["sentences"]:
            clips = {language: synth.clip(language, sentence[language]) for language in LANGUAGES}
            speech_ms = max(clips["en"].duration_ms, clips[segment["floor_language"]].duration_ms)
            slot = Slot(start_ms, speech_ms, segment, sentence, clips)
            slots.append(slot)
            start_ms = slot.end_ms
    return slots


def chapters(slots: list[Slot], duration_ms: int) -> list[dict[str, Any]]:
    """One chapter per segment, from the start of its first slot to the end of its last; the last ends the file."""
    result: list[dict[str, Any]] = []
    for slot in slots:
        segment = slot.segment
        if result and result[-1]["_segment"] is segment:
            result[-1]["end_ms"] = slot.end_ms
            continue
        result.append(
            {
                "start_ms": slot.start_ms,
                "end_ms": slot.end_ms,
                "title": segment["chapter"],
                "role": segment["role"],
                "person": segment["person"],
                "_segment": segment,
            }
        )
    result[-1]["end_ms"] = duration_ms
    for chapter in result:
        del chapter["_segment"]
    return result


# --- audio --------------------------------------------------------------------------------------------------------


def ms_to_frames(ms: int, rate: int) -> int:
    return ms * rate // 1000


def read_frames(clip: Clip) -> bytes:
    with wave.open(str(clip.path), "rb") as wav:
        return wav.readframes(wav.getnframes())


def render_wav(slots: list[Slot], pick: Callable[[Slot], Clip], duration_ms: int, path: Path) -> None:
    """Write one mono 16-bit WAV of duration_ms with each slot's picked clip at the slot's start."""
    rate = slots[0].clips["en"].rate
    silence = b"\x00\x00"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        cursor = 0
        for slot in slots:
            clip = pick(slot)
            if clip.rate != rate:
                raise RuntimeError("espeak-ng voices disagree on the sample rate")
            start = ms_to_frames(slot.start_ms, rate)
            if start < cursor:
                raise RuntimeError("sentences overlap on the timeline")
            out.writeframes(silence * (start - cursor) + read_frames(clip))
            cursor = start + clip.frames
        out.writeframes(silence * (ms_to_frames(duration_ms, rate) - cursor))


def encode_opus(wav_path: Path, opus_path: Path) -> None:
    """Mono Ogg Opus at about 24 kbit/s; bitexact flags keep the file identical between runs."""
    command = [
        "ffmpeg",
        "-nostdin",
        "-loglevel",
        "error",
        "-y",
        "-i",
        str(wav_path),
        "-map_metadata",
        "-1",
        "-ac",
        "1",
        "-ar",
        str(OPUS_RATE_HZ),
        "-c:a",
        "libopus",
        "-b:a",
        OPUS_BITRATE,
        "-application",
        "voip",
        "-fflags",
        "+bitexact",
        "-flags:a",
        "+bitexact",
        str(opus_path),
    ]
    subprocess.run(command, check=True)


def write_audio(slug: str, slots: list[Slot], duration_ms: int, work_dir: Path) -> None:
    tracks: dict[str, Callable[[Slot], Clip]] = {
        "interpretation": lambda slot: slot.clips["en"],
        "floor": lambda slot: slot.floor_clip,
    }
    for name, pick in tracks.items():
        wav_path = work_dir / f"{slug}-{name}.wav"
        render_wav(slots, pick, duration_ms, wav_path)
        encode_opus(wav_path, MEDIA_DIR / f"{slug}-{name}.opus")


# --- subtitles ----------------------------------------------------------------------------------------------------


def vtt_timestamp(ms: int) -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def wrap(text: str) -> list[str]:
    """Split at the space that best balances two lines of at most MAX_LINE_CHARS characters."""
    if len(text) <= MAX_LINE_CHARS:
        return [text]
    splits = [
        i for i, char in enumerate(text) if char == " " and i <= MAX_LINE_CHARS and len(text) - i - 1 <= MAX_LINE_CHARS
    ]
    if not splits:
        raise ValueError(f"does not fit in {MAX_LINES} lines of {MAX_LINE_CHARS} characters: {text!r}")
    best = min(splits, key=lambda i: abs(i - (len(text) - i - 1)))
    return [text[:best], text[best + 1 :]]


def escape_cue_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cue(slot: Slot, language: str, names: dict[str, str]) -> str:
    lines = [escape_cue_text(line) for line in wrap(slot.sentence[language])]
    person = slot.segment["person"]
    if person is not None:
        lines[0] = f"<v {escape_cue_text(names[person])}>{lines[0]}"
    timing = f"{vtt_timestamp(slot.start_ms)} --> {vtt_timestamp(slot.start_ms + slot.speech_ms)}"
    return "\n".join([timing, *lines])


def write_subtitles(slug: str, slots: list[Slot], names: dict[str, str]) -> None:
    for language in LANGUAGES:
        blocks = ["WEBVTT", *(cue(slot, language, names) for slot in slots)]
        path = SUBTITLES_DIR / f"{slug}.{language}.vtt"
        path.write_text("\n\n".join(blocks) + "\n", encoding="utf-8", newline="\n")


# --- poster -------------------------------------------------------------------------------------------------------


def xml_escape(text: str) -> str:
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&apos;")
    )


def poster_svg(event_title: str, number: int, workshop_title: str) -> str:
    title_lines = textwrap.wrap(workshop_title, width=26)
    tspans = "".join(
        f'<tspan x="96" dy="{0 if i == 0 else 84}">{xml_escape(line)}</tspan>' for i, line in enumerate(title_lines)
    )
    return "\n".join(
        [
            '<svg xmlns="http://www.w3.org/2000/svg" width="1280" height="720" viewBox="0 0 1280 720">',
            '  <rect width="1280" height="720" fill="#12355b"/>',
            '  <g fill="#ffffff" font-family="system-ui, sans-serif">',
            f'    <text x="96" y="120" font-size="32" opacity="0.85">{xml_escape(event_title)}</text>',
            f'    <text x="96" y="300" font-size="44">Thematic workshop {number}</text>',
            f'    <text x="96" y="400" font-size="72" font-weight="700">{tspans}</text>',
            '    <text x="96" y="640" font-size="28" opacity="0.85">'
            f"{xml_escape('Demo excerpt · synthesised speech')}</text>",
            "  </g>",
            "</svg>",
            "",
        ]
    )


def write_poster(slug: str, event_title: str, workshop: dict[str, Any]) -> None:
    svg = poster_svg(event_title, workshop["number"], workshop["title"])
    (POSTERS_DIR / f"{slug}.svg").write_text(svg, encoding="utf-8", newline="\n")


# --- main ---------------------------------------------------------------------------------------------------------


def report(slug: str, slots: list[Slot], duration_ms: int) -> None:
    print(f"{slug}: {duration_ms / 1000:.3f} s, {len(slots)} sentences")
    for slot in slots:
        durations = " ".join(f"{lang}={slot.clips[lang].duration_ms:5d}" for lang in LANGUAGES)
        print(f"  {vtt_timestamp(slot.start_ms)} floor={slot.segment['floor_language']} {durations} ms")


def make_recording(
    summit: dict[str, Any], workshop: dict[str, Any], synth: Synthesiser, work_dir: Path
) -> dict[str, Any]:
    """Write every file of one recording and return its timeline entry."""
    recording = workshop["recording"]
    slug = recording["slug"]
    names = {person["key"]: person["name"] for person in summit["people"]}
    slots = lay_out(recording, synth)
    duration_ms = slots[-1].end_ms
    write_audio(slug, slots, duration_ms, work_dir)
    write_subtitles(slug, slots, names)
    write_poster(slug, summit["event"]["title"], workshop)
    report(slug, slots, duration_ms)
    return {"duration_ms": duration_ms, "chapters": chapters(slots, duration_ms)}


def main() -> int:
    summit = json.loads(SUMMIT_JSON.read_text(encoding="utf-8"))
    for directory in (MEDIA_DIR, SUBTITLES_DIR, POSTERS_DIR):
        directory.mkdir(exist_ok=True)
    timeline: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="summit-demo-") as tmp:
        work_dir = Path(tmp)
        synth = Synthesiser(work_dir)
        for workshop in summit["workshops"]:
            timeline[workshop["recording"]["slug"]] = make_recording(summit, workshop, synth, work_dir)
    TIMELINE_JSON.write_text(json.dumps(timeline, indent=2, ensure_ascii=False) + "\n", encoding="utf-8", newline="\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
