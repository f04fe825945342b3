"""Lists that grow with a file come a page at a time (design.md §8): cues, warnings and revisions."""

from __future__ import annotations

import pytest

from tests.conftest import api_token
from tests.factories import make_recording

SLUG = "building-resilience"
CUES = f"/api/v1/recordings/{SLUG}/subtitles/de"


def many_cues(count: int) -> bytes:
    """`count` cues, each too short to read (0.2 s): one warning per cue, so warnings grow with the file too."""
    blocks = [
        f"{i // 5 // 60:02d}:{i // 5 % 60:02d}.{i % 5 * 200:03d} --> "
        f"{i // 5 // 60:02d}:{i // 5 % 60:02d}.{i % 5 * 200 + 150:03d}\nZeile {i}"
        for i in range(count)
    ]
    return ("WEBVTT\n\n" + "\n\n".join(blocks) + "\n").encode()


@pytest.fixture
def token(app):
    """An archivist's token, and a recording without subtitles to upload them to."""
    with app.app_context():
        make_recording(slug=SLUG)
    return api_token(app, "archivist@example.org", "archivist", display_name="Script")


def put(client, token, body: bytes):
    return client.put(CUES, data=body, headers={"Authorization": f"Bearer {token}", "Content-Type": "text/vtt"})


def test_cues_come_a_page_at_a_time_with_a_link_to_the_next(client, token):
    uploaded = put(client, token, many_cues(1_203))
    assert uploaded.status_code == 201
    upload = uploaded.get_json()
    assert upload["cue_count"] == 1_203
    assert upload["warning_count"] >= 1_203 and len(upload["warnings"]) == 500

    seen: list[str] = []
    url: str | None = CUES
    pages = 0
    while url:
        body = client.get(url).get_json()
        pages += 1
        assert len(body["cues"]) <= 500 and len(body["warnings"]) <= 500
        assert (body["total"], body["pages"]) == (1_203, 3)
        seen.extend(cue["text"] for cue in body["cues"])
        url = body["next"]
    assert pages == 3
    assert seen == [f"Zeile {i}" for i in range(1_203)]


@pytest.mark.parametrize(
    ("query", "page", "count"),
    [
        ("per_page=100&page=2", 2, 100),
        ("per_page=100000", 1, 500),  # At most 500 a page, whatever is asked.
        ("page=99999999999999999999", 3, 203),  # Past the end: the last page, not a 500.
        ("page=abc&per_page=-4", 1, 500),  # Garbage: the defaults.
    ],
)
def test_paging_parameters_are_bounded(client, token, query, page, count):
    assert put(client, token, many_cues(1_203)).status_code == 201
    body = client.get(f"{CUES}?{query}").get_json()
    assert (body["page"], len(body["cues"])) == (page, count)


def test_revisions_come_a_page_at_a_time_oldest_first(client, token):
    for i in range(3):
        assert put(client, token, f"WEBVTT\n\n00:00.000 --> 00:01.000\nZeile {i}\n".encode()).status_code == 201
    first = client.get(f"{CUES}/revisions?per_page=2").get_json()
    assert (first["total"], first["pages"], first["current"]) == (3, 2, 3)
    assert [r["revision"] for r in first["revisions"]] == [1, 2]
    second = client.get(first["next"]).get_json()
    assert [r["revision"] for r in second["revisions"]] == [3]
    assert second["next"] is None


def test_a_listed_revision_shows_at_most_a_hundred_warnings_and_counts_them_all(client, token):
    assert put(client, token, many_cues(300)).status_code == 201
    listed = client.get(f"{CUES}/revisions").get_json()["revisions"][-1]
    assert len(listed["warnings"]) == 100
    assert listed["warning_count"] >= 300
