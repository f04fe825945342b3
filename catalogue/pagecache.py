"""Rendered public pages kept in each worker's memory until the catalogue changes.

A page that anyone may see (the catalogue, a watch page, a search, a subtitle file, the public API) is the
same for every anonymous visitor with the same URL and interface language, until something in the database
or a compiled translation changes. Every write bumps one number, `catalogue_version.version`, in its own
transaction (a session event, so no write path can forget it), and a cached page made under another number or
another .mo signature is never served.

Where the number comes from: on PostgreSQL, pushed to each worker by LISTEN/NOTIFY (catalogue.versionwatch:
a cache hit costs no round trip; another worker's write is seen within milliseconds, 2 × CATALOGUE_VERSION_POLL_S
at worst, and the writer's own worker at once); on SQLite, or with CATALOGUE_VERSION_POLL_S=0, read from the row on
each cached request (one indexed query, in process on SQLite), so every write is seen by every worker on its next
request.

Two layers: CachedPages, a WSGI middleware, answers a hit for a visitor without session cookie before Flask builds
a request (no routing, no before/after-request hooks: the stored response already carries every header they add);
the `cached` view decorator marks what may be kept, and itself serves the rarer anonymous visitors the middleware
cannot judge (a session cookie with no user in it, a `?lang=` that sets its cookie).

Nothing personal is cached: not for a signed-in user, a request with pending flash messages or an
Authorization header, nor a response that sets a cookie or writes the session.
"""

from __future__ import annotations

import functools
import hashlib
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar, cast, overload

from flask import Flask, Response, current_app, g, has_request_context, make_response, request, session
from flask_login import UserMixin, current_user
from flask_login.config import COOKIE_NAME
from sqlalchemy import BigInteger, String, Table, create_engine, event, func, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column
from werkzeug import Request as WerkzeugRequest
from werkzeug import Response as WerkzeugResponse

from catalogue import i18n, versionwatch
from catalogue.db import Base, reads_only, seen_by_visitors
from catalogue.extensions import db
from catalogue.i18n import locale_code
from catalogue.memo import Memo, of_version

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

# The URL, query and interface language a cached page answers.
CacheKey = tuple[object, ...]
# CachedPages handles this request: it keeps what the `cached` decorator marks, under ENVIRON_GENERATION.
ENVIRON_PENDING = "catalogue.page_cache.pending"
# The generation the response is made under: read before the view runs (by CachedPages when it held an entry for
# the URL, else by the decorator), so a page is never kept under a newer generation than its data.
ENVIRON_GENERATION = "catalogue.page_cache.generation"
# What the decorator answers: the response may be kept, per language (True) or for every language (False).
ENVIRON_KEEP = "catalogue.page_cache.keep"


class CatalogueVersion(Base):
    """One row whose number every committed write to the catalogue increases."""

    __tablename__ = "catalogue_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)


VERSION = cast(Table, CatalogueVersion.__table__)
VERSION_QUERY = versionwatch.VERSION_QUERY


@event.listens_for(VERSION, "after_create")
def _first_row(table: Table, connection: Connection, **_: object) -> None:
    """create_all (tests) gets the row that migration 0005 inserts."""
    connection.execute(insert(table).values(id=1, version=0))


def bump(connection: Connection) -> int:
    """Make every cached page stale once this transaction commits (for writes that bypass the ORM too).

    On PostgreSQL the new number is also announced to every worker's listener (delivered at commit, never on a
    rollback). Returns the new number.
    """
    bumped = connection.execute(
        update(VERSION).where(VERSION.c.id == 1).values(version=VERSION.c.version + 1).returning(VERSION.c.version)
    ).scalar_one()
    if connection.dialect.name == "postgresql":
        connection.execute(select(func.pg_notify(versionwatch.CHANNEL, func.cast(bumped, String))))
    return int(bumped)


def _changes_pages(obj: object) -> bool:
    """Writes to tables a domain marked with @unseen_by_visitors (accounts, uploads waiting, jobs...) keep the cache."""
    return seen_by_visitors(getattr(obj, "__tablename__", None))


