"""What a French or Turkish reader sees on the rendered pages (issue 15, design.md §6): every text in the page's
language, lists in the reader's order, numbers and times as the language writes them."""

import re

import pytest

SLUG = "workshop-1-building-resilience"
EVENT = "/events/mayors-summit-2021"
SWITCHER = re.compile(r'<nav class="languages".*?</nav>', re.S)
# Every page here shows the summit: `client` talks to the app with the demo loaded.
pytestmark = pytest.mark.usefixtures("demo")


def page(client, path: str, lang: str) -> str:
    response = client.get(path, query_string={"lang": lang})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def without_switcher(html: str) -> str:
    """The page less the interface-language switcher, whose links name each language in itself (with its lang)."""
    return SWITCHER.sub("", html)


def options(html: str, select_id: str) -> list[str]:
    select = re.search(rf'<select id="{select_id}"[^>]*>(.*?)</select>', html, re.S)
    assert select, select_id
    return [text.strip() for text in re.findall(r"<option[^>]*>([^<]*)</option>", select.group(1))]


@pytest.mark.parametrize(
    ("lang", "title"),
    [
        ("fr", "<title>3e Sommet des maires sur le vivre-ensemble · Catalogue de webinaires</title>"),
        ("tr", "<title>3. Birlikte Yaşam Belediye Başkanları Zirvesi · Webinar kataloğu</title>"),
    ],
)
def test_the_event_page_title_is_in_the_page_language(client, lang, title):
    assert title in page(client, EVENT, lang)


def test_turkish_pages_write_izmir_with_its_dot(client):
    for path in ("/", EVENT, f"/recordings/{SLUG}"):
        html = page(client, path, "tr")
        assert "İzmir" in html
        assert "Izmir" not in html, path


def test_no_english_honorific_on_french_and_turkish_pages(client):
    english_honorific = re.compile(r"\b(Ms|Mr|Mrs)\b\.?")
    french = page(client, EVENT, "fr")
    assert "Mme Güldem Özatağan" in french and "M. Ozan Uştuk" in french and "Dr Lülüfer Körükmez" in french
    assert not english_honorific.search(french)
    turkish = page(client, EVENT, "tr")
    # A Turkish programme names people without Mr and Ms, and keeps "Dr.".
    assert '<strong lang="tr">Güldem Özatağan</strong>' in turkish and "Dr. Lülüfer Körükmez" in turkish
    assert not english_honorific.search(turkish)


def test_affiliations_are_translated(client):
    turkish = page(client, EVENT, "tr")
    assert "Türkiye İnsan Hakları Vakfı (TİHV)" in turkish
    assert "Researcher at" not in turkish
    french = page(client, EVENT, "fr")
    assert "Fondation des droits de l’homme de Turquie" in french


def test_language_lists_follow_the_reader_alphabet(client):
    def languages(html: str, select_id: str) -> list[str]:
        """The language of each choice (a choice may say more after it, in parentheses)."""
        return [choice.split(" (")[0] for choice in options(html, select_id)]

    assert languages(page(client, "/", "tr"), "filter-audio") == ["Tümü", "Fransızca", "İngilizce", "Türkçe"]
    assert languages(page(client, "/", "fr"), "filter-subs") == ["Toutes", "Anglais", "Français", "Turc"]
    assert options(page(client, "/search", "tr"), "search-lang") == ["Tümü", "Fransızca", "İngilizce", "Türkçe"]


def test_one_english_word_with_two_jobs_has_two_french_translations(client):
    html = page(client, "/search", "fr")
    assert options(html, "search-lang")[0] == "Toutes"  # la langue
    assert options(html, "search-event")[0] == "Tous"  # l'événement
    assert options(html, "search-kind")[1] == "paroles"  # what was said, not "dit"


@pytest.mark.parametrize(
    ("lang", "moment"),
    [
        ("en", "Dec 8, 2021, 8:00\u202fAM Türkiye Time"),
        ("fr", "8 déc. 2021, 08:00 heure de Turquie"),
        ("tr", "8 Ara 2021 08:00 Türkiye Saati"),
    ],
)
def test_start_times_are_to_the_minute_with_the_zone_named_once(client, lang, moment):
    html = page(client, f"/recordings/{SLUG}", lang)
    assert moment in html
    assert "08:00:07" not in html and "8:00:07" not in html
    assert "Europe/Istanbul" not in html


def test_language_names_on_a_page_are_all_in_its_language(client):
    french = without_switcher(page(client, f"/recordings/{SLUG}", "fr"))
    assert "Anglais" in french and "Turc" in french
    assert "English" not in french and "Türkçe" not in french
    turkish = without_switcher(page(client, f"/recordings/{SLUG}", "tr"))
    assert "İngilizce" in turkish and "Fransızca" in turkish
    assert "English" not in turkish and "Français" not in turkish


def test_a_translation_equal_to_its_source_counts_as_translated(client):
    html = page(client, f"/recordings/{SLUG}", "fr")
    assert '<span lang="fr">Introduction</span>' in html
    assert '<span lang="fr">Conclusion</span>' in html
    assert "original-text" not in html


def test_people_lists_are_joined_by_the_language(demo_app):
    from catalogue.i18n import join_list

    for lang, joined in {"en": "A, B, and C", "fr": "A, B et C", "tr": "A, B ve C"}.items():
        with demo_app.test_request_context(f"/?lang={lang}"):
            assert join_list(["A", "B", "C"]) == joined
            assert join_list(["<b>"]) == "&lt;b&gt;"


def test_archive_pages_speak_the_reader_language(client, make_user, login):
    make_user("arsiv@example.org", "archivist")
    login(client, "arsiv@example.org")
    html = page(client, "/archive/", "tr")
    assert "1. tematik çalıştay: Kentlerde dirençliliği güçlendirmek (demo kesiti)" in html
    assert "İngilizce simultane çeviri" in html
    assert "Demo verileri" in html and "demo loader" not in html
    assert 'aria-label="İngilizce altyazı yükle"' in html
    # Archive times carry their zone, to the minute.
    assert "Türkiye Saati" in html
    columns = re.findall(r'<th scope="col">([^<]+)</th>', html)
    assert columns[2:] == ["Fransızca", "İngilizce", "Türkçe"]
