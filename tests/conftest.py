"""Fixtures in the style of the Flask tutorial: app, client, runner, plus the demo summit and a live server.

The database is real: a fresh SQLite file per test, or the PostgreSQL database named by TEST_DATABASE_URL
(`make test` runs the whole suite once on each). `app` and `client` start empty: a test that needs the summit
asks for `demo` (or `demo_app`, `demo_client`); one that needs a recording or two builds them with
tests/factories.py.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import text
from werkzeug.serving import make_server

from catalogue import create_app, pagecache
from catalogue.demo.cli import load_demo
from catalogue.extensions import db
from catalogue.search import index as search_index
from tests.factories import make_account, make_api_token

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
# What only PostgreSQL does is tested on it in both suite runs (the SQLite one too): `make test` starts it.
PG_TEST_URL = os.environ.get("PG_TEST_URL", "postgresql+psycopg://catalogue:catalogue@127.0.0.1:5432/catalogue_test")
PROJECT_ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
# The read-only corpora beside the repository (conformance cases, other projects' files): design.md §7.
SHARED = PROJECT_ROOT.parent / "shared"


def shared_folder(*parts: str) -> Path:
    """A folder of ../shared. Outside a checkout that has shared/ beside it, the tests that read it are skipped,
    saying so; in CI (the CI variable set) a missing folder is a failure, never a skip."""
    folder = SHARED.joinpath(*parts)
    if not folder.is_dir():
        message = f"{folder} is missing: these tests read the shared corpora beside the repository (../shared)."
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return folder


def reset_database() -> None:
    """Drop everything, Alembic's bookkeeping included, so each test starts from an empty schema."""
    with db.engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            connection.execute(text("DROP TABLE IF EXISTS search_fts"))
    db.drop_all()
    with db.engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


def create_schema() -> None:
    """Tests only: the real schema comes from `flask db upgrade` (tested separately)."""
    db.create_all()
    with db.engine.begin() as connection:
        search_index.install(connection)  # The full-text structures the migration creates.


@pytest.fixture(scope="session", autouse=True)
def compiled_translations() -> None:
    # The app reads compiled .mo files; compile the committed .po files once per run, as `make` does.
    runner = create_app({"TESTING": True}).test_cli_runner()
    result = runner.invoke(args=["translations", "compile"])
    assert result.exit_code == 0, result.output


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'catalogue.sqlite'}"


@pytest.fixture
def make_app(tmp_path: Path, database_url: str) -> Iterator[Callable[..., Flask]]:
    """Build test apps on the test database; their connections are closed when the test ends."""
    apps: list[Flask] = []

    def make(**overrides: Any) -> Flask:
        config = {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "CATALOGUE_MEDIA_DIR": str(tmp_path / "media"),
            # No test writes to instance/: the queue's storage is the test's own.
            "CATALOGUE_QUEUE_URL": f"sqlite:///{tmp_path / 'queue.sqlite'}",
            # The demo's videos are packaged by their own tests (tests/test_demo.py): seconds, not for every test.
            "CATALOGUE_DEMO_VIDEO": False,
            # Every cached request reads the catalogue version, so a write through one test app is seen by another
            # on its next request; the pushed version (PostgreSQL) and its bound: tests/test_version_push.py.
            "CATALOGUE_VERSION_POLL_S": 0,
        }
        app = create_app(config | overrides)
        apps.append(app)
        return app

    yield make
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        pagecache.dispose(app)


@pytest.fixture
def empty_app(make_app: Callable[..., Flask]) -> Flask:
    """An app on an empty database (no tables): for migration tests."""
    app = make_app()
    with app.app_context():
        reset_database()
    return app


@pytest.fixture
def pg_app(make_app: Callable[..., Flask]) -> Flask:
    """An app with the current schema and no data on PostgreSQL, whichever database the run is for."""
    app = make_app(SQLALCHEMY_DATABASE_URI=PG_TEST_URL)
    with app.app_context():
        reset_database()
        create_schema()
    return app


