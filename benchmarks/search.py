"""Search benchmark: the full-text search at 3 million cues, against itself at 30,000 and against a LIKE scan.

    .venv/bin/python benchmarks/search.py [--databases sqlite,postgresql] [--recordings 1000] [--rounds 7]

Builds, or reuses when present and complete (marker row and row counts), two synthetic catalogues per
database with benchmarks/catalogue_data.py: a small one (10 recordings × 3 languages × 1,000 cues = 30,000
cues) and a large one (1,000 × 3 × 1,000 = 3 million; `--recordings 100` or `--scale 0.1` for a quick run at
300,000). SQLite files and PostgreSQL schemas (in the `catalogue_bench` database) live outside the repository:
/tmp/bench by default.

Prints ratios measured side by side in one run (the machines are shared and noisy: absolute times mean
little), each the median of paired, interleaved rounds, after a warm-up round (so both sides run on a warm
cache). Goals (issue): on SQLite and on PostgreSQL,
- a rare-term query at 3M / the same query at 30k <= 3 (the index finds a few rows however big it is);
- a common-term top-20 query at 3M / a LIKE scan for the same page at 3M <= 1/50.

Queries go through catalogue.search.queries.search() (page 1, 20 per page), the code behind the search page and the API,
with stems on (each word also matched by its stems in each document's language, ranked in Python, the same moment looked
up in the other languages); the time counts parse() and search() on a session whose connection is already checked out
(what a request pays on top of that, pool and template, is the same at any size), each one the first search of its words
since the last write (what search keeps until the next write is dropped before every timing). Each round times the three
languages' words (zeugma, ornithorynque, kırkayak; city, ville, kent) and takes their mean.

It also reports the size of the search index (search_documents and its full-text index: SQLite's FTS5 tables,
PostgreSQL's tsvector column and the GIN index over it and the blocks of ids) with the stems columns ÷ without
them, both rebuilt the same way from the large catalogue's documents in a scratch copy (goal: <= 1.5).
"""

from __future__ import annotations

import argparse
import gc
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from benchmarks import catalogue_data
from catalogue.extensions import db
from catalogue.search.index import (
    FTS5_TOKENIZER,
    STEMS_COLUMNS,
    full_text_columns,
    gin_index,
    install,
    tsvector_expression,
)
from catalogue.search.queries import MATCHES_KEY, MOMENTS_KEY, parse, search
from catalogue.text import fold

POSTGRESQL_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgresql+psycopg://catalogue:catalogue@127.0.0.1:5432/catalogue_bench"
)
RARE_WORDS = tuple(catalogue_data.RARE[language] for language in catalogue_data.LANGUAGES)
COMMON_WORDS = tuple(catalogue_data.COMMON[language] for language in catalogue_data.LANGUAGES)

# The LIKE baseline must produce a page like the one search() produces: titles and texts first, then cues.
# (search() ranks the first 200 matches in index order and groups them by recording: a LIKE search would
# have to read at least as much.) Written naively that is an ORDER BY no index serves, so the database reads
# every row, folds nothing (folded is stored) and keeps the best 20: a real scan. We do not use a bare
# `... LIKE :pattern LIMIT 20`: with the word in 10% of the cues it stops after ~200 rows and measures nothing
# (it is not what a LIKE search would have to do to rank or order its page), nor count(*) plus a second query.
LIKE_SCAN = text(
    "SELECT id, text FROM search_documents WHERE folded LIKE :pattern ORDER BY (kind = 'cue'), id LIMIT 20"
)


def label(cues: int) -> str:
    if cues >= 1_000_000 and cues % 100_000 == 0:
        return f"{cues / 1e6:g}M"
    if cues >= 1_000 and cues % 100 == 0:
        return f"{cues / 1e3:g}k"
    return f"{cues:,}"


