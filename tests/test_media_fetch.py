"""Media fetched from an address: only public http(s) addresses by default (no way into our own network), every
redirect checked again, the same checks as an upload once the file is in, and a failure that names the address."""

from __future__ import annotations

import http.server
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from catalogue.accounts.models import Role, User
from catalogue.extensions import db
from catalogue.jobs.models import Job
from catalogue.media.fetch import check_url
from catalogue.recordings.models import AudioTrack
from tests.conftest import csrf_token_from
from tests.test_media import (
    PROJECT_ROOT,
    SLUG,
    archivist,  # noqa: F401  (a fixture)
    master,
    media,  # noqa: F401  (a fixture)
    media_app,  # noqa: F401  (a fixture)
    worker_environment,
)


class _Files(http.server.SimpleHTTPRequestHandler):
    """Serves the test's folder; /moved redirects to /fr.m4a, as media hosts and CDNs do."""

    def do_GET(self) -> None:
        if self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "/fr.m4a")
            self.end_headers()
            return
        super().do_GET()

    def log_message(self, *_args: Any) -> None:
        """Quiet."""


@pytest.fixture
def origin(media: dict[str, Path], tmp_path: Path) -> Iterator[str]:  # noqa: F811
    folder = tmp_path / "origin"
    folder.mkdir()
    shutil.copy(media["fr.m4a"], folder / "fr.m4a")
    (folder / "notes.txt").write_text("Not media at all.\n" * 50, encoding="utf-8")

    def handler(*args: Any) -> _Files:
        return _Files(*args, directory=str(folder))

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _worker(app: Flask, **settings: str) -> subprocess.CompletedProcess[str]:
    """A real queue worker, allowed to fetch from this machine (the origin above listens on 127.0.0.1)."""
    environment = worker_environment(app) | {"CATALOGUE_MEDIA_FETCH_PRIVATE": "1", **settings}
    command = [sys.executable, "-m", "flask", "--app", "catalogue", "jobs", "work", "--burst"]
    return subprocess.run(command, cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True, timeout=180)


def _post(app: Flask, headers: dict[str, str], **fields: str) -> Any:
    data = {"kind": "interpretation", "languages": "fr", **fields}
    return app.test_client().post(
        f"/api/v1/recordings/{SLUG}/media", data=data, headers=headers, content_type="multipart/form-data"
    )


def _counts(app: Flask) -> tuple[int, int]:
    with app.app_context():
        jobs = db.session.scalar(select(func.count()).select_from(Job)) or 0
        tracks = db.session.scalar(select(func.count()).select_from(AudioTrack)) or 0
        return jobs, tracks


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://127.0.0.1:9/fr.m4a", "private-address"),
        ("http://localhost/fr.m4a", "private-address"),
        ("http://169.254.169.254/latest/meta-data/", "private-address"),
        ("http://[::1]/fr.m4a", "private-address"),
        ("http://10.1.2.3/fr.m4a", "private-address"),
        ("file:///etc/passwd", "bad-url"),
        ("ftp://example.org/fr.m4a", "bad-url"),
        ("https://user:secret@example.org/fr.m4a", "credentials"),
        ("http://no-such-host.invalid/fr.m4a", "unknown-host"),
    ],
)
def test_an_address_inside_our_network_or_not_http_is_refused_naming_the_field(
    media_app: Flask,  # noqa: F811
    archivist: dict[str, str],  # noqa: F811
    url: str,
    code: str,
) -> None:
    response = _post(media_app, archivist, url=url)
    assert response.status_code == 422
    error = response.get_json()["errors"][0]
    assert (error["field"], error["code"]) == ("url", code)
    assert _counts(media_app) == (0, 0)


def test_a_redirect_is_checked_like_the_first_address(media_app: Flask) -> None:  # noqa: F811
    """The worker checks every hop with the same function: a public page cannot send it to the metadata service."""
    with media_app.test_request_context():
        with pytest.raises(Exception) as refused:
            check_url("http://169.254.169.254/latest/meta-data/")
        assert getattr(refused.value, "code", None) == "private-address"
        media_app.config["CATALOGUE_MEDIA_FETCH_PRIVATE"] = True
        assert check_url("http://127.0.0.1:8080/a.mp4").address == "127.0.0.1"


