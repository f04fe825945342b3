"""Translators in the browser's forms and through the API: checks, concurrency, live reload, upload, history.

Every test works on its own copy of translations/ (real .po and .mo files on disk), never on the repository's.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from catalogue.accounts.models import Role, User, issue_token
from catalogue.demo.cli import load_demo
from catalogue.extensions import db
from catalogue.translating.pofile import read_catalogue_file
from tests.conftest import create_schema, csrf_token_from, reset_database

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
FR_PO = Path("fr") / "LC_MESSAGES" / "messages.po"


@pytest.fixture
def folder(tmp_path) -> Path:
    target = tmp_path / "translations"
    shutil.copytree(TRANSLATIONS, target, ignore=shutil.ignore_patterns("*.mo", ".*.lock"))
    return target


@pytest.fixture
def tapp(make_app, folder):
    """An app with the demo loaded, on its own copy of the catalogues, compiled."""
    app = make_app(CATALOGUE_TRANSLATIONS_DIR=str(folder))
    assert app.test_cli_runner().invoke(args=["translations", "compile"]).exit_code == 0
    with app.app_context():
        reset_database()
        create_schema()
        load_demo()
    return app


def add_user(app, email: str, role: str, locales=()) -> str:
    with app.app_context():
        user = User(email=email, display_name=email.split("@")[0].title(), role=Role(role), locales=list(locales))
        user.set_password("secret-pass")
        db.session.add(user)
        token = issue_token(user)
        db.session.commit()
        return token


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


def msgstr_of(folder: Path, msgid: str, locale: str = "fr") -> str | list[str]:
    catalogue = read_catalogue_file(folder / locale / "LC_MESSAGES" / "messages.po")
    entry = catalogue.find(msgid, None)
    return entry.msgstr_plural if entry.msgid_plural else entry.msgstr


# --- permissions -------------------------------------------------------------------------------------------


def test_translators_see_and_edit_only_their_locales(tapp, login):
    add_user(tapp, "fr@example.org", "translator", ["fr"])
    add_user(tapp, "viewer@example.org", "viewer")
    add_user(tapp, "archivist@example.org", "archivist")
    anonymous = tapp.test_client()
    assert anonymous.get("/translate/").status_code == 302
    for email in ("viewer@example.org", "archivist@example.org"):
        assert signed_in(tapp, email, login).get("/translate/").status_code == 403
    translator = signed_in(tapp, "fr@example.org", login)
    dashboard = translator.get("/translate/?lang=en").get_data(as_text=True)
    assert "Français" in dashboard and "Türkçe" not in dashboard.split("<main")[1]
    assert translator.get("/translate/fr/messages").status_code == 200
    assert translator.get("/translate/tr/messages").status_code == 403
    assert translator.get("/translate/xx/messages").status_code == 404


# --- saving in the browser: the site shows it at once ---------------------------------------------------------


def test_save_shows_on_the_next_page_and_changes_one_entry(tapp, folder, login):
    add_user(tapp, "fr@example.org", "translator", ["fr"])
    client = signed_in(tapp, "fr@example.org", login)
    assert "Catalogue de webinaires" in client.get("/?lang=fr").get_data(as_text=True)
    before = (folder / FR_PO).read_text(encoding="utf-8")

    page = client.get("/translate/fr/messages?q=Webinar+catalogue").get_data(as_text=True)
    fields = entry_form(page, "Webinar catalogue")
    response = client.post("/translate/fr/messages/entry", data={**fields, "msgstr": "Webinaires du sommet"})
    assert response.status_code == 303

    assert "Webinaires du sommet" in client.get("/?lang=fr").get_data(as_text=True)
    after = (folder / FR_PO).read_text(encoding="utf-8")
    removed = set(before.splitlines()) - set(after.splitlines())
    assert removed == {'msgstr "Catalogue de webinaires"'} | {
        line for line in removed if line.startswith(('"PO-Revision-Date', '"Last-Translator'))
    }
    assert '"Last-Translator: Fr <fr@example.org>\\n"' in after


def test_a_translation_that_would_break_the_page_is_refused(tapp, folder, login):
    add_user(tapp, "fr@example.org", "translator", ["fr"])
    client = signed_in(tapp, "fr@example.org", login)
    before = (folder / FR_PO).read_bytes()
    page = client.get("/translate/fr/messages?q=Thematic+workshop").get_data(as_text=True)
    fields = entry_form(page, "Thematic workshop %(number)s")
    refused = client.post(
        "/translate/fr/messages/entry?lang=en", data={**fields, "msgstr": "Atelier thématique %(numero)s"}
    )
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "placeholder" in text.lower() and "Atelier thématique %(numero)s" in text
    assert (folder / FR_PO).read_bytes() == before


def test_the_second_of_two_saves_from_the_same_revision_is_stale(tapp, folder, login):
    add_user(tapp, "fr@example.org", "translator", ["fr"])
    add_user(tapp, "fr2@example.org", "translator", ["fr"])
    first, second = signed_in(tapp, "fr@example.org", login), signed_in(tapp, "fr2@example.org", login)
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
    assert msgstr_of(folder, "Skip to content") == "Aller au contenu principal"
    # Saving "my version" from the conflict page, now based on the current revision, goes through.
    retry = entry_form(
        text.replace('<p class="source" lang="en">Skip to content</p>', '<p class="source" lang="en">X</p>'), "X"
    )
    assert second.post("/translate/fr/messages/entry", data={**retry, "msgstr": "Passer au contenu"}).status_code == 303
    assert msgstr_of(folder, "Skip to content") == "Passer au contenu"


def test_edits_to_different_entries_from_the_same_revision_both_land(tapp, folder):
    token = add_user(tapp, "fr@example.org", "translator", ["fr"])
    client = tapp.test_client()
    revision = fr_revision(client)
    one = put_fr(client, token, "Filter", "Filtrer les résultats", revision)
    two = put_fr(client, token, "Apply", "Valider", revision)
    assert (one.status_code, two.status_code) == (200, 200)
    assert two.get_json()["revision"] == one.get_json()["revision"] + 1
    again = put_fr(client, token, "Filter", "Trier", revision)
    assert again.status_code == 409
    assert again.get_json()["current"]["msgstr"] == "Filtrer les résultats"
    assert msgstr_of(folder, "Filter") == "Filtrer les résultats"


# --- the JSON API -----------------------------------------------------------------------------------------


def test_api_messages_shape_and_filters(tapp):
    client = tapp.test_client()
    body = client.get("/api/v1/translations/tr/messages/messages?state=translated&q=kayıt").get_json()
    assert isinstance(body["revision"], int)
    plural = next(m for m in body["messages"] if m["msgid_plural"])
    assert set(plural) == {"msgid", "msgid_plural", "context", "msgstr_plural", "fuzzy", "comments", "locations"}
    assert plural["msgstr_plural"] == ["%(num)d kayıt", "%(num)d kayıt"]
    assert all(":" in location for location in plural["locations"])
    untranslated = client.get("/api/v1/translations/tr/messages/messages?state=untranslated").get_json()["messages"]
    assert all(not m.get("msgstr") and not any(m.get("msgstr_plural") or []) for m in untranslated)
    assert client.get("/api/v1/translations/xx/messages/messages").status_code == 404


def test_api_writes_check_roles_and_translations(tapp, folder):
    fr = add_user(tapp, "fr@example.org", "translator", ["fr"])
    archivist = add_user(tapp, "archivist@example.org", "archivist")
    client = tapp.test_client()
    revision = client.get("/api/v1/translations/tr/messages/messages").get_json()["revision"]
    body = {"msgid": "Watch", "context": None, "msgstr": "Seyret", "fuzzy": False, "base_revision": revision}
    url = "/api/v1/translations/tr/messages/messages"
    assert client.put(url, json=body).status_code == 401
    assert client.put(url, json=body, headers={"Authorization": f"Bearer {archivist}"}).status_code == 403
    assert client.put(url, json=body, headers={"Authorization": f"Bearer {fr}"}).status_code == 403
    before = (folder / "tr" / "LC_MESSAGES" / "messages.po").read_bytes()
    admin = add_user(tapp, "admin@example.org", "admin")
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
    assert (folder / "tr" / "LC_MESSAGES" / "messages.po").read_bytes() == before
    ok = client.put(url, json=body, headers={"Authorization": f"Bearer {admin}"})
    assert ok.status_code == 200 and ok.get_json()["revision"] == revision + 1
    assert ">Seyret<" in client.get("/?lang=tr").get_data(as_text=True)


# --- every worker picks up a saved catalogue ----------------------------------------------------------------


def test_live_reload_across_two_app_instances(make_app, folder, tapp):
    other = make_app(CATALOGUE_TRANSLATIONS_DIR=str(folder))
    viewer = other.test_client()
    assert "Aller au contenu" in viewer.get("/?lang=fr").get_data(as_text=True)  # Cached by this "worker".
    token = add_user(tapp, "fr@example.org", "translator", ["fr"])
    client = tapp.test_client()
    saved = put_fr(client, token, "Skip to content", "Sauter au contenu", fr_revision(client))
    assert saved.status_code == 200
    assert "Sauter au contenu" in viewer.get("/?lang=fr").get_data(as_text=True)


# --- Poedit round trip --------------------------------------------------------------------------------------


def test_download_edit_upload_round_trip(tapp, folder, login):
    add_user(tapp, "fr@example.org", "translator", ["fr"])
    client = signed_in(tapp, "fr@example.org", login)
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
    assert msgstr_of(folder, "Watch") == "Voir"


def test_a_broken_po_upload_is_refused_with_its_line(tapp, folder, login):
    add_user(tapp, "fr@example.org", "translator", ["fr"])
    client = signed_in(tapp, "fr@example.org", login)
    before = (folder / FR_PO).read_bytes()
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
    assert (folder / FR_PO).read_bytes() == before


# --- history and revert ---------------------------------------------------------------------------------------


def test_history_and_revert(tapp, folder, login):
    token = add_user(tapp, "fr@example.org", "translator", ["fr"])
    client = signed_in(tapp, "fr@example.org", login)
    put_fr(client, token, "Watch", "Voir", fr_revision(client), fuzzy=True)
    history = client.get("/translate/fr/messages/history?lang=en").get_data(as_text=True)
    assert "Regarder" in history and "Voir" in history and "Fr" in history
    change_id = re.search(r'data-change="(\d+)"', history).group(1)
    reverted = client.post(f"/translate/changes/{change_id}/revert", data={"csrf_token": csrf_token_from(history)})
    assert reverted.status_code == 303
    assert msgstr_of(folder, "Watch") == "Regarder"
    catalogue = read_catalogue_file(folder / FR_PO)
    assert not catalogue.find("Watch", None).fuzzy


# --- untrusted text ---------------------------------------------------------------------------------------


def test_markup_in_a_saved_translation_is_shown_as_text(tapp):
    token = add_user(tapp, "admin@example.org", "admin")
    client = tapp.test_client()
    saved = put_fr(
        client, token, "Skip to content", "Aller <img src=x onerror=alert(1)> au contenu", fr_revision(client)
    )
    # Markup that the source does not have is refused by the checks...
    assert saved.status_code == 422
    assert saved.get_json()["errors"][0]["code"] == "markup-mismatch"


# --- content domain ---------------------------------------------------------------------------------------


def test_catalogue_texts_are_extracted_and_shown_translated_or_marked_original(tapp, folder):
    runner = tapp.test_cli_runner()
    result = runner.invoke(args=["translations", "extract"])
    assert result.exit_code == 0, result.output
    pot = (folder / "content.pot").read_text(encoding="utf-8")
    assert 'msgctxt "workshop title"\nmsgid "Building resilience in cities"' in pot
    page = tapp.test_client().get("/recordings/workshop-1-building-resilience?lang=fr").get_data(as_text=True)
    assert "Renforcer la résilience des villes" in page
    # A text nobody translated yet is shown in the original, marked as such.
    po = folder / "fr" / "LC_MESSAGES" / "content.po"
    po.write_text(
        po.read_text(encoding="utf-8").replace('msgstr "Renforcer la résilience des villes"', 'msgstr ""'),
        encoding="utf-8",
    )
    assert runner.invoke(args=["translations", "compile"]).exit_code == 0
    page = tapp.test_client().get("/recordings/workshop-1-building-resilience?lang=fr").get_data(as_text=True)
    assert re.search(r'<span lang="en" class="original-text" title="[^"]+">Building resilience in cities</span>', page)


def test_the_check_command_fails_on_a_broken_placeholder(tapp, folder):
    po = folder / FR_PO
    po.write_text(
        po.read_text(encoding="utf-8").replace('msgstr "Atelier thématique %(number)s"', 'msgstr "Atelier thématique"'),
        encoding="utf-8",
    )
    result = tapp.test_cli_runner().invoke(args=["translations", "check"])
    assert result.exit_code == 1
    assert "placeholder" in result.output
    with tapp.app_context():
        assert db.session.scalar(select(User).limit(1)) is None