@pytest.fixture
def app(empty_app: Flask) -> Flask:
    """An app with the current schema and no data."""
    with empty_app.app_context():
        create_schema()
    return empty_app


@pytest.fixture
def demo(app: Flask) -> Flask:
    """The summit demo loaded into the test's app, as the first README command leaves it (the app `client`
    talks to). Ask for it when the test is about the summit: its people, texts, subtitles, search hits."""
    with app.app_context():
        load_demo()
    return app


@pytest.fixture
def demo_app(demo: Flask) -> Flask:
    """`demo`, under the name fixtures and browser tests use for the app itself."""
    return demo


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A client of the test's app: an empty catalogue unless the test asks for `demo` or builds rows."""
    return app.test_client()


@pytest.fixture
def demo_client(demo: Flask) -> FlaskClient:
    return demo.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@contextlib.contextmanager
def served(app: Flask) -> Iterator[str]:
    """An app served over real HTTP on a free loopback port (threaded, as a browser opens several connections);
    its base URL while the block runs."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture
def live_server(demo_app: Flask) -> Iterator[str]:
    """The demo app served over real HTTP on loopback, for the browser tests."""
    with served(demo_app) as base:
        yield base


CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*\bvalue="([^"]+)"|value="([^"]+)"[^>]*\bname="csrf_token"')


def csrf_token_from(page: str) -> str:
    """The CSRF token a rendered form carries (CSRF stays on in tests: they prove it works)."""
    match = CSRF_INPUT.search(page)
    assert match, "no csrf_token input on the page"
    return match.group(1) or match.group(2)


@pytest.fixture
def make_user(app: Flask) -> Callable[..., Any]:
    """Create an account directly in the database: make_user("a@example.org", "archivist", locales=("fr",))."""

    def make(
        email: str,
        role: str = "viewer",
        password: str = "secret-pass",
        locales: tuple[str, ...] | list[str] = (),
        **fields: Any,
    ) -> int:
        with app.app_context():
            return make_account(email, role, password=password, locales=locales, **fields).id

    return make


def api_token(app: Flask, email: str, role: str, *, display_name: str, locales: tuple[str, ...] = ()) -> str:
    """Create an account directly in the database and return a new API token for it (scripts' Bearer token)."""
    with app.app_context():
        return make_api_token(make_account(email, role, display_name=display_name, locales=locales))


@pytest.fixture
def translations_copy(tmp_path: Path) -> Path:
    """A copy of translations/ without compiled files or locks, for tests that edit catalogues."""
    target = tmp_path / "translations"
    shutil.copytree(PROJECT_ROOT / "translations", target, ignore=shutil.ignore_patterns("*.mo", ".*.lock"))
    return target


@pytest.fixture
def translated_app(make_app: Callable[..., Flask], translations_copy: Path) -> Flask:
    """An app with the demo loaded, on its own copy of the catalogues, compiled."""
    app = make_app(CATALOGUE_TRANSLATIONS_DIR=str(translations_copy))
    assert app.test_cli_runner().invoke(args=["translations", "compile"]).exit_code == 0
    with app.app_context():
        reset_database()
        create_schema()
        load_demo()
    return app


@pytest.fixture
def login() -> Callable[..., Any]:
    """Sign in through the real form, CSRF token included: login(client, email, password) returns the response."""

    def sign_in(client: FlaskClient, email: str, password: str = "secret-pass", **extra: Any) -> Any:
        page = client.get("/login").get_data(as_text=True)
        data = {"email": email, "password": password, "csrf_token": csrf_token_from(page), **extra}
        return client.post("/login", data=data)

    return sign_in


@pytest.fixture
def read_csrf_token() -> Callable[[str], str]:
    """csrf_token_from as a fixture, for test modules."""
    return csrf_token_from
