"""Translations are read through catalogue.translating.queries and written through its services: where an entry
stands (translated, fuzzy, untranslated) is worked out in one place, so the API's filter, the editor's filter,
the dashboard and `flask translations stats` count the same entries; an edit is checked field by field before
the file is touched."""

from __future__ import annotations

import re

import pytest

from catalogue.inputs import InvalidInput
from catalogue.translating import queries, services
from tests.conftest import api_token

STATUSES = ("translated", "fuzzy", "untranslated")


def test_every_way_in_counts_the_same_entries_in_each_state(translated_app, translations_copy, login):
    """Make one entry fuzzy and one untranslated first, so that no count is trivially zero."""
    api_token(translated_app, "fr@example.org", "translator", display_name="Fr", locales=("fr",))
    api = translated_app.test_client()
    url = "/api/v1/translations/fr/messages/messages"
    messages = api.get(url).get_json()
    simple = [m for m in messages["messages"] if not m["msgid_plural"] and m["msgstr"]]
    token = api_token(translated_app, "admin@example.org", "admin", display_name="Admin")
    headers = {"Authorization": f"Bearer {token}"}
    for message, fuzzy, msgstr in ((simple[0], True, simple[0]["msgstr"]), (simple[1], False, "")):
        body = {"msgid": message["msgid"], "context": message["context"], "msgstr": msgstr, "fuzzy": fuzzy}
        revision = api.get(url).get_json()["revision"]
        assert api.put(url, json=body | {"base_revision": revision}, headers=headers).status_code == 200

    with translated_app.test_request_context():
        catalogue, _revision = queries.load("fr", "messages")
        counts = queries.counts(catalogue)
    assert counts["fuzzy"] >= 1 and counts["untranslated"] >= 1 and counts["translated"] >= 1
    assert sum(counts.values()) == len(catalogue.entries)

    from_api = {state: len(api.get(f"{url}?state={state}").get_json()["messages"]) for state in STATUSES}
    assert from_api == counts

    browser = translated_app.test_client()
    assert login(browser, "fr@example.org").status_code == 302
    for state in STATUSES:
        page = browser.get(f"/translate/fr/messages?state={state}&lang=en").get_data(as_text=True)
        shown = re.search(r'<p class="count" role="status">([\d,]+) entr', page)
        assert shown is not None and int(shown.group(1).replace(",", "")) == counts[state], state

    stats = translated_app.test_cli_runner().invoke(args=["translations", "stats"])
    line = next(line for line in stats.output.splitlines() if line.startswith("fr messages:"))
    assert f"{counts['translated']}/{len(catalogue.entries)} translated" in line
    assert f"{counts['fuzzy']} fuzzy, {counts['untranslated']} untranslated" in line


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"msgid": None}, "msgid", "missing-field"),
        ({"msgid": ["Watch"]}, "msgid", "bad-type"),
        ({"context": 5}, "context", "bad-type"),
        ({"msgstr": {"fr": "Regarder"}}, "msgstr", "bad-type"),
        ({"msgstr": "Re\x00garder"}, "msgstr", "bad-text"),
        ({"msgstr": None, "msgstr_plural": "une, plusieurs"}, "msgstr_plural", "bad-type"),
        ({"msgstr": None, "msgstr_plural": ["une", None]}, "msgstr_plural", "bad-type"),
        ({"msgstr": None, "msgstr_plural": ["une", "plu\x00sieurs"]}, "msgstr_plural", "bad-text"),
    ],
)
def test_an_edit_of_the_wrong_shape_is_refused_naming_the_field(translated_app, translations_copy, fields, field, code):
    po = translations_copy / "fr" / "LC_MESSAGES" / "messages.po"
    before = po.read_bytes()
    edit = {"msgid": "Watch", "context": None, "msgstr": "Regarder", "msgstr_plural": None} | fields
    with pytest.raises(InvalidInput) as refused:
        services.check_edit(edit["msgid"], edit["context"], edit["msgstr"], edit["msgstr_plural"])
    assert (refused.value.field, refused.value.code) == (field, code)
    token = api_token(translated_app, "fr@example.org", "translator", display_name="Fr", locales=("fr",))
    client = translated_app.test_client()
    revision = client.get("/api/v1/translations/fr/messages/messages").get_json()["revision"]
    response = client.put(
        "/api/v1/translations/fr/messages/messages",
        json=edit | {"fuzzy": False, "base_revision": revision},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 422
    [error] = response.get_json()["errors"]
    assert (error["field"], error["code"]) == (field, code) and error["message"].startswith(f"{field}: ")
    assert po.read_bytes() == before


def test_the_entries_a_translator_looks_for_are_found_the_turkish_aware_way(translated_app):
    with translated_app.test_request_context():
        catalogue, _revision = queries.load("tr", "content")
        city = next(e for e in catalogue.entries if e.msgid == "Izmir")
        # Typed with Turkish capitals, as a Turkish keyboard gives them: casefold() alone would miss "Izmir".
        found = queries.entries(catalogue, q="İZMİR")
        assert city in found and all("zmir" in (e.msgid + e.msgstr).lower() for e in found)
        assert queries.entries(catalogue, state=city.status, q="İZMİR") == [e for e in found if e.status == city.status]
        assert queries.entries(catalogue, state="no such state") == catalogue.entries
