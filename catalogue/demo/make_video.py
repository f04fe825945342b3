"""Make the demo's floor videos: slides with the workshop's title and who speaks, over the synthesised floor sound.

Why this exists: conference recordings are videos, and the demo should look like one. A real interpreted webinar
leaves one video of the floor (picture and original sound) and one audio file per interpretation channel; the
demo ships the same shape. Each recording's floor video is a slide show (the event, the workshop's number and
title, then for each chapter its title and the person speaking, as the programme names them) with a running clock
and a progress line, over the floor audio that make_media.py made. The English interpretation stays the separate
file `media/<slug>-interpretation.opus`. `flask demo load` packages both into one HLS stream.

This script was run once and its outputs are committed next to it (about 200 KB each; the app needs neither fonts
nor ffmpeg's drawtext). Run it again after make_media.py or after editing summit.json:

    .venv/bin/python catalogue/demo/make_video.py

It needs ffmpeg with libx264 and libfreetype, and the DejaVu fonts (Debian: `ffmpeg fonts-dejavu-core`). The
output is deterministic for the same inputs and tool versions.

For every recording it writes `video/<slug>-floor.mp4`: H.264 640x360 at 10 frames per second with a keyframe
every 2 seconds (so HLS segments of 6 seconds start on keyframes), and the floor's Opus sound copied as it is.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SUMMIT_JSON = HERE / "summit.json"
TIMELINE_JSON = HERE / "timeline.json"
MEDIA_DIR = HERE / "media"
VIDEO_DIR = HERE / "video"
FONTS = Path("/usr/share/fonts/truetype/dejavu")
REGULAR = FONTS / "DejaVuSans.ttf"
BOLD = FONTS / "DejaVuSans-Bold.ttf"

WIDTH, HEIGHT, RATE = 640, 360, 5
# A keyframe every 6 seconds, the HLS segment length (CATALOGUE_HLS_SEGMENT_S): each segment starts on one.
KEYFRAME_EVERY = 6 * RATE
BACKGROUND = "0x12355b"
ACCENT = "0xf59e0b"
TITLE_CHARS = 34
ROLE_NAMES = {
    "moderator": "Moderator",
    "introduction": "Introduction",
    "speaker": "Speaker",
    "conclusion": "Conclusion",
}
DEMO_LABEL = "Demo excerpt · synthesised speech"


def filter_path(path: Path) -> str:
    """A path inside an ffmpeg filter argument: its `\\`, `:` and `'` escaped."""
    return str(path).replace("\\", "\\\\").replace(":", "\\:").replace("'", "\\'")


class Slides:
    """The drawtext filters of one video; every text goes through a file, so no text needs escaping."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.filters: list[str] = []

    def text(self, text: str, *, x: str, y: str, size: int, bold: bool = False, when: str | None = None) -> None:
        path = self.folder / f"{len(self.filters):03d}.txt"
        path.write_text(text, encoding="utf-8")
        font = BOLD if bold else REGULAR
        options = [
            f"fontfile='{filter_path(font)}'",
            f"textfile='{filter_path(path)}'",
            "expansion=none",
            f"fontsize={size}",
            "fontcolor=white",
            f"x={x}",
            f"y={y}",
            "line_spacing=6",
        ]
        if when:
            options.append(f"enable='{when}'")
        self.filters.append("drawtext=" + ":".join(options))


def who(chapter: dict[str, Any], names: dict[str, str]) -> str:
    """ "Moderator: Güldem Özatağan", or the person alone when the chapter's title says the role already; nothing
    where the programme names nobody (no person is invented)."""
    role = ROLE_NAMES.get(chapter["role"] or "", "")
    person = names.get(chapter["person"] or "")
    if not person:
        return ""
    return f"{role}: {person}" if role and role != chapter["title"] else person


