"""Rendered public pages kept in each worker's memory until the catalogue changes.

A page that anyone may see (the catalogue, a watch page, a search, a subtitle file, the public API) is the
same for every anonymous visitor with the same URL and interface language, until something in the database
or a compiled translation changes. Every write bumps one number, `catalogue_version.version`, in its own
transaction (a session event, so no write path can forget it); a request reads that number (one indexed
query) and the .mo signature that catalogue.i18n already stats, and a cached page made under other numbers
is never served. So workers on any number of machines stay exactly as fresh as without a cache: an upload,
a restore or a translation edit made through one worker is seen by all of them on their next request.

Nothing personal is cached: not for a signed-in user, a request with pending flash messages or an
Authorization header, nor a response that sets a cookie or writes the session.
"""

from __future__ import annotations

import functools
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast, overload

from flask import Flask, Response, current_app, make_response, request, session
from flask_login import UserMixin, current_user
from flask_login.config import COOKIE_NAME
from sqlalchemy import BigInteger, Table, create_engine, event, insert, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Mapped, Session, mapped_column

from catalogue.db import Base, seen_by_visitors
from catalogue.extensions import db
from catalogue.i18n import locale_code

# The URL, query and interface language a cached page answers.
CacheKey = tuple[object, ...]


class CatalogueVersion(Base):
    """One row whose number every committed write to the catalogue increases."""

    __tablename__ = "catalogue_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)


VERSION = cast(Table, CatalogueVersion.__table__)
VERSION_QUERY = "SELECT version FROM catalogue_version WHERE id = 1"


@event.listens_for(VERSION, "after_create")
def _first_row(table: Table, connection: Connection, **_: object) -> None:
    """create_all (tests) gets the row that migration 0005 inserts."""
    connection.execute(insert(table).values(id=1, version=0))


def bump(connection: Connection) -> None:
    """Make every cached page stale once this transaction commits (for writes that bypass the ORM)."""
    connection.execute(update(VERSION).where(VERSION.c.id == 1).values(version=VERSION.c.version + 1))


def _changes_pages(obj: object) -> bool:
    """Writes to tables a domain marked with @unseen_by_visitors (accounts, uploads waiting, jobs...) keep the cache."""
    return seen_by_visitors(getattr(obj, "__tablename__", None))


def _before_flush(session: Session, _context: object, _instances: object) -> None:
    """Bump before the flush writes anything: on PostgreSQL the version row is then the first row a catalogue
    write locks, so two such writers queue on it instead of deadlocking on each other's rows."""
    changed = [*session.new, *session.deleted, *(o for o in session.dirty if session.is_modified(o))]
    if any(_changes_pages(obj) for obj in changed):
        bump(session.connection())


def register() -> None:
    """Listen to every session's flushes (once per process)."""
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)


@dataclass(frozen=True, slots=True)
class CachedResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    etag: str | None

    @property
    def size(self) -> int:
        return len(self.body) + sum(len(k) + len(v) for k, v in self.headers) + 200


class PageCache:
    """A byte-bounded LRU of responses for one generation (catalogue version, translations signature).

    Thread-safe: gunicorn's gthread workers share one cache between their threads.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[CacheKey, CachedResponse] = OrderedDict()
        self._bytes = 0
        self._generation: object = None
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, generation: object, key: CacheKey) -> CachedResponse | None:
        with self._lock:
            if generation != self._generation:
                # Another generation: nothing kept is valid for it (and pages of the old one are never served).
                self._entries.clear()
                self._bytes = 0
                self._generation = generation
                return None
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, generation: object, key: CacheKey, cached: CachedResponse) -> None:
        with self._lock:
            # A page rendered while another request moved to a newer generation may be stale: drop it.
            if generation != self._generation or cached.size > self.max_bytes:
                return
            previous = self._entries.pop(key, None)
            if previous is not None:
                self._bytes -= previous.size
            self._entries[key] = cached
            self._bytes += cached.size
            while self._bytes > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= evicted.size


def _cache() -> PageCache | None:
    return current_app.extensions.get("catalogue_page_cache")


def _anonymous_request() -> bool:
    if request.method not in ("GET", "HEAD") or "Authorization" in request.headers:
        return False
    cookies = request.cookies
    config = current_app.config
    if config["SESSION_COOKIE_NAME"] not in cookies and config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME) not in cookies:
        return True  # Nobody can be signed in and nothing is flashed: no need to load a user.
    return not cast(UserMixin, current_user).is_authenticated and "_flashes" not in session


def _version_engine(app: Flask) -> Engine:
    """Where the version is read on every cached request, made cheap.

    SQLite: the app's engine in autocommit. PostgreSQL: its own small pool in autocommit and without the
    app pool's pre-ping, so a cache hit costs one round trip (not ping, BEGIN, SELECT and ROLLBACK); a
    connection that died with a server restart is replaced by one retry in _generation().
    """
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            return db.engine.execution_options(isolation_level="AUTOCOMMIT")
        options = app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}) | {"pool_pre_ping": False}
        return create_engine(db.engine.url, **options, isolation_level="AUTOCOMMIT")


def _read_version() -> int:
    # Plain SQL: compiling a statement would cost as much as the rest of a hit. Through SQLAlchemy all the
    # same, which turns a lost server into an OperationalError (a 503) and drops the dead connection.
    with current_app.extensions["catalogue_version_engine"].connect() as connection:
        return connection.exec_driver_sql(VERSION_QUERY).scalar() or 0


def _generation() -> tuple[int, object]:
    try:
        version = _read_version()
    except DBAPIError as error:
        if not error.connection_invalidated:
            raise
        version = _read_version()  # The pool dropped its dead connections; a failure now is a real one.
    return (version, current_app.extensions["catalogue_catalogue_state"]["signature"])


def dispose(app: Flask) -> None:
    """Close the version pool's connections (tests, which make many apps)."""
    engine = app.extensions.pop("catalogue_version_engine", None)
    if engine is not None:
        engine.dispose()


