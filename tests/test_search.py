"""Search: folding and stems, phrases and prefixes, every text in its language, the same moment in other
languages, facets and suggestions, an index in step with uploads and translations, and queries that cannot hurt.

The suite runs on SQLite (FTS5) and on PostgreSQL (tsvector): the same assertions on both are the proof
that both give the same hits for the same data.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text

from catalogue.extensions import db
from catalogue.recordings.models import Recording, Workshop
from catalogue.search import content
from catalogue.search.models import SearchIndexState
from catalogue.search.services import reindex_translated_texts
from catalogue.subtitles.models import SubtitleTrack
from catalogue.subtitles.store import publish_subtitle, retire_track
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
def test_every_spelling_of_izmir_finds_the_same(client, demo, spelling):
    body = api_search(client, spelling)
    assert body["total"] >= 1
    assert any("<mark>Izmir</mark>" in r["snippet"] for r in body["results"])


def test_diacritics_and_case_are_ignored(client, demo):
    assert any("<mark>çalıştay</mark>" in r["snippet"] for r in api_search(client, "calistay")["results"])
    assert any("<mark>démonstration</mark>" in r["snippet"] for r in api_search(client, "DEMONSTRATION")["results"])


def test_phrases_and_prefixes(client, demo):
    phrase = api_search(client, '"building resilience"')
    assert phrase["total"] >= 2
    for result in phrase["results"]:
        marked = re.findall(r"<mark>(.*?)</mark>", result["snippet"], re.DOTALL)
        assert marked and all(" ".join(m.split()).lower() == "building resilience" for m in marked)
    assert api_search(client, '"resilience building"')["total"] == 0
    prefix = api_search(client, "dialog*")
    assert any("<mark>dialogue</mark>" in r["snippet"] for r in prefix["results"])
    assert api_search(client, "dialog")["total"] == 0  # Without the star, a whole word only.


def test_results_open_the_player_at_that_moment_in_that_language(client, demo):
    body = api_search(client, "pandemie", lang="fr")
    cue = next(r for r in body["results"] if r["kind"] == "cue")
    assert cue["language"] == "fr" and cue["start_s"] is not None
    assert cue["url"] == f"http://localhost/recordings/{cue['recording']}?t={int(cue['start_s'])}&subs=fr"
    page = client.get(cue["url"].removeprefix("http://localhost")).get_data(as_text=True)
    assert f'data-start="{float(int(cue["start_s"]))}"' in page and 'data-subs="fr"' in page


def test_filters_by_language_and_event(client, demo):
    everything = hits(client, "resilience")
    assert {lang for _, _, lang in everything} >= {"en"}
    assert all(lang == "tr" for _, _, lang in hits(client, "direnclilik", lang="tr"))
    assert hits(client, "resilience", event="no-such-event") == []
    assert hits(client, "resilience", event="mayors-summit-2021") == everything


def test_titles_and_texts_come_before_cues(client, demo):
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
def test_hostile_queries_never_fail_and_never_return_markup(client, demo, q):
    body = api_search(client, q)
    assert isinstance(body["total"], int)
    for result in body["results"]:
        assert re.sub(r"</?mark>", "", result["snippet"]).count("<") == 0
    page = client.get("/search", query_string={"q": q})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "<script>alert(1)" not in text


def test_empty_and_wordless_queries_get_a_helpful_page(client, demo):
    empty = client.get("/search?lang=en").get_data(as_text=True)
    assert "Case and accents do not matter" in empty
    wordless = client.get("/search?q=%2A%2A%2A&lang=en").get_data(as_text=True)
    assert "has no word to look for" in wordless
    nothing = client.get("/search?q=xylophone&lang=en").get_data(as_text=True)
    assert "Nothing matches" in nothing


def test_search_page_groups_hits_by_recording(client, demo):
    page = client.get("/search?q=conclusion&lang=en").get_data(as_text=True)
    assert page.count('class="card result-group"') == 3
    assert "<mark>Conclusion</mark>" in page


def test_search_page_in_turkish(client, demo):
    page = client.get("/search?q=calistay&lang=tr").get_data(as_text=True)
    assert '<html lang="tr">' in page and "<mark>çalıştay</mark>" in page


# --- stems per language, exact before stems, every text in its language ------------------------------------


def marked(body: dict) -> set[str]:
    return {m for r in body["results"] for m in re.findall(r"<mark>(.*?)</mark>", r["snippet"])}


@pytest.mark.parametrize(
    ("q", "language", "word"),
    [
        ("dayanışma", "tr", "dayanışmayı"),
        ("DAYANISMA", "tr", "dayanışma"),
        ("kentler", "tr", "kentlerde"),
        ("inégalité", "fr", "inégalités"),
        ("inegalite", "fr", "inégalités"),
        ("resilient", "en", "resilience"),
        ("CITY", "en", "cities"),
    ],
)
def test_a_word_finds_its_other_forms_in_its_language(client, demo, q, language, word):
    body = api_search(client, q, lang=language)
    assert word in marked(body)
    assert all(r["language"] == language for r in body["results"])


def test_quoted_words_and_prefixes_are_not_stemmed(client, demo):
    assert api_search(client, "resilient")["total"] > 0
    assert api_search(client, '"resilient"')["total"] == 0
    assert "dayanışmayı" not in marked(api_search(client, '"dayanisma"'))
    assert api_search(client, "resilient*")["total"] == 0


def add_recording(app, slug: str, tracks: dict[str, str]) -> None:
    """A recording of the demo's first workshop with one-cue subtitle tracks (language -> the cue's text)."""
    with app.app_context():
        workshop = db.session.scalar(select(Workshop).order_by(Workshop.number))
        recording = Recording(workshop=workshop, slug=slug, title=slug.replace("-", " "), duration_ms=60_000)
        db.session.add(recording)
        db.session.commit()
        for language, line in tracks.items():
            vtt = f"WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n{line}\n".encode()
            publish_subtitle(recording, language, vtt, filename=f"{language}.vtt")


def test_stems_apply_in_the_language_of_each_document(demo_app):
    add_recording(demo_app, "german-cities", {"de": "Die cities von morgen."})
    client = demo_app.test_client()
    # "city" finds the English "cities" through the English stem, never a German document's word.
    assert "german-cities" not in {r["recording"] for r in api_search(client, "city", kind="cue")["results"]}
    assert "german-cities" in {r["recording"] for r in api_search(client, "cities", kind="cue")["results"]}
    assert api_search(client, "city", kind="cue", lang="en")["total"] > 0


def test_the_word_as_typed_ranks_above_its_other_forms(demo_app):
    add_recording(demo_app, "stem-only", {"en": "Our resilience grows."})
    add_recording(demo_app, "word-itself", {"en": "Our city is resilient."})
    client = demo_app.test_client()
    order = [r["recording"] for r in api_search(client, "resilient", kind="cue")["results"]]
    assert order[0] == "word-itself" and "stem-only" in order
    order = [r["recording"] for r in api_search(client, "resilience", kind="cue")["results"]]
    assert order.index("stem-only") < order.index("word-itself")


def test_words_side_by_side_rank_above_words_apart(demo_app):
    add_recording(demo_app, "apart", {"en": "Neighbours talk, and a solidarity fund helps."})
    add_recording(demo_app, "together", {"en": "Neighbours help: solidarity, neighbours, every day."})
    client = demo_app.test_client()
    order = [r["recording"] for r in api_search(client, "solidarity neighbours", kind="cue")["results"]]
    assert order.index("together") < order.index("apart")


def test_function_words_are_not_required_and_a_missing_word_loosens_the_query(client, demo):
    assert api_search(client, "the resilience of cities")["total"] == api_search(client, "resilience cities")["total"]
    body = api_search(client, "resilience xylophone")
    assert body["partial"] is True and body["total"] > 0
    assert api_search(client, "resilience")["partial"] is False


@pytest.mark.parametrize(
    ("q", "kind", "language", "text"),
    [
        ("tartisma", "chapter", "tr", "Tartışma: dirençlilik ve salgın"),
        ("Kentlerde", "title", "tr", "Kentlerde dirençliliği güçlendirmek"),
        ("resilience", "title", "fr", "Renforcer la résilience des villes"),
        ("egalite", "chapter", "fr", "égalité d’accès"),
        ("izmir", "event", "tr", "İzmir Büyükşehir Belediyesi"),
        ("izmir", "event", "en", "Izmir Metropolitan Municipality"),
        ("mimar sinan", "speaker", "en", "Begüm Özden Fırat"),
    ],
)
def test_every_text_a_viewer_reads_is_found_in_its_language(client, demo, q, kind, language, text):
    results = api_search(client, q, kind=kind, lang=language)["results"]
    assert any(text in re.sub(r"</?mark>", "", r["snippet"]) for r in results), results


def test_hits_are_grouped_by_recording_and_in_time_order(client, demo):
    results = api_search(client, "covid")["results"]
    recordings = [r["recording"] for r in results]
    assert recordings == sorted(recordings, key=recordings.index)  # each recording's hits together
    for slug in set(recordings):
        times = [r["start_s"] for r in results if r["recording"] == slug]
        untimed = [t for t in times if t is None]
        assert times[: len(untimed)] == untimed  # titles and texts first, then the moments in time order
        assert times[len(untimed) :] == sorted(times[len(untimed) :])
    assert len([r for r in results if r["recording"] == SLUG and r["start_s"] is not None]) >= 6


def test_a_cue_hit_comes_with_the_same_moment_in_the_other_languages(client, demo):
    body = api_search(client, "dayanisma", lang="tr", kind="cue")
    hit = next(r for r in body["results"] if r["start_s"] and "Diyalog ve" in r["snippet"])
    also = {line["language"]: line for line in hit["also"]}
    assert set(also) == {"en", "fr"}
    assert " ".join(also["en"]["text"].split()) == "We will talk about dialogue and solidarity."
    assert " ".join(also["fr"]["text"].split()) == "Nous allons parler de dialogue et de solidarité."
    assert also["fr"]["url"].endswith(f"/recordings/{hit['recording']}?t={int(hit['start_s'])}&subs=fr")
    assert all(r["also"] == [] for r in api_search(client, "dayanisma", kind="title")["results"])


def test_the_search_page_shows_the_other_languages_under_a_hit(client, demo):
    page = client.get("/search?q=dayanisma&lang=fr&lang_filter=tr").get_data(as_text=True)
    also = page[page.index('class="also"') :]
    assert '<span lang="fr">Nous allons parler de' in also
    assert also.index('lang="fr"') < also.index('lang="en"')  # the viewer's language first
    assert "subs=fr" in also


def test_facets_count_languages_events_and_kinds(client, demo):
    body = api_search(client, "izmir")
    facets = {name: dict((f["value"], f["count"]) for f in values) for name, values in body["facets"].items()}
    assert body["facets_complete"] is True
    assert facets["event"] == {"mayors-summit-2021": body["total"]}
    # The speaker of the Izmir Institute of Technology is found in English and by the translated affiliation.
    assert facets["language"] == {"en": 4, "fr": 4, "tr": 4}
    assert facets["kind"] == {"event": 9, "speaker": 3}
    assert api_search(client, "izmir", kind="speaker")["total"] == 3
    # Facets count what matched before filtering, so the other choices stay offered.
    assert api_search(client, "izmir", kind="speaker")["facets"] == body["facets"]
    page = client.get("/search?q=izmir&lang=en").get_data(as_text=True)
    assert '<a href="/search?q=izmir&amp;kind=speaker">speaker <span class="count">(3)</span></a>' in page


def test_an_unknown_kind_is_refused_naming_the_field(client):
    response = client.get("/api/v1/search?q=izmir&kind=nonsense")
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "kind"


@pytest.mark.parametrize(
    ("q", "suggestion"), [("resilence", "resilience"), ("solidarty", "solidarity"), ("izmr", "izmir")]
)
def test_a_query_that_finds_nothing_suggests_the_closest_word(client, demo, q, suggestion):
    body = api_search(client, q)
    assert body["total"] == 0 and body["suggestion"] == suggestion
    assert api_search(client, suggestion)["total"] > 0
    page = client.get("/search", query_string={"q": q, "lang": "en"}).get_data(as_text=True)
    assert f'Did you mean “<a href="/search?q={suggestion}">{suggestion}</a>”?' in page


def test_no_suggestion_for_a_word_far_from_every_other(client, demo):
    assert api_search(client, "xylophone")["suggestion"] is None


def test_a_retired_track_is_not_searchable(demo_app):
    client = demo_app.test_client()

    def cues_here() -> list[dict]:
        return [r for r in api_search(client, "kentlerde", kind="cue")["results"] if r["recording"] == SLUG]

    assert cues_here()
    with demo_app.app_context():
        track = db.session.scalar(
            select(SubtitleTrack).join(Recording).where(Recording.slug == SLUG, SubtitleTrack.language == "tr")
        )
        retire_track(track)
        db.session.commit()
    assert cues_here() == []
    assert api_search(client, "kentlerde", kind="title")["total"] == 1
    # Nor is it said "at the same moment" under another language's hit.
    hits = api_search(client, "resilience", kind="cue", lang="en")["results"]
    assert hits and all(line["language"] != "tr" for r in hits if r["recording"] == SLUG for line in r["also"])


# --- translated texts follow the content catalogues ---------------------------------------------------------


def test_a_content_translation_saved_by_a_translator_is_searchable_at_once(translated_app, make_app):
    token = api_token(translated_app, "fr@example.org", "translator", display_name="Fr", locales=("fr",))
    other_worker = make_app(CATALOGUE_TRANSLATIONS_DIR=translated_app.config["CATALOGUE_TRANSLATIONS_DIR"])
    viewer = other_worker.test_client()
    assert api_search(viewer, "epidemies")["total"] == 0
    url = "/api/v1/translations/fr/content/messages"
    revision = translated_app.test_client().get(url, headers={"Authorization": f"Bearer {token}"}).get_json()
    saved = translated_app.test_client().put(
        url,
        headers={"Authorization": f"Bearer {token}"},
        json={
            "msgid": "Discussion: resilience and the pandemic",
            "context": "chapter title",
            "msgstr": "Débat : la résilience face aux épidémies",
            "fuzzy": False,
            "base_revision": revision["revision"],
        },
    )
    assert saved.status_code == 200, saved.get_json()
    body = api_search(viewer, "epidemie", kind="chapter")
    assert [(r["recording"], r["language"]) for r in body["results"]] == [(SLUG, "fr")]
    assert "<mark>épidémies</mark>" in body["results"][0]["snippet"]
    # One worker re-indexed; the other finds the catalogues already indexed and does nothing more.
    with translated_app.app_context():
        signature = db.session.scalar(select(SearchIndexState.signature))
        assert signature == content.current().signature
        assert not reindex_translated_texts(db.session.connection(), content.current())


def test_migration_0008_rebuilds_the_index_with_stems_and_back(empty_app):
    """Down to 0007 (the index of 0004, without stems) and up again, on a database holding the demo."""
    runner = empty_app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    client = empty_app.test_client()
    before = api_search(client, "dayanisma")
    assert before["total"] > 0
    down = runner.invoke(args=["db", "downgrade", "0007"])
    assert down.exit_code == 0, down.output
    with empty_app.app_context():
        columns = {c["name"] for c in inspect(db.engine).get_columns("search_documents")}
        assert "stems_tr" not in columns and "search_words" not in inspect(db.engine).get_table_names()
        assert db.session.execute(text("SELECT count(*) FROM search_documents")).scalar_one() > 0
        db.session.remove()
    up = runner.invoke(args=["db", "upgrade"])
    assert up.exit_code == 0, up.output
    assert api_search(client, "dayanisma") == before
