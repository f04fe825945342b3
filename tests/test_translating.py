"""Translators in the browser's forms and through the API: checks, concurrency, live reload, upload, history.

Every test works on its own copy of translations/ (real .po and .mo files on disk), never on the repository's.
"""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

from catalogue.accounts.models import User
from catalogue.extensions import db
from catalogue.translating.pofile import read_catalogue_file
from tests.conftest import api_token, csrf_token_from

FR_PO = Path("fr") / "LC_MESSAGES" / "messages.po"


def add_user(app, email: str, role: str, locales=()) -> str:
    return api_token(app, email, role, display_name=email.split("@")[0].title(), locales=tuple(locales))


def signed_in(app, email: str, login):
    client = app.test_client()
    assert login(client, email).status_code == 302
    return client


def entry_form(page: str, msgid: str) -> dict[str, str]:
    """The hidden fields of the form of the entry whose source is `msgid`, as the page renders them."""
    start = page.index(f'<p class="source" lang="en">{msgid}</p>')
    form = page[start : page.index("</form>", start)]
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form))
    return {k: v.replace("&amp;", "&") for k, v in fields.items()}


FR_MESSAGES = "/api/v1/translations/fr/messages/messages"


def fr_revision(client) -> int:
    return client.get(FR_MESSAGES).get_json()["revision"]


def put_fr(client, token: str, msgid: str, msgstr: str, revision: int, fuzzy: bool = False):
    """Save one French interface message through the JSON API, as a script would."""
    body = {"msgid": msgid, "context": None, "msgstr": msgstr, "fuzzy": fuzzy, "base_revision": revision}
    return client.put(FR_MESSAGES, headers={"Authorization": f"Bearer {token}"}, json=body)


def msgstr_of(translations_copy: Path, msgid: str, locale: str = "fr") -> str | list[str]:
    catalogue = read_catalogue_file(translations_copy / locale / "LC_MESSAGES" / "messages.po")
    entry = catalogue.find(msgid, None)
    return entry.msgstr_plural if entry.msgid_plural else entry.msgstr


# --- permissions -------------------------------------------------------------------------------------------


def test_translators_see_and_edit_only_their_locales(translated_app, login):
    add_user(translated_app, "fr@example.org", "translator", ["fr"])
    add_user(translated_app, "viewer@example.org", "viewer")
    add_user(translated_app, "archivist@example.org", "archivist")
    anonymous = translated_app.test_client()
    assert anonymous.get("/translate/").status_code == 302
    for email in ("viewer@example.org", "archivist@example.org"):
        assert signed_in(translated_app, email, login).get("/translate/").status_code == 403
    translator = signed_in(translated_app, "fr@example.org", login)
    dashboard = translator.get("/translate/?lang=en").get_data(as_text=True)
    assert "Français" in dashboard and "Türkçe" not in dashboard.split("<main")[1]
    assert translator.get("/translate/fr/messages").status_code == 200
    assert translator.get("/translate/tr/messages").status_code == 403
    assert translator.get("/translate/xx/messages").status_code == 404


# --- saving in the browser: the site shows it at once ---------------------------------------------------------


def test_save_shows_on_the_next_page_and_changes_one_entry(translated_app, translations_copy, login):
    add_user(translated_app, "fr@example.org", "translator", ["fr"])
    client = signed_in(translated_app, "fr@example.org", login)
    assert "Catalogue de webinaires" in client.get("/?lang=fr").get_data(as_text=True)
    before = (translations_copy / FR_PO).read_text(encoding="utf-8")

    page = client.get("/translate/fr/messages?q=Webinar+catalogue").get_data(as_text=True)
    fields = entry_form(page, "Webinar catalogue")
    response = client.post("/translate/fr/messages/entry", data={**fields, "msgstr": "Webinaires du sommet"})
    assert response.status_code == 303

    assert "Webinaires du sommet" in client.get("/?lang=fr").get_data(as_text=True)
    after = (translations_copy / FR_PO).read_text(encoding="utf-8")
    removed = set(before.splitlines()) - set(after.splitlines())
    assert removed == {'msgstr "Catalogue de webinaires"'} | {
        line for line in removed if line.startswith(('"PO-Revision-Date', '"Last-Translator'))
    }
    assert '"Last-Translator: Fr <fr@example.org>\\n"' in after


