"""Every input bounded and validated before it reaches the database (design.md §9): a bad value is a 4xx naming
the field and stores nothing, never a 500; and any BCP 47 language tag is handled wherever a language is shown.

All through real HTTP on the test client, against the real database.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest
from flask import Flask
from sqlalchemy import func, select

from catalogue.extensions import db
from catalogue.recordings.models import AudioTrack, Recording
from catalogue.subtitles.models import SubtitleRevision, SubtitleTrack, SubtitleUpload
from tests.conftest import api_token, csrf_token_from

DATA = Path(__file__).resolve().parent / "data"
SLUG = "workshop-1-building-resilience"
EVENT = "mayors-summit-2021"
VTT = b"WEBVTT\n\n00:00:01.000 --> 00:00:02.500\nxylophone words\n"


def count(app: Flask, model: type) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def archivist_auth(app: Flask) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_token(app, 'archivist@example.org', 'archivist', display_name='Arşivci')}"}


def names_field(response, field: str) -> bool:
    """The JSON error names the field, in its own key and in its message."""
    errors = response.get_json()["errors"]
    return any(e.get("field") == field and field in e["message"] for e in errors)


@pytest.fixture
def archivist(demo_app, make_user, login):
    make_user("archivist-page@example.org", "archivist")
    client = demo_app.test_client()
    assert login(client, "archivist-page@example.org").status_code == 302
    return client


# --- language tags -------------------------------------------------------------------------------------------

# The tag as sent, as stored, and its name in French on the watch page (CLDR's, or the tag itself).
TAGS = [
    ("pt-BR", "pt-BR", "Portugais (Brésil)"),
    ("en-GB", "en-GB", "Anglais (Royaume-Uni)"),
    ("zh-Hant", "zh-Hant", "Chinois (traditionnel)"),
    ("tlh", "tlh", "Klingon"),
    ("qaa", "qaa", "qaa"),
    ("x-klingon", "x-klingon", "x-klingon"),
    ("sr-latn-rs", "sr-Latn-RS", "Serbe (latin, Serbie)"),
]


@pytest.mark.parametrize(("sent", "stored", "french"), TAGS)
def test_a_subtitle_track_in_any_bcp47_tag_keeps_every_page_up(demo_app, archivist, sent, stored, french):
    client = demo_app.test_client()
    auth = archivist_auth(demo_app)
    response = client.put(f"/api/v1/recordings/{SLUG}/subtitles/{sent}", data=VTT, headers=auth)
    assert response.status_code == 201, response.get_json()
    with demo_app.app_context():
        assert stored in db.session.scalars(select(SubtitleTrack.language)).all()
    audio = client.post(
        f"/api/v1/recordings/{SLUG}/audio-tracks",
        headers=auth,
        json={"slug": "extra", "kind": "interpretation", "languages": [sent], "label": "Extra", "url": "/x.opus"},
    )
    assert audio.status_code == 201, audio.get_json()
    assert audio.get_json()["audio_tracks"][-1]["languages"] == [stored]
    for path in ("/", f"/?subs={stored}", f"/?audio={stored}", f"/events/{EVENT}", "/search?q=xylophone"):
        for lang in ("en", "fr", "tr"):
            assert client.get(f"{path}{'&' if '?' in path else '?'}lang={lang}").status_code == 200, (path, lang)
    watch = client.get(f"/recordings/{SLUG}?lang=fr&subs={stored}")
    assert watch.status_code == 200
    assert french in watch.get_data(as_text=True)
    assert client.get(f"/recordings/{SLUG}/subtitles/{stored}.vtt").status_code == 200
    for path in ("/archive/", f"/archive/recordings/{SLUG}/subtitles/{stored}", f"/archive/recordings/{SLUG}/audio"):
        assert archivist.get(f"{path}?lang=tr").status_code == 200, path


BAD_TAGS = ["fr\n", "fr ", " fr", "pt_BR", "e", "123", "fr-", "-fr", "i-klingon", "en-abcdefghi", "zh-Hant-TW-x-a-b-c"]


@pytest.mark.parametrize("tag", BAD_TAGS)
def test_a_subtitle_upload_with_a_bad_language_tag_is_refused_naming_the_field(demo_app, tag):
    client = demo_app.test_client()
    before = (count(demo_app, SubtitleTrack), count(demo_app, SubtitleRevision))
    url = f"/api/v1/recordings/{SLUG}/subtitles/{quote(tag)}"  # %0A: a raw new line would be dropped from the URL.
    response = client.put(url, data=VTT, headers=archivist_auth(demo_app))
    assert response.status_code == 422
    assert names_field(response, "language")
    assert (count(demo_app, SubtitleTrack), count(demo_app, SubtitleRevision)) == before


def test_an_audio_track_with_a_bad_language_tag_is_refused_naming_the_field(demo_app):
    client = demo_app.test_client()
    auth = archivist_auth(demo_app)
    before = count(demo_app, AudioTrack)
    for languages in (["fr\n"], ["en", "pt_BR"], "en", [], [["en"]], [5], ["en"] * 21, None):
        response = client.post(
            f"/api/v1/recordings/{SLUG}/audio-tracks",
            headers=auth,
            json={"slug": "extra", "kind": "original", "languages": languages, "label": "x", "url": "/x.opus"},
        )
        assert response.status_code == 422, languages
        assert names_field(response, "languages")
    assert count(demo_app, AudioTrack) == before


def test_the_upload_page_refuses_a_bad_language_and_normalises_a_good_one(demo_app, archivist):
    def upload(language: str):
        page = archivist.get(f"/archive/recordings/{SLUG}/subtitles/upload").get_data(as_text=True)
        data = {"csrf_token": csrf_token_from(page), "language": language, "format": "", "encoding": ""}
        data["file"] = ((DATA / "en.vtt").open("rb"), "en.vtt")
        return archivist.post(
            f"/archive/recordings/{SLUG}/subtitles/upload?lang=en", data=data, content_type="multipart/form-data"
        )

    for bad in ("fr\n", "pt_BR", "x" * 17):
        refused = upload(bad)
        assert refused.status_code == 422
        assert "language tag" in refused.get_data(as_text=True).lower()
    assert count(demo_app, SubtitleUpload) == 0
    accepted = upload("PT-br")
    assert accepted.status_code == 303
    with demo_app.app_context():
        assert db.session.scalars(select(SubtitleUpload.language)).all() == ["pt-BR"]


def test_the_audio_form_takes_any_tags_and_refuses_bad_ones(demo_app, archivist):
    def add(slug: str, languages: str):
        page = archivist.get(f"/archive/recordings/{SLUG}/audio").get_data(as_text=True)
        data = {
            "csrf_token": csrf_token_from(page),
            "slug": slug,
            "kind": "original",
            "languages": languages,
            "label": "Floor",
            "media_url": "https://media.example.org/x.opus",
        }
        return archivist.post(f"/archive/recordings/{SLUG}/audio", data=data)

    before = count(demo_app, AudioTrack)
    assert add("bad", "en, klingon!!").status_code == 422
    assert add("bad", "en, pt_BR").status_code == 422
    assert count(demo_app, AudioTrack) == before
    assert add("good", "pt-br, zh-hant,tlh").status_code == 303
    with demo_app.app_context():
        track = db.session.scalar(select(AudioTrack).where(AudioTrack.slug == "good"))
        assert track.languages == ["pt-BR", "zh-Hant", "tlh"]


def test_the_import_command_refuses_a_bad_language_tag(demo_app):
    runner = demo_app.test_cli_runner()
    before = count(demo_app, SubtitleRevision)
    result = runner.invoke(args=["subtitles", "import", SLUG, "fr\n", str(DATA / "en.vtt")])
    assert result.exit_code != 0 and "language" in result.output
    assert count(demo_app, SubtitleRevision) == before
    ok = runner.invoke(args=["subtitles", "import", SLUG, "EN-gb", str(DATA / "en.vtt")])
    assert ok.exit_code == 0, ok.output
    with demo_app.app_context():
        assert "en-GB" in db.session.scalars(select(SubtitleTrack.language)).all()


def test_a_tag_stored_before_these_checks_still_shows(demo_app):
    """Rows written by older code (a final new line, an underscore) are named by the tag, never a 500."""
    with demo_app.app_context():
        recording = db.session.scalar(select(Recording).where(Recording.slug == SLUG))
        recording.audio_tracks[0].languages = ["fr\n", "pt_BR", "??"]
        db.session.commit()
    client = demo_app.test_client()
    for path in ("/", f"/recordings/{SLUG}", f"/events/{EVENT}", "/search?q=x"):
        assert client.get(f"{path}{'&' if '?' in path else '?'}lang=fr").status_code == 200, path


# --- paging ----------------------------------------------------------------------------------------------------

HUGE = "99999999999999999999"


@pytest.mark.parametrize(
    "path",
    [
        f"/?page={HUGE}",
        "/?page=abc",
        "/?page=-3",
        f"/search?q=summit&page={HUGE}",
        f"/api/v1/recordings?page={HUGE}",
        f"/api/v1/recordings?per_page={HUGE}",
        f"/api/v1/recordings?page={HUGE}&per_page={HUGE}",
        "/api/v1/recordings?page=1.5&per_page=x",
        f"/api/v1/search?q=summit&page={HUGE}",
        f"/archive/?page={HUGE}",
    ],
)
def test_a_huge_or_garbage_page_number_is_clamped_not_a_500(archivist, path):
    assert archivist.get(path).status_code == 200


def test_the_recordings_api_pages_at_most_500(client, demo):
    body = client.get(f"/api/v1/recordings?page=1&per_page={HUGE}").get_json()
    assert body["total"] == 3 and len(body["recordings"]) == 3
    assert client.get(f"/api/v1/recordings?page={HUGE}").get_json()["recordings"] == []


# --- registering recordings ---------------------------------------------------------------------------------------


def recording_body(**fields):
    return {"event": EVENT, "workshop": 2, "slug": "workshop-2-full", "title": "Workshop 2", **fields}


@pytest.mark.parametrize(
    ("field", "body"),
    [
        (
            "duration_s",
            '{"event": "mayors-summit-2021", "workshop": 2, "slug": "w", "title": "W", "duration_s": 1e400}',
        ),
        (
            "duration_s",
            '{"event": "mayors-summit-2021", "workshop": 2, "slug": "w", "title": "W", "duration_s": Infinity}',
        ),
        ("duration_s", '{"event": "mayors-summit-2021", "workshop": 2, "slug": "w", "title": "W", "duration_s": NaN}'),
        ("duration_s", json.dumps(recording_body(duration_s=-5))),
        ("duration_s", json.dumps(recording_body(duration_s="Infinity"))),
        ("duration_s", json.dumps(recording_body(duration_s=True))),
        ("duration_s", json.dumps(recording_body(duration_s=10**12))),
        ("workshop", json.dumps(recording_body(workshop=[2]))),
        ("workshop", json.dumps(recording_body(workshop={"number": 2}))),
        ("workshop", json.dumps(recording_body(workshop=10**30))),
        ("workshop", json.dumps(recording_body(workshop=True))),
        ("event", json.dumps(recording_body(event=["mayors-summit-2021"]))),
        ("slug", json.dumps(recording_body(slug="a" * 400))),
        ("slug", json.dumps(recording_body(slug="workshop-2\n"))),
        ("slug", json.dumps(recording_body(slug=["x"]))),
        ("title", json.dumps(recording_body(title="T" * 5000))),
        ("title", json.dumps(recording_body(title={"en": "x"}))),
        ("title", json.dumps(recording_body(title="Work\u0000shop"))),
        ("recorded_at", json.dumps(recording_body(recorded_at="0001-01-01T00:00:00+03:00"))),
        ("recorded_at", json.dumps(recording_body(recorded_at="2021-12-08T08:00:07"))),
        ("recorded_at", json.dumps(recording_body(recorded_at=5))),
        ("poster_url", json.dumps(recording_body(poster_url="javascript:alert(1)"))),
        ("poster_url", json.dumps(recording_body(poster_url="/p.png" + "x" * 600))),
        ("body", "[" * 100_000 + "]" * 100_000),
        ("body", "[" * 65 + "]" * 65),
        ("body", '{"event": '),
        ("body", "[]"),
        ("body", b"\xff\xfe\x00"),
    ],
)
def test_a_bad_recording_field_is_refused_naming_it(demo_app, field, body):
    client = demo_app.test_client()
    before = count(demo_app, Recording)
    response = client.post(
        "/api/v1/recordings", data=body, headers=archivist_auth(demo_app), content_type="application/json"
    )
    assert response.status_code == 422, response.get_json()
    assert names_field(response, field)
    assert count(demo_app, Recording) == before


def test_a_good_recording_still_registers(demo_app):
    client = demo_app.test_client()
    body = recording_body(duration_s=3600.5, recorded_at="2021-12-08T09:48:45+03:00", title="  Workshop 2  ")
    response = client.post("/api/v1/recordings", json=body, headers=archivist_auth(demo_app))
    assert response.status_code == 201
    assert response.get_json()["duration_s"] == 3600.5 and response.get_json()["title"] == "Workshop 2"


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("mime_type", {"mime_type": {"type": "audio/ogg"}}),
        ("mime_type", {"mime_type": "audio/ogg\r\nX-Evil: 1"}),
        ("mime_type", {"mime_type": "audio/" + "o" * 200}),
        ("label", {"label": "L" * 5000}),
        ("label", {"label": ["x"]}),
        ("url", {"url": "/x" * 1000}),
        ("url", {"url": "/media/a b.opus"}),
        ("slug", {"slug": "s" * 400}),
        ("slug", {"slug": "floor\n"}),
        ("kind", {"kind": ["original"]}),
        ("default", {"default": "false"}),
    ],
)
def test_a_bad_audio_track_field_is_refused_naming_it(demo_app, field, changes):
    client = demo_app.test_client()
    before = count(demo_app, AudioTrack)
    body = {"slug": "extra", "kind": "original", "languages": ["en"], "label": "x", "url": "/x.opus", **changes}
    response = client.post(f"/api/v1/recordings/{SLUG}/audio-tracks", json=body, headers=archivist_auth(demo_app))
    assert response.status_code == 422, response.get_json()
    assert names_field(response, field)
    assert count(demo_app, AudioTrack) == before


def test_a_deeply_nested_body_is_refused_on_every_json_write(demo_app):
    client = demo_app.test_client()
    deep = "[" * 100_000 + "]" * 100_000
    auth = archivist_auth(demo_app)
    for url in ("/api/v1/recordings", f"/api/v1/recordings/{SLUG}/audio-tracks"):
        response = client.post(url, data=deep, headers=auth)
        assert response.status_code == 422 and names_field(response, "body")


# --- the recording form ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {"slug": "a" * 161},
        {"slug": "w2\n"},
        {"title": "T" * 301},
        {"recorded_at": "2021-13-45 99:99:99"},
        {"recorded_at": "0001-01-01 00:00:00"},
        {"duration": "999:59:59"},
        {"poster_url": "/p" * 300},
    ],
)
def test_the_recording_form_refuses_what_the_columns_cannot_hold(demo_app, archivist, changes):
    page = archivist.get("/archive/recordings/new").get_data(as_text=True)
    workshop_id = page.split('<option value="', 1)[1].split('"', 1)[0]
    data = {"csrf_token": csrf_token_from(page), "workshop": workshop_id, "slug": "w2", "title": "W2", **changes}
    before = count(demo_app, Recording)
    assert archivist.post("/archive/recordings/new", data=data).status_code == 422
    assert count(demo_app, Recording) == before


# --- subtitle encodings --------------------------------------------------------------------------------------------

NOT_TEXT_ENCODINGS = ["punycode", "idna", "rot13", "base64", "hex", "zlib", "uu", "bz2", "quopri", "utf-7", "utf_7"]


@pytest.mark.parametrize("encoding", [*NOT_TEXT_ENCODINGS, "unicode_escape", "undefined", "x" * 500, "utf-8\n"])
def test_an_encoding_that_is_not_a_text_encoding_is_refused(demo_app, encoding):
    client = demo_app.test_client()
    before = count(demo_app, SubtitleRevision)
    response = client.put(
        f"/api/v1/recordings/{SLUG}/subtitles/fr",
        query_string={"encoding": encoding},
        data=VTT,
        headers=archivist_auth(demo_app),
    )
    assert response.status_code == 422, response.get_json()
    assert names_field(response, "encoding")
    assert count(demo_app, SubtitleRevision) == before


def test_real_encodings_are_still_accepted(demo_app):
    client = demo_app.test_client()
    auth = archivist_auth(demo_app)
    data = (DATA / "tr-windows-1254.srt").read_bytes()
    for encoding in ("windows-1254", "ISO-8859-9", "cp1254"):
        response = client.put(f"/api/v1/recordings/{SLUG}/subtitles/tr?encoding={encoding}", data=data, headers=auth)
        assert response.status_code == 201, (encoding, response.get_json())


def test_the_upload_page_and_the_command_refuse_a_codec_that_is_not_text(demo_app, archivist):
    page = archivist.get(f"/archive/recordings/{SLUG}/subtitles/upload").get_data(as_text=True)
    data = {"csrf_token": csrf_token_from(page), "language": "fr", "format": "", "encoding": "punycode"}
    data["file"] = ((DATA / "en.vtt").open("rb"), "en.vtt")
    response = archivist.post(
        f"/archive/recordings/{SLUG}/subtitles/upload", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 422 and "punycode" in response.get_data(as_text=True)
    assert count(demo_app, SubtitleUpload) == 0
    before = count(demo_app, SubtitleRevision)
    result = demo_app.test_cli_runner().invoke(
        args=["subtitles", "import", SLUG, "fr", str(DATA / "en.vtt"), "--encoding", "base64"]
    )
    assert result.exit_code != 0 and "encoding" in result.output
    assert count(demo_app, SubtitleRevision) == before


# --- translations --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("base_revision", [True, False, "1", 1.0, -1, 10**30, -(10**30), [1], None])
def test_a_translation_with_a_bad_base_revision_is_refused(translated_app, translations_copy, base_revision):
    token = api_token(translated_app, "fr@example.org", "translator", display_name="Fr", locales=("fr",))
    client = translated_app.test_client()
    po = translations_copy / "fr" / "LC_MESSAGES" / "messages.po"
    before = po.read_bytes()
    body = {"msgid": "Watch", "context": None, "msgstr": "Regarder !", "fuzzy": False, "base_revision": base_revision}
    response = client.put(
        "/api/v1/translations/fr/messages/messages", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 422, response.get_json()
    assert names_field(response, "base_revision")
    assert po.read_bytes() == before


def test_a_translation_holding_a_nul_is_refused(translated_app, translations_copy):
    token = api_token(translated_app, "fr@example.org", "translator", display_name="Fr", locales=("fr",))
    client = translated_app.test_client()
    po = translations_copy / "fr" / "LC_MESSAGES" / "messages.po"
    before = po.read_bytes()
    revision = client.get("/api/v1/translations/fr/messages/messages").get_json()["revision"]
    body = {"msgid": "Watch", "context": None, "msgstr": "Re\x00garder", "fuzzy": False, "base_revision": revision}
    response = client.put(
        "/api/v1/translations/fr/messages/messages", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 422 and names_field(response, "msgstr")
    assert po.read_bytes() == before


def test_the_translation_form_survives_a_huge_base_revision(translated_app, translations_copy, login):
    from tests.test_translating import entry_form

    api_token(translated_app, "fr@example.org", "translator", display_name="Fr", locales=("fr",))
    client = translated_app.test_client()
    assert login(client, "fr@example.org").status_code == 302
    page = client.get("/translate/fr/messages?q=Watch").get_data(as_text=True)
    fields = entry_form(page, "Watch")
    for base in (f"-{HUGE}", HUGE, "abc"):
        response = client.post("/translate/fr/messages/entry", data={**fields, "base_revision": base, "msgstr": "Voir"})
        assert response.status_code in (303, 409), base
    assert client.get(f"/translate/fr/messages?page={HUGE}").status_code == 200


# --- the last line of defence ------------------------------------------------------------------------------------


def test_a_value_the_database_layer_refuses_is_a_422_and_rolls_back(demo_app):
    """A route that skips validation (as a future bug might) and stores a naive datetime: the column type
    refuses it (StatementError wrapping ValueError), and the answer is a 422, not a 500."""
    from datetime import datetime

    def careless(where: str):
        with db.session.no_autoflush:
            recording = db.session.scalar(select(Recording).where(Recording.slug == SLUG))
            recording.recorded_at = datetime(2021, 12, 8, 8, 0, 7)  # No time zone.
        db.session.commit()
        return where

    demo_app.add_url_rule("/api/v1/careless", "careless_api", lambda: careless("api"))
    demo_app.add_url_rule("/careless", "careless_page", lambda: careless("page"))
    client = demo_app.test_client()
    api = client.get("/api/v1/careless")
    assert api.status_code == 422 and api.get_json()["errors"][0]["code"] == "bad-value"
    page = client.get("/careless?lang=fr")
    assert page.status_code == 422 and "<html" in page.get_data(as_text=True)
    with demo_app.app_context():
        recording = db.session.scalar(select(Recording).where(Recording.slug == SLUG))
        assert recording.recorded_at.tzinfo is not None  # Unchanged.