def test_a_file_fetched_through_a_redirect_becomes_a_track_and_is_packaged(
    media_app: Flask,  # noqa: F811
    archivist: dict[str, str],  # noqa: F811
    origin: str,
) -> None:
    media_app.config["CATALOGUE_MEDIA_FETCH_PRIVATE"] = True
    response = _post(media_app, archivist, url=f"{origin}/moved", label="Français (interprétation)")
    assert response.status_code == 202, response.get_json()
    job_url = response.get_json()["job"]["url"]

    finished = _worker(media_app)
    assert finished.returncode == 0, finished.stderr
    client = media_app.test_client()
    assert client.get(job_url, headers=archivist).get_json()["state"] == "done"
    with media_app.app_context():
        track = db.session.scalar(select(AudioTrack))
        assert track is not None and (track.label, track.languages) == ("Français (interprétation)", ["fr"])
    audio, _variants = master(client)
    assert [a["LANGUAGE"] for a in audio] == ["fr"]
    # The downloaded copy is gone; only the kept source remains.
    sources = Path(media_app.config["CATALOGUE_MEDIA_DIR"]) / "sources" / SLUG
    assert [p.name for p in sources.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize(
    ("path", "settings", "said"),
    [
        ("/missing.m4a", {}, "answered 404"),
        ("/notes.txt", {}, "notes.txt"),
        ("/fr.m4a", {"CATALOGUE_MAX_MEDIA_BYTES": "1000"}, "too large"),
    ],
)
def test_a_fetch_that_fails_says_why_and_keeps_nothing(
    media_app: Flask,  # noqa: F811
    archivist: dict[str, str],  # noqa: F811
    origin: str,
    path: str,
    settings: dict[str, str],
    said: str,
) -> None:
    media_app.config["CATALOGUE_MEDIA_FETCH_PRIVATE"] = True
    response = _post(media_app, archivist, url=f"{origin}{path}")
    assert response.status_code == 202
    finished = _worker(media_app, **settings)
    assert finished.returncode == 1  # --burst: a job failed
    job = media_app.test_client().get(response.get_json()["job"]["url"], headers=archivist).get_json()
    assert job["state"] == "failed" and said in job["error"]
    assert _counts(media_app) == (1, 0)
    sources = Path(media_app.config["CATALOGUE_MEDIA_DIR"]) / "sources" / SLUG
    assert not sources.exists() or list(sources.iterdir()) == []


def test_the_archive_page_fetches_from_an_address(
    media_app: Flask,  # noqa: F811
    login: Any,
    origin: str,
) -> None:
    media_app.config["CATALOGUE_MEDIA_FETCH_PRIVATE"] = True
    with media_app.app_context():
        keeper = User(email="keeper@example.org", display_name="Keeper", role=Role.ARCHIVIST)
        keeper.set_password("secret-pass")
        db.session.add(keeper)
        db.session.commit()
    client = media_app.test_client()
    login(client, "keeper@example.org")
    page = client.get(f"/archive/recordings/{SLUG}/media")
    assert page.status_code == 200
    form = {
        "csrf_token": csrf_token_from(page.get_data(as_text=True)),
        "url": f"{origin}/fr.m4a",
        "kind": "interpretation",
        "languages": "fr",
    }
    sent = client.post(f"/archive/recordings/{SLUG}/media", data=form)
    assert sent.status_code == 303
    shown = client.get(f"/archive/recordings/{SLUG}/media").get_data(as_text=True)
    assert "Fetching the file" in shown
    # Neither a file nor an address: the form says what is missing.
    refused = client.post(
        f"/archive/recordings/{SLUG}/media", data={**form, "url": ""}, content_type="multipart/form-data"
    )
    assert refused.status_code == 422
    assert "give its address on the web" in refused.get_data(as_text=True)