def url_of(database: str, recordings: int, cues: int, folder: Path) -> str:
    name = f"c{recordings}x{cues}"
    if database == "sqlite":
        return f"sqlite:///{folder / (name + '.sqlite')}"
    url = make_url(POSTGRESQL_URL)
    if (url.database or "").endswith("_test"):
        raise SystemExit(f"refusing to write a benchmark catalogue into the test database {url.database}")
    return f"{POSTGRESQL_URL}{'&' if '?' in POSTGRESQL_URL else '?'}options=-csearch_path%3D{name}"


def has_stems(url: str) -> bool:
    """A catalogue made before the index had stems has no stems columns, or nothing in them: made again."""
    app = catalogue_data.make_app(url)
    with app.app_context():
        try:
            with db.engine.connect() as connection:
                found = connection.exec_driver_sql(
                    "SELECT 1 FROM search_documents WHERE kind = 'cue' AND "
                    f"coalesce({', '.join(STEMS_COLUMNS.values())}) IS NOT NULL LIMIT 1"
                ).first()
                return found is not None
        except DBAPIError:  # No such column or table: an old catalogue.
            return False
        finally:
            db.engine.dispose()


def bring_up_to_date(url: str) -> None:
    """A catalogue built before the index's current structures (migration 0010's GIN index with blocks of ids)
    gets them: index.install() is idempotent, and takes seconds at 3M where generating again takes minutes."""
    app = catalogue_data.make_app(url)
    with app.app_context():
        try:
            with db.engine.begin() as connection:
                if "search_documents" in inspect(connection).get_table_names():
                    connection.exec_driver_sql("SET LOCAL maintenance_work_mem = '512MB'")
                    install(connection)
        finally:
            db.engine.dispose()


def prepare(database: str, recordings: int, cues: int, folder: Path, seed: int, rebuild: bool) -> dict[str, Any]:
    url = url_of(database, recordings, cues, folder)
    total = recordings * len(catalogue_data.LANGUAGES) * cues
    info: dict[str, Any] = {"url": url, "cues": total, "label": label(total), "generated_s": None}
    if database == "postgresql" and not rebuild:
        bring_up_to_date(url)
    if rebuild or not catalogue_data.is_complete(url, recordings, cues, seed) or not has_stems(url):
        print(f"{database}: generating the {label(total)}-cue catalogue ({recordings} recordings × 3 × {cues})")
        info["generated_s"] = catalogue_data.generate(url, recordings, cues, seed=seed)["total_s"]
    info["bytes"] = catalogue_data.database_size(url)
    info["app"] = catalogue_data.make_app(url)
    return info


def _timed(app, run) -> tuple[float, Any]:
    # Every timing is a first search of its words since the last write: what a search kept until the next write
    # (catalogue.search.queries, the matches and moments) would otherwise answer every repeat from memory.
    for kept in (MATCHES_KEY, MOMENTS_KEY):
        app.extensions.pop(kept, None)
    with app.app_context():
        db.session.remove()
        db.session.execute(select(1))  # Check a connection out of the pool and begin, outside the timing.
        gc.collect()
        start = time.perf_counter()
        result = run()
        elapsed = time.perf_counter() - start
        db.session.remove()
    return elapsed, result


def time_search(app, word: str) -> tuple[float, Any]:
    return _timed(app, lambda: search(db.session, parse(word), page=1, per_page=20))


def time_like(app, word: str) -> tuple[float, Any]:
    return _timed(app, lambda: db.session.execute(LIKE_SCAN, {"pattern": f"%{fold(word)}%"}).all())


def mean_over(words, timer, app) -> float:
    return statistics.fmean(timer(app, word)[0] for word in words)


def fraction(ratio: float) -> str:
    return f"{ratio:.3f} = 1/{1 / ratio:.0f}" if 0 < ratio < 0.5 else f"{ratio:.2f}"


