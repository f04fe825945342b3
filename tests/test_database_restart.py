"""PostgreSQL restarted under a running app: clean 503s while it is down, answers again after, no app restart.

Runs against PostgreSQL in both suite runs (the SQLite run too): `make test` starts the cluster for them.
"""

from __future__ import annotations

import os
import subprocess
import time

import pytest

from catalogue.demo.cli import load_demo
from catalogue.extensions import db
from tests.conftest import create_schema, reset_database

pytestmark = pytest.mark.faults
PG_URL = os.environ.get("PG_TEST_URL", "postgresql+psycopg://catalogue:catalogue@127.0.0.1:5432/catalogue_test")


def cluster(action: str) -> None:
    subprocess.run(
        ["pg_ctlcluster", "15", "main", action, *(["-m", "fast"] if action == "stop" else [])],
        check=True,
        capture_output=True,
        timeout=60,
    )
    if action == "start":
        for _ in range(60):
            if subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"], check=False).returncode == 0:
                return
            time.sleep(0.5)


def test_the_app_survives_a_database_restart(make_app):
    app = make_app(SQLALCHEMY_DATABASE_URI=PG_URL)
    with app.app_context():
        reset_database()
        create_schema()
        load_demo()
    client = app.test_client()
    assert client.get("/api/v1/recordings").status_code == 200
    cluster("stop")
    try:
        down = client.get("/api/v1/recordings")
        assert down.status_code == 503
        assert down.headers["Retry-After"] == "5"
        assert down.get_json()["errors"][0]["code"] == "database-unavailable"
        page = client.get("/?lang=fr")
        assert page.status_code == 503 and "base de données" in page.get_data(as_text=True)
    finally:
        cluster("start")
    assert client.get("/api/v1/recordings").status_code == 200
    assert client.get("/?lang=fr").status_code == 200
    with app.app_context():
        assert db.session.execute(db.text("SELECT 1")).scalar() == 1
