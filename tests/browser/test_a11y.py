"""Every page a viewer or the staff reach, in English, French and Turkish, on a desktop and on a phone: axe-core
(WCAG 2.2 A and AA, and best practice) finds nothing, and nothing scrolls sideways at 320 and 390 px.

axe-core is the npm release pinned in viewer_site.AXE_VERSION, installed into a cache folder outside the
repository on first use. Each page is opened once per locale and width, in one browser context per width.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests.browser.viewer_site import SLUG, Site, axe_source, run_axe, serve_site, wait_for_player
from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

DATA = Path(__file__).resolve().parents[1] / "data"
LOCALES = ("en", "fr", "tr")
AXE_WIDTHS = (1280, 390)
NARROW_WIDTHS = (320, 390)
RESULTS = ARTIFACTS / "axe-results.json"


@pytest.fixture(scope="module")
def site(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    yield from serve_site(browser, tmp_path_factory.mktemp("a11y-site"))


@pytest.fixture(scope="module")
def axe_script() -> str:
    return axe_source()


@pytest.fixture(scope="module")
def results() -> Iterator[dict[str, dict[str, int]]]:
    """Violations found, by page and by locale@width: written for the record when the module ends."""
    found: dict[str, dict[str, int]] = {}
    yield found
    ARTIFACTS.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(found, indent=1, sort_keys=True), encoding="utf-8")


def upload(page: Page, base: str, lang: str, file: Path) -> None:
    """The upload form, filled with `file` and sent: the next page is the check's report."""
    page.goto(f"{base}/archive/recordings/{SLUG}/subtitles/upload?language=fr&lang={lang}")
    page.locator("input[type=file]").set_input_files(str(file))
    page.locator("form[data-upload] button[type=submit]").click()
    page.wait_for_selector("section.report")  # The refusal replaces the form's page, the check is a new page.
    page.wait_for_load_state("load")


def opener(path: str) -> Callable[[Page, str, str], None]:
    def open_page(page: Page, base: str, lang: str) -> None:
        separator = "&" if "?" in path else "?"
        page.goto(f"{base}{path}{separator}lang={lang}")
        if page.locator("[data-player]").count():
            wait_for_player(page)
            page.wait_for_function("() => document.querySelector('[data-transcript]').dataset.state !== 'loading'")

    return open_page


PUBLIC = {
    "home": opener("/"),
    "event": opener("/events/mayors-summit-2021"),
    "watch": opener(f"/recordings/{SLUG}?t=6"),  # A moment with a caption on the picture.
    "watch-subtitles-off": opener(f"/recordings/{SLUG}?subs=off"),
    "search": opener("/search"),
    "search-results": opener("/search?q=dayanisma"),
    "search-nothing": opener("/search?q=zzzzqx"),
    "login": opener("/login"),
    "not-found": opener("/recordings/no-such-recording"),
}
SIGNED_IN = {
    "archive": opener("/archive/"),
    "upload": opener(f"/archive/recordings/{SLUG}/subtitles/upload?language=fr"),
    "upload-refused": lambda page, base, lang: upload(page, base, lang, DATA / "bad-timestamp-middle.vtt"),
    "upload-check": lambda page, base, lang: upload(page, base, lang, DATA / "numbering-gap.srt"),
    "history": opener(f"/archive/recordings/{SLUG}/subtitles/fr"),
    "audio-tracks": opener(f"/archive/recordings/{SLUG}/audio"),
    "media": opener(f"/archive/recordings/{SLUG}/media"),
    "register": opener("/archive/recordings/new"),
    "translations": opener("/translate/"),
    "translation-editor": opener("/translate/fr/messages?q=transcript"),
    "translation-history": opener("/translate/tr/messages/history"),
}
PAGES = {**PUBLIC, **SIGNED_IN}


def context_for(site: Site, browser: Browser, name: str, width: int, script: str | None) -> BrowserContext:
    context = site.context(browser, width, 844 if width < 600 else 900, signed_in=name in SIGNED_IN)
    if script:
        context.add_init_script(script=script)
    return context


def overflow(page: Page) -> dict[str, object]:
    """How far the page is wider than the window, and the widest elements that stick out (for the message)."""
    return page.evaluate(
        """() => {
          const width = window.innerWidth, doc = document.documentElement;
          const out = [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > width + 0.5 && e.getClientRects().length)
            .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ')[0] : '')
                               + ' right=' + Math.round(e.getBoundingClientRect().right));
          return { scrollWidth: doc.scrollWidth, innerWidth: width, out };
        }"""
    )


