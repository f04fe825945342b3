"""The subtitle editor in a real browser: edit a cue's text with live warnings, shift, split and merge at the
playhead, save as a new revision, and a conflict when someone saved first. Keyboard first, under our CSP."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.viewer_site import axe_source, run_axe
from tests.factories import make_account, make_api_token

pytestmark = pytest.mark.browser

SLUG = "workshop-1-building-resilience"
EDITOR = f"/archive/recordings/{SLUG}/subtitles/fr/edit?lang=en"
CUES_API = f"/api/v1/recordings/{SLUG}/subtitles/fr"


@pytest.fixture
def editor(page: Page, live_server: str, demo_app) -> Iterator[Page]:
    """An archivist signed in, on the French subtitles' editor, with nothing blocked by the CSP."""
    with demo_app.app_context():
        make_account("archivist@example.org", "archivist", display_name="Ayşe Arşivci")
    blocked: list[str] = []  # What the CSP refused, and any error the page's scripts threw.
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda error: blocked.append(str(error)))
    page.goto(f"{live_server}/login?lang=en")
    page.get_by_label("Email").fill("archivist@example.org")
    page.get_by_label("Password").fill("secret-pass")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".account-name")).to_contain_text("Ayşe Arşivci")
    # From the subtitle history, as an archivist finds it.
    page.goto(f"{live_server}/archive/recordings/{SLUG}/subtitles/fr?lang=en")
    with page.expect_navigation():
        page.get_by_role("link", name="Edit in the browser").click()
    page.wait_for_function("() => document.querySelector('[data-editor]').dataset.ready === 'true'")
    page.wait_for_function("() => document.querySelector('[data-editor] video').readyState >= 1")
    yield page
    assert blocked == []


def served(page: Page, live_server: str) -> dict:
    return page.request.get(f"{live_server}{CUES_API}").json()


def playhead(page: Page, seconds: float) -> None:
    page.evaluate(f"() => {{ document.querySelector('[data-editor] video').currentTime = {seconds}; }}")
    page.wait_for_function(
        f"() => Math.abs(document.querySelector('[data-editor] video').currentTime - {seconds}) < 0.01"
    )


def rows(page: Page):
    return page.locator(".editor-table tbody tr")


def test_edit_text_with_live_warnings_then_save(editor: Page, live_server: str):
    page = editor
    before = served(page, live_server)
    expect(rows(page)).to_have_count(before["total"])
    text = page.get_by_label("Text of cue 2", exact=True)
    expect(text).to_have_value(before["cues"][1]["text"])

    text.fill("Bienvenue au premier atelier thématique du sommet, et merci.")
    warnings = rows(page).nth(1).locator(".cue-warnings")
    expect(warnings).to_contain_text("Cue 2: a line is longer than 42 characters.")
    expect(page.locator(".editor-status")).to_have_text("Unsaved changes.")
    text.fill("Bienvenue au premier atelier.")
    expect(warnings).not_to_contain_text("longer than 42")
    # The player shows the text as typed, before it is saved.
    playhead(page, before["cues"][1]["start_s"] + 0.5)
    expect(page.locator(".caption")).to_have_text("Bienvenue au premier atelier.")

    page.keyboard.press("Control+s")
    expect(page.locator(".editor-status")).to_have_text("Saved as revision 2.")
    expect(page.locator(".editor-base")).to_have_text("Revision 2")
    after = served(page, live_server)
    assert after["revision"] == 2
    assert after["cues"][1]["text"] == "Bienvenue au premier atelier."
    assert [c["start_s"] for c in after["cues"]] == [c["start_s"] for c in before["cues"]]
    expect(page.locator(".editor-status")).to_have_text("Saved as revision 2.")
    page.keyboard.press("Control+s")  # Nothing changed since: nothing is sent.
    expect(page.locator(".editor-status")).to_have_text("Nothing to save: no change since the last save.")
    assert served(page, live_server)["revision"] == 2


