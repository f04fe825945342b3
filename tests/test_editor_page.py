"""The archivist's subtitle editor page and its save route: session and CSRF token, never a Bearer token; the
same answers as the edits API (201, 409, 422); links from the archive and the history; data, not inline script."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select

from catalogue.extensions import db
from catalogue.subtitles.models import SubtitleRevision
from tests.factories import make_account, make_api_token, make_recording, make_subtitles

CUES = [(1000, 3000, "Bonjour à tous.", "Ayşe Yılmaz"), (4000, 6000, "Merci d’être venus.")]
PAGE = "/archive/recordings/edited/subtitles/fr/edit"
SAVE = "/archive/recordings/edited/subtitles/fr/edits"


@pytest.fixture
def archivist(app, client, login):
    with app.app_context():
        recording = make_recording(slug="edited", duration_ms=60_000, chapters=[(0, "Opening")])
        make_subtitles(recording, "fr", CUES)
        make_account("archivist@example.org", "archivist", display_name="Zeynep Kaya")
        make_account("translator@example.org", "translator")
    login(client, "archivist@example.org")
    return client


def page_data(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="editor-data">(.*?)</script>', html, re.S)
    assert match
    return json.loads(match.group(1))


def csrf(html: str) -> str:
    match = re.search(r'data-csrf="([^"]+)"', html)
    assert match
    return match.group(1)


def revisions(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(SubtitleRevision)) or 0


def test_the_page_holds_the_current_revision_as_data_and_runs_no_inline_script(archivist):
    response = archivist.get(PAGE + "?lang=en")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    data = page_data(html)
    assert data["revision"] == 1 and data["duration_ms"] == 60_000
    assert [(c["start"], c["end"], c["text"], c["voice"]) for c in data["cues"]] == [
        (1000, 3000, "Bonjour à tous.", "Ayşe Yılmaz"),
        (4000, 6000, "Merci d’être venus.", None),
    ]
    assert data["limits"] == {"line_chars": 42, "lines": 2, "cps": 21.0, "min_ms": 700, "max_ms": 7000}
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert "<h1>Edit subtitles</h1>" in html


def test_cue_text_cannot_close_the_data_block(app, archivist):
    with app.app_context():
        recording = db.session.scalars(select(SubtitleRevision)).first().track.recording
        make_subtitles(recording, "fr", [(1000, 3000, "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;")])
    html = archivist.get(PAGE).get_data(as_text=True)
    assert "</script><script>" not in html
    assert page_data(html)["cues"][0]["text"] == "</script><script>alert(1)</script>"


def test_saving_needs_the_csrf_token(app, archivist):
    body = {"base_revision": 1, "operations": [{"op": "shift", "ms": 500}]}
    assert archivist.post(SAVE, json=body).status_code == 400
    assert archivist.post(SAVE, json=body, headers={"X-CSRFToken": "forged"}).status_code == 400
    assert revisions(app) == 1


def test_a_save_answers_like_the_edits_api(app, archivist):
    token = csrf(archivist.get(PAGE).get_data(as_text=True))
    body = {"base_revision": 1, "operations": [{"op": "text", "cue": 1, "text": "Merci."}, {"op": "shift", "ms": 500}]}
    response = archivist.post(SAVE, json=body, headers={"X-CSRFToken": token})
    assert response.status_code == 201
    saved = response.get_json()
    assert saved["revision"] == 2
    assert [(c["start"], c["text"]) for c in saved["cues"]] == [(1500, "Bonjour à tous."), (4500, "Merci.")]
    assert [w["code"] for w in saved["warnings"]] == []

    stale = archivist.post(SAVE, json=body, headers={"X-CSRFToken": token})
    assert stale.status_code == 409
    conflict = stale.get_json()
    assert conflict["revision"] == 2
    assert conflict["current"]["uploaded_by"] == "Zeynep Kaya" and conflict["current"]["cue_count"] == 2
    assert conflict["current"]["vtt_url"] == "/archive/recordings/edited/subtitles/fr/revisions/2.vtt"

    refused = archivist.post(
        SAVE, json={"base_revision": 2, "operations": [{"op": "merge", "cue": 1}]}, headers={"X-CSRFToken": token}
    )
    assert refused.status_code == 422
    assert refused.get_json()["errors"][0] | {"message": ""} == {
        "line": None,
        "code": "no-next-cue",
        "message": "",
        "operation": 0,
    }
    bad = archivist.post(SAVE, data="{", headers={"X-CSRFToken": token, "Content-Type": "application/json"})
    assert (bad.status_code, bad.get_json()["errors"][0]["field"]) == (422, "body")
    assert revisions(app) == 2


def test_only_archivists_edit_and_a_bearer_token_is_not_a_session(app, client, archivist, login):
    client.post("/logout", data={"csrf_token": csrf(archivist.get(PAGE).get_data(as_text=True))})
    assert client.get(PAGE).status_code == 302  # To the sign-in page.
    login(client, "translator@example.org")
    assert client.get(PAGE).status_code == 403
    with app.app_context():
        token = make_api_token(role="archivist")
    other = app.test_client()
    response = other.post(
        SAVE,
        json={"base_revision": 1, "operations": [{"op": "delete", "cue": 0}]},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code in {302, 400}
    assert revisions(app) == 1


def test_the_archive_and_the_history_link_to_the_editor(archivist):
    assert f'href="{PAGE}"' in archivist.get("/archive/").get_data(as_text=True)
    history = archivist.get("/archive/recordings/edited/subtitles/fr?lang=en").get_data(as_text=True)
    assert f'href="{PAGE}"' in history and "Edit in the browser" in history
    assert archivist.get("/archive/recordings/edited/subtitles/en/edit").status_code == 404