SCREENSHOTS = {"home", "watch", "search-results", "archive"}  # In Turkish at 390 px, for the record.


@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_nothing_and_nothing_scrolls_sideways(
    browser: Browser, site: Site, axe_script: str, results: dict[str, dict[str, int]], name: str
):
    """axe at 1280 and 390 px in each language; `scrollWidth <= innerWidth` at 390 and 320 px."""
    failures, wide = [], []
    results[name] = {}
    for width in (1280, 390, 320):
        context = context_for(site, browser, name, width, axe_script if width in AXE_WIDTHS else None)
        page = context.new_page()
        page.set_default_timeout(15_000)
        for lang in LOCALES:
            PAGES[name](page, site.url, lang)
            assert page.locator("html").get_attribute("lang") == lang
            if width in NARROW_WIDTHS:
                measured = overflow(page)
                if measured["scrollWidth"] > measured["innerWidth"]:
                    wide.append(f"{lang}@{width}: {measured}")
            if width in AXE_WIDTHS:
                violations = run_axe(page)
                results[name][f"{lang}@{width}"] = sum(len(v["nodes"]) for v in violations)
                failures += [
                    f"{lang}@{width} {v['id']}: {node['target']} — {node['summary']}"
                    for v in violations
                    for node in v["nodes"][:3]
                ]
            if width == 390 and lang == "tr" and name in SCREENSHOTS:
                ARTIFACTS.mkdir(exist_ok=True)
                page.screenshot(path=str(ARTIFACTS / f"{name}-tr-390.png"), full_page=True)
        context.close()
    assert not failures, f"axe on {name}:\n" + "\n".join(failures)
    assert not wide, f"{name} is wider than the phone:\n" + "\n".join(wide)


def accessibility_tree(page: Page) -> list[str]:
    """What Chromium hands a screen reader for the page (CDP Accessibility.getFullAXTree), one line per node
    that is not ignored: indented role, "name", value and states."""
    session = page.context.new_cdp_session(page)
    nodes = session.send("Accessibility.getFullAXTree")["nodes"]
    session.detach()
    by_id = {node["nodeId"]: node for node in nodes}
    lines: list[str] = []

    def text(node: dict, key: str) -> str:
        return str((node.get(key) or {}).get("value", "") or "")

    def visit(node: dict, depth: int) -> None:
        role = text(node, "role")
        shown = not node.get("ignored") and role not in {"generic", "none", "InlineTextBox", "StaticText", "LineBreak"}
        if shown:
            states = [
                f"{p['name']}={str(p['value'].get('value')).lower()}"
                for p in node.get("properties", [])
                if p["name"] in {"checked", "pressed", "expanded", "selected", "level", "modal"}
            ]
            value = text(node, "value")
            line = "  " * depth + role + (f' "{text(node, "name")}"' if text(node, "name") else "")
            line += (f" = {value}" if value else "") + (f" [{', '.join(states)}]" if states else "")
            lines.append(line)
        for child in node.get("childIds", []):
            if child in by_id:
                visit(by_id[child], depth + (1 if shown else 0))

    visit(nodes[0], 0)
    return lines


def test_what_a_screen_reader_is_told_on_the_watch_page(browser: Browser, site: Site):
    context = context_for(site, browser, "watch", 1280, None)
    page = context.new_page()
    page.set_default_timeout(15_000)
    PAGES["watch"](page, site.url, "en")
    page.wait_for_function("() => document.querySelector('[data-transcript]').dataset.state === 'ready'")
    lines = accessibility_tree(page)
    context.close()
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "watch-accessibility-tree.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    tree = "\n".join(lines)
    for expected in (
        'group "Player controls"',
        'button "Play"',
        'slider "Position in the recording"',
        'button "Subtitles" [pressed=true]',
        'button "Subtitle settings" [expanded=false]',
        'combobox "Playback speed"',
        'listbox "Transcript"',
        'group "Audio track"',
        'radio "English interpretation" [checked=true]',
        'search "Search the catalogue"',
    ):
        assert expected in tree, (expected, tree[:3000])
    # The transcript's lines are options of the one listbox, the line being said selected; badges are not there.
    assert sum(1 for line in lines if line.strip().startswith("option ")) >= 10
    assert "[selected=true]" in tree
