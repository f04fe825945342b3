"""An archivist in a real browser: upload with the progress bar, read the report, publish, restore."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

DATA = Path(__file__).resolve().parents[1] / "data"
SLUG = "workshop-1-building-resilience"


@pytest.fixture
def signed_in(page: Page, live_server: str, make_user) -> Page:
    make_user("archivist@example.org", "archivist", display_name="Ayşe Arşivci")
    page.goto(f"{live_server}/login?lang=en")
    page.get_by_label("Email").fill("archivist@example.org")
    page.get_by_label("Password").fill("secret-pass")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".account-name")).to_contain_text("Ayşe Arşivci")
    return page


def test_upload_report_publish_and_restore(signed_in: Page, live_server: str):
    page = signed_in
    vtt_url = f"{live_server}/recordings/{SLUG}/subtitles/fr.vtt"
    original = page.request.get(vtt_url).text()

    page.goto(f"{live_server}/archive/?lang=en")
    page.locator(f'a[href="/archive/recordings/{SLUG}/subtitles/upload?language=fr"]').click()
    expect(page.get_by_label("Subtitle language (code such as en, fr, tr, pt-BR)")).to_have_value("fr")

    # A broken file first: the report names the line, and nothing changes.
    page.get_by_label("Subtitle file (WebVTT, SRT or YouTube SBV)").set_input_files(
        str(DATA / "bad-timestamp-middle.vtt")
    )
    page.get_by_role("button", name="Check the file").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Line 6")
    expect(alert).to_contain_text("00:00:03.000 --> 00:00:4.000")
    assert page.request.get(vtt_url).text() == original

    # A good Windows-1252 file: the report shows what was detected before anything is published.
    page.get_by_label("Subtitle file (WebVTT, SRT or YouTube SBV)").set_input_files(str(DATA / "fr-windows-1252.srt"))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", name="Check before publishing")).to_be_visible()
    expect(page.locator(".cue-count")).to_have_text("3")
    expect(page.get_by_text("cp1252")).to_be_visible()
    expect(page.get_by_role("cell", name="Il était à Noël avec sa sœur.")).to_be_visible()
    assert page.request.get(vtt_url).text() == original

    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("heading", name="Subtitle history")).to_be_visible()
    expect(page.locator("tr[data-revision='2']")).to_have_class("current")
    assert "Il était à Noël avec sa sœur." in page.request.get(vtt_url).text()

    # Viewers get it at once.
    page.goto(f"{live_server}/recordings/{SLUG}?lang=fr&subs=fr&t=5")
    page.wait_for_function("() => document.querySelector('[data-player]').dataset.ready === 'true'")
    page.wait_for_function("() => document.querySelector('.caption') && !document.querySelector('.caption').hidden")
    expect(page.locator(".caption")).to_have_text("Il était à Noël avec sa sœur.")

    # Restore the first revision: a new revision, the old bytes served again.
    page.goto(f"{live_server}/archive/recordings/{SLUG}/subtitles/fr?lang=en")
    page.locator("tr[data-revision='1']").get_by_role("button", name="Restore").click()
    expect(page.locator("tr[data-revision='3']")).to_have_class("current")
    expect(page.locator("tr[data-revision='3']")).to_contain_text("restores revision 1")
    assert page.request.get(vtt_url).text() == original
