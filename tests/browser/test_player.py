"""What a viewer does with the player: play, switch audio, choose subtitles, follow and share a deep link."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Page

from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

SLUG = "workshop-1-building-resilience"
STEP_BACK = 2.0  # CATALOGUE_INTERPRETATION_STEP_BACK_S, the default.


def video(page: Page, expression: str):
    return page.evaluate(f"() => {{ const v = document.querySelector('video'); return {expression}; }}")


def open_watch(page: Page, base: str, query: str) -> None:
    page.goto(f"{base}/recordings/{SLUG}?{query}")
    page.wait_for_function("() => document.querySelector('[data-player]').dataset.ready === 'true'")
    page.wait_for_function("() => document.querySelector('video').readyState >= 1")


def play_until(page: Page, seconds: float) -> None:
    page.evaluate("document.querySelector('video').play()")
    page.wait_for_function(f"() => document.querySelector('video').currentTime > {seconds}")


def showing_languages(page: Page) -> list[str]:
    """The subtitle tracks the page is displaying (the page draws captions from tracks in `hidden` mode)."""
    return video(page, "[...v.textTracks].filter(t => t.mode !== 'disabled').map(t => t.language)")


def caption_text(page: Page) -> str:
    """The caption a viewer sees over the player."""
    caption = page.locator(".caption")
    caption.wait_for(state="visible")
    return caption.inner_text()


def test_switching_audio_keeps_the_moment_and_the_playing_state(page: Page, live_server: str):
    open_watch(page, live_server, "lang=en")
    assert video(page, "v.currentSrc").endswith(f"{SLUG}-interpretation.opus")
    play_until(page, 3.0)

    before = video(page, "v.currentTime")
    page.get_by_label("Original floor audio (English, French, and Turkish)").check()
    page.wait_for_function("() => document.querySelector('video').currentSrc.endsWith('-floor.opus')")
    page.wait_for_function(f"() => document.querySelector('video').currentTime >= {before - 0.5}")
    after = video(page, "v.currentTime")
    assert before - 0.5 <= after <= before + 2.5
    assert video(page, "v.paused") is False

    # Back to the interpretation: it steps back so the interpreter's sentence is heard from its start.
    page.wait_for_function(f"() => document.querySelector('video').currentTime > {after + 1}")
    before = video(page, "v.currentTime")
    page.get_by_label("English interpretation").check()
    page.wait_for_function("() => document.querySelector('video').currentSrc.endsWith('-interpretation.opus')")
    page.wait_for_function(
        "() => document.querySelector('video').readyState >= 1 && !document.querySelector('video').seeking"
    )
    after = video(page, "v.currentTime")
    assert before - STEP_BACK - 0.5 <= after <= before - STEP_BACK + 2.0
    assert video(page, "v.paused") is False


def test_paused_stays_paused_after_a_switch(page: Page, live_server: str):
    open_watch(page, live_server, "lang=en&t=10")
    page.wait_for_function("() => Math.abs(document.querySelector('video').currentTime - 10) < 0.5")
    page.get_by_label("Original floor audio (English, French, and Turkish)").check()
    page.wait_for_function("() => document.querySelector('video').currentSrc.endsWith('-floor.opus')")
    page.wait_for_function("() => Math.abs(document.querySelector('video').currentTime - 10) < 0.5")
    assert video(page, "v.paused") is True


def test_french_subtitles_show_the_cue_being_spoken(page: Page, live_server: str):
    cues = page.request.get(f"{live_server}/api/v1/recordings/{SLUG}/subtitles/fr").json()["cues"]
    open_watch(page, live_server, "lang=en&subs=off")
    page.get_by_label("French", exact=True).check()
    assert showing_languages(page) == ["fr"]
    target = cues[3]
    page.evaluate(f"document.querySelector('video').currentTime = {(target['start_s'] + target['end_s']) / 2}")
    page.wait_for_function(f"() => document.querySelector('.caption').innerText === {json.dumps(target['text'])}")
    assert caption_text(page) == target["text"]
    assert page.locator(".caption").get_attribute("lang") == "fr"


def test_a_chapter_click_seeks_there(page: Page, live_server: str):
    open_watch(page, live_server, "lang=tr")
    chapters = page.request.get(f"{live_server}/api/v1/recordings/{SLUG}").json()["chapters"]
    page.locator("button.chapter").nth(4).click()
    page.wait_for_function(
        f"() => Math.abs(document.querySelector('video').currentTime - {chapters[4]['start_s']}) < 0.3"
    )
    assert page.locator("button.chapter").nth(4).get_attribute("aria-current") == "true"


def test_a_shared_link_restores_time_audio_and_subtitles(page: Page, live_server: str):
    open_watch(page, live_server, "lang=fr")
    page.get_by_label("Son original de la salle (anglais, français, turc)").check()
    page.get_by_label("Turc", exact=True).check()
    page.evaluate("document.querySelector('video').currentTime = 21.4")
    page.wait_for_function("() => !document.querySelector('video').seeking")
    page.get_by_role("button", name="Copier un lien vers ce moment").click()
    link = page.locator("#share-url").input_value()
    query = parse_qs(urlparse(link).query)
    assert query == {"t": ["21"], "audio": ["floor"], "subs": ["tr"]}

    other = page.context.new_page()
    other.goto(link)
    other.wait_for_function("() => document.querySelector('[data-player]').dataset.ready === 'true'")
    other.wait_for_function("() => Math.abs(document.querySelector('video').currentTime - 21) < 0.3")
    assert video(other, "v.currentSrc").endswith(f"{SLUG}-floor.opus")
    assert other.get_by_label("Turc", exact=True).is_checked()
    assert showing_languages(other) == ["tr"]


@pytest.mark.parametrize("lang", ["en", "fr", "tr"])
def test_watch_page_screenshot_in_each_locale(page: Page, live_server: str, lang: str):
    open_watch(page, live_server, f"lang={lang}&t=6")
    page.wait_for_function("() => Math.abs(document.querySelector('video').currentTime - 6) < 0.5")
    assert caption_text(page)
    assert page.locator("html").get_attribute("lang") == lang
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"watch-{lang}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
