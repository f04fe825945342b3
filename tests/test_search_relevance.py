"""Search relevance: the queries of tests/search_relevance.yaml, typed as viewers type them, over the demo summit
and a synthetic forum; recall@5 and MRR per language (printed, and kept in test-artifacts/), and a floor on the
recall@5 of the whole set.

It runs on SQLite and on PostgreSQL alike (TEST_DATABASE_URL): the same figures on both are the proof that the
two indexes find and rank the same documents.
"""

from __future__ import annotations

import html
import json
import re
from datetime import date
from pathlib import Path

import pytest
import yaml

from catalogue.extensions import db
from catalogue.recordings.models import Event, Recording, Workshop
from catalogue.subtitles.store import publish_subtitle
from tests.conftest import ARTIFACTS

SET = Path(__file__).resolve().parent / "search_relevance.yaml"
TOP = 5
MIN_RECALL = 0.95
LANGUAGES = ("en", "fr", "tr")


def relevance_set() -> dict:
    return yaml.safe_load(SET.read_text(encoding="utf-8"))


def timestamp(seconds: float) -> str:
    return f"00:{int(seconds) // 60:02d}:{seconds % 60:06.3f}"


def load_corpus(corpus: dict) -> None:
    """The synthetic forum: an event, a workshop and a recording per entry, and three subtitle tracks each."""
    data = corpus["event"]
    event = Event(
        slug=data["slug"],
        title=data["title"],
        organiser=data["organiser"],
        city=data["city"],
        timezone="Europe/Istanbul",
        starts_on=date.fromisoformat(str(data["starts_on"])),
        ends_on=date.fromisoformat(str(data["starts_on"])),
        description=data["description"],
        original_language=data["original_language"],
    )
    db.session.add(event)
    for number, entry in enumerate(corpus["recordings"], 1):
        workshop = Workshop(
            event=event, number=number, slug=entry["slug"], title=entry["workshop"], summary=entry["summary"]
        )
        recording = Recording(workshop=workshop, slug=entry["slug"], title=entry["title"], duration_ms=60_000)
        db.session.add(recording)
        db.session.commit()
        for column, language in enumerate(LANGUAGES, 2):
            cues = "".join(
                f"{timestamp(line[0])} --> {timestamp(line[1] - 0.5)}\n{line[column]}\n\n" for line in entry["lines"]
            )
            publish_subtitle(recording, language, f"WEBVTT\n\n{cues}".encode(), filename=f"{language}.vtt")


def plain(snippet: str) -> str:
    return " ".join(html.unescape(re.sub(r"</?mark>", "", snippet)).split())


def is_expected(result: dict, expected: dict) -> bool:
    return (
        result["recording"] == expected.get("recording", result["recording"])
        and result["kind"] == expected["kind"]
        and result["language"] == expected["language"]
        and " ".join(expected["text"].split()) in plain(result["snippet"])
    )


@pytest.fixture
def relevance_client(demo_app):
    with demo_app.app_context():
        load_corpus(relevance_set()["corpus"])
    return demo_app.test_client()


def test_relevance_per_language(relevance_client):
    queries = relevance_set()["queries"]
    assert len(queries) >= 40 and {q["language"] for q in queries} == set(LANGUAGES)
    found: dict[str, list[float]] = {language: [] for language in LANGUAGES}
    reciprocal: dict[str, list[float]] = {language: [] for language in LANGUAGES}
    misses = []
    for entry in queries:
        body = relevance_client.get("/api/v1/search", query_string={"q": entry["q"]}).get_json()
        results = body["results"]
        ranks = [
            next((rank for rank, result in enumerate(results, 1) if is_expected(result, expected)), None)
            for expected in entry["expect"]
        ]
        in_top = [rank is not None and rank <= TOP for rank in ranks]
        found[entry["language"]].append(sum(in_top) / len(in_top))
        first = min((rank for rank in ranks if rank is not None), default=None)
        reciprocal[entry["language"]].append(1 / first if first else 0.0)
        if not all(in_top):
            top = [(r["recording"], r["kind"], r["language"], plain(r["snippet"])[:60]) for r in results[:TOP]]
            misses.append({"q": entry["q"], "ranks": ranks, "top": top})
    report = {
        language: {
            "queries": len(found[language]),
            "recall@5": round(sum(found[language]) / len(found[language]), 3),
            "mrr": round(sum(reciprocal[language]) / len(reciprocal[language]), 3),
        }
        for language in LANGUAGES
    }
    every = [value for language in LANGUAGES for value in found[language]]
    report["all"] = {
        "queries": len(every),
        "recall@5": round(sum(every) / len(every), 3),
        "mrr": round(sum(v for language in LANGUAGES for v in reciprocal[language]) / len(every), 3),
    }
    with relevance_client.application.app_context():
        database = db.engine.dialect.name
    ARTIFACTS.mkdir(exist_ok=True)
    record = {"database": database, "report": report, "misses": misses}
    (ARTIFACTS / f"search_relevance_{database}.json").write_text(json.dumps(record, ensure_ascii=False, indent=2))
    print("\nsearch relevance:", json.dumps(report), "\nmisses:", json.dumps(misses, ensure_ascii=False, indent=1))
    assert report["all"]["recall@5"] >= MIN_RECALL, (report, misses)