def bench(database: str, small: dict[str, Any], large: dict[str, Any], rounds: int) -> None:
    # Warm-up, and a check that the queries find what the generator planted.
    for word in RARE_WORDS:
        for catalogue in (small, large):
            found = time_search(catalogue["app"], word)[1]
            if not found.total:
                raise SystemExit(f"{database}: {word!r} found nothing in the {catalogue['label']} catalogue")
    hits = {w: time_search(large["app"], w)[1] for w in COMMON_WORDS}
    for word in COMMON_WORDS:
        page = [h.document.text for h in hits[word].hits]
        scanned = time_like(large["app"], word)[1]
        if len(page) != 20 or len(scanned) != 20 or not all(fold(word) in fold(text) for text in page):
            raise SystemExit(f"{database}: {word!r}: search() or the LIKE scan did not fill a page with the word")
    rare_totals = {w: time_search(large["app"], w)[1].total for w in RARE_WORDS}
    small_totals = {w: time_search(small["app"], w)[1].total for w in RARE_WORDS}
    common_totals = ", ".join(f"{hits[w].total:,}" + ("+" if hits[w].capped else "") for w in COMMON_WORDS)
    print(
        f"{database}: rare words {', '.join(RARE_WORDS)}: {sum(small_totals.values())} hits at {small['label']}, "
        f"{sum(rare_totals.values())} at {large['label']}; common words {', '.join(COMMON_WORDS)}: "
        f"{common_totals} hits at {large['label']} (+: search() stopped counting)"
    )

    rare_small, rare_large, common, scan = [], [], [], []
    for _ in range(rounds):  # Interleaved, so both sides of each ratio see the same machine load.
        rare_small.append(mean_over(RARE_WORDS, time_search, small["app"]))
        rare_large.append(mean_over(RARE_WORDS, time_search, large["app"]))
        common.append(mean_over(COMMON_WORDS, time_search, large["app"]))
        scan.append(mean_over(COMMON_WORDS, time_like, large["app"]))
    rare_ratio = statistics.median(b / s for b, s in zip(rare_large, rare_small, strict=True))
    common_ratio = statistics.median(c / s for c, s in zip(common, scan, strict=True))
    ms = lambda values: f"{statistics.median(values) * 1000:.1f} ms"  # noqa: E731
    print(
        f"{database}: rare term at {large['label']} / at {small['label']} = {rare_ratio:.2f} "
        f"({ms(rare_large)} / {ms(rare_small)}; goal <= 3)"
    )
    print(
        f"{database}: common term top 20 at {large['label']} / LIKE scan at {large['label']} = "
        f"{fraction(common_ratio)} ({ms(common)} / {ms(scan)}; goal <= 1/50)"
    )


DOCUMENT_COLUMNS = ("id", "recording_id", "kind", "language", "start_ms", "end_ms", "text", "folded")


def _sqlite_index_size(url: str, stemmed: bool, folder: Path) -> int:
    """search_documents' rows copied into a scratch file with the app's FTS5 table over them, rebuilt in one go."""
    columns = DOCUMENT_COLUMNS + (tuple(STEMS_COLUMNS.values()) if stemmed else ())
    with tempfile.TemporaryDirectory(dir=folder) as scratch:
        path = Path(scratch) / "index.sqlite"
        connection = sqlite3.connect(path)
        try:
            connection.execute("ATTACH DATABASE ? AS source", (make_url(url).database,))
            definitions = ", ".join(f"{c} INTEGER PRIMARY KEY" if c == "id" else c for c in columns)
            connection.execute(f"CREATE TABLE search_documents ({definitions})")
            connection.execute(f"INSERT INTO search_documents SELECT {', '.join(columns)} FROM source.search_documents")
            connection.commit()
            connection.execute("DETACH DATABASE source")
            connection.execute(
                f"CREATE VIRTUAL TABLE search_fts USING fts5({', '.join(full_text_columns(stemmed))}, "
                f"content='search_documents', content_rowid='id', tokenize='{FTS5_TOKENIZER}')"
            )
            connection.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
            connection.commit()
            connection.execute("VACUUM")
        finally:
            connection.close()
        return path.stat().st_size


