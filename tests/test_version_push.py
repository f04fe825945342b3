"""PostgreSQL pushes the catalogue version to every worker (catalogue.versionwatch): a cache hit reads nothing, the
writer's own worker sees its write at once, and every other worker within the stated bound, 2 × poll.

Runs against PostgreSQL in both suite runs (the SQLite run too), as test_database_restart does.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import event, text

from catalogue.demo.cli import load_demo
from catalogue.extensions import db
from catalogue.recordings.models import Recording
from catalogue.versionwatch import APPLICATION_NAME, VersionWatch
from tests.conftest import PG_TEST_URL as PG_URL
from tests.conftest import create_schema, reset_database

SLUG = "workshop-1-building-resilience"
PAGE = f"/recordings/{SLUG}"
RETITLE = (
    "UPDATE workshops SET title = :title"
    " WHERE id = (SELECT workshop_id FROM recordings WHERE slug = 'workshop-1-building-resilience')"
)
WAIT_S = 10.0  # How long a test waits for a thread it depends on, far above any expected figure.


class VersionReads:
    """The statements the app's own version pool runs (the fallback read of catalogue.pagecache)."""

    def __init__(self, app: Flask) -> None:
        self.count = 0
        event.listen(app.extensions["catalogue_version_engine"], "before_cursor_execute", self._seen)

    def _seen(self, *_args: object) -> None:
        self.count += 1


def watch_of(app: Flask) -> VersionWatch:
    watch = app.extensions["catalogue_version_watch"]
    assert isinstance(watch, VersionWatch)
    return watch


def until(condition, timeout: float = WAIT_S) -> float:
    """Seconds until condition() held; fails the test when it never did."""
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < timeout, "gave up waiting"
        time.sleep(0.01)
    return time.monotonic() - start


def listening(app: Flask) -> None:
    """The first request starts the worker's listener; wait until it has confirmed the version."""
    app.test_client().get("/healthz")
    watch = watch_of(app)
    watch.current()
    until(lambda: watch.current() is not None)


@pytest.fixture
def pg_apps(make_app) -> Iterator[tuple]:
    """Make apps on the PostgreSQL test database with the demo loaded (two apps stand for two workers)."""
    first = make_app(SQLALCHEMY_DATABASE_URI=PG_URL)
    with first.app_context():
        reset_database()
        create_schema()
        load_demo()

    def worker(poll_s: float) -> Flask:
        return make_app(SQLALCHEMY_DATABASE_URI=PG_URL, CATALOGUE_VERSION_POLL_S=poll_s)

    yield worker


def retitle(app: Flask, title: str) -> None:
    """A catalogue write through the app's ORM session, as every view and service writes."""
    with app.app_context():
        recording = db.session.execute(db.select(Recording).filter_by(slug=SLUG)).scalar_one()
        recording.workshop.title = title  # The watch page's heading.
        db.session.commit()


def test_a_hit_reads_nothing_and_another_workers_write_arrives_by_notification(pg_apps):
    writer, viewer = pg_apps(poll_s=60), pg_apps(poll_s=60)  # No periodic read during this test.
    listening(viewer)
    client = viewer.test_client()
    assert "Notified title" not in client.get(PAGE).get_data(as_text=True)
    reads = VersionReads(viewer)
    client.get(PAGE)
    assert reads.count == 0  # The hit used the pushed number.

    before = watch_of(viewer).current()
    retitle(writer, "Notified title")
    until(lambda: (watch_of(viewer).current() or 0) > (before or 0))
    assert "Notified title" in client.get(PAGE).get_data(as_text=True)
    assert reads.count == 0  # Heard by notification: neither a request nor the 60 s poll read the row.


def test_the_writers_own_worker_sees_its_write_at_once(pg_apps):
    writer = pg_apps(poll_s=60)
    listening(writer)
    client = writer.test_client()
    assert "Own title" not in client.get(PAGE).get_data(as_text=True)
    retitle(writer, "Own title")
    # No wait at all: the commit advanced this process's number before retitle() returned.
    assert "Own title" in client.get(PAGE).get_data(as_text=True)


def test_a_bump_nobody_announced_is_seen_within_twice_the_poll(pg_apps):
    """A script that bumps the row behind the app's back (README) sends no notification: the poll finds it."""
    poll_s = 0.3
    viewer = pg_apps(poll_s=poll_s)
    listening(viewer)
    client = viewer.test_client()
    assert "Script title" not in client.get(PAGE).get_data(as_text=True)
    with viewer.app_context(), db.engine.begin() as connection:
        connection.execute(text(RETITLE), {"title": "Script title"})
        connection.execute(text("UPDATE catalogue_version SET version = version + 1 WHERE id = 1"))
    committed = time.monotonic()
    until(lambda: "Script title" in client.get(PAGE).get_data(as_text=True))
    # The stated bound (catalogue.versionwatch), plus the time of one request in this loop.
    assert time.monotonic() - committed <= 2 * poll_s + 0.25


def test_without_its_listener_a_worker_reads_the_version_itself(pg_apps):
    viewer = pg_apps(poll_s=60)
    listening(viewer)
    client = viewer.test_client()
    client.get(PAGE)
    # The listener's connection is killed (a PostgreSQL restart, a network cut): until it has reconnected and
    # read the row, a request must not trust the pushed number.
    with viewer.app_context(), db.engine.begin() as connection:
        killed = connection.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = :name"),
            {"name": APPLICATION_NAME},
        ).all()
    assert killed
    watch_of(viewer).stop()  # As if its number had not been confirmed for 2 × poll.
    assert watch_of(viewer).current() is None
    with viewer.app_context(), db.engine.begin() as connection:
        connection.execute(text(RETITLE), {"title": "Unheard title"})
        connection.execute(text("UPDATE catalogue_version SET version = version + 1 WHERE id = 1"))
    reads = VersionReads(viewer)
    assert "Unheard title" in client.get(PAGE).get_data(as_text=True)  # At once: the row was read.
    assert reads.count >= 1


def test_a_killed_listener_reconnects_and_confirms_again(pg_apps):
    viewer = pg_apps(poll_s=0.2)
    listening(viewer)
    watch = watch_of(viewer)
    with viewer.app_context(), db.engine.begin() as connection:
        connection.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = :name"),
            {"name": APPLICATION_NAME},
        )
    until(lambda: not watch.listening.is_set())
    until(watch.listening.is_set)
    until(lambda: watch.current() is not None)
