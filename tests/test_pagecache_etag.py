"""Anonymous pages carry an ETag: a browser that comes back gets a 304 without the body, until something changes."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.conftest import api_token

SLUG = "workshop-1-building-resilience"
PAGES = ["/", "/events/mayors-summit-2021", f"/recordings/{SLUG}", "/search?q=resilience", f"/api/v1/recordings/{SLUG}"]


@pytest.mark.parametrize("path", PAGES)
def test_a_revalidated_page_is_a_304_until_the_catalogue_changes(demo_app: Flask, path: str) -> None:
    browser = demo_app.test_client()
    first = browser.get(path)
    etag = first.headers["ETag"]
    assert first.status_code == 200 and "no-cache" in first.headers["Cache-Control"]
    # From the cache (second request) and from a fresh render alike, the same ETag for the same bytes.
    again = browser.get(path)
    assert (again.headers["ETag"], again.get_data()) == (etag, first.get_data())
    revalidated = browser.get(path, headers={"If-None-Match": etag})
    assert revalidated.status_code == 304 and revalidated.get_data() == b""

    token = api_token(demo_app, "archivist@example.org", "archivist", display_name="Archivist")
    changed = demo_app.test_client().put(
        f"/api/v1/recordings/{SLUG}/subtitles/fr",
        data=b"WEBVTT\n\n00:00.000 --> 00:02.000\nUne ligne nouvelle.\n",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert changed.status_code == 201
    # The ETag follows the bytes: a 304 only when the page really reads the same after the change.
    fresh = browser.get(path)
    after = browser.get(path, headers={"If-None-Match": etag})
    same = fresh.get_data() == first.get_data()
    assert after.status_code == (304 if same else 200)
    assert (fresh.headers["ETag"] == etag) is same
    if path.startswith("/api/v1/recordings/"):
        assert not same  # It names the new revision.


def test_the_language_changes_the_etag(demo_app: Flask) -> None:
    english = demo_app.test_client().get("/?lang=en")
    french = demo_app.test_client().get("/?lang=fr")
    assert english.headers["ETag"] != french.headers["ETag"]


def test_a_signed_in_page_has_no_etag_and_is_never_stored(demo_app: Flask, make_user, login) -> None:
    make_user("viewer@example.org")
    client = demo_app.test_client()
    login(client, "viewer@example.org")
    page = client.get("/")
    assert page.status_code == 200
    assert "ETag" not in page.headers
    assert "no-store" in page.headers["Cache-Control"]
