"""Fewer round trips to PostgreSQL per page, without losing what they protected.

- An anonymous visitor's public page reads in autocommit (catalogue.db.reads_only): no BEGIN and ROLLBACK around
  its statements. A signed-in visitor's pages and every write keep their transaction.
- Only a pooled connection idle for longer than CATALOGUE_DB_PING_IDLE_S is pinged before use
  (catalogue.db.ping_idle_connections), so a database restart is still survived without a failed request.

Runs against PostgreSQL in both suite runs (the SQLite run too), as test_database_restart does.
"""

from __future__ import annotations

import time

from flask import Flask
from sqlalchemy import create_engine, event, text

from catalogue.demo.cli import load_demo
from catalogue.extensions import db
from tests.conftest import PG_TEST_URL, api_token, create_schema, reset_database
from tests.factories import vtt

SLUG = "workshop-1-building-resilience"


def demo_on_postgresql(make_app, **overrides: object) -> Flask:
    app = make_app(SQLALCHEMY_DATABASE_URI=PG_TEST_URL, CATALOGUE_PAGE_CACHE_BYTES=0, **overrides)
    with app.app_context():
        reset_database()
        create_schema()
        load_demo()
    return app


class Autocommit:
    """Whether each statement the app's engine runs is in autocommit (True) or inside a transaction (False)."""

    def __init__(self, app: Flask) -> None:
        with app.app_context():
            self.engine = db.engine
        self.seen: list[bool] = []

    def _record(self, connection, _cursor, _statement, *_args) -> None:
        self.seen.append(bool(connection.connection.dbapi_connection.autocommit))

    def __enter__(self) -> Autocommit:
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *_exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._record)


def test_a_public_page_reads_in_autocommit_and_a_write_keeps_its_transaction(make_app):
    app = demo_on_postgresql(make_app)
    client = app.test_client()
    for path in ("/?lang=fr", f"/recordings/{SLUG}", "/search?q=kentlerde", "/api/v1/recordings"):
        with Autocommit(app) as statements:
            assert client.get(path).status_code == 200
        assert statements.seen and all(statements.seen), path

    token = api_token(app, "archiviste@example.org", "archivist", display_name="Archiviste")
    with Autocommit(app) as statements:
        upload = client.put(
            f"/api/v1/recordings/{SLUG}/subtitles/de",
            data=vtt([(0, 2000, "Widerstandsfähige Städte.")]),
            headers={"Authorization": f"Bearer {token}"},
        )
    assert upload.status_code == 201, upload.get_json()
    assert statements.seen and not any(statements.seen)
    # And a reader with a token (a script, who may be about to write) reads in a transaction too.
    with Autocommit(app) as statements:
        assert client.get("/api/v1/recordings", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert statements.seen and not any(statements.seen)
    # The write is there for the next anonymous reader, in autocommit.
    with Autocommit(app) as statements:
        listed = client.get("/api/v1/recordings").get_json()
    assert all(statements.seen)
    assert "de" in [s["language"] for s in listed["recordings"][0]["subtitles"]]


def kill_the_apps_connections(app: Flask) -> None:
    """End the app's pooled connections on the server, as a restart does, leaving the pool unaware."""
    with app.app_context():
        pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
        db.session.remove()
    killer = create_engine(PG_TEST_URL)
    try:
        with killer.begin() as connection:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        killer.dispose()


def a_new_window(per_page: int) -> str:
    """A page of the recordings API not asked for before: it reads its window of ids from the database (what was
    read since the last write is kept, catalogue.recordings.queries.recording_ids)."""
    return f"/api/v1/recordings?per_page={per_page}"


def test_an_idle_connection_that_died_is_replaced_before_use(make_app):
    app = demo_on_postgresql(make_app, CATALOGUE_DB_PING_IDLE_S=0.2)
    client = app.test_client()
    assert client.get(a_new_window(1)).status_code == 200
    kill_the_apps_connections(app)
    time.sleep(0.3)
    assert client.get(a_new_window(2)).status_code == 200


def test_a_connection_in_use_is_not_pinged_and_a_dead_one_costs_one_answer(make_app):
    """Without the ping (the connection was used a moment ago) the dead connection fails its statement: one
    503, then SQLAlchemy drops the pool and the next request reconnects. This is what the ping of idle
    connections saves after a restart, and shows that a busy connection is not pinged."""
    app = demo_on_postgresql(make_app, CATALOGUE_DB_PING_IDLE_S=60)
    client = app.test_client()
    assert client.get(a_new_window(1)).status_code == 200
    kill_the_apps_connections(app)
    assert client.get(a_new_window(2)).status_code == 503
    assert client.get(a_new_window(3)).status_code == 200