def test_a_translation_that_would_break_the_page_is_refused(translated_app, translations_copy, login):
    add_user(translated_app, "fr@example.org", "translator", ["fr"])
    client = signed_in(translated_app, "fr@example.org", login)
    before = (translations_copy / FR_PO).read_bytes()
    page = client.get("/translate/fr/messages?q=Thematic+workshop").get_data(as_text=True)
    fields = entry_form(page, "Thematic workshop %(number)s")
    refused = client.post(
        "/translate/fr/messages/entry?lang=en", data={**fields, "msgstr": "Atelier thématique %(numero)s"}
    )
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "placeholder" in text.lower() and "Atelier thématique %(numero)s" in text
    assert (translations_copy / FR_PO).read_bytes() == before


def test_the_second_of_two_saves_from_the_same_revision_is_stale(translated_app, translations_copy, login):
    add_user(translated_app, "fr@example.org", "translator", ["fr"])
    add_user(translated_app, "fr2@example.org", "translator", ["fr"])
    first = signed_in(translated_app, "fr@example.org", login)
    second = signed_in(translated_app, "fr2@example.org", login)
    # Both open the same entry at the same revision.
    mine = entry_form(first.get("/translate/fr/messages?q=Skip+to+content").get_data(as_text=True), "Skip to content")
    theirs = entry_form(
        second.get("/translate/fr/messages?q=Skip+to+content").get_data(as_text=True), "Skip to content"
    )
    saved = first.post("/translate/fr/messages/entry", data={**mine, "msgstr": "Aller au contenu principal"})
    assert saved.status_code == 303
    stale = second.post("/translate/fr/messages/entry?lang=en", data={**theirs, "msgstr": "Passer au contenu"})
    assert stale.status_code == 409
    text = stale.get_data(as_text=True)
    assert "Aller au contenu principal" in text and "Passer au contenu" in text  # Both versions, nothing lost.
    assert msgstr_of(translations_copy, "Skip to content") == "Aller au contenu principal"
    # Saving "my version" from the conflict page, now based on the current revision, goes through.
    retry = entry_form(
        text.replace('<p class="source" lang="en">Skip to content</p>', '<p class="source" lang="en">X</p>'), "X"
    )
    assert second.post("/translate/fr/messages/entry", data={**retry, "msgstr": "Passer au contenu"}).status_code == 303
    assert msgstr_of(translations_copy, "Skip to content") == "Passer au contenu"


def test_edits_to_different_entries_from_the_same_revision_both_land(translated_app, translations_copy):
    token = add_user(translated_app, "fr@example.org", "translator", ["fr"])
    client = translated_app.test_client()
    revision = fr_revision(client)
    one = put_fr(client, token, "Filter", "Filtrer les résultats", revision)
    two = put_fr(client, token, "Apply", "Valider", revision)
    assert (one.status_code, two.status_code) == (200, 200)
    assert two.get_json()["revision"] == one.get_json()["revision"] + 1
    again = put_fr(client, token, "Filter", "Trier", revision)
    assert again.status_code == 409
    assert again.get_json()["current"]["msgstr"] == "Filtrer les résultats"
    assert msgstr_of(translations_copy, "Filter") == "Filtrer les résultats"


# --- the JSON API -----------------------------------------------------------------------------------------


def test_api_messages_shape_and_filters(translated_app):
    client = translated_app.test_client()
    body = client.get("/api/v1/translations/tr/messages/messages?state=translated&q=kayıt").get_json()
    assert isinstance(body["revision"], int)
    plural = next(m for m in body["messages"] if m["msgid_plural"])
    assert set(plural) == {"msgid", "msgid_plural", "context", "msgstr_plural", "fuzzy", "comments", "locations"}
    assert plural["msgstr_plural"] == ["%(num)d kayıt", "%(num)d kayıt"]
    assert all(":" in location for location in plural["locations"])
    untranslated = client.get("/api/v1/translations/tr/messages/messages?state=untranslated").get_json()["messages"]
    assert all(not m.get("msgstr") and not any(m.get("msgstr_plural") or []) for m in untranslated)
    assert client.get("/api/v1/translations/xx/messages/messages").status_code == 404


