"""The watch page's cost does not grow with a recording's tracks, chapters and people, and what it keeps between
views (the parts that show nothing the URL asks for, recordings.views._watch_parts) is never stale.

The page cache is off here, so every request runs the view.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy import event, select

from catalogue.extensions import db
from catalogue.memo import FRAGMENT_MEMO_KEY as PARTS_MEMO
from catalogue.recordings.models import Chapter, Person, Recording, Role
from tests.conftest import api_token
from tests.factories import make_audio_track, make_event, make_recording, make_subtitles, make_workshop

LANGUAGES = ("en", "fr", "tr", "de", "es", "ar")
ROLES = (Role.MODERATOR, Role.INTRODUCTION, Role.CONCLUSION)


@pytest.fixture
def uncached(make_app, app) -> Flask:
    """The test's database, served without the page cache."""
    return make_app(CATALOGUE_PAGE_CACHE_BYTES=0)


def make_watchable(how_many: int) -> str:
    """A recording with `how_many` audio tracks, subtitle languages, chapters (each with a speaker) and people."""
    people = [(ROLES[i % len(ROLES)], f"Person {how_many}-{i}") for i in range(how_many)]
    workshop = make_workshop(make_event(), people=people)
    chapters = [(i * 5_000, f"Chapter {i}", f"Speaker {how_many}-{i}") for i in range(how_many)]
    recording = make_recording(workshop, chapters=chapters)
    for i in range(how_many):
        make_audio_track(recording, languages=(LANGUAGES[i],), is_default=i == 0)
        make_subtitles(recording, LANGUAGES[i])
    db.session.commit()
    return recording.slug


def statements_of(app: Flask, path: str) -> tuple[int, str]:
    client = app.test_client()
    client.get("/healthz")  # Any first-request work (a translations check) happens before counting.
    seen: list[str] = []

    def count(_connection: object, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(seen), response.get_data(as_text=True)


def renders(app: Flask) -> int:
    memo = app.extensions.get(PARTS_MEMO)
    return memo.renders if memo is not None else 0


def test_a_watch_page_reads_as_many_statements_for_1_or_6_tracks_chapters_and_people(app, uncached):
    with app.app_context():
        one, six = make_watchable(1), make_watchable(6)
    count_one, _page = statements_of(uncached, f"/recordings/{one}?lang=en")
    count_six, page = statements_of(uncached, f"/recordings/{six}?lang=en")
    # The recording with its workshop and event; its audio tracks; its subtitle languages, chapters and people
    # (one statement of tagged rows); its stream.
    assert count_one == count_six == 4
    # ...and the page shows all six of each.
    assert len(re.findall(r'<input type="radio" name="audio"', page)) == 6
    assert len(re.findall(r'<input type="radio" name="subs" value="(?!off)', page)) == 6
    assert len(re.findall(r"download>SRT</a>", page)) == 6
    assert len(re.findall(r'<button type="button" class="chapter"', page)) == 6
    assert all(f"Speaker 6-{i}" in page and f"Person 6-{i}" in page for i in range(6))


def test_kept_parts_serve_other_urls_and_a_write_shows_at_once(app, uncached):
    with app.app_context():
        slug = make_watchable(2)
    client = uncached.test_client()
    first = client.get(f"/recordings/{slug}?lang=fr").get_data(as_text=True)
    kept = renders(uncached)
    # The recording's parts, the controls, the player's messages, and the player for this audio and subtitles.
    assert kept == 4
    other_audio = re.findall(r'name="audio" value="([^"]+)"', first)[1]
    # A shared moment renders nothing again.
    for query in ("t=30", "t=12"):
        assert client.get(f"/recordings/{slug}?{query}&lang=fr").status_code == 200
    assert renders(uncached) == kept
    # Another audio track or subtitle choice renders its player once, and only that.
    for query in ("subs=off", f"audio={other_audio}"):
        assert client.get(f"/recordings/{slug}?{query}&lang=fr").status_code == 200
        kept += 1
        assert renders(uncached) == kept
        again = client.get(f"/recordings/{slug}?{query}&t=99&lang=fr").get_data(as_text=True)
        assert renders(uncached) == kept
        assert f'value="http://localhost/recordings/{slug}?{query}&amp;t=99&amp;lang=fr"' in again

    with app.app_context():
        recording = db.session.scalar(select(Recording).where(Recording.slug == slug))
        db.session.add(Chapter(recording=recording, start_ms=50_000, title="<script>alert(1)</script> Questions"))
        db.session.scalar(select(Person).where(Person.name == "Speaker 2-0")).name = "Speaker renamed"
        db.session.commit()
        make_subtitles(recording, "de")
    after = client.get(f"/recordings/{slug}?lang=fr").get_data(as_text=True)
    assert renders(uncached) == kept + 2  # This recording's parts and its player (German subtitles), only.
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Questions" in after and "<script>alert" not in after
    assert "Speaker renamed" in after and "Speaker 2-0" not in after and "Speaker 2-0" in first
    assert "/subtitles/de.srt" in after and "/subtitles/de.srt" not in first
    # Kept, the escaped part is served as it was rendered.
    assert client.get(f"/recordings/{slug}?t=1&lang=fr").get_data(as_text=True).count("&lt;script&gt;alert(1)") == 1


def test_kept_parts_follow_the_language_and_a_translators_save(make_app, translated_app, translations_copy):
    app = make_app(CATALOGUE_PAGE_CACHE_BYTES=0, CATALOGUE_TRANSLATIONS_DIR=str(translations_copy))
    client = app.test_client()
    path = "/recordings/workshop-1-building-resilience"
    french = client.get(f"{path}?lang=fr").get_data(as_text=True)
    english = client.get(f"{path}?lang=en").get_data(as_text=True)
    assert client.get(f"{path}?lang=fr").get_data(as_text=True) == french
    assert renders(app) == 8  # Four parts in each language.
    assert '<h2 id="chapters-heading">Chapitres</h2>' in french and "Chapters</h2>" in english
    assert 'aria-label="Commandes du lecteur"' in french and 'aria-label="Player controls"' in english

    token = api_token(app, "traductrice@example.org", "translator", display_name="Traductrice", locales=("fr",))
    messages = "/api/v1/translations/fr/messages/messages"
    for msgid, msgstr in (("Chapters", "Séquences"), ("Player controls", "Boutons du lecteur")):
        body = {"msgid": msgid, "context": None, "msgstr": msgstr, "fuzzy": False}
        body["base_revision"] = client.get(messages).get_json()["revision"]
        saved = client.put(messages, headers={"Authorization": f"Bearer {token}"}, json=body)
        assert saved.status_code == 200, saved.get_json()
    edited = client.get(f"{path}?lang=fr").get_data(as_text=True)
    assert '<h2 id="chapters-heading">Séquences</h2>' in edited and 'aria-label="Boutons du lecteur"' in edited
    assert client.get(f"{path}?lang=en").get_data(as_text=True) == english
