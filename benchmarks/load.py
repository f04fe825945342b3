"""Load benchmark: the production gunicorn on loopback, driven by wrk, each page against the hello run just before it.

    .venv/bin/python benchmarks/load.py [--databases sqlite,postgresql] [--caches on,off] [--duration 15]
    .venv/bin/python benchmarks/load.py --quick          # 5 s per run

For each database (SQLite, then PostgreSQL) and each page cache mode (on: the production setting, a cache hit; off:
`CATALOGUE_PAGE_CACHE_BYTES=0`, every request rendered, as a new URL is; with no write during the run, what a page read
is kept until the next write (catalogue.pagecache.until_next_write), so the first request after a write, which reads it
all again, costs more than this mode measures) it starts gunicorn exactly as README "Deployment" does (`python -m
gunicorn -c python:catalogue.gunicorn_config catalogue.wsgi:app`, 2 workers × 4 threads by default as in
gunicorn_config.py, the access log off) on a free loopback port, on the 1,000-recording catalogue of the search
benchmark (3 million cues; built by benchmarks/catalogue_data.py through benchmarks/search.py's reuse logic, or reused
when complete), and runs `wrk --latency -t2 -c64 -d15s` against each page, with a run of hello immediately before each:

- hello: `GET /healthz`, which answers without the database: the baseline of the next page's ratio;
- home: `GET /` (the catalogue's first page, 24 cards);
- watch: `GET /recordings/<first recording>`;
- vtt-304: `GET /recordings/<slug>/subtitles/<lang>.vtt` with `If-None-Match` set to its ETag (a player
  revalidating the subtitles); every answer must be a 304;
- search: `GET /search?q=city` (a common word: in ~10% of the English cues, the 3M catalogue's hard case);
- api: `GET /api/v1/recordings?page=1` (the recordings API, a page of 50);
- api-all (only with `--pages ...,api-all`; no goal): `GET /api/v1/recordings`, all 1,000 at once.

Every page repeats one URL, so with the cache on the workers' page cache (catalogue/pagecache.py) answers all
but the first request of each worker. `--page-cache-bytes N` sets the cache size of the "on" mode (the
production default otherwise); `--page-cache-bytes 0` alone is `--caches off`.

Each page's ratio is its requests per second divided by those of the hello run just before it, on the same
gunicorn: the machines are shared and noisy, and a single hello per database let the ratios swing with the
load of the moment. Before every run (hello and page alike) the master is sent SIGHUP and the benchmark waits
for fresh workers (up for 2 s), so no run inherits workers that the previous one left closer to max_requests
(see fresh_workers()).

Prints, as it goes, each page's rate and its hello's rate, the ratio with issue 17's goal, the p99 latency and
the errors (socket errors, timeouts — wrk's default 2 s — and any status other than the expected 200, or 304 for
vtt-304), then the peak memory per worker (the largest VmHWM of /proc/<pid>/status over the workers alive
during the runs, sampled every 0.2 s). At the end it prints the issue's table, per database, as text and as
Markdown: each page's ratio with the cache off (goals: home >= 0.20, watch >= 0.30, VTT 304 >= 0.80, search
>= 0.15, API >= 0.20) and with cache hits (>= 0.80, VTT 304 >= 0.90), its p99 (goal < 100 ms) and its errors
(goal 0; a hello run's errors are shown beside its page's), each marked met or MISSED. gunicorn's logs are
kept in a new folder under --folder (/tmp/bench/load-*), and a mode with errors prints the last exception logged.

The synthetic catalogue has no audio tracks and the watch page is a 404 without one: the first run adds two
per recording (an English interpretation, default, and the floor audio), as the demo loader does. It also
stores its ETags with their quotes, which werkzeug's set_etag() refuses (a 500 on every .vtt): the first run
stores them bare, as the app computes them. Search indexes neither, so benchmarks/search.py is unaffected.
Its revisions hold a one-line VTT; a real 1,000-cue revision holds ~90 kB of VTT and as much source, so the
pages that load whole revisions (the 304, the API) cost more on real data than here.

Needs wrk (`apt-get install -y wrk`) and, for PostgreSQL, the `catalogue_bench` database (benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import bindparam, func, insert, select, update

from benchmarks import search as search_benchmark
from catalogue.extensions import db
from catalogue.recordings.models import AudioKind, AudioTrack, Recording, Workshop
from catalogue.subtitles.models import SubtitleRevision, SubtitleTrack

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PAGES = ("home", "watch", "vtt-304", "search", "api")
CACHE_MODES = ("on", "off")
P99_GOAL_MS = 100.0
# Seconds from a SIGHUP until fresh workers have been up for 2 s (measured: 45 s for 20 on the shared 2-core
# machine); only for the expected total printed at the start.
RESTART_ESTIMATE_S = 2.5


@dataclass(frozen=True)
class Goal:
    """A row of issue 17's table: the page as the issue names it and its ratio goals with the cache off and on."""

    label: str
    off: float | None
    hit: float | None


