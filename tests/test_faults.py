"""A worker killed (SIGKILL) in the middle of a write leaves the old state or the new one, never half of one."""

from __future__ import annotations

import argparse
import http.client
import itertools
import os
import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from benchmarks.load import Gunicorn, prepare_catalogue
from catalogue.extensions import db
from catalogue.subtitles.models import Cue, SubtitleRevision
from catalogue.translating.pofile import read_catalogue_file

pytestmark = pytest.mark.faults
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SLUG = "workshop-1-building-resilience"


def run_and_get_killed(script: str, env: dict[str, str]) -> None:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        cwd=PROJECT_ROOT,
        env=os.environ | env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == -9, result.stdout + result.stderr  # Killed by SIGKILL, as planned.


def test_a_worker_killed_during_a_subtitle_upload_leaves_the_old_revision(demo_app, database_url, tmp_path):
    client = demo_app.test_client()
    before = client.get(f"/recordings/{SLUG}/subtitles/fr.vtt").data
    with demo_app.app_context():
        counts = (
            db.session.scalar(select(func.count()).select_from(SubtitleRevision)),
            db.session.scalar(select(func.count()).select_from(Cue)),
        )
        db.session.remove()
        db.engine.dispose()
    run_and_get_killed(
        f"""
        import os, signal
        from sqlalchemy import event, select
        from sqlalchemy.orm import Session
        from catalogue import create_app
        from catalogue.extensions import db
        from catalogue.recordings.models import Recording
        from catalogue.subtitles.store import publish_subtitle
        app = create_app({{"SQLALCHEMY_DATABASE_URI": {database_url!r}, "CATALOGUE_MEDIA_DIR": {str(tmp_path)!r}}})
        with app.app_context():
            recording = db.session.scalar(select(Recording).where(Recording.slug == {SLUG!r}))
            # The revision and its cues are written; the process dies before the commit.
            event.listen(Session, "before_commit", lambda session: os.kill(os.getpid(), signal.SIGKILL))
            data = open({str(DATA / "fr-windows-1252.srt")!r}, "rb").read()
            publish_subtitle(recording, "fr", data, filename="x.srt")
    """,
        {},
    )
    with demo_app.app_context():
        assert (
            db.session.scalar(select(func.count()).select_from(SubtitleRevision)),
            db.session.scalar(select(func.count()).select_from(Cue)),
        ) == counts
    assert client.get(f"/recordings/{SLUG}/subtitles/fr.vtt").data == before


def test_a_worker_killed_between_the_po_and_the_mo_heals_on_the_next_look(
    translated_app, translations_copy, database_url
):
    app, folder = translated_app, translations_copy
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    client = app.test_client()
    revision = client.get("/api/v1/translations/fr/messages/messages").get_json()["revision"]
    run_and_get_killed(
        f"""
        import os, signal
        from catalogue import create_app
        from catalogue.accounts.models import Role, User
        from catalogue.extensions import db
        from catalogue.translating import services as service
        app = create_app({{"SQLALCHEMY_DATABASE_URI": {database_url!r}, "CATALOGUE_TRANSLATIONS_DIR": {str(folder)!r}}})
        with app.test_request_context():
            user = User(email="fr@example.org", display_name="Fr", role=Role.ADMIN)
            user.set_password("secret-pass")
            db.session.add(user)
            db.session.commit()
            # The .po is renamed into place; the process dies before the .mo is written.
            service.compile_mo = lambda *args: os.kill(os.getpid(), signal.SIGKILL)
            service.save_entry("fr", "messages", user, msgid="Skip to content", context=None,
                               msgstr="Sauter au contenu", fuzzy=False, base_revision={revision})
    """,
        {},
    )
    po = folder / "fr" / "LC_MESSAGES" / "messages.po"
    assert read_catalogue_file(po).find("Skip to content", None).msgstr == "Sauter au contenu"  # A whole new file.
    assert not list(po.parent.glob(".messages.po.*.tmp"))
    # The next look at the catalogue notices the change and compiles it; the site then shows it.
    assert client.get("/api/v1/translations/fr/messages/messages").get_json()["revision"] == revision + 1
    assert "Sauter au contenu" in client.get("/?lang=fr").get_data(as_text=True)


# The pages rendered under load (the page cache is off below, so every request renders): the catalogue in several
# languages and pages, and watch pages. {slug} is the first recording of the synthetic catalogue.
LOADED_PATHS = ("/", "/?lang=fr", "/?lang=tr&page=2", "/?page=3", "/recordings/{slug}", "/recordings/{slug}?lang=tr")


def hammer(port: int, paths: list[str], seconds: float, clients: int, limit: int = 200_000) -> Counter:
    """Keep-alive GETs from `clients` threads on loopback for `seconds` (at most `limit` in all): statuses counted,
    a failed connection counted under its exception's name."""
    outcomes: Counter = Counter()
    deadline = time.monotonic() + seconds
    sent = itertools.count()

    def client(offset: int) -> None:
        connection = None
        for path in itertools.islice(itertools.cycle(paths), offset, None):
            if time.monotonic() > deadline or next(sent) >= limit:
                break
            try:
                connection = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                outcomes[response.status] += 1
            except (OSError, http.client.HTTPException) as error:
                outcomes[type(error).__name__] += 1
                connection = None
        if connection is not None:
            connection.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_threaded_workers_render_pages_for_a_minute_without_dying(tmp_path):
    """Regression: 4 threads per worker crashed workers with SIGSEGV within minutes of rendering pages (see
    catalogue.gunicorn_config.CollectionGate). 2 workers x 4 threads, every request rendered, 8 clients, 60 s.

    On the load benchmark's synthetic catalogue (1,000 recordings, one cue per track: built in seconds, on SQLite
    whatever the test database): the three-recording demo renders too little to show the crash in a minute."""
    options = argparse.Namespace(recordings=1000, cues=1, folder=tmp_path, seed=1, rebuild=True)
    catalogue = prepare_catalogue("sqlite", options)
    # The collector runs ~15x as often as by default (thresholds 50, 5, 5 instead of 700, 10, 10): without the
    # gate, workers died within this minute.
    (tmp_path / "sitecustomize.py").write_text("import gc\ngc.set_threshold(50, 5, 5)\n")
    env = {"CATALOGUE_PAGE_CACHE_BYTES": "0", "PYTHONPATH": os.pathsep.join([str(tmp_path), str(PROJECT_ROOT)])}
    log = tmp_path / "gunicorn.log"
    server = Gunicorn(catalogue["url"], workers=2, threads=4, log=log, extra_env=env)
    try:
        workers_before = sorted(server.workers())
        paths = [path.format(slug=catalogue["targets"]["slug"]) for path in LOADED_PATHS]
        outcomes = hammer(server.port, paths, seconds=60, clients=8)
        workers_after = sorted(server.workers())
    finally:
        server.stop()
    text = log.read_text()
    assert "SIGSEGV" not in text and "exited with code" not in text and "Fatal Python error" not in text, text[-3000:]
    assert len(workers_before) == 2 and workers_after == workers_before, text[-3000:]
    assert set(outcomes) == {200} and outcomes[200] > 100, outcomes
