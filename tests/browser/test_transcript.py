"""The transcript panel beside the player: it follows playback, seeks on a click, searches without accents or
Turkish dotted/dotless trouble, changes language with the subtitles, and never treats cue text as HTML."""

from __future__ import annotations

import json
import unicodedata
from typing import Any

import pytest
from playwright.sync_api import Page, Route, expect

pytestmark = pytest.mark.browser

SLUG = "workshop-1-building-resilience"
LINES = ".transcript-lines button.transcript-line"
CURRENT = ".transcript-lines button.transcript-line[aria-current='true']"

# A line is in view when it lies inside the list's visible box (the list scrolls, not the page).
IN_VIEW = """(line) => {
  const list = document.querySelector('.transcript-lines');
  const a = line.getBoundingClientRect(), b = list.getBoundingClientRect();
  return a.top >= b.top - 1 && a.bottom <= b.bottom + 1;
}"""


def cues_of(page: Page, base: str, language: str) -> list[dict[str, Any]]:
    return page.request.get(f"{base}/api/v1/recordings/{SLUG}/subtitles/{language}").json()["cues"]


def one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def folded(text: str) -> str:
    """The panel's folding, in Python: I/İ/ı are all i, accents go, case goes."""
    text = text.replace("İ", "i").replace("I", "i").replace("ı", "i")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not 0x300 <= ord(c) <= 0x36F)
    return text.lower()


def open_transcript(page: Page, base: str, query: str, language: str) -> None:
    page.goto(f"{base}/recordings/{SLUG}?{query}")
    page.wait_for_function("() => document.querySelector('[data-player]').dataset.ready === 'true'")
    wait_for_language(page, language)


def wait_for_language(page: Page, language: str) -> None:
    page.wait_for_function(
        "([lang]) => { const p = document.querySelector('[data-transcript]');"
        " return p.dataset.state === 'ready' && p.dataset.language === lang; }",
        arg=[language],
    )


def expected_index(cues: list[dict[str, Any]], time: float) -> int:
    """The cue being spoken (start <= t < end); between two cues, the one just spoken stays current."""
    active = started = -1
    for index, cue in enumerate(cues):
        if cue["start_s"] <= time:
            started = index
            if time < cue["end_s"]:
                active = index
    return active if active != -1 else started


def current_text(page: Page) -> str:
    return page.locator(CURRENT + " .cue-text").text_content() or ""


def assert_follows(page: Page, cues: list[dict[str, Any]]) -> None:
    # Wait until the last timeupdate has been handled, then check against the very same currentTime.
    page.wait_for_function(
        """(cues) => {
          const t = document.querySelector('video').currentTime;
          let active = -1, started = -1;
          cues.forEach((c, n) => { if (c.start_s <= t) { started = n; if (t < c.end_s) active = n; } });
          const i = active !== -1 ? active : started;
          const line = document.querySelector(".transcript-line[aria-current='true'] .cue-text");
          return i >= 0 && line !== null && line.textContent === cues[i].text.split(/\\s+/).join(' ').trim();
        }""",
        arg=cues,
    )
    time = page.evaluate("document.querySelector('video').currentTime")
    index = expected_index(cues, time)
    assert current_text(page) == one_line(cues[index]["text"])
    assert page.locator(CURRENT).count() == 1
    assert page.locator(CURRENT).evaluate(IN_VIEW)


def test_the_transcript_lists_the_cues_and_follows_playback(page: Page, live_server: str):
    cues = cues_of(page, live_server, "fr")
    open_transcript(page, live_server, "lang=en&subs=fr", "fr")
    lines = page.locator(LINES)
    expect(lines).to_have_count(len(cues))
    first = lines.first
    assert first.locator(".time").text_content() == "0:00"
    assert first.locator(".cue-voice").text_content() == "Güldem Özatağan"
    assert first.locator(".cue-text").text_content() == one_line(cues[0]["text"])
    assert lines.nth(3).locator(".cue-voice").count() == 0  # No speaker on that cue: no voice shown.
    assert page.locator(".transcript-lines").get_attribute("lang") == "fr"

    page.evaluate("document.querySelector('video').play()")
    page.wait_for_function("() => document.querySelector('video').currentTime > 2.5")
    page.evaluate("document.querySelector('video').pause()")
    assert_follows(page, cues)
    assert current_text(page) == one_line(cues[0]["text"])

    # Later in the recording the highlight has moved on, and the list scrolled to keep it in view.
    page.evaluate("document.querySelector('video').currentTime = 36; document.querySelector('video').play()")
    page.wait_for_function("() => document.querySelector('video').currentTime > 37.5")
    page.evaluate("document.querySelector('video').pause()")
    assert_follows(page, cues)
    assert page.evaluate("document.querySelector('.transcript-lines').scrollTop") > 0
    assert page.evaluate("window.scrollY") == 0  # Following scrolls the list, never the page.


