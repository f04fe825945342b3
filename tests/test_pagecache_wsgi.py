"""A cache hit for a visitor without session is answered by the WSGI middleware, before Flask runs at all; the
visitors it cannot judge are still answered by the view decorator; and both choose the page a render would give."""

from __future__ import annotations

import pytest
from flask import Flask

from catalogue.pagecache import CachedPages

SLUG = "workshop-1-building-resilience"


class FlaskRuns:
    """How many requests reached Flask's own pipeline (its before-request hooks) in an app."""

    def __init__(self, app: Flask) -> None:
        self.count = 0
        app.before_request(self._seen)

    def _seen(self) -> None:
        self.count += 1


@pytest.fixture
def runs(demo_app: Flask) -> FlaskRuns:
    return FlaskRuns(demo_app)


def test_the_middleware_wraps_the_app_only_with_the_cache_on(make_app):
    assert isinstance(make_app().wsgi_app, CachedPages)
    assert not isinstance(make_app(CATALOGUE_PAGE_CACHE_BYTES=0).wsgi_app, CachedPages)


@pytest.mark.parametrize(
    "path", ["/", f"/recordings/{SLUG}", f"/recordings/{SLUG}/subtitles/fr.vtt", "/api/v1/recordings"]
)
def test_a_hit_never_reaches_flask_and_keeps_every_header(demo_app, runs, path):
    client = demo_app.test_client()
    first = client.get(path)
    assert first.status_code == 200 and runs.count == 1
    second = client.get(path)
    assert runs.count == 1  # Answered by CachedPages.
    assert second.get_data() == first.get_data()
    # The headers the after-request hooks added (security, Vary, caching) come with the kept response.
    for name in ("Content-Security-Policy", "X-Content-Type-Options", "ETag", "Cache-Control", "Content-Type"):
        assert second.headers.get(name) == first.headers.get(name), name
    assert second.headers["Content-Security-Policy"]


def test_a_hit_answers_a_revalidation_and_a_head_without_a_body(demo_app, runs):
    client = demo_app.test_client()
    etag = client.get("/").headers["ETag"]
    again = client.get("/", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    head = client.head("/")
    assert head.status_code == 200 and head.get_data() == b"" and head.headers["ETag"] == etag
    assert runs.count == 1
    assert client.get("/", headers={"If-None-Match": '"another"'}).status_code == 200


@pytest.mark.parametrize(
    ("query", "cookie", "accept", "language"),
    [
        ("", None, None, "en"),
        ("", None, "fr-FR,en;q=0.8", "fr"),
        ("", None, "de-DE, tr;q=0.5", "tr"),
        ("", "tr", "fr", "tr"),
        ("?lang=fr", "fr", "tr", "fr"),  # The cookie is already the one asked for: no cookie to set.
        ("?lang=xx", None, "tr-TR", "tr"),  # Unknown codes fall through, as in select_locale().
        ("", "xx", "en-GB,fr;q=0.9", "en"),
    ],
)
def test_the_middleware_chooses_the_language_flask_chooses(demo_app, make_app, runs, query, cookie, accept, language):
    def visitor(app: Flask):
        client = app.test_client()
        if cookie:
            client.set_cookie("lang", cookie)
        return client

    headers = {"Accept-Language": accept} if accept else {}
    rendered = make_app(CATALOGUE_PAGE_CACHE_BYTES=0).test_client()
    if cookie:
        rendered.set_cookie("lang", cookie)
    expected = rendered.get(f"/{query}", headers=headers).get_data(as_text=True)
    assert f'<html lang="{language}"' in expected
    # Warm this URL's entries in every language, then ask as this visitor: the page must be this visitor's.
    for code in ("en", "fr", "tr"):
        demo_app.test_client().get(f"/{query}", headers={"Accept-Language": code})
    served = visitor(demo_app).get(f"/{query}", headers=headers)
    assert served.get_data(as_text=True) == expected
    before = runs.count
    assert visitor(demo_app).get(f"/{query}", headers=headers).get_data(as_text=True) == expected
    assert runs.count == before  # The second time, a hit of the middleware.


def test_a_lang_parameter_that_sets_its_cookie_goes_through_flask_and_still_sets_it(demo_app, runs):
    client = demo_app.test_client()
    client.get("/?lang=fr")
    before = runs.count
    again = demo_app.test_client().get("/?lang=fr")
    assert runs.count == before + 1  # The view decorator's layer answered.
    assert "lang=fr" in again.headers["Set-Cookie"]
    assert '<html lang="fr"' in again.get_data(as_text=True)


def test_an_anonymous_visitor_with_a_session_is_served_by_the_decorator(demo_app, runs):
    client = demo_app.test_client()
    assert client.get("/login").status_code == 200  # The form's CSRF token starts a session.
    assert client.get_cookie(demo_app.config["SESSION_COOKIE_NAME"]) is not None
    first = client.get("/search?q=resilience")
    before = runs.count
    second = client.get("/search?q=resilience")
    assert runs.count == before + 1  # Through Flask: the middleware cannot read a session.
    assert second.get_data() == first.get_data()
    # The decorator's layer served the entry it keeps itself: the same page, without rendering anew, and the
    # middleware's own entry (kept from a cookie-less visitor) is the same bytes.
    assert demo_app.test_client().get("/search?q=resilience").get_data() == first.get_data()


def test_a_page_that_sets_a_cookie_is_not_kept(demo_app, runs):
    client = demo_app.test_client()
    client.get("/login")
    before = runs.count
    fresh = demo_app.test_client()
    fresh.get("/login")
    assert runs.count == before + 1  # Not a cached view, and its session cookie would never be kept anyway.
    assert fresh.get_cookie(demo_app.config["SESSION_COOKIE_NAME"]) is not None
