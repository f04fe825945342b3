"""The production setup: gunicorn with several workers sharing one database and one translations/ folder."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import api_token

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode()


@pytest.fixture
def gunicorn(demo_app, database_url, tmp_path):
    """Two gunicorn workers over the demo database and a copy of translations/."""
    folder = tmp_path / "translations"
    shutil.copytree(PROJECT_ROOT / "translations", folder, ignore=shutil.ignore_patterns(".*.lock"))
    port = free_port()
    env = os.environ | {
        "DATABASE_URL": database_url,
        "CATALOGUE_TRANSLATIONS_DIR": str(folder),
        "SECRET_KEY": "test",
        "CATALOGUE_MEDIA_DIR": str(tmp_path / "media"),
        "CATALOGUE_BIND": f"127.0.0.1:{port}",
        "CATALOGUE_WORKERS": "2",
        "CATALOGUE_THREADS": "1",
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    log = (tmp_path / "gunicorn.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "python:catalogue.gunicorn_config", "catalogue.wsgi:app"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            get(f"{base}/api/v1/recordings")
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail("gunicorn did not start: " + (tmp_path / "gunicorn.log").read_text())
            time.sleep(0.2)
    yield base
    process.terminate()
    process.wait(timeout=20)
    log.close()


def put(url: str, token: str, body: bytes, content_type: str) -> int:
    request = urllib.request.Request(
        url, data=body, method="PUT", headers={"Authorization": f"Bearer {token}", "Content-Type": content_type}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


def test_an_edit_through_one_worker_is_seen_by_every_worker(gunicorn, demo_app):
    token = api_token(demo_app, "translator@example.org", "translator", display_name="Fr", locales=("fr",))
    # Every worker has served (and cached) the French catalogue.
    for _ in range(12):
        assert "Aller au contenu" in get(f"{gunicorn}/?lang=fr")
    messages = f"{gunicorn}/api/v1/translations/fr/messages/messages"
    revision = int(get(messages).split('"revision":')[1].split(",")[0].split("}")[0])
    body = (
        '{"msgid": "Skip to content", "context": null, "msgstr": "Sauter au contenu", "fuzzy": false, '
        f'"base_revision": {revision}}}'
    ).encode()
    assert put(messages, token, body, "application/json") == 200
    pages = [get(f"{gunicorn}/?lang=fr") for _ in range(12)]
    assert all("Sauter au contenu" in page for page in pages)


def test_an_upload_through_one_worker_is_seen_by_every_worker(gunicorn, demo_app):
    """Every worker keeps the public pages it rendered (catalogue.pagecache): none may serve the old file."""
    slug = "workshop-1-building-resilience"
    new_text = {
        f"{gunicorn}/recordings/{slug}/subtitles/fr.vtt": "Égalité, fraternité",
        f"{gunicorn}/search?q=fraternite": "Égalité, <mark>fraternité</mark>",
    }
    for _ in range(12):
        assert all(text not in get(page) for page, text in new_text.items())
    srt = (PROJECT_ROOT / "tests" / "data" / "fr-crlf.srt").read_bytes()
    token = api_token(demo_app, "archivist@example.org", "archivist", display_name="Fr", locales=("fr",))
    assert put(f"{gunicorn}/api/v1/recordings/{slug}/subtitles/fr", token, srt, "application/x-subrip") in (200, 201)
    for _ in range(12):
        assert all(text in get(page) for page, text in new_text.items())
