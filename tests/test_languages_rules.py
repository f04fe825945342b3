"""The language rules behind the pages (design.md §6): negotiation by language, ICU collation, numbers that are
identifiers or quantities, the glossary that `translations check` enforces, and catalogues a native reader and
msgfmt both accept."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from catalogue.collation import collated
from catalogue.i18n import negotiate
from catalogue.problems import Problem
from catalogue.translating.glossary import check_glossary, parse_glossary, read_glossary

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
CATALOGUES = sorted(TRANSLATIONS.glob("*/LC_MESSAGES/*.po"))


# --- negotiation -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        ("fr-FR,en;q=0.8", "fr"),
        ("tr-TR", "tr"),
        ("tr-TR,tr;q=0.9,en-US;q=0.8,en;q=0.7", "tr"),
        ("fr-CA;q=0.9,en-GB", "en"),
        ("de-DE,fr;q=0.5", "fr"),
        ("de, fr;q=0", "en"),
        ("*", "en"),
    ],
)
def test_accept_language_is_matched_by_language(client, header, lang):
    html = client.get("/", headers={"Accept-Language": header}).get_data(as_text=True)
    assert f'<html lang="{lang}">' in html


def test_negotiation_keeps_the_reader_order_of_preference():
    supported = ["en", "fr", "tr"]
    assert negotiate([("fr-FR", 1.0), ("en", 0.8)], supported) == "fr"
    assert negotiate([("pt-BR", 1.0), ("TR", 0.5)], supported) == "tr"
    assert negotiate([("de", 1.0)], supported) is None
    assert negotiate([("zh-Hant-TW", 1.0), ("en_GB", 0.1)], supported) == "en"


# --- collation -------------------------------------------------------------------------------------------------


def test_turkish_order_is_the_turkish_alphabet():
    assert collated(["Türkçe", "İngilizce", "Fransızca"], "tr") == ["Fransızca", "İngilizce", "Türkçe"]
    assert collated(["iyi", "ılık", "çay", "cam", "Zeynep", "Ölçek", "Oda"], "tr") == [
        "cam",
        "çay",
        "ılık",
        "iyi",
        "Oda",
        "Ölçek",
        "Zeynep",
    ]
    # Code point order, what sorted() gives, puts every accented capital after z.
    assert sorted(["Türkçe", "İngilizce", "Fransızca"]) == ["Fransızca", "Türkçe", "İngilizce"]


def test_french_accents_only_break_ties():
    assert collated(["été", "Eve", "ete", "élan", "zèbre"], "fr") == ["élan", "ete", "été", "Eve", "zèbre"]
    people = [{"name": "Özden"}, {"name": "Oz"}, {"name": "Ozan"}]
    assert [p["name"] for p in collated(people, "tr", key=lambda p: p["name"])] == ["Oz", "Ozan", "Özden"]


# --- numbers ---------------------------------------------------------------------------------------------------


def test_identifiers_are_plain_digits_and_quantities_follow_the_locale(demo_app):
    line = Problem(12345, "end-before-start", "Line %(line)s: this cue ends before it starts.", {"line": 12345})
    short = Problem(3, "too-short", "Cue %(cue)s: on screen for less than %(limit)s s.", {"cue": 1234, "limit": 0.7})
    size = Problem(
        None,
        "too-large",
        "The file is %(size)s bytes; the limit is %(limit)s bytes.",
        {
            "size": 6_000_000,
            "limit": 5_242_880,
        },
    )
    old = Problem(3, "too-short", "Cue %(cue)s: on screen for less than %(limit)s s.", {"cue": 2, "limit": "0.7"})
    with demo_app.test_request_context("/?lang=tr"):
        assert line.message == "Satır 12345: bu replik başlamadan bitiyor."
        assert short.message == "Replik 1234: ekranda 0,7 saniyeden kısa kalıyor."
        assert "6.000.000" in size.message and "5.242.880" in size.message
    with demo_app.test_request_context("/?lang=fr"):
        assert short.message == "Réplique 1234\u00a0: affichée moins de 0,7\u00a0s."
        # A decimal that an earlier version stored as text is shown the same way.
        assert old.message == "Réplique 2\u00a0: affichée moins de 0,7\u00a0s."
        assert "5\u202f242\u202f880" in size.message
    with demo_app.test_request_context("/?lang=en"):
        assert short.message == "Cue 1234: on screen for less than 0.7 s."


def test_a_short_cue_warning_is_published_with_a_french_decimal(demo_app, make_user, login):
    from sqlalchemy import select

    from catalogue.extensions import db
    from catalogue.recordings.models import Recording
    from catalogue.subtitles.store import publish_subtitle

    vtt = b"WEBVTT\n\n00:00:01.000 --> 00:00:01.300\nVite.\n\n00:00:02.000 --> 00:00:04.000\nPlus lentement.\n"
    with demo_app.app_context():
        recording = db.session.scalar(select(Recording).where(Recording.slug == "workshop-1-building-resilience"))
        publish_subtitle(recording, "de", vtt, filename="short.vtt", uploaded_by="test")
    client = demo_app.test_client()
    make_user("archives@example.org", "archivist")
    login(client, "archives@example.org")
    html = client.get(
        "/archive/recordings/workshop-1-building-resilience/subtitles/de", query_string={"lang": "fr"}
    ).get_data(as_text=True)
    assert "Réplique 1\u00a0: affichée moins de 0,7\u00a0s." in html


# --- glossary --------------------------------------------------------------------------------------------------


def test_the_glossary_names_the_key_terms():
    terms = {term.term: term for term in read_glossary(TRANSLATIONS)}
    expected = {"subtitle", "transcript", "audio track", "interpretation", "floor", "revision", "archivist"}
    assert expected <= set(terms)
    assert terms["transcript"].translations == {"fr": "transcription", "tr": "transkript"}
    assert terms["audio track"].translation("tr") == "ses parçası"


def test_the_glossary_check_reads_inflected_forms():
    terms = parse_glossary(
        "term,fr,tr,note\naudio track,piste audio,ses parçası,\ntranscript,transcription,transkript,\n"
    )
    assert check_glossary("Audio tracks", None, "Ses parçaları", "tr", terms) == []
    assert check_glossary("Search the transcript", None, "Transkriptte ara", "tr", terms) == []
    assert check_glossary("Audio track", None, "Pistes audio", "fr", terms) == []
    wrong = check_glossary("Audio tracks", None, "Ses kanalları", "tr", terms)
    assert [p.code for p in wrong] == ["glossary"] and wrong[0].params["expected"] == "ses parçası"
    assert check_glossary("Transcript", None, "Döküm", "tr", terms)
    # A code value kept as written is not a term to translate.
    assert (
        check_glossary(
            "Use transcript or audio track.", None, "“transcript” ya da “audio track” kullanın.", "tr", terms
        )
        == []
    )
    # Plural forms are checked one by one; an empty one is not translated yet.
    assert check_glossary("%(num)d audio track", "%(num)d audio tracks", ["", ""], "tr", terms) == []
    assert check_glossary("%(num)d audio track", "%(num)d audio tracks", ["%(num)d ses kanalı"] * 2, "tr", terms)


def test_translations_check_fails_on_a_word_the_glossary_does_not_use(tmp_path, make_app):
    folder = tmp_path / "translations"
    shutil.copytree(TRANSLATIONS, folder, ignore=shutil.ignore_patterns("*.mo", ".*.lock"))
    app = make_app(CATALOGUE_TRANSLATIONS_DIR=str(folder))
    assert app.test_cli_runner().invoke(args=["translations", "check"]).exit_code == 0
    po = folder / "tr" / "LC_MESSAGES" / "messages.po"
    text = po.read_text(encoding="utf-8")
    assert 'msgid "Transcript"\nmsgstr "Transkript"\n' in text
    po.write_text(text.replace('msgid "Transcript"\nmsgstr "Transkript"\n', 'msgid "Transcript"\nmsgstr "Döküm"\n'))
    result = app.test_cli_runner().invoke(args=["translations", "check"])
    assert result.exit_code == 1
    assert "[glossary]" in result.output and "“transkript”" in result.output


def test_the_editor_shows_the_glossary_beside_an_entry(client, make_user, login):
    make_user("ceviri@example.org", "translator", locales=("tr",))
    login(client, "ceviri@example.org")
    html = client.get("/translate/tr/messages", query_string={"q": "Search the transcript", "lang": "tr"}).get_data(
        as_text=True
    )
    assert "Terim sözlüğü" in html
    assert '<span lang="en">transcript</span> → <strong lang="tr">transkript</strong>' in html


def test_the_editor_search_folds_turkish_letters(client, make_user, login):
    make_user("icerik@example.org", "translator", locales=("tr",))
    login(client, "icerik@example.org")
    html = client.get("/translate/tr/content", query_string={"q": "IZMIR", "lang": "tr"}).get_data(as_text=True)
    assert "İzmir Büyükşehir Belediyesi" in html


def test_plural_keywords_are_shown_as_cldr_names(client, make_user, login):
    make_user("traduction@example.org", "translator", locales=("fr",))
    login(client, "traduction@example.org")
    html = client.get("/translate/fr/messages", query_string={"q": "%(num)d recording", "lang": "fr"}).get_data(
        as_text=True
    )
    assert "Forme «\u00a0one\u00a0»" in html and "Forme «\u00a0other\u00a0»" in html
    assert "«\u00a0un\u00a0»" not in html and "«\u00a0autre\u00a0»" not in html


# --- the catalogues --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_every_catalogue_passes_msgfmt_check(path, tmp_path):
    result = subprocess.run(
        ["msgfmt", "--check", "-o", str(tmp_path / "out.mo"), str(path)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_catalogue_headers_hold_no_template_values(path):
    header = path.read_text(encoding="utf-8").split("\n\n", 1)[0]
    for placeholder in ("FIRST AUTHOR", "EMAIL@ADDRESS", "LL@li.org", "ORGANIZATION", "VERSION\\n", "YEAR"):
        assert placeholder not in header, placeholder


def test_turkish_wording_a_native_reader_expects():
    text = (TRANSLATIONS / "tr" / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")
    for calque in (
        "Döküm",
        "döküm",
        "Ses kanal",
        "ses kanal",
        "Bu ana bağlantı",
        "aksanlar",
        'sayfayı bozar"',
        "tercüme",
    ):
        assert calque not in text, calque
    assert 'msgstr "Bu anın bağlantısını kopyala"' in text
    assert re.search(r'msgstr "Kaydedilmedi: bu çeviri sayfayı bozardı"', text)
    content = (TRANSLATIONS / "tr" / "LC_MESSAGES" / "content.po").read_text(encoding="utf-8")
    assert "inşa" not in content


def test_a_french_title_written_as_in_english_is_found_in_french(client, demo):
    """French "Introduction" is a translation (a msgstr is present), so search finds it as French too."""
    body = client.get("/api/v1/search", query_string={"q": "introduction", "lang": "fr", "kind": "chapter"}).get_json()
    assert body["total"] >= 3
    assert {r["language"] for r in body["results"]} == {"fr"}