GOALS = {
    "home": Goal("home (24 cards)", 0.20, 0.80),
    "watch": Goal("watch", 0.30, 0.80),
    "vtt-304": Goal("VTT 304", 0.80, 0.90),
    "search": Goal("search (common word)", 0.15, 0.80),
    "api": Goal("recordings API (50)", 0.20, 0.80),
    "api-all": Goal("recordings API (all, no goal)", None, None),
}

# wrk's Lua hooks: count the statuses per thread, then print one JSON line with everything we report.
# The same script drives hello and the pages, so its cost is on both sides of each ratio.
WRK_SCRIPT = """
local threads = {}
function setup(thread)
  table.insert(threads, thread)
end
function init(args)
  statuses = {}
%(headers)s
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, requests)
  local all = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      all[tostring(status)] = (all[tostring(status)] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(all) do
    table.insert(parts, string.format('"%%s": %%d', status, count))
  end
  io.write(string.format(
    'BENCH {"requests": %%d, "duration_us": %%d, "bytes": %%d, "connect": %%d, "read": %%d, "write": %%d, ' ..
    '"status": %%d, "timeout": %%d, "p50_us": %%d, "p99_us": %%d, "max_us": %%d, "statuses": {%%s}}\\n',
    summary.requests, summary.duration, summary.bytes, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.status, summary.errors.timeout, latency:percentile(50),
    latency:percentile(99), latency.max, table.concat(parts, ", ")))
end
"""


@dataclass
class Page:
    name: str
    path: str
    expected: int = 200
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Result:
    page: Page
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    error_detail: str
    peak_kb: int
    workers_seen: int

    @property
    def rate(self) -> float:
        return self.requests / self.seconds


# --- the catalogue -------------------------------------------------------------------------------------------


def prepare_catalogue(database: str, args: argparse.Namespace) -> dict[str, Any]:
    """search.py's catalogue, built or reused (marker row and counts), plus the audio tracks the player needs."""
    info = search_benchmark.prepare(database, args.recordings, args.cues, args.folder, args.seed, args.rebuild)
    made = info["generated_s"]
    print(
        f"{database}: {info['label']}-cue catalogue ({args.recordings:,} recordings), "
        f"{info['bytes'] / 1e6:,.0f} MB" + (f", generated in {made:.0f} s" if made is not None else ", reused")
    )
    app = info["app"]
    with app.app_context():
        # Tables added to the app since the catalogue was built (catalogue_version, for the page cache).
        db.create_all()
        added = ensure_audio_tracks()
        if added:
            print(f"{database}: added {added:,} audio tracks (the watch page is a 404 without one)")
        fixed = ensure_bare_etags()
        if fixed:
            print(
                f"{database}: {fixed:,} revisions had a quoted ETag (a 500 in set_etag); stored bare, as the app does"
            )
        info["targets"] = look_up_targets()
        db.engine.dispose()
    return info


