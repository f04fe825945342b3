"""`POST /api/v1/recordings/<slug>/subtitles/<lang>/edits` (design.md §8): every operation, all or nothing,
409 when someone saved first, 422 when the result fails an upload's checks, and the roles of an upload."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from catalogue.accounts.models import User
from catalogue.extensions import db
from catalogue.subtitles.models import SubtitleRevision
from catalogue.subtitles.parsing import parse_subtitle
from catalogue.subtitles.store import StaleRevision, publish_parsed
from tests.factories import make_account, make_api_token, make_audio_track, make_recording, make_subtitles

CUES = [
    (1000, 3000, "First cue here.", "Ayşe Yılmaz"),
    (4000, 6000, "Second cue is a little longer."),
    (7000, 9000, "Third."),
    (10000, 12000, "Fourth and last."),
]
URL = "/api/v1/recordings/edited/subtitles/en/edits"


@pytest.fixture
def tokens(app) -> dict[str, str]:
    """A recording with English subtitles (revision 1, the cues above) and a token per role."""
    with app.app_context():
        recording = make_recording(slug="edited", duration_ms=60_000, chapters=[(0, "Opening")])
        make_audio_track(recording)
        make_subtitles(recording, "en", CUES)
        archivist = make_account("archivist@example.org", "archivist", display_name="Zeynep Kaya")
        return {
            "archivist": make_api_token(archivist),
            "admin": make_api_token(role="admin"),
            "translator": make_api_token(role="translator"),
            "viewer": make_api_token(role="viewer"),
        }


def post(client, token: str | None, body: Any, url: str = URL):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(url, json=body, headers=headers)


def edit(client, tokens, *operations: dict[str, Any], base: int = 1):
    return post(client, tokens["archivist"], {"base_revision": base, "operations": list(operations)})


def served(client) -> tuple[int, list[tuple[int, int, str, str | None]]]:
    body = client.get("/api/v1/recordings/edited/subtitles/en").get_json()
    cues = [(round(c["start_s"] * 1000), round(c["end_s"] * 1000), c["text"], c["voice"]) for c in body["cues"]]
    return body["revision"], cues


BASE = [(*cue, None) if len(cue) == 3 else cue for cue in CUES]


@pytest.mark.parametrize(
    ("operation", "expected"),
    [
        ({"op": "shift", "ms": 1500}, [(s + 1500, e + 1500, t, v) for s, e, t, v in BASE]),
        (
            {"op": "shift", "ms": -500, "from_s": 7.0},
            [*BASE[:2], (6500, 8500, "Third.", None), (9500, 11500, "Fourth and last.", None)],
        ),
        (
            {"op": "text", "cue": 0, "text": "  Corrected\r\n\r\nhere. "},
            [(1000, 3000, "Corrected\nhere.", "Ayşe Yılmaz"), *BASE[1:]],
        ),
        ({"op": "timing", "cue": 2, "start_s": 6.5, "end_s": 9.25}, [*BASE[:2], (6500, 9250, "Third.", None), BASE[3]]),
        (
            {"op": "insert", "start_s": 3.1, "end_s": 3.9, "text": "Inserted."},
            [BASE[0], (3100, 3900, "Inserted.", None), *BASE[1:]],
        ),
        ({"op": "delete", "cue": 2}, [*BASE[:2], BASE[3]]),
        (
            {"op": "split", "cue": 1, "at_s": 5.0},
            [BASE[0], (4000, 5000, "Second cue is a", None), (5000, 6000, "little longer.", None), *BASE[2:]],
        ),
        ({"op": "merge", "cue": 2}, [*BASE[:2], (7000, 12000, "Third.\nFourth and last.", None)]),
        (
            {"op": "merge", "cue": 0},
            [(1000, 6000, "First cue here.\nSecond cue is a little longer.", "Ayşe Yılmaz"), *BASE[2:]],
        ),
    ],
    ids=["shift", "shift-from", "text", "timing", "insert", "delete", "split", "merge", "merge-keeps-voice"],
)
def test_each_operation_makes_a_new_revision(client, tokens, operation, expected):
    response = edit(client, tokens, operation)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["revision"], body["current"], body["format"], body["cue_count"]) == (2, True, "vtt", len(expected))
    assert body["uploaded_by"] == "Zeynep Kaya"
    assert served(client) == (2, expected)


def test_indices_name_cues_of_the_base_revision_whatever_came_before(client, tokens):
    response = edit(
        client,
        tokens,
        {"op": "delete", "cue": 0},
        {"op": "split", "cue": 1, "at_s": 5.0},
        {"op": "text", "cue": 1, "text": "Second cue is"},  # The first half of the split.
        {"op": "text", "cue": 3, "text": "Fourth, edited."},
        {"op": "insert", "start_s": 0.5, "end_s": 0.9, "text": "Opening."},
        {"op": "shift", "ms": 100},
    )
    assert response.status_code == 201, response.get_json()
    assert served(client)[1] == [
        (600, 1000, "Opening.", None),
        (4100, 5100, "Second cue is", None),
        (5100, 6100, "little longer.", None),
        (7100, 9100, "Third.", None),
        (10100, 12100, "Fourth, edited.", None),
    ]


def test_the_edited_file_is_served_with_its_warnings_and_author(app, client, tokens):
    response = edit(client, tokens, {"op": "timing", "cue": 2, "start_s": 7.0, "end_s": 7.3})
    assert [w["code"] for w in response.get_json()["warnings"]] == ["too-short"]
    vtt = client.get("/recordings/edited/subtitles/en.vtt").get_data(as_text=True)
    assert "00:00:07.000 --> 00:00:07.300\nThird." in vtt
    with app.app_context():
        revision = db.session.scalars(select(SubtitleRevision).where(SubtitleRevision.number == 2)).one()
        assert (revision.format, revision.encoding, revision.source_bytes) == ("vtt", "utf-8", vtt.encode())
        assert revision.uploaded_by_id == make_account_id(app, "archivist@example.org")


def make_account_id(app, email: str) -> int:
    return db.session.scalars(select(User.id).where(User.email == email)).one()


def revision_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(SubtitleRevision)) or 0


@pytest.mark.parametrize(
    ("operations", "code", "operation"),
    [
        ([{"op": "text", "cue": 0, "text": "Fine."}, {"op": "delete", "cue": 4}], "no-such-cue", 1),
        ([{"op": "delete", "cue": 1}, {"op": "text", "cue": 1, "text": "Gone."}], "cue-removed", 1),
        ([{"op": "merge", "cue": 2}, {"op": "delete", "cue": 3}], "cue-removed", 1),
        ([{"op": "merge", "cue": 3}], "no-next-cue", 0),
        ([{"op": "split", "cue": 1, "at_s": 6.0}], "split-outside", 0),
        ([{"op": "shift", "ms": 100}, {"op": "shift", "ms": -1200}], "out-of-range", None),
        ([{"op": "timing", "cue": 1, "start_s": 5, "end_s": 4}], "end-before-start", None),
    ],
    ids=["no-such-cue", "deleted", "merged-away", "last-cue", "split-outside", "before-zero", "end-before-start"],
)
def test_a_refused_operation_changes_nothing(app, client, tokens, operations, code, operation):
    response = edit(client, tokens, *operations)
    assert response.status_code == 422
    (error,) = response.get_json()["errors"]
    assert error["code"] == code and error["message"]
    assert error.get("operation") == operation
    assert served(client) == (1, BASE)
    assert revision_count(app) == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"operations": [{"op": "delete", "cue": 0}]}, "base_revision"),
        ({"base_revision": "1", "operations": [{"op": "delete", "cue": 0}]}, "base_revision"),
        ({"base_revision": 1, "operations": []}, "operations"),
        ({"base_revision": 1, "operations": {"op": "delete"}}, "operations"),
        ({"base_revision": 1, "operations": ["delete"]}, "operations[0]"),
        ({"base_revision": 1, "operations": [{"op": "rename"}]}, "operations[0].op"),
        ({"base_revision": 1, "operations": [{"op": "delete", "cue": -1}]}, "operations[0].cue"),
        ({"base_revision": 1, "operations": [{"op": "delete"}]}, "operations[0].cue"),
        ({"base_revision": 1, "operations": [{"op": "text", "cue": 0, "text": 5}]}, "operations[0].text"),
        ({"base_revision": 1, "operations": [{"op": "text", "cue": 0, "text": " \n "}]}, "operations[0].text"),
        ({"base_revision": 1, "operations": [{"op": "text", "cue": 0, "text": "x" * 2001}]}, "operations[0].text"),
        ({"base_revision": 1, "operations": [{"op": "shift", "ms": 1.5}]}, "operations[0].ms"),
        ({"base_revision": 1, "operations": [{"op": "shift", "ms": 10, "from_s": -1}]}, "operations[0].from_s"),
        ({"base_revision": 1, "operations": [{"op": "split", "cue": 0}]}, "operations[0].at_s"),
        (
            {"base_revision": 1, "operations": [{"op": "insert", "start_s": 1, "end_s": 1e400, "text": "x"}]},
            "operations[0].end_s",
        ),
        ({"base_revision": 1, "operations": [{"op": "delete", "cue": 0}] * 20_001}, "operations"),
        ([{"op": "delete", "cue": 0}], "body"),
    ],
)
def test_a_bad_field_is_a_422_naming_it(app, client, tokens, body, field):
    response = post(client, tokens["archivist"], body)
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == field
    assert revision_count(app) == 1


def test_an_edit_of_an_older_revision_is_a_409_with_the_current_one(app, client, tokens):
    assert edit(client, tokens, {"op": "text", "cue": 2, "text": "Saved first."}).status_code == 201
    response = edit(client, tokens, {"op": "delete", "cue": 0})
    assert response.status_code == 409
    body = response.get_json()
    assert (
        body["revision"] == 2 and body["current"]["revision"] == 2 and body["current"]["uploaded_by"] == "Zeynep Kaya"
    )
    assert body["errors"][0]["code"] == "stale" and "2" in body["errors"][0]["message"]
    assert served(client)[1][2][2] == "Saved first."
    assert revision_count(app) == 2
    # With the current revision as its base, the same edit goes through.
    assert edit(client, tokens, {"op": "delete", "cue": 0}, base=2).get_json()["revision"] == 3


def test_a_save_that_lands_while_an_edit_is_checked_is_never_overwritten(app, tokens):
    """The base is checked again under the track's lock: an edit checked against revision 1 finds revision 2."""
    with app.app_context():
        recording = make_recording(slug="raced", duration_ms=60_000, chapters=[(0, "Opening")])
        make_subtitles(recording, "en", CUES)
        data = b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nEdited on revision 1.\n"
        parsed = parse_subtitle(data, "en", app.config)
        make_subtitles(recording, "en", CUES[:2])  # Someone else's save: revision 2.
        with pytest.raises(StaleRevision) as stale:
            publish_parsed(recording, "en", data, parsed, base_revision=1)
        assert stale.value.current == 2
        assert db.session.scalar(select(func.max(SubtitleRevision.number))) == 2


