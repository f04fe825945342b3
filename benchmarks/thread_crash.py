"""Reproducer: threads rendering catalogue pages in one process crash it with SIGSEGV, unless the garbage collector
runs only between requests (catalogue.gunicorn_config.CollectionGate).

    .venv/bin/python benchmarks/thread_crash.py                    # both variants, 150 s each at most
    .venv/bin/python benchmarks/thread_crash.py --variants plain --seconds 300 --threads 6

Each variant runs in a child process (so a crash is an outcome, not the end of the run) on the 1,000-recording
catalogue of the load benchmark (`--cues 30` by default: the cues do not matter here), with the page cache off so
every request renders, and `--threads` threads sending GET / (the catalogue home, 24 recordings with their
workshops, audio and subtitle tracks) through the Flask test client, in the same process as gunicorn's gthread
worker would run them, for at most `--seconds`:

- plain: the interpreter's automatic garbage collector, as a threaded worker had it before the fix, run more often
  than by default (`--gc-threshold 50`: thresholds 50, 5, 5 instead of 700, 10, 10) so that the crash comes in
  seconds rather than minutes (`--gc-threshold 700` for the default);
- gated: the app wrapped in CollectionGate, as catalogue.gunicorn_config's post_worker_init does.

Prints per variant: survived (requests served) or the signal that killed it, and the Python stacks faulthandler wrote.
Measured on CPython 3.11.7 (and reported on Debian's 3.11.2), 6 threads: plain died after 14 s (150 s at the
default thresholds), gated served 4,976 requests in 90 s. The crashes: in dictobject.c dictresize() (a split-dict
order index of -35) setting InstanceState._strong_obj, in pymalloc (sqlite3's fetchall allocating a str), or while
"Garbage-collecting". With gc.disable() or PYTHONMALLOC=malloc it survives; without SQLAlchemy's Cython modules and
markupsafe's speedups it still dies; plain sqlite3 threads and the ORM queries alone do not. The common factor:
a collection triggered in one thread runs SQLAlchemy's InstanceState._cleanup weakref callbacks for objects
loaded by other threads (3 in 4 of them, 1 in 30 on a state still attached to a live session). No upstream report
matches exactly; the nearest is python/cpython#101975 (a multithreaded GC crash, fixed in 3.11.3).
"""

from __future__ import annotations

import argparse
import faulthandler
import gc
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

VARIANTS = ("plain", "gated")


def child(args: argparse.Namespace) -> None:
    """One variant in this process: the app, `threads` clients, at most `seconds`; exits 0 if it survived."""
    faulthandler.enable()
    from catalogue import create_app
    from catalogue.gunicorn_config import CollectionGate

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.url, "CATALOGUE_PAGE_CACHE_BYTES": 0})
    gc.set_threshold(args.gc_threshold, 5, 5)  # More collections racing the threads: a crash comes sooner.
    gate = None
    if args.child == "gated":
        gc.disable()
        gc.freeze()
        gate = CollectionGate()
        app.wsgi_app = gate.wrap(app.wsgi_app)
    served = [0]
    deadline = time.monotonic() + args.seconds

    def client() -> None:
        test_client = app.test_client()
        while time.monotonic() < deadline and served[0] < args.limit:
            response = test_client.get(args.path, buffered=True)
            if response.status_code != 200:
                raise SystemExit(f"GET {args.path}: {response.status_code}")
            served[0] += 1

    threads = [threading.Thread(target=client) for _ in range(args.threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    collections = f", {gate.collections} collections between requests" if gate else ""
    print(f"served {served[0]:,} requests in {args.seconds:.0f} s{collections}", flush=True)


def run_variant(variant: str, url: str, args: argparse.Namespace) -> str:
    command = [sys.executable, __file__, "--child", variant, "--url", url, "--seconds", str(args.seconds),
               "--threads", str(args.threads), "--path", args.path, "--limit", str(args.limit),
               "--gc-threshold", str(args.gc_threshold)]  # fmt: skip
    started = time.monotonic()
    finished = subprocess.run(command, capture_output=True, text=True, timeout=args.seconds + 120)
    elapsed = time.monotonic() - started
    if finished.returncode == 0:
        return f"{variant}: survived; {finished.stdout.strip()}"
    how = f"killed by {signal.Signals(-finished.returncode).name}" if finished.returncode < 0 else "failed"
    stacks = "\n".join(line for line in finished.stderr.splitlines() if line.strip())[-4000:]
    return f"{variant}: {how} after {elapsed:.0f} s (exit {finished.returncode})\n{stacks}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--variants", default=",".join(VARIANTS), help="comma-separated: plain,gated")
    parser.add_argument("--threads", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=150, help="the longest a variant runs")
    parser.add_argument("--path", default="/")
    parser.add_argument("--limit", type=int, default=1_000_000, help="the most requests a variant sends")
    parser.add_argument(
        "--gc-threshold", type=int, default=50, help="the collector's first threshold (CPython's default: 700)"
    )
    parser.add_argument("--recordings", type=int, default=1000)
    parser.add_argument("--cues", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--folder", type=Path, default=Path("/tmp/bench"), help="where the SQLite file goes")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--child", choices=VARIANTS, help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    from benchmarks.load import compile_translations_if_missing, prepare_catalogue

    args.folder.mkdir(parents=True, exist_ok=True)
    compile_translations_if_missing()
    info = prepare_catalogue("sqlite", args)
    print(f"python {sys.version.split()[0]}, {args.threads} threads, GET {args.path}, page cache off, "
          f"gc thresholds ({args.gc_threshold}, 5, 5)")  # fmt: skip
    for variant in [v.strip() for v in args.variants.split(",") if v.strip()]:
        if variant not in VARIANTS:
            raise SystemExit(f"unknown variant {variant!r}")
        print(run_variant(variant, info["url"], args), flush=True)


if __name__ == "__main__":
    main()