def ensure_audio_tracks() -> int:
    """Two audio tracks per recording that has none, as the demo loader makes them; idempotent."""
    with db.engine.begin() as connection:
        bare = (
            connection.execute(
                select(Recording.id).where(
                    ~select(AudioTrack.id).where(AudioTrack.recording_id == Recording.id).exists()
                )
            )
            .scalars()
            .all()
        )
        rows = []
        for recording_id in bare:
            for position, (slug, kind, languages, label, default) in enumerate(
                (
                    ("interpretation", AudioKind.INTERPRETATION, ["en"], "English interpretation", True),
                    ("floor", AudioKind.ORIGINAL, ["en", "fr", "tr"], "Original floor audio (EN, FR, TR)", False),
                )
            ):
                rows.append(
                    {
                        "recording_id": recording_id,
                        "slug": slug,
                        "kind": kind,
                        "languages": languages,
                        "label": label,
                        "media_url": f"https://media.example.org/synthetic-{recording_id}-{slug}.opus",
                        "mime_type": "audio/ogg; codecs=opus",
                        "is_default": default,
                        "position": position,
                    }
                )
        if rows:
            connection.execute(insert(AudioTrack), rows)
    return len(rows)


def ensure_bare_etags() -> int:
    """catalogue_data.py stores `"synthetic-N"` with its quotes; the app stores sha256(vtt)[:32] (subtitles/store.py)
    and werkzeug's set_etag() refuses a quote. Same value as the app would compute; idempotent."""
    with db.engine.begin() as connection:
        quoted = connection.execute(
            select(SubtitleRevision.id, SubtitleRevision.vtt).where(SubtitleRevision.etag.contains('"'))
        ).all()
        if quoted:
            connection.execute(
                update(SubtitleRevision).where(SubtitleRevision.id == bindparam("rid")).values(etag=bindparam("tag")),
                [{"rid": rid, "tag": hashlib.sha256(vtt.encode()).hexdigest()[:32]} for rid, vtt in quoted],
            )
    return len(quoted)


def look_up_targets() -> dict[str, str]:
    """The first recording in catalogue order that has audio and published subtitles, and one of its languages."""
    row = db.session.execute(
        select(Recording.slug, func.min(SubtitleTrack.language))
        .join(Recording.workshop)
        .join(SubtitleTrack, SubtitleTrack.recording_id == Recording.id)
        .where(SubtitleTrack.current_revision_id.is_not(None))
        .where(select(AudioTrack.id).where(AudioTrack.recording_id == Recording.id).exists())
        .group_by(Recording.id, Recording.slug, Workshop.event_id, Workshop.number)
        .order_by(Workshop.event_id, Workshop.number, Recording.id)
        .limit(1)
    ).one_or_none()
    if row is None:
        raise SystemExit("no recording with audio and subtitles in the catalogue")
    db.session.remove()
    return {"slug": row[0], "language": row[1]}


# --- gunicorn ------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def compile_translations_if_missing() -> None:
    folder = ROOT / "translations"
    missing = [po for po in folder.glob("*/LC_MESSAGES/*.po") if not po.with_suffix(".mo").exists()]
    if missing:
        print(f"compiling the translations ({len(missing)} .mo missing)")
        subprocess.run([str(Path(sys.executable).parent / "flask"), "--app", "catalogue", "translations", "compile"],
                       cwd=ROOT, check=True)  # fmt: skip


