"""Search: folding, phrases and prefixes, an index in step with uploads, and queries that cannot hurt.

The suite runs on SQLite (FTS5) and on PostgreSQL (tsvector): the same assertions on both are the proof
that both give the same hits for the same data.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from catalogue.text import fold
from tests.conftest import api_token

DATA = Path(__file__).resolve().parent / "data"
SLUG = "workshop-1-building-resilience"


@pytest.mark.parametrize(
    ("word", "folded"),
    [
        ("IZMIR", "izmir"),
        ("İzmir", "izmir"),
        ("izmir", "izmir"),
        ("ızmır", "izmir"),
        ("Izmir", "izmir"),
        ("égalité", "egalite"),
        ("Çalışma", "calisma"),
        ("ĞÜŞÖÇ", "gusoc"),
        ("Ödemiş", "odemis"),
        ("IĞDIR", "igdir"),
        ("sœur", "soeur"),
        ("Noël", "noel"),
        ("à où ça", "a ou ca"),
        ("Straße", "strasse"),
        ("DİYARBAKIR", "diyarbakir"),
    ],
)
def test_fold_is_turkish_aware_and_ignores_diacritics(word, folded):
    assert fold(word) == folded


def api_search(client, q: str, **params) -> dict:
    response = client.get("/api/v1/search", query_string={"q": q, **params})
    assert response.status_code == 200, response.data
    return response.get_json()


def hits(client, q: str, **params) -> list[tuple[str, str, str]]:
    return [(r["recording"], r["kind"], r["language"]) for r in api_search(client, q, **params)["results"]]


@pytest.mark.parametrize("spelling", ["IZMIR", "İzmir", "izmir", "ızmır"])
def test_every_spelling_of_izmir_finds_the_same(client, spelling):
    body = api_search(client, spelling)
    assert body["total"] >= 1
    assert any("<mark>Izmir</mark>" in r["snippet"] for r in body["results"])


def test_diacritics_and_case_are_ignored(client):
    assert any("<mark>çalıştay</mark>" in r["snippet"] for r in api_search(client, "calistay")["results"])
    assert any("<mark>démonstration</mark>" in r["snippet"] for r in api_search(client, "DEMONSTRATION")["results"])


def test_phrases_and_prefixes(client):
    phrase = api_search(client, '"building resilience"')
    assert phrase["total"] >= 2
    for result in phrase["results"]:
        marked = re.findall(r"<mark>(.*?)</mark>", result["snippet"], re.DOTALL)
        assert marked and all(" ".join(m.split()).lower() == "building resilience" for m in marked)
    assert api_search(client, '"resilience building"')["total"] == 0
    prefix = api_search(client, "dialog*")
    assert any("<mark>dialogue</mark>" in r["snippet"] for r in prefix["results"])
    assert api_search(client, "dialog")["total"] == 0  # Without the star, a whole word only.


def test_results_open_the_player_at_that_moment_in_that_language(client):
    body = api_search(client, "pandemie", lang="fr")
    cue = next(r for r in body["results"] if r["kind"] == "cue")
    assert cue["language"] == "fr" and cue["start_s"] is not None
    assert cue["url"] == f"http://localhost/recordings/{cue['recording']}?t={int(cue['start_s'])}&subs=fr"
    page = client.get(cue["url"].removeprefix("http://localhost")).get_data(as_text=True)
    assert f'data-start="{float(int(cue["start_s"]))}"' in page and 'data-subs="fr"' in page


def test_filters_by_language_and_event(client):
    everything = hits(client, "resilience")
    assert {lang for _, _, lang in everything} >= {"en"}
    assert all(lang == "tr" for _, _, lang in hits(client, "direnclilik", lang="tr"))
    assert hits(client, "resilience", event="no-such-event") == []
    assert hits(client, "resilience", event="mayors-summit-2021") == everything


def test_titles_and_texts_come_before_cues(client):
    kinds = [kind for _, kind, _ in hits(client, "resilience")]
    assert kinds.index("title") < kinds.index("cue")


# --- the index is kept in step with uploads and restores, in the same transaction -----------------------------


def test_index_follows_upload_restore_and_ignores_a_refused_upload(demo_app):
    client = demo_app.test_client()
    token = api_token(demo_app, "archivist@example.org", "archivist", display_name="A")
    auth = {"Authorization": f"Bearer {token}"}
    assert api_search(client, "fraternite")["total"] == 0
    upload = client.put(
        f"/api/v1/recordings/{SLUG}/subtitles/fr", data=(DATA / "fr-windows-1252.srt").read_bytes(), headers=auth
    )
    assert upload.status_code == 201
    assert api_search(client, "fraternite")["total"] == 1
    # Only the current revision is searchable: this recording's earlier French cues are gone from the index.
    assert SLUG not in {r["recording"] for r in api_search(client, "demonstration", lang="fr", kind="cue")["results"]}
    refused = client.put(
        f"/api/v1/recordings/{SLUG}/subtitles/fr", data=(DATA / "end-before-start.vtt").read_bytes(), headers=auth
    )
    assert refused.status_code == 422
    assert api_search(client, "fraternite")["total"] == 1
    restored = client.post(f"/api/v1/recordings/{SLUG}/subtitles/fr/revisions/1/restore", headers=auth)
    assert restored.status_code == 201
    assert api_search(client, "fraternite")["total"] == 0
    assert SLUG in {r["recording"] for r in api_search(client, "demonstration", lang="fr", kind="cue")["results"]}


def test_reindex_command_rebuilds_the_same_index(demo_app):
    client = demo_app.test_client()
    before = api_search(client, "resilience")
    result = demo_app.test_cli_runner().invoke(args=["search", "reindex"])
    assert result.exit_code == 0 and "documents" in result.output
    assert api_search(client, "resilience")["total"] == before["total"]


# --- queries that try to be syntax, SQL or markup ----------------------------------------------------------


@pytest.mark.parametrize(
    "q",
    [
        '"',
        '""',
        "*",
        "***",
        "-",
        "NEAR(a b)",
        "a OR b",
        "title:x",
        "^start",
        "a AND",
        "(",
        ")",
        "{col}: x",
        "'; DROP TABLE cues; --",
        "1' OR '1'='1",
        "%",
        "_",
        "\\",
        "<script>alert(1)</script>",
        "&lt;b&gt;",
        "x" * 600,
        "résilience:*",
        "a & b | !c",
        "a <-> b",
        "' \" ` ;",
        "\x00",
        "İ" * 50,
    ],
)
def test_hostile_queries_never_fail_and_never_return_markup(client, q):
    body = api_search(client, q)
    assert isinstance(body["total"], int)
    for result in body["results"]:
        assert re.sub(r"</?mark>", "", result["snippet"]).count("<") == 0
    page = client.get("/search", query_string={"q": q})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "<script>alert(1)" not in text


def test_empty_and_wordless_queries_get_a_helpful_page(client):
    empty = client.get("/search?lang=en").get_data(as_text=True)
    assert "Case and accents do not matter" in empty
    wordless = client.get("/search?q=%2A%2A%2A&lang=en").get_data(as_text=True)
    assert "has no word to look for" in wordless
    nothing = client.get("/search?q=xylophone&lang=en").get_data(as_text=True)
    assert "Nothing matches" in nothing


def test_search_page_groups_hits_by_recording(client):
    page = client.get("/search?q=conclusion&lang=en").get_data(as_text=True)
    assert page.count('class="card result-group"') == 3
    assert "<mark>Conclusion</mark>" in page


def test_search_page_in_turkish(client):
    page = client.get("/search?q=calistay&lang=tr").get_data(as_text=True)
    assert '<html lang="tr">' in page and "<mark>çalıştay</mark>" in page
