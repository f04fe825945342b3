"""Media packaging benchmark: a 90-minute floor video and two interpretations packaged to HLS, remuxed and encoded.

    .venv/bin/python benchmarks/media.py [--minutes 90] [--folder /tmp/bench/media]

Makes (once, then reuses from --folder) a low-resolution H.264/AAC floor video (320x180, 10 fps, x264
ultrafast, a keyframe every 2 s, a mono tone) of that length by looping a generated minute with
`-stream_loop` and `-c copy`, and two AAC interpretation files the same way. Then, in one run:

- adds the three files as a recording's media sources (`catalogue.media.services.add_source`: copy, probe,
  decode check), and times that;
- runs the packaging job the way a worker does (`catalogue.jobs.services.run`: remux into fMP4 HLS, poster,
  thumbnail sprites, publish): the real-time factor is media duration / wall time (issue 12's goal: >= 50x);
- packages the same sources again with the picture encoded to one 360p rung (x264 veryfast) and reports that
  factor too.

SQLite and the queue's SQLite storage live in a temporary folder. The machine is shared: run it alone.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select

from catalogue import create_app
from catalogue.extensions import db
from catalogue.jobs.models import Job
from catalogue.jobs.services import run
from catalogue.media import packaging, services
from catalogue.media.models import Stream
from catalogue.recordings.models import Event, Recording, Workshop

CLIP_S = 60


def ffmpeg(*arguments: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *arguments], check=True)


def duration_of(path: Path) -> float:
    done = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        return float(done.stdout.strip())
    except ValueError:
        return 0.0


def make_media(folder: Path, minutes: int) -> dict[str, Path]:
    """The floor video and two interpretations, `minutes` long each (kept for the next run)."""
    folder.mkdir(parents=True, exist_ok=True)
    seconds = minutes * 60
    loops = str(max(0, -(-seconds // CLIP_S) - 1))
    files = {
        "floor": folder / f"floor-{minutes}min.mp4",
        "fr": folder / f"fr-{minutes}min.m4a",
        "tr": folder / f"tr-{minutes}min.m4a",
    }
    clips = {"floor": folder / "floor-clip.mp4", "fr": folder / "fr-clip.m4a", "tr": folder / "tr-clip.m4a"}
    tone = "sine=frequency={}:sample_rate=48000:duration=" + str(CLIP_S)
    if not clips["floor"].exists():
        ffmpeg(
            *["-f", "lavfi", "-i", f"testsrc2=size=320x180:rate=10:duration={CLIP_S}"],
            *["-f", "lavfi", "-i", tone.format(440)],
            *["-c:v", "libx264", "-preset", "ultrafast", "-g", "20", "-keyint_min", "20", "-pix_fmt", "yuv420p"],
            *["-c:a", "aac", "-b:a", "64k", "-ac", "1", str(clips["floor"])],
        )
        for name, frequency in (("fr", 550), ("tr", 660)):
            ffmpeg("-f", "lavfi", "-i", tone.format(frequency), "-c:a", "aac", "-b:a", "64k", str(clips[name]))
    for name, target in files.items():
        if abs(duration_of(target) - seconds) > 5:
            started = time.perf_counter()
            ffmpeg("-stream_loop", loops, "-i", str(clips[name]), "-t", str(seconds), "-c", "copy", str(target))
            print(f"made {target.name} in {time.perf_counter() - started:.1f} s")
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=int, default=90)
    parser.add_argument("--folder", type=Path, default=Path("/tmp/bench/media"))
    options = parser.parse_args()
    files = make_media(options.folder, options.minutes)
    duration = duration_of(files["floor"])

    with tempfile.TemporaryDirectory(prefix="media-bench-") as scratch:
        work = Path(scratch)
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{work / 'catalogue.sqlite'}",
                "CATALOGUE_MEDIA_DIR": str(work / "media"),
                "CATALOGUE_QUEUE_URL": f"sqlite:///{work / 'queue.sqlite'}",
            }
        )
        with app.app_context():
            db.create_all()
            event = Event(slug="bench", title="Benchmark", starts_on=date(2021, 12, 8), ends_on=date(2021, 12, 8))
            workshop = Workshop(event=event, number=1, slug="bench", title="Benchmark")
            db.session.add(Recording(workshop=workshop, slug="bench", title="90 minutes"))
            db.session.commit()
            recording = db.session.scalar(select(Recording))

            started = time.perf_counter()
            services.add_source(recording, files["floor"], "original", "en,fr,tr")
            services.add_source(recording, files["fr"], "interpretation", "fr")
            added = services.add_source(recording, files["tr"], "interpretation", "tr")
            adding = time.perf_counter() - started

            started = time.perf_counter()
            state = run(added.job.id)
            remux = time.perf_counter() - started
            job = db.session.get(Job, added.job.id)
            assert state == "done", job.error
            stream = db.session.scalar(select(Stream))
            folder = Path(app.config["CATALOGUE_MEDIA_DIR"]) / stream.folder
            size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
            segments = len(list((folder / "video").glob("*.m4s")))

            plan = replace(services.plan_for(recording), encode_video=True, ladder=(360,))
            encoded = work / "encoded"
            started = time.perf_counter()
            packaging.package(plan, encoded, lambda _fraction: None)
            transcode = time.perf_counter() - started
            shutil.rmtree(encoded)

    print(f"media: {duration / 60:.1f} min floor video (320x180, H.264/AAC) + 2 AAC interpretations")
    print(f"adding the three sources (copy, probe, decode check): {adding:.1f} s")
    print(
        f"remux packaging (HLS fMP4, {segments} video segments, poster, thumbnails, publish): {remux:.1f} s, "
        f"{size / 1e6:.0f} MB -> real-time factor {duration / remux:.0f}x (goal >= 50x)"
    )
    factor = duration / transcode
    print(f"transcode to 360p (x264 veryfast) + audio remux: {transcode:.1f} s -> real-time factor {factor:.1f}x")
    print(f"ratio transcode / remux wall time: {transcode / remux:.1f}")


if __name__ == "__main__":
    main()