def test_clicking_a_line_seeks_the_player_there(page: Page, live_server: str):
    cues = cues_of(page, live_server, "fr")
    open_transcript(page, live_server, "lang=en&subs=fr", "fr")
    page.wait_for_function("() => document.querySelector('video').readyState >= 1")
    fifth = page.locator(LINES).nth(4)
    fifth.click()
    start = cues[4]["start_s"]
    page.wait_for_function(f"() => Math.abs(document.querySelector('video').currentTime - {start}) < 0.3")
    expect(fifth).to_have_attribute("aria-current", "true")
    assert page.locator(CURRENT).count() == 1


def test_search_ignores_case_and_accents_and_marks_the_words(page: Page, live_server: str):
    cues = cues_of(page, live_server, "fr")
    open_transcript(page, live_server, "lang=en&subs=fr", "fr")
    page.get_by_label("Search the transcript").fill("DEMONSTRATION")
    mark = page.locator(LINES).first.locator(".cue-text mark")
    expect(mark).to_have_text("démonstration")

    matching = [c for c in cues if "demonstration" in folded(c["text"])]
    visible = page.locator(".transcript-lines li:not([hidden]) button.transcript-line")
    expect(visible).to_have_count(len(matching))
    expect(page.locator(".transcript-status")).to_have_text(
        "1 line matches." if len(matching) == 1 else f"{len(matching)} lines match."
    )
    assert_only_text_and_marks(page)

    # Several words: every one must be there, and each is marked.
    page.get_by_label("Search the transcript").fill("resilience VILLES")
    expect(page.locator(".transcript-lines li:not([hidden]) mark")).to_have_text(["résilience", "villes"])
    expect(page.locator(".transcript-lines li:not([hidden])")).to_have_count(1)

    # The speaker's name is searched too, accents and Turkish letters folded.
    page.get_by_label("Search the transcript").fill("ozan ustuk")
    speaker_lines = [c for c in cues if c["voice"] == "Ozan Uştuk"]
    expect(page.locator(".transcript-lines li:not([hidden])")).to_have_count(len(speaker_lines))
    expect(page.locator(".transcript-lines li:not([hidden]) .cue-voice mark").first).to_have_text("Ozan")

    page.get_by_label("Search the transcript").fill("zzzz")
    expect(page.locator(".transcript-status")).to_have_text("No line matches.")
    page.get_by_label("Search the transcript").fill("")
    expect(page.locator(".transcript-lines li:not([hidden])")).to_have_count(len(cues))
    expect(page.locator(".transcript-lines mark")).to_have_count(0)
    expect(page.locator(".transcript-status")).to_have_text("")


def test_choosing_turkish_subtitles_loads_the_turkish_transcript(page: Page, live_server: str):
    cues = cues_of(page, live_server, "tr")
    open_transcript(page, live_server, "lang=en&subs=fr", "fr")
    download = page.get_by_role("link", name="Download as text")
    assert download.get_attribute("href").endswith(f"/recordings/{SLUG}/subtitles/fr.txt")

    page.get_by_label("Turkish", exact=True).check()
    wait_for_language(page, "tr")
    lines = page.locator(LINES)
    expect(lines).to_have_count(len(cues))
    assert lines.first.locator(".cue-text").text_content() == one_line(cues[0]["text"])
    assert page.locator(".transcript-lines").get_attribute("lang") == "tr"
    assert download.get_attribute("href").endswith(f"/recordings/{SLUG}/subtitles/tr.txt")
    with page.expect_download() as info:
        download.click()
    assert info.value.suggested_filename == f"{SLUG}.tr.txt"

    # `calistay` finds `çalıştay`: ç and ş lose their cedilla, dotless ı is an i.
    with_word = [c for c in cues if "çalıştay" in c["text"]]
    assert with_word, "the demo's Turkish cues speak of a çalıştay"
    search = page.get_by_label("Search the transcript")
    search.fill("calistay")
    visible = page.locator(".transcript-lines li:not([hidden])")
    expect(visible).to_have_count(len(with_word))
    expect(visible.first.locator("mark")).to_have_text("çalıştay")
    assert visible.first.locator(".cue-text").text_content() == one_line(with_word[0]["text"])

    # Upper-case I (dotless in Turkish upper case) matches the dotless ı of `kırılgan`.
    search.fill("KIRILGAN")
    expect(visible).to_have_count(len([c for c in cues if "kırılgan" in c["text"]]))
    expect(visible.first.locator("mark")).to_have_text("kırılgan")
    assert_only_text_and_marks(page)


