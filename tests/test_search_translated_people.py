"""A speaker is found by the translated affiliation too (content domain, `person affiliation`), in its language,
and the city by its Turkish spelling."""

from __future__ import annotations

from typing import Any

import pytest


def _hits(client: Any, query: str, **params: str) -> list[dict[str, Any]]:
    response = client.get("/api/v1/search", query_string={"q": query, **params})
    assert response.status_code == 200
    return list(response.get_json()["results"])


@pytest.mark.parametrize(
    ("query", "language"),
    [
        ("iletişim fakültesi", "tr"),  # "Faculty of Communication, Ankara University"
        ("faculté de communication", "fr"),
        ("Institut de technologie d'Izmir", "fr"),
    ],
)
def test_a_translated_affiliation_finds_its_speaker_in_that_language(demo_client: Any, query: str, language: str):
    hits = [h for h in _hits(demo_client, query) if h["kind"] == "speaker"]
    assert hits, query
    assert {h["language"] for h in hits} == {language}


def test_the_english_affiliation_still_finds_the_speaker_in_english(demo_client: Any):
    hits = [h for h in _hits(demo_client, "Faculty of Communication") if h["kind"] == "speaker"]
    assert hits and {h["language"] for h in hits} == {"en"}