def test_shift_and_nudge(editor: Page, live_server: str):
    page = editor
    before = served(page, live_server)["cues"]
    page.get_by_label("Offset in seconds (such as -1.5 or +0.25)").fill("+0.5")
    page.get_by_role("button", name="Shift every cue").click()
    expect(page.locator(".editor-status")).to_have_text(f"{len(before)} cues moved by +0.5 s.")
    expect(page.get_by_label("Start of cue 1", exact=True)).to_have_value("0:01.000")
    # Keyboard: the selected cue, 100 ms later and then 200 ms earlier.
    page.get_by_label("Text of cue 3", exact=True).focus()
    page.keyboard.press("Alt+BracketRight")
    page.keyboard.press("Alt+BracketLeft")
    page.keyboard.press("Alt+BracketLeft")
    # A time typed in place, saved with the keyboard without leaving the field.
    end = page.get_by_label("End of cue 4", exact=True)
    end.fill("0:20.250")
    page.keyboard.press("Control+s")
    expect(page.locator(".editor-status")).to_have_text("Saved as revision 2.")
    after = served(page, live_server)["cues"]
    expected = [round(c["start_s"] + 0.5, 3) for c in before]
    expected[2] = round(expected[2] - 0.1, 3)
    assert [c["start_s"] for c in after] == expected
    assert after[3]["end_s"] == 20.25
    vtt = page.request.get(f"{live_server}/recordings/{SLUG}/subtitles/fr.vtt").text()
    assert "00:00:01.000 --> " in vtt


def test_split_at_the_playhead_then_merge_with_the_next(editor: Page, live_server: str):
    page = editor
    before = served(page, live_server)["cues"]
    first = before[0]
    assert first["text"].count("\n") == 1  # Two lines: the split falls between them.
    page.get_by_label("Text of cue 1", exact=True).focus()
    playhead(page, 2.0)
    page.keyboard.press("Alt+x")
    expect(rows(page)).to_have_count(len(before) + 1)
    expect(page.get_by_label("End of cue 1", exact=True)).to_have_value("0:02.000")
    expect(page.get_by_label("Start of cue 2", exact=True)).to_have_value("0:02.000")
    top, bottom = first["text"].split("\n")
    expect(page.get_by_label("Text of cue 1", exact=True)).to_have_value(top)
    expect(page.get_by_label("Text of cue 2", exact=True)).to_have_value(bottom)
    expect(page.locator(".caption")).to_have_text(bottom)

    page.get_by_label("Text of cue 2", exact=True).focus()
    page.keyboard.press("Alt+m")
    expect(rows(page)).to_have_count(len(before))
    merged = f"{bottom}\n{before[1]['text']}"
    expect(page.get_by_label("Text of cue 2", exact=True)).to_have_value(merged)
    expect(rows(page).nth(1).locator(".cue-warnings")).to_contain_text("Cue 2: more than 2 lines.")

    page.get_by_role("button", name="Save as a new revision").click()
    expect(page.locator(".editor-status")).to_have_text("Saved as revision 2.")
    after = served(page, live_server)["cues"]
    assert [(c["start_s"], c["end_s"], c["text"]) for c in after[:2]] == [
        (first["start_s"], 2.0, top),
        (2.0, before[1]["end_s"], merged),
    ]
    assert after[2:] == before[2:]


def test_insert_and_delete(editor: Page, live_server: str):
    page = editor
    before = served(page, live_server)["cues"]
    last = before[-1]
    playhead(page, last["end_s"] + 0.5)
    page.keyboard.press("Alt+i")
    expect(rows(page)).to_have_count(len(before) + 1)
    new = page.get_by_label(f"Text of cue {len(before) + 1}", exact=True)
    expect(new).to_be_focused()
    expect(rows(page).last.locator(".cue-warnings")).to_contain_text("A cue needs text: delete it instead.")
    new.fill("Merci de votre attention.")
    page.get_by_label("Text of cue 1", exact=True).focus()
    page.keyboard.press("Alt+Delete")
    expect(rows(page)).to_have_count(len(before))
    page.keyboard.press("Control+s")
    expect(page.locator(".editor-status")).to_have_text("Saved as revision 2.")
    after = served(page, live_server)["cues"]
    assert after[0] == before[1]
    assert (after[-1]["start_s"], after[-1]["text"]) == (last["end_s"] + 0.5, "Merci de votre attention.")


