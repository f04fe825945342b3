"""The catalogue's cards, an event's sections and the API's recordings are rendered once and reused.

catalogue.recordings.cards and catalogue.api.recording_json key what they render by what it shows: a write
renders again only what it changed, a translator's new .mo renders again what is translated, and every other
view reuses what is kept. The page cache is off here, so every request runs its view and asks the memo.
"""

from __future__ import annotations

import threading

import pytest
from flask import Flask
from sqlalchemy import select

from catalogue.api.recording_json import MEMO_KEY as JSON_MEMO
from catalogue.extensions import db
from catalogue.memo import FRAGMENT_MEMO_KEY as FRAGMENT_MEMO
from catalogue.memo import Memo
from catalogue.recordings.models import Recording
from tests.conftest import api_token, csrf_token_from
from tests.factories import vtt

SLUG = "workshop-1-building-resilience"
EVENT = "/events/mayors-summit-2021"
FRENCH_TITLE = "Renforcer la résilience des villes"
TURKISH_TITLE = "Kentlerde dirençliliği güçlendirmek"


@pytest.fixture
def uncached(make_app, demo_app) -> Flask:
    """The demo summit, served without the page cache."""
    return make_app(CATALOGUE_PAGE_CACHE_BYTES=0)


def renders(app: Flask, memo: str = FRAGMENT_MEMO) -> int:
    found = app.extensions.get(memo)
    return found.renders if found is not None else 0


def fragments_on(page: str) -> int:
    """The kept fragments a catalogue page is made of: its cards and its events' lead lines."""
    return page.count('<article class="card">') + page.count('<p class="lead">')


def card_of(page: str, slug: str) -> str:
    start = page.index(f'<h2 id="title-{slug}">')
    return page[start : page.index("</article>", start)]


def set_workshop_title(app: Flask, slug: str, title: str) -> None:
    with app.app_context():
        recording = db.session.scalar(select(Recording).where(Recording.slug == slug))
        assert recording is not None
        recording.workshop.title = title
        db.session.commit()


def test_each_card_is_rendered_once_then_reused(uncached):
    client = uncached.test_client()
    first = client.get("/?lang=fr").get_data(as_text=True)
    # Three workshops' cards and the summit's line, and the page's filters and page links.
    assert renders(uncached) == fragments_on(first) + 1 == 5
    again = client.get("/?lang=fr").get_data(as_text=True)
    same_cards = client.get("/?lang=fr&page=1").get_data(as_text=True)
    assert renders(uncached) == 5
    assert uncached.extensions[FRAGMENT_MEMO].hits == 10
    assert again == first and same_cards.count('<article class="card">') == 3


def test_an_event_page_renders_its_workshops_once(uncached):
    client = uncached.test_client()
    first = client.get(f"{EVENT}?lang=tr").get_data(as_text=True)
    assert renders(uncached) == first.count('<section class="card">') == 3
    assert TURKISH_TITLE in first
    assert client.get(f"{EVENT}?lang=tr").get_data(as_text=True) == first
    assert renders(uncached) == 3


def test_a_changed_recording_renders_its_card_again_and_only_it(uncached, make_user, login):
    viewer = uncached.test_client()
    before = viewer.get("/?lang=en").get_data(as_text=True)
    assert 'class="badge audio interpretation"' in card_of(before, SLUG)
    kept = renders(uncached)

    make_user("archivist@example.org", "archivist")
    archivist = uncached.test_client()
    assert login(archivist, "archivist@example.org").status_code == 302
    audio_page = f"/archive/recordings/{SLUG}/audio"
    token = csrf_token_from(archivist.get(audio_page).get_data(as_text=True))
    retired = archivist.post(f"{audio_page}/interpretation/retire", data={"csrf_token": token})
    assert retired.status_code == 303

    after = viewer.get("/?lang=en").get_data(as_text=True)
    assert renders(uncached) == kept + 1
    assert 'class="badge audio interpretation"' not in card_of(after, SLUG)
    assert before.count('class="badge audio interpretation"') - after.count('class="badge audio interpretation"') == 1

    set_workshop_title(uncached, SLUG, "Cities that hold together")
    retitled = viewer.get("/?lang=en").get_data(as_text=True)
    assert renders(uncached) == kept + 2
    assert "Cities that hold together" in card_of(retitled, SLUG)


