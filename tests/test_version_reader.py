"""The catalogue version on SQLite, read on a plain connection per thread, and what is kept under it.

SQLite has no NOTIFY, so every cached page and every fact kept per version (catalogue.pagecache.kept_fact) reads the
version row. catalogue.versionwatch.SqliteVersionReader reads it on a sqlite3 connection of its own per thread and
process, in autocommit: another process's write is seen by the very next read. A subtitle file's revalidation
keeps its ETag per version (catalogue.subtitles.queries.current_etag), so a 304 reads nothing else, and a new
revision is served at once.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from flask import Flask

from catalogue import pagecache
from catalogue.extensions import db
from catalogue.versionwatch import SqliteVersionReader, sqlite_file
from tests.conftest import api_token, create_schema
from tests.factories import vtt
from tests.test_pagecache import QueryCounter

SLUG = "workshop-1-building-resilience"


@pytest.fixture
def sqlite_apps(make_app, tmp_path: Path) -> tuple[Flask, Flask]:
    """Two apps (two workers) on one SQLite file, whichever database the run is for."""
    url = f"sqlite:///{tmp_path / 'versions.sqlite'}"
    first = make_app(SQLALCHEMY_DATABASE_URI=url)
    with first.app_context():
        create_schema()
    return first, make_app(SQLALCHEMY_DATABASE_URI=url)


def test_another_workers_write_is_seen_by_the_next_read(sqlite_apps):
    reader_app, writer_app = sqlite_apps
    assert "catalogue_version_reader" in reader_app.extensions
    before = pagecache.current_version(reader_app)
    with writer_app.app_context():
        version = pagecache.bump(db.session.connection())
        db.session.commit()
    assert version == before + 1
    assert pagecache.current_version(reader_app) == version


def test_a_read_never_creates_the_database_file(tmp_path: Path):
    missing = tmp_path / "nowhere.sqlite"
    reader = SqliteVersionReader(str(missing), busy_timeout_s=1)
    with pytest.raises(sqlite3.OperationalError):
        reader.read()
    assert not missing.exists()
    reader.close()


def test_a_missing_version_table_is_reported_as_the_engine_reports_it(make_app, tmp_path: Path):
    """The reader gives way to the engine on any sqlite3 error: the same error as before it existed."""
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'empty.sqlite'}")
    with app.app_context():
        db.session.connection().exec_driver_sql("CREATE TABLE unrelated (id INTEGER)")
        db.session.commit()
    with pytest.raises(Exception) as raised:
        pagecache.current_version(app)
    assert "catalogue_version" in str(raised.value)
    assert type(raised.value).__module__.startswith("sqlalchemy")


def test_each_process_reads_on_its_own_connection(sqlite_apps):
    """gunicorn forks workers: a connection opened before the fork is never used after it."""
    app, _writer = sqlite_apps
    reader: SqliteVersionReader = app.extensions["catalogue_version_reader"]
    version = reader.read()
    parent_connection = reader._local.connection
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through the pipe
        try:
            ok = reader.read() == version and reader._local.connection is not parent_connection
            os.write(write_end, b"1" if ok else b"0")
        finally:
            os._exit(0)
    os.close(write_end)
    answer = os.read(read_end, 1)
    os.waitpid(pid, 0)
    os.close(read_end)
    assert answer == b"1"
    assert reader._local.connection is parent_connection
    assert reader.read() == version


def test_only_a_plain_sqlite_file_gets_a_reader():
    from sqlalchemy.engine import make_url

    assert sqlite_file(make_url("sqlite:////srv/catalogue.sqlite")) == "/srv/catalogue.sqlite"
    assert sqlite_file(make_url("sqlite://")) is None
    assert sqlite_file(make_url("sqlite:///:memory:")) is None
    assert sqlite_file(make_url("sqlite:///file:catalogue?mode=ro&uri=true")) is None
    assert sqlite_file(make_url("postgresql+psycopg://u:p@localhost/catalogue")) is None


def test_a_revalidated_subtitle_file_reads_only_the_version_and_a_new_revision_is_served_at_once(make_app, demo_app):
    app = make_app(CATALOGUE_PAGE_CACHE_BYTES=0)
    client = app.test_client()
    path = f"/recordings/{SLUG}/subtitles/en.vtt"
    first = client.get(path)
    etag = first.headers["ETag"]
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    with QueryCounter(app) as queries:
        again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    # Nothing but the version on the app's engine (SQLite reads it on its own connection, PostgreSQL in this
    # suite reads the row: CATALOGUE_VERSION_POLL_S is 0).
    assert all("catalogue_version" in statement for statement in queries.statements), queries.statements

    token = api_token(app, "archiviste@example.org", "archivist", display_name="Archiviste")
    upload = client.put(
        f"/api/v1/recordings/{SLUG}/subtitles/en",
        data=vtt([(0, 2000, "A new first line.")]),
        headers={"Authorization": f"Bearer {token}"},
    )
    assert upload.status_code in (200, 201), upload.get_json()
    changed = client.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert "A new first line." in changed.get_data(as_text=True)