def _key(by_language: bool) -> tuple[object, ...]:
    """The URL as the client sent it (host included: the API writes absolute URLs) and the page's language."""
    environ = request.environ
    return (
        request.scheme,
        request.host,
        environ.get("SCRIPT_NAME", ""),
        environ.get("PATH_INFO", ""),
        environ.get("QUERY_STRING", ""),
        locale_code() if by_language else None,
    )


def _replay(cached: CachedResponse) -> Response:
    response = Response(cached.body, status=cached.status, headers=cached.headers)
    # A revalidation of a cached file is a 304 here, as the view itself would answer.
    return cast(Response, response.make_conditional(request)) if cached.status == 200 else response


def _storable(response: Response) -> CachedResponse | None:
    if response.status_code not in (200, 304) or response.is_streamed or response.direct_passthrough:
        return None
    if "Set-Cookie" in response.headers or session.modified:
        return None
    etag, _weak = response.get_etag()
    body = response.get_data()
    if etag is None and response.status_code == 200:
        # Pages and API answers get a strong ETag from their bytes (the same for every anonymous visitor of
        # this URL and language): a browser that comes back revalidates and gets a 304 without the body.
        etag = hashlib.blake2b(body, digest_size=16).hexdigest()
        response.set_etag(etag)
        response.cache_control.no_cache = True
    return CachedResponse(response.status_code, list(response.headers.items()), body, etag)


ViewT = TypeVar("ViewT", bound=Callable[..., Any])


@overload
def cached(view: ViewT) -> ViewT: ...


@overload
def cached(view: None = None, *, by_language: bool = True) -> Callable[[ViewT], ViewT]: ...


def cached(view: Callable[..., Any] | None = None, *, by_language: bool = True) -> Any:
    """Serve this public GET view from the page cache when the request is anonymous.

    `by_language=False` for responses that are the same in every interface language (subtitle files): one
    entry serves everybody, and the request skips choosing a language.
    """

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            cache = _cache()
            if cache is None or not _anonymous_request():
                return view(*args, **kwargs)
            generation = _generation()
            key = _key(by_language)
            hit = cache.get(generation, key)
            # A 304 kept from a revalidation proves only its own ETag: any other request renders the page.
            if hit is not None and (hit.status == 200 or (hit.etag and request.if_none_match.contains(hit.etag))):
                return _replay(hit)
            response = make_response(view(*args, **kwargs))
            storable = _storable(response)
            if storable is not None and (storable.status == 200 or hit is None):
                cache.put(generation, key, storable)
            if storable is not None and storable.status == 200:
                return cast(Response, response.make_conditional(request))
            return response

        return wrapper

    return decorate(view) if view is not None else decorate


def init_app(app: Flask) -> None:
    register()
    if app.config["CATALOGUE_PAGE_CACHE_BYTES"] > 0:
        app.extensions["catalogue_page_cache"] = PageCache(app.config["CATALOGUE_PAGE_CACHE_BYTES"])
        # Creating an engine connects to nothing: the first cached request does.
        app.extensions["catalogue_version_engine"] = _version_engine(app)