def _before_flush(session: Session, _context: object, _instances: object) -> None:
    """Bump before the flush writes anything: on PostgreSQL the version row is then the first row a catalogue
    write locks, so two such writers queue on it instead of deadlocking on each other's rows."""
    changed = [*session.new, *session.deleted, *(o for o in session.dirty if session.is_modified(o))]
    if any(_changes_pages(obj) for obj in changed):
        connection = session.connection()
        session.info["catalogue_version"] = (connection.engine.url, bump(connection))


def _before_bulk_write(state: ORMExecuteState) -> None:
    """An UPDATE, DELETE or INSERT statement run through a session (`session.execute(delete(Track)...)`) writes
    without a flush: it bumps the version too, before it runs, unless its table is unseen by visitors."""
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    table = getattr(state.statement, "table", None)
    if seen_by_visitors(getattr(table, "name", None)):
        connection = state.session.connection()
        state.session.info["catalogue_version"] = (connection.engine.url, bump(connection))


def _after_commit(session: Session) -> None:
    """The writer's own worker serves the new number from its next request, without waiting for the push."""
    bumped = session.info.pop("catalogue_version", None)
    if bumped is not None:
        versionwatch.committed(*bumped)


def _after_rollback(session: Session, _previous_transaction: object) -> None:
    session.info.pop("catalogue_version", None)


def register() -> None:
    """Listen to every session's flushes and commits (once per process)."""
    for name, listener in (
        ("before_flush", _before_flush),
        ("do_orm_execute", _before_bulk_write),
        ("after_commit", _after_commit),
        ("after_soft_rollback", _after_rollback),
    ):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


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

    def holds(self, key: CacheKey) -> bool:
        """Whether an entry, of any generation, is kept for this key: without one, no number need be read."""
        return key in self._entries

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
            if cached.size > self.max_bytes:
                return
            if generation != self._generation:
                # Made under another generation than the entries kept: they and it cannot be served together. A
                # get() under the current generation empties the cache again if this one was the older.
                self._entries.clear()
                self._bytes = 0
                self._generation = generation
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
    """Where the version is read when it is not pushed, made cheap.

    SQLite: the app's engine in autocommit (catalogue.versionwatch.SqliteVersionReader reads a file on a
    connection of its own). PostgreSQL: its own small pool in autocommit and without the app pool's ping of idle
    connections, so a read costs one round trip (not ping, BEGIN, SELECT and ROLLBACK); a connection that died
    with a server restart is replaced by one retry in current_version().
    """
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            return db.engine.execution_options(isolation_level="AUTOCOMMIT")
        # The app's options, without a pre-ping a deployment may have set: the retry above takes its place.
        options = app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}) | {"pool_pre_ping": False}
        return create_engine(db.engine.url, **options, isolation_level="AUTOCOMMIT")


def _read_version(app: Flask) -> int:
    # Plain SQL: compiling a statement would cost as much as the rest of a hit. Through SQLAlchemy all the
    # same, which turns a lost server into an OperationalError (a 503) and drops the dead connection.
    with app.extensions["catalogue_version_engine"].connect() as connection:
        return connection.exec_driver_sql(VERSION_QUERY).scalar() or 0


def current_version(app: Flask) -> int:
    """The catalogue version cached pages are served under: pushed (PostgreSQL) or read from the row."""
    watch: versionwatch.VersionWatch | None = app.extensions.get("catalogue_version_watch")
    pushed = watch.current() if watch is not None else None
    if pushed is not None:
        return pushed
    reader: versionwatch.SqliteVersionReader | None = app.extensions.get("catalogue_version_reader")
    if reader is not None:
        try:
            return reader.read()
        except sqlite3.Error:
            pass  # The engine reads it again and reports what is wrong as every other read does.
    try:
        return _read_version(app)
    except DBAPIError as error:
        if not error.connection_invalidated:
            raise
        return _read_version(app)  # The pool dropped its dead connections; a failure now is a real one.