def test_hostile_text_stays_escaped_in_a_kept_card(uncached):
    set_workshop_title(uncached, SLUG, '<script>alert(1)</script> & "quoted"')
    client = uncached.test_client()
    pages = [client.get("/?lang=en").get_data(as_text=True) for _ in range(2)]
    assert uncached.extensions[FRAGMENT_MEMO].hits >= 1  # The second page reused the first one's cards.
    for page in pages:
        assert "<script>alert(1)" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;quoted&#34;" in card_of(page, SLUG)


def test_each_language_gets_its_own_cards(uncached):
    client = uncached.test_client()
    french = client.get("/?lang=fr").get_data(as_text=True)
    turkish = client.get("/?lang=tr").get_data(as_text=True)
    assert renders(uncached) == 10  # Nothing rendered for French is shown to a Turkish reader.
    assert FRENCH_TITLE in card_of(french, SLUG) and TURKISH_TITLE not in french
    assert TURKISH_TITLE in card_of(turkish, SLUG) and FRENCH_TITLE not in turkish
    assert '<html lang="tr">' in turkish and "Atelier thématique 1" in french


def test_a_saved_content_translation_renders_the_cards_again(make_app, translated_app, translations_copy):
    app = make_app(CATALOGUE_PAGE_CACHE_BYTES=0, CATALOGUE_TRANSLATIONS_DIR=str(translations_copy))
    client = app.test_client()
    assert FRENCH_TITLE in card_of(client.get("/?lang=fr").get_data(as_text=True), SLUG)
    client.get("/?lang=tr")
    assert renders(app) == 10
    client.get("/?lang=fr")
    assert renders(app) == 10

    token = api_token(app, "traductrice@example.org", "translator", display_name="Traductrice", locales=("fr",))
    messages = "/api/v1/translations/fr/content/messages"
    revision = client.get(messages).get_json()["revision"]
    body = {
        "msgid": "Building resilience in cities",
        "context": "workshop title",
        "msgstr": "Bâtir des villes résilientes",
        "fuzzy": False,
        "base_revision": revision,
    }
    saved = client.put(messages, headers={"Authorization": f"Bearer {token}"}, json=body)
    assert saved.status_code == 200, saved.get_json()

    french = client.get("/?lang=fr").get_data(as_text=True)
    assert renders(app) == 15  # Every French fragment again: the compiled catalogues changed.
    assert "Bâtir des villes résilientes" in card_of(french, SLUG) and FRENCH_TITLE not in french
    turkish = client.get("/?lang=tr").get_data(as_text=True)
    assert TURKISH_TITLE in card_of(turkish, SLUG)
    client.get("/?lang=fr")
    assert renders(app) == 20  # Turkish once more (its key holds the signature too), French reused.


def test_the_api_describes_each_recording_once_per_host(uncached):
    client = uncached.test_client()
    first = client.get("/api/v1/recordings").get_json()
    assert renders(uncached, JSON_MEMO) == len(first["recordings"]) == 3
    assert client.get("/api/v1/recordings").get_json() == first
    assert client.get(f"/api/v1/recordings/{SLUG}").get_json() == first["recordings"][0]
    assert renders(uncached, JSON_MEMO) == 3

    elsewhere = client.get("/api/v1/recordings", base_url="https://other.example").get_json()
    assert renders(uncached, JSON_MEMO) == 6
    urls = [elsewhere["recordings"][0]["url"], *(s["vtt_url"] for s in elsewhere["recordings"][0]["subtitles"])]
    assert urls and all(url.startswith("https://other.example/") for url in urls)

    token = api_token(uncached, "archiviste@example.org", "archivist", display_name="Archiviste")
    upload = client.put(
        f"/api/v1/recordings/{SLUG}/subtitles/de",
        data=vtt([(0, 2000, "Widerstandsfähige Städte.")]),
        headers={"Authorization": f"Bearer {token}"},
    )
    assert upload.status_code == 201, upload.get_json()
    after = client.get("/api/v1/recordings").get_json()
    assert renders(uncached, JSON_MEMO) == 7
    languages = [s["language"] for s in after["recordings"][0]["subtitles"]]
    assert "de" in languages and after["recordings"][1:] == first["recordings"][1:]