def video_filter(
    summit: dict[str, Any], workshop: dict[str, Any], timing: dict[str, Any], names: dict[str, str], folder: Path
) -> str:
    duration_s = timing["duration_ms"] / 1000
    slides = Slides(folder)
    # Everything in the upper two thirds: the player draws captions over the lower third.
    slides.text(summit["event"]["title"], x="40", y="24", size=17)
    slides.text(f"Thematic workshop {workshop['number']}", x="40", y="62", size=20)
    title = "\n".join(textwrap.wrap(workshop["title"], TITLE_CHARS))
    slides.text(title, x="40", y="92", size=30, bold=True)
    for chapter in timing["chapters"]:
        start, end = chapter["start_ms"] / 1000, chapter["end_ms"] / 1000
        when = f"between(t,{start:.3f},{end:.3f})"
        slides.text(chapter["title"], x="40", y="186", size=20, bold=True, when=when)
        if who(chapter, names):
            slides.text(who(chapter, names), x="40", y="214", size=18, when=when)
    slides.text(DEMO_LABEL, x="40", y="h-44", size=15)
    clock = (
        f"drawtext=fontfile='{filter_path(REGULAR)}':text='%{{pts\\:hms}}':fontsize=15:fontcolor=white:x=w-tw-40:y=h-44"
    )
    # A bar that slides in from the left as the recording plays (overlay positions are computed per frame).
    progress = f"[slides][1:v]overlay=x='-W+W*t/{duration_s:.3f}':y=H-8:shortest=1,format=yuv420p[video]"
    return f"[0:v]{','.join([*slides.filters, clock])}[slides];{progress}"


def make_video(summit: dict[str, Any], workshop: dict[str, Any], timing: dict[str, Any], names: dict[str, str]) -> Path:
    slug = workshop["recording"]["slug"]
    floor = MEDIA_DIR / f"{slug}-floor.opus"
    target = VIDEO_DIR / f"{slug}-floor.mp4"
    duration_s = timing["duration_ms"] / 1000
    with tempfile.TemporaryDirectory(prefix="demo-video-") as scratch:
        graph = video_filter(summit, workshop, timing, names, Path(scratch))
        command = ["ffmpeg", "-nostdin", "-v", "error", "-y"]
        command += ["-f", "lavfi", "-i", f"color=c={BACKGROUND}:s={WIDTH}x{HEIGHT}:r={RATE}:d={duration_s:.3f}"]
        command += ["-f", "lavfi", "-i", f"color=c={ACCENT}:s={WIDTH}x8:r={RATE}:d={duration_s:.3f}"]
        command += ["-i", str(floor), "-filter_complex", graph]
        command += ["-map", "[video]", "-map", "2:a"]
        command += ["-c:v", "libx264", "-preset", "veryslow", "-tune", "stillimage", "-crf", "32", "-threads", "1"]
        command += ["-g", str(KEYFRAME_EVERY), "-keyint_min", str(KEYFRAME_EVERY), "-sc_threshold", "0"]
        command += ["-c:a", "copy", "-t", f"{duration_s:.3f}", "-map_metadata", "-1", "-movflags", "+faststart"]
        command += ["-fflags", "+bitexact", "-flags:v", "+bitexact", str(target)]
        subprocess.run(command, check=True)
    return target


def main() -> int:
    for font in (REGULAR, BOLD):
        if not font.is_file():
            print(f"{font} is missing: apt-get install fonts-dejavu-core", file=sys.stderr)
            return 1
    summit = json.loads(SUMMIT_JSON.read_text(encoding="utf-8"))
    timeline = json.loads(TIMELINE_JSON.read_text(encoding="utf-8"))
    names = {p["key"]: p["name"] for p in summit["people"]}
    VIDEO_DIR.mkdir(exist_ok=True)
    for workshop in summit["workshops"]:
        slug = workshop["recording"]["slug"]
        target = make_video(summit, workshop, timeline[slug], names)
        print(f"{target.relative_to(HERE)}: {target.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
