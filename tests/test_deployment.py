"""The production setup: gunicorn with several workers sharing one database and one translations/ folder."""

from __future__ import annotations

import http.client
import shutil
import time
import urllib.parse
import urllib.request
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest

from benchmarks.load import Gunicorn
from config import Config
from tests.conftest import api_token

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode()


@pytest.fixture
def gunicorn(demo_app, database_url, tmp_path):
    """Two gunicorn workers (threaded, as in production) over the demo database and a copy of translations/."""
    folder = tmp_path / "translations"
    shutil.copytree(PROJECT_ROOT / "translations", folder, ignore=shutil.ignore_patterns(".*.lock"))
    server = Gunicorn(
        database_url,
        workers=2,
        threads=4,
        log=tmp_path / "gunicorn.log",
        extra_env={"CATALOGUE_TRANSLATIONS_DIR": str(folder), "CATALOGUE_MEDIA_DIR": str(tmp_path / "media")},
    )
    yield server.base
    server.stop()


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
    # On PostgreSQL the other worker hears of the write by notification (catalogue.versionwatch): milliseconds as a
    # rule, 2 × CATALOGUE_VERSION_POLL_S at worst. Wait that bound, then every answer must be the new one.
    deadline = time.monotonic() + 2 * Config.CATALOGUE_VERSION_POLL_S + 0.5
    while time.monotonic() < deadline and not all(text in get(page) for page, text in new_text.items()):
        time.sleep(0.05)
    for _ in range(12):
        assert all(text in get(page) for page, text in new_text.items())


def test_workers_are_the_catalogues_threaded_workers(gunicorn, tmp_path):
    """The workers that leave new connections to the others while they are busy (catalogue.gunicorn_config)."""
    assert get(f"{gunicorn}/healthz") == "ok\n"
    assert "Using worker: catalogue.gunicorn_config.ThreadWorker" in (tmp_path / "gunicorn.log").read_text()


def answer(url: str, headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
    """The response as sent, every header line kept (urllib would raise on a 304)."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.netloc, timeout=10)
    connection.request("GET", parts.path, headers=headers or {})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def test_every_answer_carries_one_date_the_moment_it_is_sent(gunicorn):
    """gunicorn dates every response itself and drops the app's Date: a 304 is built without one, and a page
    answered from the page cache must not carry the moment it was kept."""
    home = f"{gunicorn}/?lang=en"
    kept = answer(home)
    time.sleep(1.1)
    again = answer(home)
    assert again.status == 200 and again.getheader("ETag") == kept.getheader("ETag")  # The kept page, replayed.
    assert len(again.headers.get_all("Date")) == 1
    assert parsedate_to_datetime(again.getheader("Date")) > parsedate_to_datetime(kept.getheader("Date"))
    vtt = f"{gunicorn}/recordings/workshop-1-building-resilience/subtitles/fr.vtt"
    served = answer(vtt)
    assert served.status == 200 and len(served.headers.get_all("Date")) == 1
    revalidated = answer(vtt, {"If-None-Match": served.getheader("ETag")})
    assert revalidated.status == 304 and len(revalidated.headers.get_all("Date")) == 1