def test_api_writes_check_roles_and_translations(translated_app, translations_copy):
    fr = add_user(translated_app, "fr@example.org", "translator", ["fr"])
    archivist = add_user(translated_app, "archivist@example.org", "archivist")
    client = translated_app.test_client()
    revision = client.get("/api/v1/translations/tr/messages/messages").get_json()["revision"]
    body = {"msgid": "Watch", "context": None, "msgstr": "Seyret", "fuzzy": False, "base_revision": revision}
    url = "/api/v1/translations/tr/messages/messages"
    assert client.put(url, json=body).status_code == 401
    assert client.put(url, json=body, headers={"Authorization": f"Bearer {archivist}"}).status_code == 403
    assert client.put(url, json=body, headers={"Authorization": f"Bearer {fr}"}).status_code == 403
    before = (translations_copy / "tr" / "LC_MESSAGES" / "messages.po").read_bytes()
    admin = add_user(translated_app, "admin@example.org", "admin")
    broken = client.put(
        url,
        headers={"Authorization": f"Bearer {admin}"},
        json={
            "msgid": "%(num)d recording",
            "context": None,
            "msgstr_plural": ["%(num)d kayıt", ""],
            "fuzzy": False,
            "base_revision": revision,
        },
    )
    assert broken.status_code == 422
    assert broken.get_json()["errors"][0]["code"]
    assert (translations_copy / "tr" / "LC_MESSAGES" / "messages.po").read_bytes() == before
    ok = client.put(url, json=body, headers={"Authorization": f"Bearer {admin}"})
    assert ok.status_code == 200 and ok.get_json()["revision"] == revision + 1
    assert ">Seyret<" in client.get("/?lang=tr").get_data(as_text=True)


# --- every worker picks up a saved catalogue ----------------------------------------------------------------


def test_live_reload_across_two_app_instances(make_app, translations_copy, translated_app):
    other = make_app(CATALOGUE_TRANSLATIONS_DIR=str(translations_copy))
    viewer = other.test_client()
    assert "Aller au contenu" in viewer.get("/?lang=fr").get_data(as_text=True)  # Cached by this "worker".
    token = add_user(translated_app, "fr@example.org", "translator", ["fr"])
    client = translated_app.test_client()
    saved = put_fr(client, token, "Skip to content", "Sauter au contenu", fr_revision(client))
    assert saved.status_code == 200
    assert "Sauter au contenu" in viewer.get("/?lang=fr").get_data(as_text=True)


# --- Poedit round trip --------------------------------------------------------------------------------------


