"""What pages read is kept until the next write (catalogue.pagecache.until_next_write): the catalogue's windows,
counts and cards, the recordings API's objects, a watched recording and its stream, what a search found. A new
URL over what was read since the last write reads at most what is new to it, and a write shows on the very next
page. The page cache is off in these tests (but one), so every page renders."""

from __future__ import annotations

import json

from sqlalchemy import update

from catalogue.accounts.models import User
from catalogue.extensions import db
from catalogue.memo import Memo, of_version
from catalogue.pagecache import VERSION_QUERY, current_version, until_next_write
from catalogue.recordings.models import Recording
from catalogue.search.queries import MATCHES_KEY, parse, search
from tests.conftest import create_schema, reset_database
from tests.factories import make_audio_track, make_recording, make_subtitles
from tests.test_pagecache import QueryCounter


def new_memo() -> Memo[str]:
    return Memo(10, size=lambda _value: 1)


def test_one_memo_for_the_newest_version_and_none_kept_for_an_older_one(app):
    with app.app_context():
        first = of_version("test memo", 7, new_memo)
        first.put("a", "seven")
        assert of_version("test memo", 7, new_memo) is first
        # A newer version replaces the memo and what it held.
        newer = of_version("test memo", 8, new_memo)
        assert newer is not first
        assert newer.get("a") is None
        newer.put("a", "eight")
        # A request that read the older version may hold older facts: it gets a memo nobody keeps.
        older = of_version("test memo", 7, new_memo)
        assert older is not newer
        older.put("a", "seven again")
        assert of_version("test memo", 8, new_memo).get("a") == "eight"


def read_statements(queries: QueryCounter) -> list[str]:
    """What a request read beside the catalogue version."""
    return [statement for statement in queries.statements if statement != VERSION_QUERY]


def catalogue_of(app, recordings: int) -> list[int]:
    with app.app_context():
        reset_database()
        create_schema()
        ids = []
        for number in range(recordings):
            recording = make_recording(title=f"Recording {number}")
            make_audio_track(recording, languages=("en",))
            ids.append(recording.id)
        return ids


def test_an_api_page_over_recordings_described_since_the_last_write_reads_only_its_window(make_app):
    app = make_app(CATALOGUE_PAGE_CACHE_BYTES=0)
    ids = catalogue_of(app, 3)
    client = app.test_client()
    everything = client.get("/api/v1/recordings?page=1&per_page=3").get_json()
    assert [r["title"] for r in everything["recordings"]] == ["Recording 0", "Recording 1", "Recording 2"]

    # Another URL over the same recordings: the same objects, from one statement.
    with QueryCounter(app) as queries:
        second_page = client.get("/api/v1/recordings?page=2&per_page=2")
    assert len(read_statements(queries)) == 1, read_statements(queries)
    assert second_page.get_json()["recordings"] == everything["recordings"][2:]
    assert second_page.get_json()["total"] == 3

    # A write shows on the very next page, whatever page it is.
    with app.app_context():
        db.session.get(Recording, ids[2]).title = "Renamed"
        db.session.commit()
    again = client.get("/api/v1/recordings?page=2&per_page=2").get_json()
    assert [r["title"] for r in again["recordings"]] == ["Renamed"]
    # The single recording's answer agrees with the list's, byte for byte.
    slug = again["recordings"][0]["slug"]
    assert json.loads(client.get(f"/api/v1/recordings/{slug}").get_data()) == again["recordings"][0]

    # A recording deleted since is no longer listed.
    with app.app_context():
        db.session.delete(db.session.get(Recording, ids[2]))
        db.session.commit()
    assert client.get("/api/v1/recordings?page=2&per_page=2").get_json()["recordings"] == []


def test_a_new_catalogue_page_over_cards_read_since_the_last_write_reads_at_most_its_window(make_app):
    app = make_app(CATALOGUE_PAGE_CACHE_BYTES=0)
    ids = catalogue_of(app, 2)
    client = app.test_client()
    assert "A workshop renamed" not in client.get("/").get_data(as_text=True)

    # The same page in another language: its window of ids and its cards come from memory.
    with QueryCounter(app) as queries:
        french = client.get("/?lang=fr")
    assert french.status_code == 200
    assert read_statements(queries) == []
    # Another filter: its count and its window are read, the cards are not.
    with QueryCounter(app) as queries:
        filtered = client.get("/?lang=fr&audio=en")
    assert filtered.status_code == 200
    assert len(read_statements(queries)) == 2, read_statements(queries)

    # A write to what a card shows (its workshop's title) shows on the next page.
    with app.app_context():
        recording = db.session.get(Recording, ids[0])
        recording.workshop.title = "A workshop renamed"
        db.session.commit()
    assert "A workshop renamed" in client.get("/?lang=fr").get_data(as_text=True)


