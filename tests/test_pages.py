import re

import pytest


def _data_start(page: str) -> str:
    return re.search(r'data-start="([^"]+)" data-audio', page).group(1)


def test_home_lists_the_three_workshops_with_their_people(client, demo):
    page = client.get("/?lang=en").get_data(as_text=True)
    for title in (
        "Building resilience in cities",
        "Fostering diversity, equity and inclusion",
        "Promoting dialogue and solidarity",
    ):
        assert title in page
    for name in (
        "Güldem Özatağan",
        "Ozan Uştuk",
        "Lülüfer Körükmez",
        "Cenk Saraçoğlu",
        "Begüm Özden Fırat",
        "Eric Rosand",
        "Ulas Bayraktar",
    ):
        assert name in page
    assert page.count("Not named in the programme") == 2
    assert "Start time not given in the programme" in page
    assert page.count("Demo excerpt, synthesised speech") == 3
    assert "3 recordings" in page


@pytest.mark.parametrize(("query", "count"), [("audio=fr", 3), ("subs=tr", 3), ("subs=de", 0), ("audio=de", 0)])
def test_home_filters(client, demo, query, count):
    page = client.get(f"/?lang=en&{query}").get_data(as_text=True)
    assert page.count('class="card"') == count
    if count == 0:
        assert "No recording matches these filters." in page


def test_event_page(client, demo):
    page = client.get("/events/mayors-summit-2021?lang=fr").get_data(as_text=True)
    assert "<title>3e Sommet des maires sur le vivre-ensemble · Catalogue de webinaires</title>" in page
    assert "7–10 déc. 2021" in page
    assert "mercredi 8 décembre 2021" in page
    assert page.count("Atelier thématique") == 3


def test_watch_page_offers_tracks_subtitles_chapters_and_downloads(client, demo):
    page = client.get("/recordings/workshop-1-building-resilience?lang=fr").get_data(as_text=True)
    assert 'src="/media/demo/workshop-1-building-resilience-interpretation.opus"' in page
    for lang in ("en", "fr", "tr"):
        assert f'srclang="{lang}"' in page
        assert f"/recordings/workshop-1-building-resilience/subtitles/{lang}.srt" in page
    # Subtitles default to the interface language.
    assert re.search(r'<track kind="subtitles" srclang="fr"[^>]*\bdefault\b', page.replace("\n", " "))
    assert 'data-subs="fr"' in page
    assert "Son original de la salle (anglais, français, turc)" in page  # The content translation.
    assert "Ouverture et modération" in page and "Modération" in page  # Chapter titles from the content domain.


def test_no_default_subtitles_for_a_language_without_a_track(demo_app):
    client = demo_app.test_client()
    page = client.get("/recordings/workshop-1-building-resilience", headers={"Accept-Language": "de"})
    assert 'data-subs="en"' in page.get_data(as_text=True)  # English interface, English subtitles.
    with demo_app.app_context():
        from sqlalchemy import delete

        from catalogue.extensions import db
        from catalogue.subtitles.models import SubtitleTrack

        db.session.execute(delete(SubtitleTrack).where(SubtitleTrack.language == "en"))
        db.session.commit()
    page = client.get("/recordings/workshop-1-building-resilience?lang=en").get_data(as_text=True)
    assert 'data-subs="off"' in page


def test_deep_link_restores_audio_subtitles_and_time(client, demo):
    page = client.get("/recordings/workshop-2-diversity-equity-inclusion?t=12.5&audio=floor&subs=tr").get_data(
        as_text=True
    )
    assert 'data-audio="floor"' in page and 'data-subs="tr"' in page
    assert _data_start(page) == "12.5"
    assert 'src="/media/demo/workshop-2-diversity-equity-inclusion-floor.opus"' in page


@pytest.mark.parametrize(
    ("t", "expected"), [("-5", "0.0"), ("99999", "40.992"), ("abc", "0.0"), ("nan", "0.0"), ("inf", "0.0"), ("", "0.0")]
)
def test_time_is_clamped_into_the_recording(client, demo, t, expected):
    page = client.get(f"/recordings/workshop-2-diversity-equity-inclusion?t={t}").get_data(as_text=True)
    assert _data_start(page) == expected


@pytest.mark.parametrize(
    "url",
    [
        "/recordings/no-such-recording",
        "/recordings/workshop-1-building-resilience?audio=nope",
        "/recordings/workshop-1-building-resilience?subs=de",
        "/events/no-such-event",
        "/recordings/workshop-1-building-resilience/subtitles/de.vtt",
    ],
)
def test_unknown_things_in_links_give_a_404_in_the_visitors_language(client, demo, url):
    response = client.get(url, headers={"Accept-Language": "tr"})
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert '<html lang="tr">' in page
    assert "Bu sayfayı bulamadık" in page


def test_every_page_has_a_language_switcher(client, demo):
    page = client.get("/recordings/workshop-1-building-resilience?audio=floor&lang=tr").get_data(as_text=True)
    assert 'lang="fr" hreflang="fr"' in page
    assert "audio=floor&amp;lang=fr" in page
    assert ">Français<" in page and ">English<" in page and ">Türkçe<" in page