class Gunicorn:
    """The production server on a loopback port, as README "Deployment" starts it."""

    def __init__(self, database_url: str, workers: int, threads: int, log: Path, extra_env: dict[str, str]) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.restarting_s = 0.0
        env = {
            **os.environ,
            "CATALOGUE_WORKERS": str(workers),
            "CATALOGUE_THREADS": str(threads),
            "CATALOGUE_BIND": f"127.0.0.1:{self.port}",
            "CATALOGUE_ACCESS_LOG": "/dev/null",
            "DATABASE_URL": database_url,
            "CATALOGUE_TRANSLATIONS_DIR": str(ROOT / "translations"),
            "SECRET_KEY": secrets.token_hex(32),  # A real one: the app refuses to start on a placeholder.
            "PYTHONPATH": str(ROOT),
            **extra_env,
        }
        with open(log, "wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", "python:catalogue.gunicorn_config", "catalogue.wsgi:app"],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + 60
        while True:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited ({self.process.returncode}):\n{log.read_text()[-3000:]}")
            try:
                if fetch(self.base + "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise SystemExit(f"gunicorn did not answer /healthz in 60 s:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)

    def workers(self) -> list[int]:
        """The master's children, from /proc/<pid>/stat (no psutil)."""
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                after_name = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(after_name[1]) == self.process.pid:
                children.append(int(stat.parent.name))
        return children

    def fresh_workers(self, workers: int, age: float = 2.0, limit: float = 90.0) -> None:
        """Replace the workers (SIGHUP: the master starts new ones and retires the old ones gracefully) and wait
        until `workers` new ones have each been up for `age` seconds.

        So each run starts on equal terms: wrk opens its 64 connections at once and keeps them alive, and the
        settings recycle a worker after 100,000 ± 10,000 requests (2,000 ± 200 when this was measured). A worker
        left near its quota by the previous run (or still importing the app) would soon drop its connections, wrk
        would reconnect them all to the other worker, and they would stay there for the rest of the run, on one
        core (measured: home at about half the rate). Recycling during a run still does that; that part is the
        production behaviour. The time this takes adds up in `restarting_s`."""
        began = time.monotonic()
        old = set(self.workers())
        os.kill(self.process.pid, signal.SIGHUP)
        deadline = time.monotonic() + limit
        ticks = os.sysconf("SC_CLK_TCK")
        while time.monotonic() < deadline:
            uptime = float(Path("/proc/uptime").read_text().split()[0])
            ages = []
            for pid in self.workers():
                try:
                    started = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]) / ticks
                except OSError:
                    continue
                ages.append((pid, uptime - started))
            if len(ages) == workers and not old & {p for p, _ in ages} and min(a for _, a in ages) >= age:
                self.restarting_s += time.monotonic() - began
                return
            time.sleep(0.1)
        raise SystemExit(f"gunicorn did not replace its workers in {limit:.0f} s:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=35)  # graceful_timeout is 30 s
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class MemorySampler:
    """The peak VmHWM (kB) of each worker seen while it runs, sampled every `interval` seconds."""

    def __init__(self, server: Gunicorn, interval: float = 0.2) -> None:
        self.server, self.interval = server, interval
        self.peaks: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        for pid in self.server.workers():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        self.peaks[pid] = max(self.peaks.get(pid, 0), int(line.split()[1]))
                        break
            except OSError:
                continue  # Recycled between the listing and the read.

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def __enter__(self) -> MemorySampler:
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()


# --- requests ------------------------------------------------------------------------------------------------


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def pages(server: Gunicorn, targets: dict[str, str], names: list[str], query: str) -> list[Page]:
    slug, language = targets["slug"], targets["language"]
    vtt = f"/recordings/{slug}/subtitles/{language}.vtt"
    status, headers, _ = fetch(server.base + vtt)
    etag = headers.get("ETag")
    if status != 200 or not etag:
        raise SystemExit(f"GET {vtt}: {status}, ETag {etag!r}")
    known = {
        "hello": Page("hello", "/healthz"),
        "home": Page("home", "/"),
        "watch": Page("watch", f"/recordings/{slug}"),
        "vtt-304": Page("vtt-304", vtt, 304, {"If-None-Match": etag}),
        "search": Page("search", "/search?" + urllib.parse.urlencode({"q": query})),
        "api": Page("api", "/api/v1/recordings?page=1"),
        "api-all": Page("api-all", "/api/v1/recordings"),
    }
    chosen = [known["hello"]] + [known[name] for name in names]  # Names checked by parse_arguments().
    for page in chosen:  # Each answers as expected once before it is loaded.
        status, _, body = fetch(server.base + page.path, page.headers)
        if status != page.expected:
            raise SystemExit(f"GET {page.path}: {status}, expected {page.expected}: {body[:300]!r}")
    return chosen


def run_wrk(server: Gunicorn, page: Page, args: argparse.Namespace, folder: Path) -> Result:
    headers = "\n".join(f"  wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in page.headers.items())
    script = folder / f"{page.name}.lua"
    script.write_text(WRK_SCRIPT % {"headers": headers})
    command = [args.wrk, "--latency", f"-t{args.wrk_threads}", f"-c{args.connections}", f"-d{args.duration}s",
               "-s", str(script), server.base + page.path]  # fmt: skip
    with MemorySampler(server) as memory:
        finished = subprocess.run(command, capture_output=True, text=True)
    line = next((x for x in finished.stdout.splitlines() if x.startswith("BENCH ")), None)
    if finished.returncode != 0 or line is None:
        raise SystemExit(f"wrk failed ({finished.returncode}):\n{finished.stdout}\n{finished.stderr}")
    data = json.loads(line[len("BENCH ") :])
    statuses = {int(k): v for k, v in data["statuses"].items()}
    unexpected = {status: n for status, n in sorted(statuses.items()) if status != page.expected}
    sockets = {k: data[k] for k in ("connect", "read", "write", "timeout") if data[k]}
    errors = sum(sockets.values()) + sum(unexpected.values())
    detail = ", ".join(
        [f"{k} {v:,}" for k, v in sockets.items()] + [f"HTTP {s} × {n:,}" for s, n in unexpected.items()]
    )
    return Result(
        page=page,
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        errors=errors,
        error_detail=detail,
        peak_kb=max(memory.peaks.values(), default=0),
        workers_seen=len(memory.peaks),
    )


# --- the run -------------------------------------------------------------------------------------------------

DATABASE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
CACHE_NAMES = {"on": "cache hit", "off": "cache off"}


@dataclass
class Measure:
    """One page's wrk run and the hello run just before it, on the same gunicorn: the ratio's two sides."""

    database: str
    cache: str
    page: Result
    hello: Result

    @property
    def ratio(self) -> float:
        return self.page.rate / self.hello.rate

    @property
    def goal(self) -> float | None:
        goal = GOALS.get(self.page.page.name)
        if goal is None:
            return None
        return goal.hit if self.cache == "on" else goal.off

    @property
    def ratio_met(self) -> bool | None:
        return None if self.goal is None else self.ratio >= self.goal

    @property
    def p99_met(self) -> bool:
        return self.page.p99_ms < P99_GOAL_MS

    def misses(self) -> list[str]:
        where = f"{DATABASE_NAMES[self.database]} {CACHE_NAMES[self.cache]} {self.page.page.name}"
        found = []
        if self.ratio_met is False:
            found.append(f"{where} {self.ratio:.2f} < {self.goal:.2f}")
        if not self.p99_met:
            found.append(f"{where} p99 {self.page.p99_ms:,.0f} ms")
        if self.page.errors:
            found.append(f"{where} {self.page.errors:,} errors")
        if self.hello.errors:
            found.append(f"{where}'s hello {self.hello.errors:,} errors")
        return found


@dataclass
class ModeRun:
    """Every page of one database with the page cache on or off, on one gunicorn."""

    database: str
    cache: str
    measures: list[Measure]
    restarting_s: float

    def hello_range(self) -> str:
        rates = [m.hello.rate for m in self.measures]
        return f"{min(rates):,.0f}–{max(rates):,.0f}" if rates else "none"

    def peak_mb(self) -> float:
        return max((max(m.page.peak_kb, m.hello.peak_kb) for m in self.measures), default=0) / 1024


def verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def errors_text(result: Result) -> str:
    return f"errors {result.errors:,}" + (f" ({result.error_detail})" if result.errors else "")


def describe(measure: Measure) -> str:
    """The line printed as each page finishes: both rates, so a ratio can be checked against its hello."""
    page, hello, goal = measure.page, measure.hello, measure.goal
    judged = "no goal" if goal is None else f"goal >= {goal:.2f}, {verdict(measure.ratio >= goal)}"
    line = (
        f"{measure.database}, {CACHE_NAMES[measure.cache]}: {page.page.name} {page.rate:,.0f} req/s ÷ hello just "
        f"before {hello.rate:,.0f} req/s = {measure.ratio:.2f} ({judged}); p99 {page.p99_ms:,.0f} ms "
        f"(hello {hello.p99_ms:,.0f} ms); {errors_text(page)}"
    )
    return line + (f"; hello {errors_text(hello)}" if hello.errors else "")


def last_exception(log: Path) -> str:
    """The last exception line gunicorn logged (`SomeError: message`), to tell a broken app from an overload."""
    lines = log.read_text(errors="replace").splitlines()
    found = next((line for line in reversed(lines) if re.match(r"^[\w.]+(Error|Exception|Exit): ", line)), None)
    return f"its last exception: {found}" if found else "no exception in it"


def cache_env(cache: str, args: argparse.Namespace) -> dict[str, str]:
    if cache == "off":
        return {"CATALOGUE_PAGE_CACHE_BYTES": "0"}
    return {} if args.page_cache_bytes is None else {"CATALOGUE_PAGE_CACHE_BYTES": str(args.page_cache_bytes)}


def cache_caption(cache: str, args: argparse.Namespace) -> str:
    if cache == "off":
        return "page cache off (CATALOGUE_PAGE_CACHE_BYTES=0)"
    if args.page_cache_bytes is None:
        return "page cache on (production default size)"
    return f"page cache on ({args.page_cache_bytes:,} bytes)"


def bench_mode(database: str, cache: str, info: dict[str, Any], args: argparse.Namespace, folder: Path) -> ModeRun:
    """Each page after a hello run of its own, on fresh workers each time (see Gunicorn.fresh_workers)."""
    log = folder / f"gunicorn-{database}-cache-{cache}.log"
    server = Gunicorn(info["url"], args.workers, args.threads, log, cache_env(cache, args))
    measures: list[Measure] = []
    try:
        hello, *chosen = pages(server, info["targets"], args.pages, args.query)
        print(
            f"{database}: gunicorn {args.workers} workers × {args.threads} threads on {server.base}, "
            f"{cache_caption(cache, args)}; wrk -t{args.wrk_threads} -c{args.connections} -d{args.duration}s; "
            f"watch {info['targets']['slug']}, subtitles {info['targets']['language']}",
            flush=True,
        )
        for page in chosen:
            server.fresh_workers(args.workers)
            before = run_wrk(server, hello, args, folder)
            server.fresh_workers(args.workers)
            measure = Measure(database, cache, run_wrk(server, page, args, folder), before)
            print(describe(measure), flush=True)
            measures.append(measure)
    finally:
        server.stop()
    run = ModeRun(database, cache, measures, server.restarting_s)
    if any(m.page.errors or m.hello.errors for m in measures):
        print(f"{database}, {CACHE_NAMES[cache]}: errors; gunicorn's log is {log}; {last_exception(log)}", flush=True)
    by_page = ", ".join(f"{m.page.page.name} {m.page.peak_kb / 1024:,.0f}" for m in measures)
    seen = sum(m.page.workers_seen + m.hello.workers_seen for m in measures)
    print(
        f"{database}, {CACHE_NAMES[cache]}: peak memory per worker (VmHWM) {run.peak_mb():,.0f} MB (by page, MB: "
        f"{by_page}; {seen} worker lifetimes seen, hello runs included); hello {run.hello_range()} req/s",
        flush=True,
    )
    return run


# --- the table -----------------------------------------------------------------------------------------------


def cell(measure: Measure | None) -> str:
    """One database and cache mode of one page: the ratio, the p99 and the errors, each judged."""
    if measure is None:
        return "not run"
    met = measure.ratio_met
    parts = [
        f"{measure.ratio:.2f}" + ("" if met is None else f" {verdict(met)}"),
        f"p99 {measure.page.p99_ms:,.0f} ms {verdict(measure.p99_met)}",
        f"{measure.page.errors:,} errors {verdict(not measure.page.errors)}",
    ]
    if measure.hello.errors:
        parts.append(f"hello {measure.hello.errors:,} errors MISSED")
    return " · ".join(parts)


def goal_text(goal: float | None) -> str:
    return "—" if goal is None else f"≥ {goal:.2f}"


def table(runs: list[ModeRun], page_names: list[str]) -> tuple[list[str], list[list[str]]]:
    """Issue 17's table: a row per page, its goals, then a column per database and cache mode that ran."""
    columns = [(run.database, run.cache) for run in runs]
    found = {(m.database, m.cache, m.page.page.name): m for run in runs for m in run.measures}
    header = ["page", "goal: cache off", "goal: cache hit"]
    header += [f"{DATABASE_NAMES[database]} {CACHE_NAMES[cache]}" for database, cache in columns]
    rows = []
    for name in page_names:
        goal = GOALS[name]
        row = [goal.label, goal_text(goal.off), goal_text(goal.hit)]
        row += [cell(found.get((database, cache, name))) for database, cache in columns]
        rows.append(row)
    return header, rows


def text_lines(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(line[i]) for line in [header, *rows]) for i in range(len(header))]
    return [
        "  ".join(text.ljust(width) for text, width in zip(line, widths, strict=True)).rstrip()
        for line in [header, *rows]
    ]


def markdown_lines(header: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(line) + " |" for line in [header, ["---"] * len(header), *rows]]


def print_tables(runs: list[ModeRun], args: argparse.Namespace, measured_at: str) -> None:
    """Per database as text (it fits a terminal), then every column at once as Markdown, for the issue's note."""
    setting = (
        f"{measured_at}; gunicorn {args.workers} workers × {args.threads} threads; "
        f"wrk -t{args.wrk_threads} -c{args.connections} -d{args.duration}s a run; {args.recordings:,} recordings"
    )
    caption = (
        f"Ratio: the page's requests per second ÷ those of the `/healthz` run just before it. Goals: the ratio, "
        f"p99 < {P99_GOAL_MS:.0f} ms and 0 errors at 64 connections, for every page, cache on and off."
    )
    footer = [
        f"{DATABASE_NAMES[run.database]} {CACHE_NAMES[run.cache]}: `/healthz` {run.hello_range()} req/s "
        f"before the pages; peak memory per worker {run.peak_mb():,.0f} MB"
        for run in runs
    ]
    for database in dict.fromkeys(run.database for run in runs):
        header, rows = table([run for run in runs if run.database == database], args.pages)
        print(f"\nissue 17's table, {DATABASE_NAMES[database]} ({setting})")
        print("\n".join(text_lines(header, rows)))
    header, rows = table(runs, args.pages)
    print(f"\nAs Markdown:\n\n{caption} ({setting})\n")
    print("\n".join(markdown_lines(header, rows)))
    print("\n" + "\n".join(f"- {line}" for line in footer) + "\n")


def revision() -> str:
    """The commit measured (the code may change between runs), and whether the app's files differ from it."""
    try:
        git = ["git", "-C", str(ROOT)]
        head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True)
        dirty = subprocess.run([*git, "status", "--porcelain", "--", "catalogue", "config.py"],
                               capture_output=True, text=True, check=True)  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return "an unknown commit"
    return f"commit {head.stdout.strip()}" + (" with local changes in catalogue/" if dirty.stdout.strip() else "")