def test_a_save_after_someone_elses_is_a_conflict_that_shows_it(editor: Page, live_server: str, demo_app):
    page = editor
    page.get_by_label("Text of cue 1", exact=True).fill("Ma correction.")
    with demo_app.app_context():
        token = make_api_token(make_account("other@example.org", "archivist", display_name="Mehmet Başka"))
    response = page.request.post(
        f"{live_server}{CUES_API}/edits",
        data={"base_revision": 1, "operations": [{"op": "text", "cue": 0, "text": "Sa correction."}]},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status == 201

    page.get_by_role("button", name="Save as a new revision").click()
    problems = page.get_by_role("alert")
    expect(problems).to_contain_text("Revision 2 of these subtitles was saved after revision 1")
    expect(problems).to_contain_text("Saved by Mehmet Başka")
    expect(problems.get_by_role("link", name="Open revision 2 (WebVTT)")).to_be_visible()
    assert served(page, live_server)["cues"][0]["text"] == "Sa correction."  # Nothing of ours was stored.
    expect(page.get_by_label("Text of cue 1", exact=True)).to_have_value("Ma correction.")  # Our edit is still here.

    with page.expect_navigation():
        problems.get_by_role("button", name="Load revision 2 (your changes here are lost)").click()
    page.wait_for_function("() => document.querySelector('[data-editor]').dataset.revision === '2'")
    expect(page.get_by_label("Text of cue 1", exact=True)).to_have_value("Sa correction.")
    expect(page.locator(".editor-base")).to_have_text("Revision 2")


def test_stretch_between_two_anchors_set_while_playing(editor: Page, live_server: str):
    page = editor
    cues = served(page, live_server)["cues"]
    last = len(cues)
    first_at, last_at = 0.25, round(cues[-1]["start_s"] - 0.5, 3)
    page.get_by_label("Text of cue 1", exact=True).focus()
    playhead(page, first_at)
    page.get_by_role("button", name="Anchor the selected cue at the playhead").click()
    page.get_by_label(f"Text of cue {last}", exact=True).focus()
    playhead(page, last_at)
    page.get_by_role("button", name="Anchor the selected cue at the playhead").click()
    expect(page.locator(".editor-anchors")).to_contain_text(f"cue {last} starts at")
    page.get_by_role("button", name="Stretch between the anchors").click()
    expect(page.locator(".editor-status")).to_have_text(
        "Every cue was re-timed between the two anchors. Check, then save."
    )
    expect(page.get_by_label("Start of cue 1", exact=True)).to_have_value("0:00.250")
    page.keyboard.press("Control+s")
    expect(page.locator(".editor-status")).to_have_text("Saved as revision 2.")
    after = served(page, live_server)["cues"]
    assert (after[0]["start_s"], after[-1]["start_s"]) == (first_at, last_at)
    assert all(a["start_s"] < b["start_s"] for a, b in itertools.pairwise(after))


@pytest.mark.parametrize("width", [1280, 390])
def test_axe_finds_nothing_and_nothing_scrolls_sideways(browser: Browser, live_server: str, demo_app, width: int):
    with demo_app.app_context():
        make_account("archivist@example.org", "archivist", display_name="Ayşe Arşivci")
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.add_init_script(script=axe_source())
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{live_server}/login?lang=tr")
        page.locator("#email").fill("archivist@example.org")
        page.locator("#password").fill("secret-pass")
        with page.expect_navigation():
            page.locator("form.login-form button[type=submit]").click()
        page.goto(f"{live_server}/archive/recordings/{SLUG}/subtitles/fr/edit?lang=tr")
        page.wait_for_function("() => document.querySelector('[data-editor]').dataset.ready === 'true'")
        assert run_axe(page) == []
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        context.close()