def wrote_to_catalogue(session: Session) -> bool:
    """Whether the session's transaction wrote to what visitors see (its flush bumped the version): what it reads
    now, a rollback may undo."""
    return "catalogue_version" in session.info


def until_next_write(name: str, make: Callable[[], Memo[V]], session: Session | None = None) -> Memo[V]:
    """The worker's memo of that name for what is read now, kept until the next write: catalogue.memo.of_version
    at this request's catalogue version. A transaction that wrote to the catalogue (the app's session, unless
    `session` is given) gets a memo nobody keeps."""
    if session is None and db.session.registry.has():
        session = db.session()  # Never made here: a request that reads no database (a 304) makes no session.
    if session is not None and wrote_to_catalogue(session):
        return make()
    return of_version(name, catalogue_version(), make)


# Facts of the whole catalogue (a count, the few distinct language spellings, a window of ids, the ETags served),
# kept until the next write: a few thousand small entries.
FACTS_KEY = "catalogue_facts_this_version"
FACTS_KEPT = 4096


def kept_fact(key: Hashable, read: Callable[[], V]) -> V:
    """What `read` returns, read once and kept by `key` until the next write (until_next_write)."""
    facts: Memo[Any] = until_next_write(FACTS_KEY, lambda: Memo(FACTS_KEPT, size=lambda _fact: 1))
    found: V | None = facts.get(key)
    if found is None:
        found = read()
        facts.put(key, found)
    return found


def catalogue_version() -> int:
    """The catalogue version as this worker knows it (pushed on PostgreSQL): what facts of the whole catalogue
    (the home page's language filters, the search page's choices) are kept under between writes."""
    if has_request_context():
        # Once per request: a page that keeps several facts asks several times.
        if "_catalogue_version" not in g:
            g._catalogue_version = current_version(current_app)
        return int(g._catalogue_version)
    return current_version(current_app)


def _current_generation(app: Flask) -> tuple[int, object]:
    """The generation now: the version and the compiled catalogues' stamps as they are on disk (before
    reload_changed_catalogues has run for this request)."""
    return (current_version(app), i18n.current_signature(app))


def _generation() -> tuple[int, object]:
    return (current_version(current_app), current_app.extensions["catalogue_catalogue_state"]["signature"])


def dispose(app: Flask) -> None:
    """Close the version pool's connections and stop the listener (tests, which make many apps)."""
    watch = app.extensions.pop("catalogue_version_watch", None)
    if watch is not None:
        watch.stop()
    reader = app.extensions.pop("catalogue_version_reader", None)
    if reader is not None:
        reader.close()
    engine = app.extensions.pop("catalogue_version_engine", None)
    if engine is not None:
        engine.dispose()


