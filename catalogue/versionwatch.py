"""The catalogue version pushed to each worker by PostgreSQL, so a cached page is served without a round trip.

Every write bumps `catalogue_version` and, on PostgreSQL, sends `NOTIFY catalogue_version, '<new number>'` in the
same transaction (catalogue.pagecache.bump): PostgreSQL delivers it to every listener when the write commits, and
never when it rolls back. Each worker process keeps one connection that LISTENs on a thread of its own, and also
reads the number itself every `CATALOGUE_VERSION_POLL_S` seconds (a script that bumped the row without the NOTIFY,
a notification lost with its connection).

The staleness bound, held by tests/test_version_push.py: a worker serves a number confirmed by a read of the row at
most `2 × CATALOGUE_VERSION_POLL_S` ago (1 s by default), plus the notifications heard since. When the listener has
not confirmed the number for that long (the connection died, PostgreSQL is restarting), current() answers None and
each request reads the row itself, as it did before this existed. So another worker's write is seen after a few
milliseconds in the usual case (the notification), and after 2 × poll at worst; the writer's own worker advances its
number when its session commits, so "the writer's next request sees the write" holds without waiting.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
import urllib.parse
import weakref
from collections.abc import Iterator

import psycopg
from sqlalchemy.engine import URL

CHANNEL = "catalogue_version"
APPLICATION_NAME = "catalogue-version-watch"  # how the listener shows in pg_stat_activity
VERSION_QUERY = "SELECT version FROM catalogue_version WHERE id = 1"

# The watches of this process by database, for the writer's own commit (several apps share one in the tests).
_WATCHES: dict[str, weakref.WeakSet[VersionWatch]] = {}
_WATCHES_LOCK = threading.Lock()


def _database_key(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class VersionWatch:
    """The catalogue version as this process last heard it from PostgreSQL."""

    def __init__(self, url: URL, poll_s: float) -> None:
        self.poll_s = poll_s
        self.max_age_s = 2 * poll_s
        self._conninfo = _database_key(url)
        self._value: int | None = None
        self._confirmed_at = float("-inf")  # time.monotonic() of the last read of the row
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._pid: int | None = None
        self.listening = threading.Event()  # set while LISTEN is active (tests wait for it)
        with _WATCHES_LOCK:
            _WATCHES.setdefault(self._conninfo, weakref.WeakSet()).add(self)

    def current(self) -> int | None:
        """The version to serve cached pages under, or None: read the row yourself."""
        if self._pid != os.getpid():
            self._start()  # Lazily, in the worker: a thread does not survive gunicorn's fork.
        if time.monotonic() - self._confirmed_at > self.max_age_s:
            return None
        return self._value

    def advance(self, version: int) -> None:
        """A newer number heard from a notification or from this process's own commit (never goes back)."""
        with self._lock:
            if self._value is not None and version > self._value:
                self._value = version

    def stop(self) -> None:
        """Ask the thread to end (within poll_s) and close its connection; current() then answers None."""
        self._stop.set()
        self._confirmed_at = float("-inf")

    def _confirm(self, version: int) -> None:
        with self._lock:
            self._value = version if self._value is None else max(self._value, version)
            self._confirmed_at = time.monotonic()

    def _start(self) -> None:
        with self._lock:
            if self._pid == os.getpid() or self._stop.is_set():
                return
            self._pid = os.getpid()
            self._value = None
            self._confirmed_at = float("-inf")
        threading.Thread(target=self._run, name="catalogue-version-watch", daemon=True).start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._listen()
            except (psycopg.Error, OSError, ValueError, TypeError):
                # Requests read the row themselves once max_age_s passes; try again after a pause.
                self.listening.clear()
                self._stop.wait(self.poll_s)
        self.listening.clear()

    def _listen(self) -> None:
        with psycopg.connect(
            self._conninfo, autocommit=True, connect_timeout=5, application_name=APPLICATION_NAME
        ) as connection:
            connection.execute(f"LISTEN {CHANNEL}")
            self.listening.set()
            while not self._stop.is_set():
                row = connection.execute(VERSION_QUERY).fetchone()
                self._confirm(int(row[0]) if row else 0)
                for notification in connection.notifies(timeout=self.poll_s):
                    self.advance(int(notification.payload))


def watches_of(url: URL) -> Iterator[VersionWatch]:
    with _WATCHES_LOCK:
        found = list(_WATCHES.get(_database_key(url), ()))
    yield from found


def committed(url: URL, version: int) -> None:
    """This process committed a write that made `version`: its own watches serve it from the next request."""
    for watch in watches_of(url):
        watch.advance(version)


class SqliteVersionReader:
    """The version row of a SQLite file read on a plain sqlite3 connection of each thread.

    SQLite has no NOTIFY, so every cached page and every fact kept per version reads the row. Through the app's
    engine that read cost a pool checkout, an isolation change and its reset, about as much as a cache hit's whole
    answer; on a connection of its own, in autocommit (each read sees the last commit), it is a few microseconds.
    A connection is opened per thread and process (never carried across gunicorn's fork), read-write without
    creating the file, and any sqlite3 error sends the caller back to the engine, which reports it as before.
    """

    def __init__(self, path: str, busy_timeout_s: float) -> None:
        self._uri = "file:" + urllib.parse.quote(path) + "?mode=rw"
        self._busy_timeout_s = busy_timeout_s
        self._local = threading.local()
        self._opened: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    def read(self) -> int:
        local = self._local
        if getattr(local, "pid", None) != os.getpid():
            local.connection = sqlite3.connect(
                self._uri, uri=True, timeout=self._busy_timeout_s, isolation_level=None, check_same_thread=False
            )
            local.pid = os.getpid()
            with self._lock:
                self._opened.append(local.connection)
        row = local.connection.execute(VERSION_QUERY).fetchone()
        return int(row[0]) if row else 0

    def close(self) -> None:
        """Close every thread's connection (tests, which make many apps)."""
        with self._lock:
            opened, self._opened = self._opened, []
        for connection in opened:
            connection.close()
        self._local = threading.local()


def sqlite_file(url: URL) -> str | None:
    """The path of a SQLite database file, or None (another database, memory, or a URI the reader would not
    open the same way)."""
    if url.get_backend_name() != "sqlite" or url.query:
        return None
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return database
