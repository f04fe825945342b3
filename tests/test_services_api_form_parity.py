"""The API and the archivist's forms write through the same domain services, so they refuse the same values
with the same message naming the field, and store nothing (design.md §4, §9).

Each case sends one bad value both ways over real HTTP: the JSON answer names the field (its own key, and the
message "<field>: <reason>"), the form page shows the same reason next to its field, and no row is added.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import func, select

from catalogue.extensions import db
from catalogue.recordings.models import AudioTrack, Recording
from catalogue.subtitles.models import SubtitleRevision, SubtitleTrack, SubtitleUpload
from tests.conftest import api_token, csrf_token_from

SLUG = "workshop-1-building-resilience"
EVENT = "mayors-summit-2021"
DATA = Path(__file__).resolve().parent / "data"
VTT = b"WEBVTT\n\n00:00:01.000 --> 00:00:02.500\nwords\n"


def rows(app: Flask, *models: type) -> tuple[int, ...]:
    with app.app_context():
        return tuple(db.session.scalar(select(func.count()).select_from(model)) or 0 for model in models)


@pytest.fixture
def bearer(demo_app: Flask) -> dict[str, str]:
    token = api_token(demo_app, "archivist-api@example.org", "archivist", display_name="Archivist")
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def archivist(demo_app: Flask, make_user, login) -> FlaskClient:
    make_user("archivist-form@example.org", "archivist")
    client = demo_app.test_client()
    assert login(client, "archivist-form@example.org").status_code == 302
    return client


def refusal(response, field: str) -> str:
    """The reason the API gives for refusing `field` (its message is "<field>: <reason>")."""
    errors = response.get_json()["errors"]
    assert [e["field"] for e in errors] == [field], errors
    message = errors[0]["message"]
    assert message.startswith(f"{field}: "), message
    return message.removeprefix(f"{field}: ")


def shows(page: str, field: str, reason: str) -> bool:
    """Whether the form page shows `reason` under the field (between its input and the next field)."""
    start = page.find(f'id="{field}"')
    end = page.find('<div class="field', start)
    return start != -1 and str(escape(reason)) in page[start : end if end != -1 else None]


# --- registering a recording -----------------------------------------------------------------------------------


def post_recording_form(client: FlaskClient, **fields: str):
    page = client.get("/archive/recordings/new").get_data(as_text=True)
    workshop = page.split('<option value="', 1)[1].split('"', 1)[0]
    data = {"csrf_token": csrf_token_from(page), "workshop": workshop, "slug": "w2", "title": "W2", **fields}
    return client.post("/archive/recordings/new", data=data)


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("slug", "a" * 161, "This field may be at most 160 characters long."),
        ("slug", "Workshop 2", "Lower-case letters, digits and hyphens only."),
        ("title", "T" * 301, "This field may be at most 300 characters long."),
        ("poster_url", "javascript:alert(1)", "Give an http or https URL, or a path on this site."),
    ],
)
def test_a_bad_recording_field_is_refused_alike_by_the_api_and_the_form(
    demo_app, bearer, archivist, field, value, expected
):
    before = rows(demo_app, Recording)
    body = {"event": EVENT, "workshop": 2, "slug": "w2", "title": "W2", field: value}
    api = demo_app.test_client().post("/api/v1/recordings", json=body, headers=bearer)
    assert api.status_code == 422
    reason = refusal(api, field)
    assert reason == expected
    form = post_recording_form(archivist, **{field: value})
    assert form.status_code == 422
    assert shows(form.get_data(as_text=True), field, reason)
    assert rows(demo_app, Recording) == before


def test_a_slug_in_use_is_refused_alike_and_the_first_recording_stays(demo_app, bearer, archivist):
    before = rows(demo_app, Recording)
    body = {"event": EVENT, "workshop": 2, "slug": SLUG, "title": "Someone else's"}
    api = demo_app.test_client().post("/api/v1/recordings", json=body, headers=bearer)
    assert api.status_code == 409  # "exists already", as scripts were promised, not a bad value
    reason = refusal(api, "slug")
    form = post_recording_form(archivist, slug=SLUG, title="Someone else's")
    assert form.status_code == 422 and shows(form.get_data(as_text=True), "slug", reason)
    assert rows(demo_app, Recording) == before
    with demo_app.app_context():
        assert db.session.scalar(select(Recording.title).where(Recording.slug == SLUG)) != "Someone else's"


def test_a_good_recording_registers_the_same_both_ways(demo_app, bearer, archivist):
    api = demo_app.test_client().post(
        "/api/v1/recordings",
        json={"event": EVENT, "workshop": 2, "slug": "by-api", "title": "  Spaced  "},
        headers=bearer,
    )
    assert api.status_code == 201 and api.get_json()["title"] == "Spaced"
    assert post_recording_form(archivist, slug="by-form", title="  Spaced  ").status_code == 303
    with demo_app.app_context():
        titles = db.session.scalars(select(Recording.title).where(Recording.slug.in_(["by-api", "by-form"])))
        assert list(titles) == ["Spaced", "Spaced"]


# --- adding an audio track -------------------------------------------------------------------------------------


def post_audio_form(client: FlaskClient, **fields: str):
    page = client.get(f"/archive/recordings/{SLUG}/audio").get_data(as_text=True)
    data = {
        "csrf_token": csrf_token_from(page),
        "slug": "extra",
        "kind": "original",
        "languages": "en",
        "label": "Extra",
        "media_url": "https://media.example.org/extra.opus",
        **fields,
    }
    return client.post(f"/archive/recordings/{SLUG}/audio", data=data)


@pytest.mark.parametrize(
    ("field", "api_value", "form_value", "expected"),
    [
        ("slug", "s" * 61, "s" * 61, "This field may be at most 60 characters long."),
        ("slug", "floor\n", "Floor track", "Lower-case letters, digits and hyphens only."),
        ("label", "L" * 201, "L" * 201, "This field may be at most 200 characters long."),
        ("mime_type", "audio ogg", "audio ogg", "Use a MIME type such as audio/ogg."),
        ("languages", ["en", "pt_BR"], "en, pt_BR", "Language tags use hyphens, not underscores: pt-BR."),
        ("languages", ["en"] * 21, ", ".join(["en"] * 21), "Give a list of 1 to 20 language tags."),
    ],
)
def test_a_bad_audio_track_field_is_refused_alike_by_the_api_and_the_form(
    demo_app, bearer, archivist, field, api_value, form_value, expected
):
    before = rows(demo_app, AudioTrack)
    body = {"slug": "extra", "kind": "original", "languages": ["en"], "label": "Extra", "url": "/x.opus"}
    api = demo_app.test_client().post(
        f"/api/v1/recordings/{SLUG}/audio-tracks", json=body | {field: api_value}, headers=bearer
    )
    assert api.status_code == 422
    reason = refusal(api, field)
    assert reason == expected
    form = post_audio_form(archivist, **{field: form_value})
    assert form.status_code == 422
    assert shows(form.get_data(as_text=True), field, reason)
    assert rows(demo_app, AudioTrack) == before


def test_a_track_slug_in_use_is_refused_alike(demo_app, bearer, archivist):
    with demo_app.app_context():
        taken = db.session.scalars(select(AudioTrack.slug).join(Recording).where(Recording.slug == SLUG)).first()
    before = rows(demo_app, AudioTrack)
    body = {"slug": taken, "kind": "original", "languages": ["en"], "label": "Extra", "url": "/x.opus"}
    api = demo_app.test_client().post(f"/api/v1/recordings/{SLUG}/audio-tracks", json=body, headers=bearer)
    assert api.status_code == 409
    reason = refusal(api, "slug")
    form = post_audio_form(archivist, slug=taken)
    assert form.status_code == 422 and shows(form.get_data(as_text=True), "slug", reason)
    assert rows(demo_app, AudioTrack) == before


# --- uploading subtitles ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("pt_BR", "Language tags use hyphens, not underscores: pt-BR."),
        ("x" * 17, "A language tag has at most 16 characters."),
        ("klingon!", "“klingon!” is not a language tag such as en, fr, pt-BR or zh-Hant."),
    ],
)
def test_a_bad_subtitle_language_is_refused_alike_by_the_api_and_the_form(demo_app, bearer, archivist, tag, expected):
    models = (SubtitleTrack, SubtitleRevision, SubtitleUpload)
    before = rows(demo_app, *models)
    api = demo_app.test_client().put(f"/api/v1/recordings/{SLUG}/subtitles/{tag}", data=VTT, headers=bearer)
    assert api.status_code == 422
    reason = refusal(api, "language")
    assert reason == expected
    page = archivist.get(f"/archive/recordings/{SLUG}/subtitles/upload").get_data(as_text=True)
    data = {"csrf_token": csrf_token_from(page), "language": tag, "format": "", "encoding": ""}
    data["file"] = ((DATA / "en.vtt").open("rb"), "en.vtt")
    form = archivist.post(f"/archive/recordings/{SLUG}/subtitles/upload", data=data, content_type="multipart/form-data")
    assert form.status_code == 422
    assert shows(form.get_data(as_text=True), "language", reason)
    assert rows(demo_app, *models) == before