def _postgresql_index_size(url: str, stemmed: bool) -> int:
    """search_documents' rows copied into a temporary table with the app's tsvector column and GIN index."""
    columns = DOCUMENT_COLUMNS + (tuple(STEMS_COLUMNS.values()) if stemmed else ())
    app = catalogue_data.make_app(url)
    with app.app_context():
        with db.engine.begin() as connection:
            connection.exec_driver_sql("SET LOCAL maintenance_work_mem = '512MB'")
            connection.exec_driver_sql(
                f"CREATE TEMPORARY TABLE index_size AS SELECT {', '.join(columns)} FROM search_documents"
            )
            connection.exec_driver_sql(
                "ALTER TABLE index_size ADD COLUMN folded_tsv tsvector "
                f"GENERATED ALWAYS AS ({tsvector_expression(stemmed)}) STORED"
            )
            connection.exec_driver_sql(gin_index("index_size", "index_size_gin"))
            size = connection.exec_driver_sql("SELECT pg_total_relation_size('index_size')").scalar_one()
            connection.exec_driver_sql("DROP TABLE index_size")
        db.engine.dispose()
    return int(size)


def index_size_ratio(database: str, catalogue: dict[str, Any], folder: Path) -> None:
    began = time.perf_counter()
    if database == "sqlite":
        sizes = [_sqlite_index_size(catalogue["url"], stemmed, folder) for stemmed in (True, False)]
    else:
        sizes = [_postgresql_index_size(catalogue["url"], stemmed) for stemmed in (True, False)]
    print(
        f"{database}: search index at {catalogue['label']} with stems / without = {sizes[0] / sizes[1]:.2f} "
        f"({sizes[0] / 1e6:,.0f} MB / {sizes[1] / 1e6:,.0f} MB, rebuilt in {time.perf_counter() - began:.0f} s; "
        "goal <= 1.5)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--databases", default="sqlite,postgresql", help="comma-separated: sqlite,postgresql")
    parser.add_argument("--recordings", type=int, help="recordings in the large catalogue (default 1000 × scale)")
    parser.add_argument("--scale", type=float, default=1.0, help="shrink the large catalogue: 0.1 → 300k cues")
    parser.add_argument("--small-recordings", type=int, default=10)
    parser.add_argument("--cues", type=int, default=1000, help="cues per subtitle track")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--folder", type=Path, default=Path("/tmp/bench"), help="where the SQLite files go")
    parser.add_argument("--rebuild", action="store_true", help="regenerate even complete catalogues")
    parser.add_argument("--no-index-size", action="store_true", help="skip the index size with stems / without")
    args = parser.parse_args()
    recordings = args.recordings or max(1, round(1000 * args.scale))
    args.folder.mkdir(parents=True, exist_ok=True)

    for database in [d.strip() for d in args.databases.split(",") if d.strip()]:
        if database not in ("sqlite", "postgresql"):
            raise SystemExit(f"unknown database {database!r}")
        small = prepare(database, args.small_recordings, args.cues, args.folder, args.seed, args.rebuild)
        large = prepare(database, recordings, args.cues, args.folder, args.seed, args.rebuild)
        for catalogue in (small, large):
            made = catalogue["generated_s"]
            print(
                f"{database}: {catalogue['label']}-cue catalogue, {catalogue['bytes'] / 1e6:,.0f} MB"
                + (f", generated in {made:.0f} s" if made is not None else ", reused")
            )
        bench(database, small, large, args.rounds)
        if not args.no_index_size:
            index_size_ratio(database, large, args.folder)
        for catalogue in (small, large):
            with catalogue["app"].app_context():
                db.engine.dispose()


if __name__ == "__main__":
    main()
