"""The watch page's own controls, as a viewer uses them: captions drawn across the picture with the cue's line
breaks, caption settings that outlive the page, the shortcuts (never while typing), the help dialog, the
transcript as one tab stop moved with the arrows, and a visible focus on every control on the keyboard walk.

One demo site and one browser serve the whole module (viewer_site): each test opens its own context.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from tests.browser.viewer_site import SLUG, Site, serve_site, wait_for_player

pytestmark = pytest.mark.browser

# A two-line cue whose lines fit the player at 1280 px: it must be drawn on exactly two lines, centred.
TWO_LINES = "Nous parlons de la résilience urbaine\net du rôle des villes dans la crise."
LONG_LINE = " ".join(["Une très longue phrase sans retour à la ligne qui doit se replier dans le cadre"] * 2)
VTT = f"WEBVTT\n\n00:00:01.000 --> 00:00:08.000\n{TWO_LINES}\n\n00:00:09.000 --> 00:00:15.000\n{LONG_LINE}\n"


@pytest.fixture(scope="module")
def site(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    yield from serve_site(browser, tmp_path_factory.mktemp("player-site"))


@pytest.fixture
def page(browser: Browser, site: Site) -> Iterator[Page]:
    context = site.context(browser, 1280)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def open_watch(page: Page, site: Site, query: str) -> None:
    page.goto(f"{site.url}/recordings/{SLUG}?{query}")
    wait_for_player(page)


def video(page: Page, expression: str):
    return page.evaluate(f"() => {{ const v = document.querySelector('video'); return {expression}; }}")


def own_subtitles(page: Page) -> None:
    """The French subtitles replaced by VTT above (the page fetches them for its <track>)."""

    def fulfil(route: Route) -> None:
        route.fulfill(status=200, content_type="text/vtt; charset=utf-8", body=VTT)

    page.route(f"**/recordings/{SLUG}/subtitles/fr.vtt*", fulfil)


CAPTION_GEOMETRY = """() => {
  const text = document.querySelector('.caption-text');
  const lines = [...text.getClientRects()];
  const picture = document.querySelector('video').getBoundingClientRect();
  const box = document.querySelector('.caption').getBoundingClientRect();
  return {
    lines: lines.length,
    text: document.querySelector('.caption').innerText,
    centres: lines.map(r => r.left + r.width / 2 - (picture.left + picture.width / 2)),
    width: box.width / picture.width,
    inside: box.left >= picture.left - 0.5 && box.right <= picture.right + 0.5,
    fontSize: parseFloat(getComputedStyle(text).fontSize),
  };
}"""


def caption_at(page: Page, seconds: float, text: str) -> dict:
    page.evaluate(f"document.querySelector('video').currentTime = {seconds}")
    page.wait_for_function(
        "(t) => document.querySelector('.caption').innerText === t && !document.querySelector('.caption').hidden",
        arg=text,
    )
    return page.evaluate(CAPTION_GEOMETRY)


def test_a_two_line_cue_is_drawn_on_two_centred_lines_across_the_picture(page: Page, site: Site):
    own_subtitles(page)
    open_watch(page, site, "lang=fr&subs=fr")
    # The page's own controls replaced the browser's, and the tracks are data for the page, not the browser's menu.
    assert video(page, "v.controls") is False
    assert video(page, "[...v.textTracks].map(t => t.kind)") == ["metadata"] * 3

    two = caption_at(page, 2, TWO_LINES)
    assert two["lines"] == 2, two
    assert all(abs(offset) <= 2 for offset in two["centres"]), two  # Each line centred under the picture's middle.
    assert two["inside"] and 0.35 < two["width"] <= 0.8 + 0.01, two  # Not squeezed into half the picture.

    long = caption_at(page, 10, LONG_LINE)
    # A long line wraps near 80 % of the picture (at a word), never at half of it.
    assert long["inside"] and 0.65 <= long["width"] <= 0.8 + 0.01, long
    assert long["lines"] >= 2, long


def test_on_a_phone_the_captions_stay_inside_the_picture_and_readable(browser: Browser, site: Site):
    context = site.context(browser, 390, 844)
    page = context.new_page()
    own_subtitles(page)
    open_watch(page, site, "lang=fr&subs=fr")
    two = caption_at(page, 2, TWO_LINES)
    assert two["inside"] and two["fontSize"] >= 14, two
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    context.close()


def test_caption_size_and_background_are_kept_for_the_next_visit(page: Page, site: Site):
    own_subtitles(page)
    open_watch(page, site, "lang=en&subs=fr")
    normal = caption_at(page, 2, TWO_LINES)["fontSize"]
    settings = page.get_by_role("button", name="Subtitle settings")
    expect(settings).to_have_attribute("aria-expanded", "false")
    settings.click()
    expect(settings).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_label("Text size")).to_be_focused()
    page.get_by_label("Text size").select_option("150")
    page.get_by_label("Background").select_option("0")
    assert caption_at(page, 2, TWO_LINES)["fontSize"] == pytest.approx(normal * 1.5, rel=0.02)
    page.keyboard.press("Escape")
    expect(settings).to_be_focused()
    expect(settings).to_have_attribute("aria-expanded", "false")

    page.reload()
    wait_for_player(page)
    expect(page.locator("[data-player-box]")).to_have_attribute("data-caption-size", "150")
    expect(page.locator("[data-player-box]")).to_have_attribute("data-caption-background", "0")
    assert caption_at(page, 2, TWO_LINES)["fontSize"] == pytest.approx(normal * 1.5, rel=0.02)
    background = page.evaluate("getComputedStyle(document.querySelector('.caption-text')).backgroundColor")
    assert background == "rgba(0, 0, 0, 0)"


def press(page: Page, key: str) -> None:
    page.keyboard.press(key)
    page.wait_for_function("() => !document.querySelector('video').seeking")


def test_the_shortcuts_drive_the_player_but_never_while_typing(page: Page, site: Site):
    open_watch(page, site, "lang=en&subs=fr&t=20")
    page.wait_for_function("() => Math.abs(document.querySelector('video').currentTime - 20) < 0.3")
    page.locator("h1").click()  # The focus on the page, in no control.
    end = video(page, "v.duration")

    press(page, "k")
    page.wait_for_function("() => !document.querySelector('video').paused")
    expect(page.get_by_role("button", name="Pause")).to_be_visible()
    press(page, "k")
    page.wait_for_function("() => document.querySelector('video').paused")
    expect(page.get_by_role("button", name="Play")).to_be_visible()
    press(page, " ")
    page.wait_for_function("() => !document.querySelector('video').paused")
    press(page, " ")
    page.wait_for_function("() => document.querySelector('video').paused")

    for key, expected in (("ArrowRight", 5), ("l", 10), ("j", -10), ("ArrowLeft", -5)):
        before = video(page, "v.currentTime")
        press(page, key)
        assert video(page, "v.currentTime") == pytest.approx(before + expected, abs=0.05), key
    press(page, "5")
    assert video(page, "v.currentTime") == pytest.approx(end / 2, abs=0.05)
    press(page, "0")
    assert video(page, "v.currentTime") == pytest.approx(0, abs=0.05)

    press(page, ">")
    press(page, ">")
    assert video(page, "v.playbackRate") == 1.5
    expect(page.get_by_label("Playback speed")).to_have_value("1.5")
    for _ in range(5):
        press(page, "<")
    assert video(page, "v.playbackRate") == 0.75  # 0.75× is the slowest.
    expect(page.locator(".player-status")).to_have_text("Speed: 0.75×")

    subtitles = page.get_by_role("button", name="Subtitles", exact=True)
    expect(subtitles).to_have_attribute("aria-pressed", "true")
    press(page, "c")
    expect(page.locator('input[name="subs"][value="off"]')).to_be_checked()
    expect(subtitles).to_have_attribute("aria-pressed", "false")
    assert video(page, "[...v.textTracks].filter(t => t.mode !== 'disabled').length") == 0
    press(page, "c")
    expect(page.locator('input[name="subs"][value="fr"]')).to_be_checked()
    expect(subtitles).to_have_attribute("aria-pressed", "true")

    press(page, "m")
    assert video(page, "v.muted") is True
    expect(page.get_by_role("button", name="Unmute")).to_be_visible()
    press(page, "m")
    assert video(page, "v.muted") is False

    press(page, "f")
    page.wait_for_function("() => document.fullscreenElement === document.querySelector('[data-player-box]')")
    expect(page.get_by_role("button", name="Exit full screen")).to_be_visible()
    expect(page.locator(".caption")).to_be_attached()  # The captions are inside what went full screen.
    press(page, "f")
    page.wait_for_function("() => document.fullscreenElement === null")

    # Typing in a field types: no shortcut acts.
    search = page.get_by_label("Search the transcript")
    search.click()
    before = video(page, "v.currentTime")
    page.keyboard.type("kl5 c")
    assert search.input_value() == "kl5 c"
    assert video(page, "v.paused") is True and video(page, "v.currentTime") == before
    expect(page.locator('input[name="subs"][value="fr"]')).to_be_checked()


def test_the_help_dialog_lists_the_keys_and_gives_the_focus_back(page: Page, site: Site):
    open_watch(page, site, "lang=en&subs=fr")
    help_button = page.get_by_role("button", name="Keyboard shortcuts")
    help_button.focus()
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    assert page.evaluate("document.querySelector('dialog.shortcuts').matches(':modal')")
    expect(dialog.locator("tbody tr")).to_have_count(9)
    page.keyboard.press("k")  # The player does not act behind an open dialog.
    assert video(page, "v.paused") is True
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(help_button).to_be_focused()
    help_button.click()
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()


FOCUS_SHOWN = """() => {
  const e = document.activeElement, style = getComputedStyle(e);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
  const ring = style.boxShadow && style.boxShadow !== 'none';
  const r = e.getBoundingClientRect();
  return { shown: outline || ring, name: e.getAttribute('aria-label') || e.textContent.trim().slice(0, 40),
           tag: e.tagName.toLowerCase(), role: e.getAttribute('role'), visible: r.width > 0 && r.height > 0 };
}"""


def test_a_keyboard_walk_reaches_every_control_with_a_visible_focus_and_one_stop_for_the_transcript(
    page: Page, site: Site
):
    open_watch(page, site, "lang=en&subs=fr&t=12")
    page.wait_for_function("() => document.querySelector('[data-transcript]').dataset.state === 'ready'")
    lines = page.locator(".transcript-lines [role=option]").count()
    assert lines > 5
    walk = []
    for _ in range(60):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUS_SHOWN)
        walk.append(focused)
        if focused["name"] == "Download as text":
            break
    names = [step["name"] for step in walk]
    controls = ["Play", "Position in the recording", "Mute", "Volume", "Subtitles", "Subtitle settings"]
    controls += ["Full screen", "Keyboard shortcuts", "Skip the transcript", "Download as text"]
    for control in controls:
        assert control in names, (control, names)
    assert names.index("Play") < names.index("Mute") < names.index("Full screen") < names.index("Skip the transcript")
    unseen = [step for step in walk if not (step["shown"] and step["visible"])]
    assert not unseen, unseen
    # The whole transcript is one tab stop: the line being said (0:10–0:15 at 12 s).
    options = [step for step in walk if step["role"] == "option"]
    assert len(options) == 1, options
    assert options[0]["name"].startswith("0:10")


def test_the_transcript_moves_with_the_arrows_and_enter_plays_from_the_line(page: Page, site: Site):
    open_watch(page, site, "lang=en&subs=fr")
    page.wait_for_function("() => document.querySelector('[data-transcript]').dataset.state === 'ready'")
    cues = page.request.get(f"{site.url}/api/v1/recordings/{SLUG}/subtitles/fr").json()["cues"]
    options = page.locator(".transcript-lines [role=option]")
    expect(options).to_have_count(len(cues))
    expect(page.locator(".transcript-lines [tabindex='0']")).to_have_count(1)

    options.first.focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(options.nth(2)).to_be_focused()
    expect(options.nth(2)).to_have_attribute("aria-selected", "true")
    expect(options.nth(0)).to_have_attribute("tabindex", "-1")
    page.keyboard.press("ArrowUp")
    expect(options.nth(1)).to_be_focused()
    page.keyboard.press("End")
    expect(options.last).to_be_focused()
    assert options.last.evaluate(
        "(e) => { const l = e.closest('ol').getBoundingClientRect(), r = e.getBoundingClientRect();"
        " return r.top >= l.top - 1 && r.bottom <= l.bottom + 1; }"
    )
    page.keyboard.press("Home")
    expect(options.first).to_be_focused()
    page.keyboard.press("PageDown")
    expect(options.nth(min(10, len(cues) - 1))).to_be_focused()
    scroll = page.evaluate("window.scrollY")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")
    target = cues[min(10, len(cues) - 1) - 1]["start_s"]
    page.wait_for_function(f"() => Math.abs(document.querySelector('video').currentTime - {target}) < 0.3")
    assert page.evaluate("window.scrollY") == scroll  # Moving in the list never scrolls the page.

    # Searching hides lines: the one tab stop moves to a line one can see.
    page.get_by_label("Search the transcript").fill("zzzz")
    page.get_by_label("Search the transcript").fill("villes")
    visible_stop = page.locator(".transcript-lines li:not([hidden]) [tabindex='0']")
    expect(visible_stop).to_have_count(1)

    # The skip link jumps past the list.
    page.get_by_label("Search the transcript").fill("")
    page.get_by_label("Search the transcript").focus()
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip the transcript")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#transcript-end")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Download as text")).to_be_focused()
