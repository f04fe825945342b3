"""Public pages come from each worker's page cache, and never outlive a change made through any worker."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import template_rendered
from jinja2 import Template
from sqlalchemy import event

from catalogue.api.recording_json import VERSION_MEMO_KEY
from catalogue.extensions import db
from catalogue.pagecache import VERSION_QUERY, CachedResponse, PageCache
from tests.conftest import api_token

DATA = Path(__file__).resolve().parent / "data"
SLUG = "workshop-1-building-resilience"
PUBLIC = [
    "/",
    "/events/mayors-summit-2021",
    f"/recordings/{SLUG}",
    f"/recordings/{SLUG}/subtitles/fr.vtt",
    f"/recordings/{SLUG}/subtitles/fr.srt",
    f"/recordings/{SLUG}/subtitles/fr.txt",
    "/search?q=resilience",
    "/api/v1/recordings",
    f"/api/v1/recordings/{SLUG}",
    "/api/v1/search?q=resilience",
]


class QueryCounter:
    """The SQL statements an app's engine runs while a `with` block runs."""

    def __init__(self, app) -> None:
        with app.app_context():
            self.engine = db.engine
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)

    def _count(self, _connection: object, _cursor: object, statement: str, *_args: object) -> None:
        self.statements.append(statement)

    def __enter__(self) -> QueryCounter:
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *_exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._count)


def archivist_token(app) -> str:
    return api_token(app, "archivist@example.org", "archivist", display_name="Arşivci")


@pytest.mark.parametrize("path", PUBLIC)
def test_a_repeated_public_page_is_the_same_and_queries_nothing_more(demo_app, path):
    client = demo_app.test_client()
    first = client.get(path)
    assert first.status_code == 200
    with QueryCounter(demo_app) as queries:
        second = client.get(path)
    assert second.status_code == 200
    assert second.get_data() == first.get_data()
    assert second.headers["Content-Type"] == first.headers["Content-Type"]
    # Only the catalogue version is read (on PostgreSQL through its own pool, which these events do not see).
    assert all(statement == VERSION_QUERY for statement in queries.statements), queries.statements
    # The server dates each answer (catalogue.caching.cache_headers): a kept page must not carry when it was kept.
    assert "Date" not in first.headers and "Date" not in second.headers
    revalidated = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert revalidated.status_code == 304 and "Date" not in revalidated.headers


def test_an_upload_through_one_worker_is_seen_at_once_by_another(make_app, demo_app):
    """Two app instances on one database stand for two gunicorn workers (test_deployment runs real ones)."""
    viewer = make_app().test_client()
    pages = [f"/recordings/{SLUG}/subtitles/fr.vtt", f"/api/v1/recordings/{SLUG}", "/search?q=fraternite"]
    before = {path: viewer.get(path).get_data(as_text=True) for path in pages}
    etag = viewer.get(pages[0]).headers["ETag"]
    assert viewer.get(pages[0], headers={"If-None-Match": etag}).status_code == 304
    assert "Égalité, fraternité" not in before[pages[0]]

    uploaded = demo_app.test_client().put(
        f"/api/v1/recordings/{SLUG}/subtitles/fr",
        data=(DATA / "fr-crlf.srt").read_bytes(),
        headers={"Authorization": f"Bearer {archivist_token(demo_app)}"},
    )
    assert uploaded.status_code in (200, 201), uploaded.get_json()

    assert "Égalité, fraternité" in viewer.get(pages[0]).get_data(as_text=True)
    assert viewer.get(pages[0], headers={"If-None-Match": etag}).status_code == 200  # The old ETag is stale.

    def french(api: dict) -> dict:
        return next(s for s in api["subtitles"] if s["language"] == "fr")

    now = french(viewer.get(pages[1]).get_json())
    assert now["revision"] == french(json.loads(before[pages[1]]))["revision"] + 1
    assert now["cue_count"] == uploaded.get_json()["cue_count"]
    assert "Égalité, <mark>fraternité</mark>" not in before[pages[2]]
    assert "Égalité, <mark>fraternité</mark>" in viewer.get(pages[2]).get_data(as_text=True)