def test_the_memo_keeps_within_its_size_and_forgets_the_least_recently_used():
    memo: Memo[str] = Memo(10, size=len)
    for key in "abc":
        memo.put(key, key * 3)
    assert memo.get("a") == "aaa"  # Now the most recently used.
    memo.put("d", "ddd")
    assert [memo.get(key) for key in "abcd"] == ["aaa", None, "ccc", "ddd"]
    memo.put("huge", "x" * 11)
    assert memo.get("huge") is None and len(memo) == 3
    assert (memo.renders, memo.hits) == (5, 4)


def test_threads_share_the_memo_within_its_bound():
    memo: Memo[int] = Memo(100, size=lambda _value: 1)
    asks = 2000

    def work(offset: int) -> None:
        for number in range(asks):
            key = (number * 7 + offset) % 150
            if memo.get(key) is None:
                memo.put(key, key)

    threads = [threading.Thread(target=work, args=(offset,)) for offset in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(memo) == 100
    assert memo.hits + memo.renders == 4 * asks
    assert all(memo.get(key) in (None, key) for key in range(150))


def test_the_api_writes_what_jsonify_writes_and_shows_a_new_stream_at_once(uncached):
    """The recordings API joins kept JSON texts (catalogue.api.recording_json): byte for byte the answer the
    app's JSON provider writes for the same objects, and a stream's new state is a new key."""
    from catalogue.media.models import Stream, StreamState

    client = uncached.test_client()
    for path in ("/api/v1/recordings", "/api/v1/recordings?page=2&per_page=2", f"/api/v1/recordings/{SLUG}"):
        answer = client.get(path)
        assert answer.status_code == 200
        with uncached.test_request_context(path):
            assert uncached.json.response(answer.get_json()).get_data() == answer.get_data(), path

    before = client.get(f"/api/v1/recordings/{SLUG}").get_json()["stream"]
    with uncached.app_context():
        recording = db.session.scalar(select(Recording).where(Recording.slug == SLUG))
        assert recording is not None
        db.session.add(Stream(recording_id=recording.id, state=StreamState.QUEUED))
        db.session.commit()
    listed = client.get("/api/v1/recordings").get_json()["recordings"]
    after = next(r for r in listed if r["slug"] == SLUG)["stream"]
    assert before["state"] != "queued" and after["state"] == "queued"
    assert client.get(f"/api/v1/recordings/{SLUG}").get_json()["stream"]["state"] == "queued"


def test_each_search_hit_is_rendered_once_per_language_then_reused(uncached):
    client = uncached.test_client()
    french = client.get("/search?q=kentlerde&lang=fr").get_data(as_text=True)
    hits = french.count('<li class="hit ')
    assert hits >= 1 and renders(uncached) == hits + 1  # and the form's choices
    assert client.get("/search?q=kentlerde&lang=fr").get_data(as_text=True) == french
    assert renders(uncached) == hits + 1
    assert ">paroles<" in french  # The hit's kind, in the page's language.
    # Other words: new hits, the same choices.
    other = client.get("/search?q=resilience&lang=fr").get_data(as_text=True)
    assert renders(uncached) == hits + 1 + other.count('<li class="hit ')
    assert '<option value="">Partout</option>' in other

    before_turkish = renders(uncached)
    turkish = client.get("/search?q=kentlerde&lang=tr").get_data(as_text=True)
    assert renders(uncached) == before_turkish + turkish.count('<li class="hit ') + 1
    assert ">paroles<" not in turkish
