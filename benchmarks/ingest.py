"""Ingest benchmark: our whole subtitle ingest against a bare webvtt-py parse of the same file.

    .venv/bin/python benchmarks/ingest.py [--cues 20000] [--memory-cues 100000] [--rounds 5]

Prints ratios measured side by side in one run (the machines are shared and noisy: absolute times mean
little). "Our ingest" is everything an upload does: size and kind checks, decoding, W3C WebVTT parsing,
quality warnings, the canonical WebVTT, and one transaction storing the revision and every cue (SQLite
in a temporary folder). Goals (issue 3): time ratio at 20,000 cues <= 2.5; peak memory ratio at 100,000
cues <= 1.5.
"""

from __future__ import annotations

import argparse
import gc
import io
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import webvtt

from catalogue import create_app
from catalogue.demo.cli import load_demo
from catalogue.extensions import db
from catalogue.recordings.models import Recording
from catalogue.subtitles.store import publish_subtitle

WORDS = [
    "the",
    "city",
    "resilience",
    "pandemic",
    "recovery",
    "inclusion",
    "equity",
    "diversity",
    "dialogue",
    "solidarity",
    "mayors",
    "summit",
    "living",
    "together",
    "municipality",
    "neighbourhood",
    "citizens",
    "migrants",
    "belonging",
    "cohesion",
    "rights",
    "practices",
    "networks",
    "local",
    "government",
    "public",
    "services",
    "housing",
    "health",
    "education",
    "culture",
    "participation",
    "trust",
]


def make_vtt(cues: int, seed: int = 1) -> bytes:
    """A realistic WebVTT file: two-line cues of 4 to 12 words, some with voices, 3 s apart."""
    rng = random.Random(seed)
    parts = ["WEBVTT", ""]
    for i in range(cues):
        start = i * 3000
        words = [rng.choice(WORDS) for _ in range(rng.randint(4, 12))]
        half = len(words) // 2
        text = " ".join(words[:half]) + "\n" + " ".join(words[half:])
        if i % 7 == 0:
            text = "<v Speaker " + str(i % 5) + ">" + text
        parts.append(f"{_clock(start)} --> {_clock(start + 2500)}")
        parts.append(text)
        parts.append("")
    return "\n".join(parts).encode("utf-8")


def _clock(ms: int) -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def bare_webvtt_parse(data: bytes) -> int:
    return len(webvtt.WebVTT.from_buffer(io.StringIO(data.decode("utf-8"))))


def our_ingest(app, data: bytes) -> int:
    with app.app_context():
        recording = db.session.scalar(db.select(Recording).where(Recording.slug == "workshop-1-building-resilience"))
        revision = publish_subtitle(recording, "en", data, filename="bench.vtt")
        count = revision.cue_count
        db.session.remove()
        return count


def timed(function, *args) -> float:
    gc.collect()
    start = time.perf_counter()
    function(*args)
    return time.perf_counter() - start


def peak_memory(function, *args) -> int:
    gc.collect()
    tracemalloc.start()
    function(*args)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cues", type=int, default=20_000)
    parser.add_argument("--memory-cues", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite",
                "CATALOGUE_MEDIA_DIR": f"{folder}/media",
                "CATALOGUE_MAX_SUBTITLE_BYTES": 1 << 30,
            }
        )
        with app.app_context():
            db.create_all()
            load_demo()
            # The benchmark file is longer than the demo recording: no "after the end" warning per cue.
            db.session.scalar(
                db.select(Recording).where(Recording.slug == "workshop-1-building-resilience")
            ).duration_ms = None
            db.session.commit()

        data = make_vtt(args.cues)
        assert our_ingest(app, data) == bare_webvtt_parse(data) == args.cues  # warm-up, and the same cues
        ours, theirs = [], []
        for _ in range(args.rounds):  # Interleaved, so both see the same machine load.
            theirs.append(timed(bare_webvtt_parse, data))
            ours.append(timed(our_ingest, app, data))
        ratio = statistics.median(o / t for o, t in zip(ours, theirs, strict=True))
        print(
            f"time, {args.cues:,} cues ({len(data) / 1e6:.1f} MB): our whole ingest / bare webvtt-py parse "
            f"= {ratio:.2f} (median of {args.rounds} paired rounds; goal <= 2.5)"
        )

        big = make_vtt(args.memory_cues, seed=2)
        ours_peak = peak_memory(our_ingest, app, big)
        theirs_peak = peak_memory(bare_webvtt_parse, big)
        print(
            f"peak memory, {args.memory_cues:,} cues ({len(big) / 1e6:.1f} MB): our whole ingest / bare webvtt-py "
            f"parse = {ours_peak / theirs_peak:.2f} ({ours_peak / 1e6:.0f} MB / {theirs_peak / 1e6:.0f} MB; "
            "goal <= 1.5)"
        )


if __name__ == "__main__":
    main()