def test_a_bulk_write_through_the_session_bumps_the_version_and_one_to_an_unseen_table_does_not(make_app):
    """session.execute(update(...)) writes without a flush: it must move the version on as a flush does, or the
    page cache and everything kept until the next write would go on showing the old text."""
    app = make_app()  # The page cache on: the second page would be the first one's bytes.
    ids = catalogue_of(app, 1)
    client = app.test_client()
    assert "Recording 0" in client.get("/api/v1/recordings").get_data(as_text=True)
    with app.app_context():
        before = current_version(app)
        db.session.execute(update(User).values(display_name="Nobody a visitor sees"))
        db.session.commit()
        assert current_version(app) == before
        db.session.execute(update(Recording).where(Recording.id == ids[0]).values(title="Renamed in bulk"))
        db.session.commit()
        assert current_version(app) > before
    assert "Renamed in bulk" in client.get("/api/v1/recordings").get_data(as_text=True)


def test_a_new_url_of_a_recording_watched_since_the_last_write_reads_nothing(make_app):
    app = make_app(CATALOGUE_PAGE_CACHE_BYTES=0)
    (recording_id,) = catalogue_of(app, 1)
    with app.app_context():
        slug = db.session.get(Recording, recording_id).slug
    client = app.test_client()
    assert client.get(f"/recordings/{slug}").status_code == 200

    # A shared moment, another interface language: the recording, its stream and its parts come from memory.
    with QueryCounter(app) as queries:
        moment = client.get(f"/recordings/{slug}?t=42&lang=tr")
    assert moment.status_code == 200
    assert '<html lang="tr"' in moment.get_data(as_text=True)
    assert read_statements(queries) == []

    with app.app_context():
        db.session.get(Recording, recording_id).workshop.title = "Renamed after the first view"
        db.session.commit()
    assert "Renamed after the first view" in client.get(f"/recordings/{slug}?t=43").get_data(as_text=True)


def test_another_page_of_the_same_words_reads_nothing_and_a_write_is_found_at_once(make_app):
    app = make_app(CATALOGUE_PAGE_CACHE_BYTES=0)
    (recording_id,) = catalogue_of(app, 1)
    with app.app_context():
        harbours = [(0, 1000, "Harbours and their cities."), (2000, 3000, "The harbour at night.")]
        make_subtitles(db.session.get(Recording, recording_id), "en", harbours)
    client = app.test_client()
    english = client.get("/search?q=harbour").get_data(as_text=True)
    assert english.count("<mark>") == 2

    # The same words in another interface language: the matches, snippets and moments come from memory.
    with QueryCounter(app) as queries:
        french = client.get("/search?q=harbour&lang=fr").get_data(as_text=True)
    assert read_statements(queries) == []
    assert '<html lang="fr"' in french
    assert french.count("<mark>") == 2

    # A new revision is found, and said at the same moment, on the very next search.
    with app.app_context():
        make_subtitles(db.session.get(Recording, recording_id), "fr", [(0, 1000, "Les ports de la ville.")])
    found = client.get("/search?q=harbour").get_data(as_text=True)
    assert "Les ports de la ville." in found
    assert "Les <mark>ports</mark>" in client.get("/search?q=ports").get_data(as_text=True)


def test_what_a_transaction_that_wrote_reads_is_not_kept(make_app):
    """A rollback could undo what it read: keeping it under the catalogue version would show it for good."""
    app = make_app(CATALOGUE_PAGE_CACHE_BYTES=0)
    (recording_id,) = catalogue_of(app, 1)
    with app.test_request_context("/search"):
        db.session.get(Recording, recording_id).title = "Renamed, then rolled back"
        db.session.flush()
        search(db.session(), parse("renamed"))
        db.session.rollback()
        assert len(of_version(MATCHES_KEY, current_version(app), lambda: Memo(10, size=len))) == 0
    with app.test_request_context("/search"):
        search(db.session(), parse("renamed"))
        assert len(of_version(MATCHES_KEY, current_version(app), lambda: Memo(10, size=len))) == 1


def test_a_transaction_that_wrote_gets_a_memo_nobody_keeps(make_app):
    app = make_app(CATALOGUE_PAGE_CACHE_BYTES=0)
    (recording_id,) = catalogue_of(app, 1)
    with app.test_request_context("/"):
        kept = until_next_write("test memo", new_memo)
        assert until_next_write("test memo", new_memo) is kept
        db.session.get(Recording, recording_id).title = "Not committed yet"
        db.session.flush()
        assert until_next_write("test memo", new_memo) is not kept
        db.session.rollback()
        assert until_next_write("test memo", new_memo) is kept