def test_each_interface_language_gets_its_own_page(demo_app):
    client = demo_app.test_client()
    english = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    french = client.get("/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    turkish = client.get("/", headers={"Accept-Language": "tr"}).get_data(as_text=True)
    assert '<html lang="en"' in english
    assert '<html lang="fr"' in french
    assert '<html lang="tr"' in turkish
    assert client.get("/", headers={"Accept-Language": "fr"}).get_data(as_text=True) == french
    # ?lang= still remembers the choice in its cookie when the page comes from the cache.
    client.get("/?lang=tr")
    newcomer = demo_app.test_client().get("/?lang=tr")
    assert newcomer.headers.get("Set-Cookie", "").startswith("lang=tr")
    assert '<html lang="tr"' in newcomer.get_data(as_text=True)


def test_signed_in_pages_are_neither_served_from_nor_kept_in_the_cache(demo_app, make_user, login):
    anonymous = demo_app.test_client()
    assert "Sign in" in anonymous.get("/").get_data(as_text=True)
    make_user("archivist@example.org", "archivist", display_name="Ayşe Arşivci")
    signed_in = demo_app.test_client()
    assert login(signed_in, "archivist@example.org").status_code == 302
    own = signed_in.get("/")
    assert "Ayşe Arşivci" in own.get_data(as_text=True)
    assert "no-store" in own.headers["Cache-Control"]
    assert "Ayşe Arşivci" not in demo_app.test_client().get("/").get_data(as_text=True)

    # Signing out leaves a message for the next page: that page is rendered, not the cached one.
    page = signed_in.get("/").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    after = signed_in.post("/logout", data={"csrf_token": token}, follow_redirects=True).get_data(as_text=True)
    assert "You have signed out." in after
    assert "You have signed out." not in demo_app.test_client().get("/").get_data(as_text=True)


def recordings_described(app) -> int:
    """How often the recordings API's view has asked for its recordings' objects (catalogue.api.recording_json):
    a page served from the cache asks for none."""
    slot = app.extensions.get(VERSION_MEMO_KEY)
    return 0 if slot is None else slot[1].hits + slot[1].renders


@contextmanager
def templates_rendered(app) -> Iterator[list[str]]:
    names: list[str] = []

    def note(_sender: object, template: Template, **_extra: object) -> None:
        names.append(template.name or "")

    with template_rendered.connected_to(note, app):
        yield names


def test_a_token_request_is_answered_fresh(demo_app):
    token = archivist_token(demo_app)
    client = demo_app.test_client()
    client.get("/api/v1/recordings")
    described = recordings_described(demo_app)
    assert client.get("/api/v1/recordings").status_code == 200
    assert recordings_described(demo_app) == described  # A visitor's second request: from the cache.
    assert client.get("/api/v1/recordings", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert recordings_described(demo_app) > described  # The token's: answered by the view.


def test_turned_off_the_cache_renders_every_time(make_app, demo_app):
    app = make_app(CATALOGUE_PAGE_CACHE_BYTES=0)
    client = app.test_client()
    client.get("/")
    with templates_rendered(app) as names:
        client.get("/")
    assert "recordings/home.html" in names


def entry(size: int) -> CachedResponse:
    return CachedResponse(200, [], b"x" * size, None)


def test_the_cache_keeps_within_its_bytes_and_forgets_the_least_recently_used():
    cache = PageCache(max_bytes=3 * entry(1000).size)
    assert cache.get(1, ("a",)) is None
    for key in "abc":
        cache.put(1, (key,), entry(1000))
    assert cache.get(1, ("a",)) is not None  # Now the most recently used.
    cache.put(1, ("d",), entry(1000))
    assert [cache.get(1, (key,)) is not None for key in "abcd"] == [True, False, True, True]
    cache.put(1, ("huge",), entry(10_000))
    assert cache.get(1, ("huge",)) is None


def test_a_new_generation_empties_the_cache_and_late_pages_of_the_old_one_are_dropped():
    cache = PageCache(max_bytes=1_000_000)
    cache.get(1, ("a",))
    cache.put(1, ("a",), entry(10))
    assert cache.get(2, ("a",)) is None  # Version 2 seen: version 1's pages are gone.
    cache.put(1, ("a",), entry(10))  # Rendered under version 1 by a slower thread.
    assert cache.get(2, ("a",)) is None
    assert len(cache) == 0