def test_the_panel_stops_following_while_the_viewer_scrolls_it(page: Page, live_server: str):
    cues = cues_of(page, live_server, "fr")
    open_transcript(page, live_server, "lang=en&subs=fr&t=30", "fr")
    page.wait_for_function("() => Math.abs(document.querySelector('video').currentTime - 30) < 0.5")
    current = page.locator(CURRENT)
    expect(current).to_have_count(1)
    assert current_text(page) == one_line(cues[expected_index(cues, 30)]["text"])
    page.wait_for_function(f"() => ({IN_VIEW})(document.querySelector({json.dumps(CURRENT)}))")
    follow = page.get_by_role("button", name="Follow playback")
    expect(follow).to_be_hidden()

    # The viewer scrolls back to the top of the list: the current line leaves the view, the button appears.
    page.evaluate(
        "const list = document.querySelector('.transcript-lines'); list.scrollTop = 0;"
        " list.dispatchEvent(new Event('scroll'));"
    )
    expect(follow).to_be_visible()
    assert current.evaluate(IN_VIEW) is False
    # Playback goes on, but the list stays where the viewer put it.
    page.evaluate("document.querySelector('video').play()")
    page.wait_for_function("() => document.querySelector('video').currentTime > 32")
    assert page.evaluate("document.querySelector('.transcript-lines').scrollTop") == 0
    expect(follow).to_be_visible()

    follow.click()
    expect(follow).to_be_hidden()
    page.wait_for_function(f"() => ({IN_VIEW})(document.querySelector({json.dumps(CURRENT)}))")
    assert page.evaluate("document.activeElement.getAttribute('aria-current')") == "true"

    # A wheel over the list stops following again; a few seconds later, while playing, it resumes by itself.
    page.locator(".transcript-lines").hover()
    page.mouse.wheel(0, -2000)
    expect(follow).to_be_visible()
    page.wait_for_function("() => document.querySelector('.transcript-lines').scrollTop === 0")
    expect(follow).to_be_hidden(timeout=9_000)
    page.wait_for_function(f"() => ({IN_VIEW})(document.querySelector({json.dumps(CURRENT)}))")


def test_with_subtitles_off_the_panel_offers_the_languages(page: Page, live_server: str):
    cues = cues_of(page, live_server, "fr")
    page.goto(f"{live_server}/recordings/{SLUG}?lang=en&subs=off")
    page.wait_for_function("() => document.querySelector('[data-player]').dataset.ready === 'true'")
    panel = page.locator("section.transcript")
    expect(panel.get_by_text("Subtitles are off, so there is no transcript to show.")).to_be_visible()
    expect(panel.locator(".transcript-lines")).to_be_hidden()
    expect(panel.get_by_role("link", name="Download as text")).to_be_hidden()
    assert panel.locator(".transcript-languages button").all_text_contents() == ["English", "French", "Turkish"]

    panel.get_by_role("button", name="French").click()
    wait_for_language(page, "fr")
    expect(page.locator(LINES)).to_have_count(len(cues))
    assert page.get_by_label("French", exact=True).is_checked()
    assert page.evaluate(
        "[...document.querySelector('video').textTracks].filter(t => t.mode !== 'disabled').map(t => t.language)"
    ) == ["fr"]
    expect(page.get_by_label("Search the transcript")).to_be_focused()

    page.get_by_label("Off").check()
    expect(panel.get_by_text("Subtitles are off, so there is no transcript to show.")).to_be_visible()
    expect(panel.locator(".transcript-lines")).to_be_hidden()


def assert_only_text_and_marks(page: Page) -> None:
    """Inside a line's voice and text there are only text nodes and <mark> elements holding text."""
    bad = page.evaluate(
        """() => {
          const bad = [];
          for (const part of document.querySelectorAll('.transcript-lines .cue-text, .transcript-lines .cue-voice')) {
            for (const node of part.childNodes) {
              if (node.nodeType === Node.TEXT_NODE) continue;
              if (node.nodeName === 'MARK' && [...node.childNodes].every(n => n.nodeType === Node.TEXT_NODE)) continue;
              bad.push(node.nodeName);
            }
          }
          return bad;
        }"""
    )
    assert bad == []


def test_cue_text_is_never_read_as_html(page: Page, live_server: str):
    text = 'Bonjour <img src="x" onerror="window.pwned = 1"> <b>tout</b> &amp; le monde'
    voice = "<script>window.pwned = 2</script>Ève"

    def hostile(route: Route) -> None:
        body = {
            "language": "fr",
            "revision": 1,
            "cues": [
                {"id": None, "start_s": 0.5, "end_s": 5.0, "text": text, "voice": voice},
                {"id": None, "start_s": 5.5, "end_s": 9.0, "text": "<i>Merci</i>", "voice": None},
            ],
            "warnings": [],
        }
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    page.route(f"**/api/v1/recordings/{SLUG}/subtitles/fr", hostile)
    open_transcript(page, live_server, "lang=en&subs=fr", "fr")
    lines = page.locator(LINES)
    expect(lines).to_have_count(2)
    assert lines.first.locator(".cue-text").text_content() == text
    assert lines.first.locator(".cue-voice").text_content() == voice
    assert lines.nth(1).locator(".cue-text").text_content() == "<i>Merci</i>"
    elements = page.locator(".transcript-lines").evaluate("l => [...l.querySelectorAll('*')].map(e => e.nodeName)")
    assert set(elements) == {"LI", "BUTTON", "SPAN"}  # Only what the script builds: no <img>, <b>, <script>, <i>.
    assert_only_text_and_marks(page)

    page.get_by_label("Search the transcript").fill("IMG tout eve")
    expect(lines.first.locator("mark")).to_have_text(["Ève", "img", "tout"])  # The voice comes first.
    assert_only_text_and_marks(page)
    assert lines.first.locator(".cue-text").text_content() == text
    assert page.evaluate("window.pwned === undefined")