@pytest.mark.parametrize(("role", "status"), [(None, 401), ("viewer", 403), ("translator", 403), ("admin", 201)])
def test_roles_are_those_of_an_upload(app, client, tokens, role, status):
    response = post(
        client, tokens[role] if role else None, {"base_revision": 1, "operations": [{"op": "delete", "cue": 0}]}
    )
    assert response.status_code == status
    assert revision_count(app) == (2 if status == 201 else 1)


def test_a_bad_token_is_401(client, tokens):
    assert post(client, "not-a-token", {"base_revision": 1, "operations": []}).status_code == 401


@pytest.mark.parametrize(
    "url",
    ["/api/v1/recordings/missing/subtitles/en/edits", "/api/v1/recordings/edited/subtitles/fr/edits"],
)
def test_an_unknown_recording_or_track_is_404(client, tokens, url):
    assert (
        post(
            client, tokens["archivist"], {"base_revision": 1, "operations": [{"op": "delete", "cue": 0}]}, url
        ).status_code
        == 404
    )


def test_the_session_cookie_is_not_enough(client, tokens, login):
    """The API reads Bearer tokens only: a signed-in archivist's browser cannot be made to edit through it."""
    login(client, "archivist@example.org")
    assert client.get("/archive/").status_code == 200  # Signed in.
    response = client.post(URL, json={"base_revision": 1, "operations": [{"op": "delete", "cue": 0}]})
    assert response.status_code == 401
