"""The site header is kept per language and URL for a visitor nobody signed in as, and never for anybody else.

catalogue.layout.site_header renders base.html's header once per (language, translations, endpoint, path and
query) and reuses it; a signed-in visitor's header (name, role links, a sign-out form with a CSRF token) is
rendered every time. The page cache is off here, so every request runs its view and asks for the header.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask

from catalogue.layout import MEMO_KEY as HEADER_MEMO


@pytest.fixture
def uncached(make_app, demo_app) -> Flask:
    """The demo summit, served without the page cache."""
    return make_app(CATALOGUE_PAGE_CACHE_BYTES=0)


def header_renders(app: Flask) -> int:
    memo = app.extensions.get(HEADER_MEMO)
    return memo.renders if memo is not None else 0


def header_of(page: str) -> str:
    return page[page.index('<header class="site-header">') : page.index("</header>")]


def test_an_anonymous_header_is_rendered_once_per_url_and_language(uncached):
    client = uncached.test_client()
    first = client.get("/?lang=fr").get_data(as_text=True)
    assert header_renders(uncached) == 1
    again = client.get("/?lang=fr").get_data(as_text=True)
    assert header_renders(uncached) == 1
    assert header_of(again) == header_of(first)
    assert ">Se connecter<" in header_of(first)

    # Another URL carries itself in the language links and the sign-in link: its own header.
    other = client.get("/search?q=kentlerde&lang=tr").get_data(as_text=True)
    assert header_renders(uncached) == 2
    assert 'value="kentlerde"' in header_of(other)
    assert 'href="/search?q=kentlerde&amp;lang=en"' in header_of(other)
    assert "next=/search?q%3Dkentlerde%26lang%3Dtr" in header_of(other).replace("%2F", "/")

    # The same URL in another language is another header, in that language.
    english = client.get("/?lang=en").get_data(as_text=True)
    assert header_renders(uncached) == 3
    assert ">Sign in<" in header_of(english)


def test_the_search_box_of_a_kept_header_is_escaped(uncached):
    client = uncached.test_client()
    page = client.get('/search?q="><script>alert(1)</script>').get_data(as_text=True)
    client.get('/search?q="><script>alert(1)</script>')
    assert "<script>alert(1)</script>" not in page
    assert "&#34;&gt;&lt;script&gt;" in header_of(page) or "&quot;&gt;&lt;script&gt;" in header_of(page)


def test_a_signed_in_header_is_never_kept_nor_served_to_others(uncached, make_user, login):
    make_user("arsivci@example.org", "archivist", display_name="Arşivci")
    anonymous = uncached.test_client()
    before = anonymous.get("/?lang=tr").get_data(as_text=True)
    assert header_renders(uncached) == 1

    member = uncached.test_client()
    login(member, "arsivci@example.org")
    kept_so_far = header_renders(uncached)  # the sign-in page's, seen before signing in
    signed_in = member.get("/?lang=tr").get_data(as_text=True)
    header = header_of(signed_in)
    assert "Arşivci" in header
    assert 'name="csrf_token"' in header
    assert header_renders(uncached) == kept_so_far  # Neither read from the memo nor put in it.

    after = anonymous.get("/?lang=tr").get_data(as_text=True)
    assert header_of(after) == header_of(before)
    assert "Arşivci" not in after
    assert not re.search(r'name="csrf_token"', header_of(after))


def test_a_page_without_a_route_renders_its_header_unkept(uncached):
    client = uncached.test_client()
    response = client.get("/no/such/page?lang=fr")
    assert response.status_code == 404
    assert ">Se connecter<" in header_of(response.get_data(as_text=True))
    assert header_renders(uncached) == 0