def span(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"


def cache_modes(args: argparse.Namespace) -> list[str]:
    """--caches, or the cache off alone for a bare `--page-cache-bytes 0` (what it meant before the modes)."""
    if args.caches is None:
        return ["off"] if args.page_cache_bytes == 0 else list(CACHE_MODES)
    modes = [mode.strip() for mode in args.caches.split(",") if mode.strip()]
    if not modes or set(modes) - set(CACHE_MODES):
        raise SystemExit(f"--caches {args.caches!r}: a comma-separated choice of {','.join(CACHE_MODES)}")
    if "on" in modes and args.page_cache_bytes == 0:
        raise SystemExit("--page-cache-bytes 0 turns the page cache off: use --caches off")
    return modes


def expected_total(databases: list[str], caches: list[str], args: argparse.Namespace) -> str:
    runs = len(databases) * len(caches) * len(args.pages) * 2
    return (
        f"expected: {runs} wrk runs ({len(databases)} databases × {len(caches)} cache modes × {len(args.pages)} "
        f"pages × hello and page) of {args.duration} s = {span(runs * args.duration)} of load; about "
        f"{span(runs * (args.duration + RESTART_ESTIMATE_S))} with fresh workers before each run, plus the "
        f"gunicorn starts and any catalogue still to build"
    )


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--databases", default="sqlite,postgresql", help="comma-separated: sqlite,postgresql")
    parser.add_argument("--caches", help="comma-separated page cache modes: on,off (default both)")
    parser.add_argument("--pages", default=",".join(DEFAULT_PAGES),
                        help=f"comma-separated, each after a hello: {','.join(DEFAULT_PAGES)}, api-all")  # fmt: skip
    parser.add_argument("--duration", type=int, default=15, help="seconds of load per run (hello, then the page)")
    parser.add_argument("--quick", action="store_true", help="5 s per run")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="CATALOGUE_WORKERS")
    parser.add_argument("--threads", type=int, default=4, help="CATALOGUE_THREADS (1 to compare)")
    parser.add_argument("--query", default="city", help="the search page's query")
    parser.add_argument("--page-cache-bytes", type=int,
                        help="CATALOGUE_PAGE_CACHE_BYTES of the cache-on mode (0 alone: --caches off)")  # fmt: skip
    parser.add_argument("--recordings", type=int, default=1000)
    parser.add_argument("--cues", type=int, default=1000, help="cues per subtitle track")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--folder", type=Path, default=Path("/tmp/bench"), help="where the SQLite files go")
    parser.add_argument("--rebuild", action="store_true", help="regenerate the catalogue even when complete")
    parser.add_argument("--wrk", default=shutil.which("wrk") or "wrk")
    args = parser.parse_args()
    if args.quick:
        args.duration = 5
    args.pages = [p.strip() for p in args.pages.split(",") if p.strip() and p.strip() != "hello"]
    unknown = set(args.pages) - set(GOALS)
    if unknown:
        raise SystemExit(f"unknown pages {', '.join(sorted(unknown))}; known: {', '.join(GOALS)}")
    return args


