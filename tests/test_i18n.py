import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from catalogue.demo.cli import load_demo
from catalogue.i18n import format_duration, language_name, upper_first
from tests.conftest import create_schema, reset_database

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


def test_accept_language_turkish_gives_a_turkish_page(client, demo):
    page = client.get("/", headers={"Accept-Language": "tr-TR,tr;q=0.9,en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="tr">' in page
    assert "Kayıtlar" in page
    assert "Programda belirtilmemiş" in page


def test_lang_parameter_sticks_through_a_cookie(client, demo):
    first = client.get("/?lang=fr", headers={"Accept-Language": "tr"})
    assert '<html lang="fr">' in first.get_data(as_text=True)
    assert "lang=fr" in first.headers["Set-Cookie"]
    # The next page, without the parameter and still asking for Turkish, stays French.
    later = client.get("/events/mayors-summit-2021", headers={"Accept-Language": "tr"}).get_data(as_text=True)
    assert '<html lang="fr">' in later
    assert "Ateliers" in later


def test_unknown_lang_falls_back_to_negotiation(client):
    page = client.get("/?lang=xx", headers={"Accept-Language": "tr"})
    assert '<html lang="tr">' in page.get_data(as_text=True)
    assert "Set-Cookie" not in page.headers


def test_english_is_the_last_resort(client, demo):
    page = client.get("/", headers={"Accept-Language": "de-DE"}).get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Not named in the programme" in page


@pytest.mark.parametrize(
    ("lang", "moment", "duration", "languages"),
    [
        # To the minute, the zone named once in the reader's language (design.md §6). The 49.6 s recording
        # lasts 49 s, in whole seconds as its player counts them (0:49).
        ("en", "Dec 8, 2021, 8:00\u202fAM Türkiye Time", "49 sec", "English interpretation"),
        # French typography: narrow no-break space between number and unit.
        ("fr", "8 déc. 2021, 08:00 heure de Turquie", "49\u202fs", "Interprétation en anglais"),
        ("tr", "8 Ara 2021 08:00 Türkiye Saati", "49 sn.", "İngilizce simultane çeviri"),
    ],
)
def test_dates_durations_and_language_names_follow_the_locale(client, demo, lang, moment, duration, languages):
    page = client.get(f"/recordings/workshop-1-building-resilience?lang={lang}").get_data(as_text=True)
    # 05:00:07 UTC is shown in the summit's own time zone, Europe/Istanbul.
    assert moment in page
    assert duration in page
    assert languages in page


def test_format_duration_in_each_locale(app):
    expected = {"en": "1 hr 2 min 5 sec", "fr": "1\u202fh 2\xa0min 5\u202fs", "tr": "1 sa. 2 dk. 5 sn."}
    for lang, text in expected.items():
        with app.test_request_context(f"/?lang={lang}"):
            assert format_duration(3_725_000) == text


def test_turkish_capitalisation_keeps_the_dotted_i(app):
    assert upper_first("ingilizce", "tr") == "İngilizce"
    assert upper_first("italien", "fr") == "Italien"
    with app.test_request_context("/?lang=fr"):
        assert language_name("en") == "Anglais"
        assert language_name("tr", "tr") == "Türkçe"


@pytest.mark.parametrize(
    ("locale", "rule"),
    [
        ("fr", "nplurals=2; plural=(n > 1);"),
        ("tr", "nplurals=2; plural=(n != 1);"),
    ],
)
def test_plural_rules_are_pinned(locale, rule):
    text = (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")
    assert f'"Plural-Forms: {rule}\\n"' in text


def test_plurals_render_in_each_language(client, demo):
    assert "3 enregistrements" in client.get("/?lang=fr").get_data(as_text=True)
    assert "3 kayıt" in client.get("/?lang=tr").get_data(as_text=True)


def test_committed_catalogues_are_complete_and_clean(runner):
    result = runner.invoke(args=["translations", "check"])
    assert result.exit_code == 0, result.output
    for locale in ("fr", "tr"):
        with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").open("rb") as f:
            catalog = read_po(f)
        assert all(m.string and not m.fuzzy for m in catalog if m.id)


def test_the_catalogue_template_is_up_to_date(runner, tmp_path):
    """Every message the code uses is in messages.pot and so in every catalogue (i18n extraction checked in CI)."""
    with (TRANSLATIONS / "messages.pot").open("rb") as f:
        committed = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    runner.app.config["CATALOGUE_TRANSLATIONS_DIR"] = str(tmp_path)
    (tmp_path / "babel.cfg").write_text((TRANSLATIONS / "babel.cfg").read_text())
    assert runner.invoke(args=["translations", "extract"]).exit_code == 0
    with (tmp_path / "messages.pot").open("rb") as f:
        fresh = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    assert fresh == committed


def test_a_translation_holding_markup_is_shown_inert(tmp_path, make_app):
    """Translations are untrusted: a msgstr with a script tag comes out escaped, variables still filled in."""
    shutil.copytree(TRANSLATIONS, tmp_path / "translations")
    po = tmp_path / "translations" / "fr" / "LC_MESSAGES" / "messages.po"
    text = po.read_text(encoding="utf-8")
    text = text.replace('msgstr "Catalogue de webinaires"', 'msgstr "<script>alert(1)</script>Catalogue"')
    text = text.replace('msgstr "Atelier thématique %(number)s"', 'msgstr "<img src=x onerror=alert(2)> %(number)s"')
    po.write_text(text, encoding="utf-8")
    app = make_app(CATALOGUE_TRANSLATIONS_DIR=str(tmp_path / "translations"))
    assert app.test_cli_runner().invoke(args=["translations", "compile"]).exit_code == 0
    with app.app_context():
        reset_database()
        create_schema()
        load_demo()
    page = app.test_client().get("/?lang=fr").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;Catalogue" in page
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(2)&gt; 1" in page
