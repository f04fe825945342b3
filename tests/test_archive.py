"""Archivists upload, check, publish, and restore subtitles, in the browser's forms and through the API."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from catalogue.extensions import db
from catalogue.subtitles.models import SubtitleRevision
from tests.conftest import api_token, csrf_token_from

DATA = Path(__file__).resolve().parent / "data"
SLUG = "workshop-1-building-resilience"
VTT = f"/recordings/{SLUG}/subtitles/fr.vtt"


@pytest.fixture
def archivist(demo_app, make_user, login):
    make_user("archivist@example.org", "archivist", display_name="Ayşe Arşivci")
    client = demo_app.test_client()
    assert login(client, "archivist@example.org").status_code == 302
    return client


def token_for(app, email: str, role: str) -> str:
    return api_token(app, email, role, display_name=email)


def revision_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(SubtitleRevision))


def upload_form(client, name: str, language: str = "fr", **fields):
    page = client.get(f"/archive/recordings/{SLUG}/subtitles/upload?language={language}").get_data(as_text=True)
    data = {"csrf_token": csrf_token_from(page), "language": language, "format": "", "encoding": "", **fields}
    data["file"] = ((DATA / name).open("rb"), name)
    return client.post(f"/archive/recordings/{SLUG}/subtitles/upload", data=data, content_type="multipart/form-data")


# --- roles --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/archive/",
        f"/archive/recordings/{SLUG}/subtitles/upload",
        f"/archive/recordings/{SLUG}/subtitles/fr",
        "/archive/recordings/new",
        f"/archive/recordings/{SLUG}/audio",
    ],
)
def test_archive_pages_are_for_archivists(demo_app, make_user, login, path):
    anonymous = demo_app.test_client()
    assert anonymous.get(path).status_code == 302
    for role in ("viewer", "translator"):
        make_user(f"{role}@example.org", role)
        client = demo_app.test_client()
        login(client, f"{role}@example.org")
        assert client.get(path).status_code == 403
    make_user("admin@example.org", "admin")
    admin = demo_app.test_client()
    login(admin, "admin@example.org")
    assert admin.get(path).status_code == 200


def test_dashboard_shows_the_coverage_matrix(archivist):
    page = archivist.get("/archive/?lang=en").get_data(as_text=True)
    assert page.count("11 cues") == 6 and page.count("9 cues") == 3
    assert "English interpretation" in page and "Demo data" in page
    assert page.count("Upload") >= 9


# --- the browser flow: check, publish, history, restore ------------------------------------------------------


def test_upload_check_publish_and_restore(archivist, demo_app):
    original = archivist.get(VTT).data
    checked = upload_form(archivist, "fr-windows-1252.srt")
    assert checked.status_code == 303
    preview = archivist.get(checked.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert "cp1252" in preview and "SRT" in preview
    assert '<dd class="cue-count">3</dd>' in preview
    assert "Égalité, fraternité : où est-ce ?" in preview
    assert archivist.get(VTT).data == original  # Nothing published yet.

    token = checked.headers["Location"].rsplit("/", 1)[1]
    published = archivist.post(f"/archive/uploads/{token}/publish", data={"csrf_token": csrf_token_from(preview)})
    assert published.status_code == 303
    served = archivist.get(VTT).get_data(as_text=True)
    assert "Il était à Noël avec sa sœur." in served

    history = archivist.get(f"/archive/recordings/{SLUG}/subtitles/fr?lang=en").get_data(as_text=True)
    assert "Ayşe Arşivci" in history and "fr-windows-1252.srt" in history and "cp1252" in history
    source = archivist.get(f"/archive/recordings/{SLUG}/subtitles/fr/revisions/2/source")
    assert source.data == (DATA / "fr-windows-1252.srt").read_bytes()
    assert "attachment" in source.headers["Content-Disposition"]

    restored = archivist.post(
        f"/archive/recordings/{SLUG}/subtitles/fr/revisions/1/restore", data={"csrf_token": csrf_token_from(history)}
    )
    assert restored.status_code == 303
    assert archivist.get(VTT).data == original
    history = archivist.get(f"/archive/recordings/{SLUG}/subtitles/fr?lang=en").get_data(as_text=True)
    assert "restores revision 1" in history
    assert revision_count(demo_app) == 9 + 2


def test_a_refused_upload_names_the_line_and_changes_nothing(archivist, demo_app):
    before, count = archivist.get(VTT), revision_count(demo_app)
    response = upload_form(archivist, "bad-timestamp-middle.vtt", lang="en")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Line 6" in page and "Nothing was stored" in page
    # The line is named once, and the code is for the API only: people read the message.
    assert page.count("Line 6") == 1 and "bad-timestamp" not in page
    after = archivist.get(VTT)
    assert after.data == before.data and after.headers["ETag"] == before.headers["ETag"]
    assert revision_count(demo_app) == count


def test_forms_need_their_csrf_token(archivist):
    response = archivist.post(
        f"/archive/recordings/{SLUG}/subtitles/upload",
        data={"language": "fr", "file": ((DATA / "en.vtt").open("rb"), "en.vtt")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400


def test_oversize_upload_in_the_browser_is_413(demo_app, archivist):
    demo_app.config["CATALOGUE_MAX_SUBTITLE_BYTES"] = 200
    response = upload_form(archivist, "fr-crlf.srt", lang="en")
    assert response.status_code == 413
    assert "the limit is 200 bytes" in response.get_data(as_text=True)


# --- the API ----------------------------------------------------------------------------------------------


def put(client, token: str | None, name: str, language: str = "fr", query: str = ""):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.put(
        f"/api/v1/recordings/{SLUG}/subtitles/{language}{query}", data=(DATA / name).read_bytes(), headers=headers
    )


def test_api_writes_need_an_archivist_token(demo_app):
    client = demo_app.test_client()
    assert put(client, None, "en.vtt").status_code == 401
    assert put(client, "cat_not-a-token", "en.vtt").status_code == 401
    for role in ("viewer", "translator"):
        response = put(client, token_for(demo_app, f"{role}@example.org", role), "en.vtt")
        assert response.status_code == 403
        assert response.get_json()["errors"][0]["code"]
    restore = client.post(f"/api/v1/recordings/{SLUG}/subtitles/fr/revisions/1/restore")
    assert restore.status_code == 401
    assert client.post("/api/v1/recordings", json={}).status_code == 401
    assert client.post(f"/api/v1/recordings/{SLUG}/audio-tracks", json={}).status_code == 401
    assert revision_count(demo_app) == 9


def test_api_upload_revisions_and_restore(demo_app):
    client = demo_app.test_client()
    token = token_for(demo_app, "archivist@example.org", "archivist")
    response = put(client, token, "tr-windows-1254.srt", "tr")
    assert response.status_code == 201
    body = response.get_json()
    assert (body["revision"], body["cue_count"], body["encoding"], body["format"]) == (2, 3, "cp1254", "srt")
    assert isinstance(body["warnings"], list)
    cues = client.get(f"/api/v1/recordings/{SLUG}/subtitles/tr").get_json()["cues"]
    assert cues[0]["text"] == "İzmir'de ılık bir sabah."

    multipart = client.put(
        f"/api/v1/recordings/{SLUG}/subtitles/tr?format=srt&encoding=windows-1254",
        data={"file": ((DATA / "tr-windows-1254.srt").open("rb"), "tr.srt")},
        headers={"Authorization": f"Bearer {token}"},
        content_type="multipart/form-data",
    )
    assert multipart.status_code == 201 and multipart.get_json()["encoding"] == "windows-1254"

    listing = client.get(f"/api/v1/recordings/{SLUG}/subtitles/tr/revisions").get_json()
    assert [r["revision"] for r in listing["revisions"]] == [1, 2, 3] and listing["current"] == 3
    restored = client.post(
        f"/api/v1/recordings/{SLUG}/subtitles/tr/revisions/1/restore", headers={"Authorization": f"Bearer {token}"}
    )
    assert restored.status_code == 201
    assert (restored.get_json()["revision"], restored.get_json()["restored_from"]) == (4, 1)
    missing = client.post(
        f"/api/v1/recordings/{SLUG}/subtitles/tr/revisions/99/restore", headers={"Authorization": f"Bearer {token}"}
    )
    assert missing.status_code == 404


def test_api_upload_as_curl_sends_it_with_data_binary(demo_app):
    """README's `curl --data-binary @file` labels the body as a form (application/x-www-form-urlencoded)."""
    client = demo_app.test_client()
    token = token_for(demo_app, "archivist@example.org", "archivist")
    response = client.put(
        f"/api/v1/recordings/{SLUG}/subtitles/tr?format=srt",
        data=(DATA / "tr-windows-1254.srt").read_bytes(),
        headers={"Authorization": f"Bearer {token}"},
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["cue_count"] == 3
    cues = client.get(f"/api/v1/recordings/{SLUG}/subtitles/tr").get_json()["cues"]
    assert cues[0]["text"] == "İzmir'de ılık bir sabah."


def test_api_json_is_read_whatever_its_content_type(demo_app):
    """`curl -d '{...}'` without a Content-Type header sends JSON labelled as a form."""
    token = token_for(demo_app, "archivist@example.org", "archivist")
    body = '{"event": "mayors-summit-2021", "workshop": 1, "slug": "curl-recording", "title": "Sent by curl"}'
    response = demo_app.test_client().post(
        "/api/v1/recordings",
        data=body,
        headers={"Authorization": f"Bearer {token}"},
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["slug"] == "curl-recording"


def test_api_refused_upload_is_422_with_lines_and_the_old_file_stays_served(demo_app):
    client = demo_app.test_client()
    token = token_for(demo_app, "archivist@example.org", "archivist")
    before = client.get(VTT)
    response = put(client, token, "end-before-start.vtt")
    assert response.status_code == 422
    assert response.get_json() == {
        "errors": [{"line": 6, "code": "end-before-start", "message": "Line 6: this cue ends before it starts."}]
    }
    assert put(client, token, "subtitles.zip").status_code == 422
    after = client.get(VTT)
    assert after.data == before.data and after.headers["ETag"] == before.headers["ETag"]
    assert revision_count(demo_app) == 9


def test_api_oversize_is_413(demo_app):
    token = token_for(demo_app, "archivist@example.org", "archivist")
    demo_app.config.update(CATALOGUE_MAX_SUBTITLE_BYTES=300, MAX_CONTENT_LENGTH=300 + 1024 * 1024)
    client = demo_app.test_client()
    small_limit = put(client, token, "en.vtt", "en")
    assert small_limit.status_code == 413
    assert small_limit.get_json()["errors"][0]["code"] == "too-large"
    huge = client.put(
        f"/api/v1/recordings/{SLUG}/subtitles/en",
        data=b"x" * (2 * 1024 * 1024),
        headers={"Authorization": f"Bearer {token}"},
    )
    assert huge.status_code == 413
    assert huge.get_json()["errors"][0]["message"]
    assert revision_count(demo_app) == 9


def test_script_payloads_stay_inert_everywhere(demo_app, archivist):
    token = token_for(demo_app, "scripts@example.org", "archivist")
    client = demo_app.test_client()
    assert put(client, token, "xss.vtt", "en").status_code == 201
    served = client.get(f"/recordings/{SLUG}/subtitles/en.vtt").get_data(as_text=True)
    # Cue text and voices are escaped; the identifier line is kept as written (players never render it).
    text_lines = [line for line in served.split("\n") if line and "-->" not in line and "alert('id')" not in line]
    assert not any("<script" in line or "<img" in line or "<a " in line for line in text_lines)
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in served
    srt = client.get(f"/recordings/{SLUG}/subtitles/en.srt")
    assert srt.headers["Content-Type"].startswith("application/x-subrip")
    api = client.get(f"/api/v1/recordings/{SLUG}/subtitles/en")
    assert api.headers["Content-Type"] == "application/json"
    assert api.get_json()["cues"][0]["voice"] == "<img src=x onerror=alert(1)"
    for path in (f"/recordings/{SLUG}?subs=en", f"/archive/recordings/{SLUG}/subtitles/en", "/archive/"):
        page = archivist.get(path).get_data(as_text=True)
        assert not re.search(r"<script>alert|<img src=x|javascript:alert\(4\)\"", page), path
    checked = upload_form(archivist, "xss.vtt", "en")
    preview = archivist.get(checked.headers["Location"]).get_data(as_text=True)
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in preview
    assert "<script>alert" not in preview and "<img src=x" not in preview


# --- the command line -------------------------------------------------------------------------------------


def test_cli_import_publishes_and_reports(demo_app):
    runner = demo_app.test_cli_runner()
    result = runner.invoke(
        args=[
            "subtitles",
            "import",
            SLUG,
            "tr",
            str(DATA / "tr-windows-1254.srt"),
            str(DATA / "bad-timestamp-middle.vtt"),
            str(DATA / "tr-utf16le-bom.srt"),
        ]
    )
    assert result.exit_code == 1
    assert "published" in result.output and "as revision 2: 3 cues, srt, cp1254" in result.output
    assert "REFUSED" in result.output and "line 6: [bad-timestamp]" in result.output
    assert "Summary: 2 published, 1 refused." in result.output
    ok = runner.invoke(
        args=[
            "subtitles",
            "import",
            SLUG,
            "fr",
            str(DATA / "fr-windows-1252.srt"),
            "--format",
            "srt",
            "--encoding",
            "cp1252",
        ]
    )
    assert ok.exit_code == 0 and "Summary: 1 published, 0 refused." in ok.output
    unknown = runner.invoke(args=["subtitles", "import", "nope", "fr", str(DATA / "en.vtt")])
    assert unknown.exit_code != 0 and "No recording" in unknown.output


# --- registering recordings and audio tracks ---------------------------------------------------------------


def test_register_a_recording_and_its_audio_in_the_browser(archivist, demo_app):
    page = archivist.get("/archive/recordings/new").get_data(as_text=True)
    workshop_id = re.search(r'<option value="(\d+)"', page).group(1)
    response = archivist.post(
        "/archive/recordings/new",
        data={
            "csrf_token": csrf_token_from(page),
            "workshop": workshop_id,
            "slug": "workshop-1-full",
            "title": "Workshop 1, full recording",
            "recorded_at": "2021-12-08 08:00:07",
            "duration": "1:32:05",
        },
    )
    assert response.status_code == 303
    page = archivist.get("/archive/recordings/workshop-1-full/audio").get_data(as_text=True)
    response = archivist.post(
        "/archive/recordings/workshop-1-full/audio",
        data={
            "csrf_token": csrf_token_from(page),
            "slug": "floor",
            "kind": "original",
            "languages": "en, fr, tr",
            "label": "Floor",
            "media_file": ((DATA / "en.vtt").open("rb"), "../../etc/passwd.opus"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    body = archivist.get("/api/v1/recordings/workshop-1-full").get_json()
    assert body["recorded_at"] == "2021-12-08T08:00:07+03:00" and body["duration_s"] == 5525.0
    track = body["audio_tracks"][0]
    assert re.fullmatch(r"http://localhost/media/uploads/[0-9a-f]{24}\.opus", track["url"])
    assert track["languages"] == ["en", "fr", "tr"] and track["mime_type"] == "audio/ogg"
    served = archivist.get(track["url"].removeprefix("http://localhost"), headers={"Range": "bytes=0-5"})
    assert served.status_code == 206 and served.data == b"WEBVTT"
    served.close()


def test_register_through_the_api(demo_app):
    client = demo_app.test_client()
    token = token_for(demo_app, "archivist@example.org", "archivist")
    auth = {"Authorization": f"Bearer {token}"}
    created = client.post(
        "/api/v1/recordings",
        headers=auth,
        json={
            "event": "mayors-summit-2021",
            "workshop": 2,
            "slug": "workshop-2-full",
            "title": "Workshop 2",
            "recorded_at": "2021-12-08T09:48:45+03:00",
            "duration_s": 3600,
        },
    )
    assert created.status_code == 201 and created.get_json()["workshop"]["number"] == 2
    track = client.post(
        "/api/v1/recordings/workshop-2-full/audio-tracks",
        headers=auth,
        json={
            "slug": "interpretation",
            "kind": "interpretation",
            "languages": ["en"],
            "label": "English",
            "url": "https://media.example.org/w2-en.opus",
            "default": True,
        },
    )
    assert track.status_code == 201
    assert track.get_json()["audio_tracks"][0]["mime_type"] == "audio/ogg"
    assert client.post("/api/v1/recordings", headers=auth, json={"event": "x"}).status_code == 422
    again = client.post(
        "/api/v1/recordings",
        headers=auth,
        json={"event": "mayors-summit-2021", "workshop": 2, "slug": "workshop-2-full", "title": "Again"},
    )
    assert again.status_code == 409
    bad = client.post(
        "/api/v1/recordings/workshop-2-full/audio-tracks",
        headers=auth,
        json={"slug": "x", "kind": "karaoke", "languages": ["en"], "label": "x", "url": "javascript:1"},
    )
    assert bad.status_code == 422


@pytest.mark.parametrize("role", ["viewer", "translator"])
def test_no_write_page_accepts_a_viewer_or_translator(demo_app, make_user, login, role):
    make_user(f"{role}@example.org", role)
    client = demo_app.test_client()
    login(client, f"{role}@example.org")
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    writes = [
        f"/archive/recordings/{SLUG}/subtitles/upload",
        f"/archive/recordings/{SLUG}/subtitles/fr/revisions/1/restore",
        "/archive/uploads/some-token/publish",
        "/archive/uploads/some-token/discard",
        "/archive/recordings/new",
        f"/archive/recordings/{SLUG}/audio",
    ]
    for path in writes:
        assert client.post(path, data={"csrf_token": token}).status_code == 403, path
    assert revision_count(demo_app) == 9
