"""A long transcript arrives a page at a time from the API and is joined in order in the panel."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import api_token
from tests.test_paging import many_cues

pytestmark = pytest.mark.browser

SLUG = "workshop-1-building-resilience"


def test_a_transcript_of_three_pages_shows_every_line_in_order(page: Page, live_server: str, demo_app):
    token = api_token(demo_app, "archivist@example.org", "archivist", display_name="Script")
    response = page.request.put(
        f"{live_server}/api/v1/recordings/{SLUG}/subtitles/de",
        data=many_cues(1_203),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "text/vtt"},
    )
    assert response.status == 201
    page.goto(f"{live_server}/recordings/{SLUG}?subs=de")
    lines = page.locator(".transcript-lines button.transcript-line .cue-text")
    expect(lines).to_have_count(1_203)
    assert lines.nth(0).text_content() == "Zeile 0"
    assert lines.nth(500).text_content() == "Zeile 500"
    assert lines.nth(1_202).text_content() == "Zeile 1202"
