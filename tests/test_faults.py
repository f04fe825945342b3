"""A worker killed (SIGKILL) in the middle of a write leaves the old state or the new one, never half of one."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import func, select

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
        from catalogue.translating import service
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