def test_download_edit_upload_round_trip(translated_app, translations_copy, login):
    add_user(translated_app, "fr@example.org", "translator", ["fr"])
    client = signed_in(translated_app, "fr@example.org", login)
    downloaded = client.get("/translate/fr/messages/download")
    assert downloaded.status_code == 200
    text = downloaded.get_data(as_text=True)
    assert re.search(r'"X-Catalogue-Revision: \d+\\n"', text)
    edited = text.replace('msgstr "Regarder"', 'msgstr "Voir"')
    token = csrf_token_from(client.get("/translate/fr/messages").get_data(as_text=True))
    response = client.post(
        "/translate/fr/messages/upload?lang=en",
        data={"csrf_token": token, "file": (__import__("io").BytesIO(edited.encode()), "messages-fr.po")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "1 entry changed" in response.get_data(as_text=True)
    assert msgstr_of(translations_copy, "Watch") == "Voir"


def test_a_broken_po_upload_is_refused_with_its_line(translated_app, translations_copy, login):
    add_user(translated_app, "fr@example.org", "translator", ["fr"])
    client = signed_in(translated_app, "fr@example.org", login)
    before = (translations_copy / FR_PO).read_bytes()
    broken = before.decode().replace('msgstr "Regarder"', 'msgstr "Regarder', 1).encode()
    line = broken.decode().splitlines().index('msgstr "Regarder') + 1
    token = csrf_token_from(client.get("/translate/fr/messages").get_data(as_text=True))
    response = client.post(
        "/translate/fr/messages/upload?lang=en",
        data={"csrf_token": token, "file": (__import__("io").BytesIO(broken), "broken.po")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert f"Line {line}" in response.get_data(as_text=True)
    assert (translations_copy / FR_PO).read_bytes() == before


# --- history and revert ---------------------------------------------------------------------------------------


def test_history_and_revert(translated_app, translations_copy, login):
    token = add_user(translated_app, "fr@example.org", "translator", ["fr"])
    client = signed_in(translated_app, "fr@example.org", login)
    put_fr(client, token, "Watch", "Voir", fr_revision(client), fuzzy=True)
    history = client.get("/translate/fr/messages/history?lang=en").get_data(as_text=True)
    assert "Regarder" in history and "Voir" in history and "Fr" in history
    change_id = re.search(r'data-change="(\d+)"', history).group(1)
    reverted = client.post(f"/translate/changes/{change_id}/revert", data={"csrf_token": csrf_token_from(history)})
    assert reverted.status_code == 303
    assert msgstr_of(translations_copy, "Watch") == "Regarder"
    catalogue = read_catalogue_file(translations_copy / FR_PO)
    assert not catalogue.find("Watch", None).fuzzy


# --- untrusted text ---------------------------------------------------------------------------------------


def test_markup_in_a_saved_translation_is_shown_as_text(translated_app):
    token = add_user(translated_app, "admin@example.org", "admin")
    client = translated_app.test_client()
    saved = put_fr(
        client, token, "Skip to content", "Aller <img src=x onerror=alert(1)> au contenu", fr_revision(client)
    )
    # Markup that the source does not have is refused by the checks...
    assert saved.status_code == 422
    assert saved.get_json()["errors"][0]["code"] == "markup-mismatch"


# --- content domain ---------------------------------------------------------------------------------------


def test_catalogue_texts_are_extracted_and_shown_translated_or_marked_original(translated_app, translations_copy):
    runner = translated_app.test_cli_runner()
    result = runner.invoke(args=["translations", "extract"])
    assert result.exit_code == 0, result.output
    pot = (translations_copy / "content.pot").read_text(encoding="utf-8")
    assert 'msgctxt "workshop title"\nmsgid "Building resilience in cities"' in pot
    page = translated_app.test_client().get("/recordings/workshop-1-building-resilience?lang=fr").get_data(as_text=True)
    assert "Renforcer la résilience des villes" in page
    # A text nobody translated yet is shown in the original, marked as such.
    po = translations_copy / "fr" / "LC_MESSAGES" / "content.po"
    po.write_text(
        po.read_text(encoding="utf-8").replace('msgstr "Renforcer la résilience des villes"', 'msgstr ""'),
        encoding="utf-8",
    )
    assert runner.invoke(args=["translations", "compile"]).exit_code == 0
    page = translated_app.test_client().get("/recordings/workshop-1-building-resilience?lang=fr").get_data(as_text=True)
    assert re.search(r'<span lang="en" class="original-text" title="[^"]+">Building resilience in cities</span>', page)


def test_the_check_command_fails_on_a_broken_placeholder(translated_app, translations_copy):
    po = translations_copy / FR_PO
    po.write_text(
        po.read_text(encoding="utf-8").replace('msgstr "Atelier thématique %(number)s"', 'msgstr "Atelier thématique"'),
        encoding="utf-8",
    )
    result = translated_app.test_cli_runner().invoke(args=["translations", "check"])
    assert result.exit_code == 1
    assert "placeholder" in result.output
    with translated_app.app_context():
        assert db.session.scalar(select(User).limit(1)) is None