def _key(by_language: bool) -> tuple[object, ...]:
    """The URL as the client sent it (host included: the API writes absolute URLs) and the page's language."""
    environ = request.environ
    return (
        "view",
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


def _with_etag(response: Response) -> Response:
    """Pages and API answers get a strong ETag from their bytes (the same for every anonymous visitor of this URL
    and language): a browser that comes back revalidates and gets a 304 without the body."""
    if response.status_code == 200 and response.get_etag()[0] is None:
        response.set_etag(hashlib.blake2b(response.get_data(), digest_size=16).hexdigest())
        response.cache_control.no_cache = True
    return response


def _keepable(response: Response) -> bool:
    if response.status_code not in (200, 304) or response.is_streamed or response.direct_passthrough:
        return False
    return "Set-Cookie" not in response.headers and not session.modified


def _storable(response: Response) -> CachedResponse | None:
    if not _keepable(response):
        return None
    return CachedResponse(
        response.status_code, list(response.headers.items()), response.get_data(), response.get_etag()[0]
    )


def _serve_in_view(view: Callable[..., Any], by_language: bool, args: Any, kwargs: Any) -> Response:
    """The decorator's own layer, for anonymous visitors CachedPages could not judge: hooks run as usual."""
    cache = cast(PageCache, _cache())
    generation = _generation()
    key = _key(by_language)
    hit = cache.get(generation, key)
    # A 304 kept from a revalidation proves only its own ETag: any other request renders the page.
    if hit is not None and (hit.status == 200 or (hit.etag and request.if_none_match.contains(hit.etag))):
        return _replay(hit)
    response = _with_etag(make_response(view(*args, **kwargs)))
    storable = _storable(response)
    if storable is not None and (storable.status == 200 or hit is None):
        cache.put(generation, key, storable)
    return cast(Response, response.make_conditional(request)) if response.status_code == 200 else response


ViewT = TypeVar("ViewT", bound=Callable[..., Any])
V = TypeVar("V")


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
            if not _anonymous_request():
                return view(*args, **kwargs)
            # Nobody signed in on a public GET: the view only reads.
            reads_only(db.session)
            if _cache() is None:
                return view(*args, **kwargs)
            if ENVIRON_PENDING not in request.environ:
                return _serve_in_view(view, by_language, args, kwargs)
            # CachedPages keeps the finished response (with every header the after-request hooks add) when it may
            # be kept, under the generation read before the page is made.
            environ = request.environ
            if ENVIRON_GENERATION not in environ:
                environ[ENVIRON_GENERATION] = _current_generation(current_app)
            response = _with_etag(make_response(view(*args, **kwargs)))
            if _keepable(response):
                request.environ[ENVIRON_KEEP] = by_language
            return cast(Response, response.make_conditional(request)) if response.status_code == 200 else response

        return wrapper

    return decorate(view) if view is not None else decorate


# Request headers after which a hit goes through werkzeug's conditional answer rather than the plain bytes.
_CONDITIONAL = (
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_UNMODIFIED_SINCE",
    "HTTP_RANGE",
)
_REASONS = {200: "200 OK", 304: "304 Not Modified"}


class CachedPages:
    """WSGI middleware: a cache hit for a visitor without a session is answered before Flask runs at all.

    It judges only what it can without the app: a GET or HEAD with no Authorization header and neither a session
    nor a remember-me cookie (so nobody is signed in and nothing is flashed), whose `?lang=`, if any, sets no
    cookie. The page's language is chosen as catalogue.i18n chooses it for an anonymous visitor. Everything else
    goes to Flask unchanged.
    """

    def __init__(self, app: Flask, wsgi_app: WSGIApplication, cache: PageCache) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self.cache = cache
        self._session_cookie = app.config["SESSION_COOKIE_NAME"]
        self._remember_cookie = app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME)
        self._languages = list(app.config["LANGUAGES"])
        self._default_locale = str(app.config["BABEL_DEFAULT_LOCALE"])

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        keys = self._keys(environ)
        if keys is None:
            return self.wsgi_app(environ, start_response)
        hit = None
        # Only a URL with a kept entry costs the generation here: /healthz, static and media files, or a page
        # asked for the first time, go to Flask at once (a cached view reads it there, before it renders).
        if self.cache.holds(keys[0]) or self.cache.holds(keys[1]):
            try:
                generation = _current_generation(self.app)
            except DBAPIError:
                return self.wsgi_app(environ, start_response)  # Flask answers a lost database with its 503 page.
            hit = self.cache.get(generation, keys[0]) or self.cache.get(generation, keys[1])
            if hit is not None and (hit.status == 200 or self._revalidates(environ, hit)):
                return self._answer(hit, environ, start_response)
            environ[ENVIRON_GENERATION] = generation
        environ[ENVIRON_PENDING] = True
        return self._render_and_keep(environ, start_response, keys, hit)

    def _keys(self, environ: WSGIEnvironment) -> tuple[CacheKey, CacheKey] | None:
        """The keys of this request (the same for every language, then this language's), or None: not ours."""
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD") or "HTTP_AUTHORIZATION" in environ:
            return None
        visitor = WerkzeugRequest(environ)
        cookies = visitor.cookies
        if self._session_cookie in cookies or self._remember_cookie in cookies:
            return None
        asked = visitor.args.get("lang")
        if asked in self._languages and cookies.get(i18n.LANG_COOKIE) != asked and not visitor.path.startswith("/api/"):
            return None  # The page sets the language cookie: the decorator's layer answers it.
        locale = i18n.visitor_locale(
            asked, cookies.get(i18n.LANG_COOKIE), visitor.accept_languages, self._languages, self._default_locale
        )
        url = (visitor.scheme, visitor.host, environ.get("SCRIPT_NAME", ""), environ.get("PATH_INFO", ""))
        query = environ.get("QUERY_STRING", "")
        return ("wsgi", *url, query, None), ("wsgi", *url, query, locale)

    @staticmethod
    def _revalidates(environ: WSGIEnvironment, hit: CachedResponse) -> bool:
        """A kept 304 answers only the revalidation of its own ETag."""
        return bool(hit.etag) and WerkzeugRequest(environ).if_none_match.contains(cast(str, hit.etag))

    @staticmethod
    def _answer(hit: CachedResponse, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ["REQUEST_METHOD"] == "GET" and not any(name in environ for name in _CONDITIONAL):
            start_response(_REASONS.get(hit.status, str(hit.status)), list(hit.headers))
            return [hit.body]
        response = WerkzeugResponse(hit.body, status=hit.status, headers=hit.headers)
        if hit.status == 200:
            response.make_conditional(environ)
            response.headers.remove("Date")  # The server dates the answer (catalogue.caching.cache_headers).
        return response(environ, start_response)

    def _render_and_keep(
        self,
        environ: WSGIEnvironment,
        start_response: StartResponse,
        keys: tuple[CacheKey, CacheKey],
        hit: CachedResponse | None,
    ) -> Iterable[bytes]:
        answer: dict[str, Any] = {}

        def remember_start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            answer["status"], answer["headers"] = status, headers
            return start_response(status, headers, exc_info)

        body = self.wsgi_app(environ, remember_start)
        by_language = environ.get(ENVIRON_KEEP)
        generation = environ.get(ENVIRON_GENERATION)
        if by_language is None or generation is None or environ["REQUEST_METHOD"] != "GET":
            return body
        status = int(answer["status"].split(" ", 1)[0])
        headers: list[tuple[str, str]] = answer["headers"]
        if any(name.lower() == "set-cookie" for name, _value in headers) or (status == 304 and hit is not None):
            return body
        try:
            data = b"".join(body)
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
        etag = WerkzeugResponse(headers=headers).get_etag()[0]
        self.cache.put(generation, keys[1] if by_language else keys[0], CachedResponse(status, headers, data, etag))
        return [data]


def init_app(app: Flask) -> None:
    register()
    # The version is known with the page cache off too (catalogue_version()). Creating an engine connects to
    # nothing: the first request that asks does.
    app.extensions["catalogue_version_engine"] = engine = _version_engine(app)
    path = versionwatch.sqlite_file(engine.url)
    if path is not None:
        busy_timeout_s = float(app.config["CATALOGUE_LOCK_TIMEOUT_S"])
        app.extensions["catalogue_version_reader"] = versionwatch.SqliteVersionReader(path, busy_timeout_s)
    poll_s = float(app.config.get("CATALOGUE_VERSION_POLL_S", 0))
    if engine.dialect.name == "postgresql" and poll_s > 0:
        # The listener starts with the first request of each worker process (after gunicorn's fork).
        app.extensions["catalogue_version_watch"] = versionwatch.VersionWatch(engine.url, poll_s)
    if app.config["CATALOGUE_PAGE_CACHE_BYTES"] > 0:
        cache = PageCache(app.config["CATALOGUE_PAGE_CACHE_BYTES"])
        app.extensions["catalogue_page_cache"] = cache
        app.wsgi_app = CachedPages(app, app.wsgi_app, cache)  # type: ignore[method-assign]