def main() -> None:
    args = parse_arguments()
    databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    unknown = set(databases) - set(DATABASE_NAMES)
    if unknown:
        raise SystemExit(f"unknown databases {', '.join(sorted(unknown))}; known: {', '.join(DATABASE_NAMES)}")
    caches = cache_modes(args)
    if not shutil.which(args.wrk):
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    args.folder.mkdir(parents=True, exist_ok=True)
    compile_translations_if_missing()

    started_at, began = revision(), time.monotonic()
    print(f"load benchmark at {started_at}")
    print(expected_total(databases, caches, args), flush=True)
    runs: list[ModeRun] = []
    # Kept after the run: gunicorn's logs explain the errors, if any.
    folder = Path(tempfile.mkdtemp(prefix="load-", dir=args.folder))
    print(f"gunicorn logs and wrk scripts in {folder}", flush=True)
    for database in databases:
        info = prepare_catalogue(database, args)
        runs += [bench_mode(database, cache, info, args, folder) for cache in caches]
    ended_at = revision()
    restarting = sum(run.restarting_s for run in runs)
    print(f"took {span(time.monotonic() - began)}, {span(restarting)} of it waiting for fresh workers")
    print_tables(runs, args, started_at)
    if ended_at != started_at:
        # Workers import the app when they start (every run, every recycle): later runs ran the new code.
        print(f"note: the code changed during the run ({started_at} -> {ended_at}); repeat it")
    misses = [miss for run in runs for measure in run.measures for miss in measure.misses()]
    print("all goals met" if not misses else f"missed: {'; '.join(misses)}")


if __name__ == "__main__":
    main()
