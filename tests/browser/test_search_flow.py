"""A viewer searches from the header and a hit opens the player at that moment, with those subtitles; a line said
at that moment in another language opens the player in that language."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_a_search_hit_opens_the_player_at_that_moment(page: Page, live_server: str):
    page.goto(f"{live_server}/?lang=tr")
    box = page.get_by_role("searchbox").first
    box.fill("CALISTAY")
    box.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "tr")
    hit = page.locator("li.hit.kind-cue").filter(has=page.locator("mark", has_text="çalıştay")).first
    expect(hit).to_be_visible()
    time_text = hit.locator(".time").inner_text()
    minutes, seconds = (int(part) for part in time_text.split(":"))
    hit.locator("a").first.click()

    page.wait_for_function("() => document.querySelector('[data-player]').dataset.ready === 'true'")
    page.wait_for_function(
        f"() => Math.abs(document.querySelector('video').currentTime - {minutes * 60 + seconds}) < 0.6"
    )
    assert page.locator("input[name=subs][value=tr]").is_checked()
    # Press play: within a second the caption on screen is the line that was found (links start on the second).
    page.evaluate("document.querySelector('video').play()")
    page.wait_for_function("() => document.querySelector('.caption') && !document.querySelector('.caption').hidden")
    expect(page.locator(".caption")).to_contain_text("çalıştay")


def test_the_same_moment_in_another_language_opens_the_player_there(page: Page, live_server: str):
    """A Turkish hit, read by a French viewer: the French line said at that moment opens French subtitles."""
    page.goto(f"{live_server}/search?q=dayanisma&lang=fr")
    hit = page.locator("li.hit.kind-cue").filter(has=page.locator(".snippet", has_text="Diyalog ve")).first
    expect(hit.locator(".snippet mark")).to_have_text("dayanışma")
    french = hit.locator(".also li").first
    expect(french).to_contain_text("Nous allons parler de dialogue et de solidarité.")
    time_text = hit.locator(".time").inner_text()
    minutes, seconds = (int(part) for part in time_text.split(":"))
    french.locator("a").click()

    page.wait_for_function("() => document.querySelector('[data-player]').dataset.ready === 'true'")
    page.wait_for_function(
        f"() => Math.abs(document.querySelector('video').currentTime - {minutes * 60 + seconds}) < 0.6"
    )
    assert page.locator("input[name=subs][value=fr]").is_checked()
    page.evaluate("document.querySelector('video').play()")
    page.wait_for_function("() => document.querySelector('.caption') && !document.querySelector('.caption').hidden")
    expect(page.locator(".caption")).to_contain_text("solidarité")
