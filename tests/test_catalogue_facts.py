"""Facts of the whole catalogue (the home page's language filters, the search page's choices) are read once per
catalogue version: a repeated page does not scan every track again, and a write shows in them on the next page."""

from __future__ import annotations

import re

from catalogue.extensions import db
from catalogue.recordings.models import Recording
from tests.conftest import create_schema, reset_database
from tests.factories import make_audio_track, make_recording, make_subtitles
from tests.test_pagecache import QueryCounter


def subtitle_options(html: str) -> list[str]:
    select = html.split('id="filter-subs"', 1)[1].split("</select>", 1)[0]
    return re.findall(r'<option value="([^"]+)"', select)


def test_the_filters_are_read_once_per_version_and_follow_a_write(make_app):
    app = make_app(CATALOGUE_PAGE_CACHE_BYTES=0)  # Every page renders: only the facts are kept.
    with app.app_context():
        reset_database()
        create_schema()
        recording = make_recording()
        make_audio_track(recording, languages=("en",))
        make_subtitles(recording, "fr")
        recording_id = recording.id
    client = app.test_client()
    assert subtitle_options(client.get("/").get_data(as_text=True)) == ["fr"]
    with QueryCounter(app) as statements:
        again = client.get("/").get_data(as_text=True)
    assert subtitle_options(again) == ["fr"]
    assert not [s for s in statements.statements if "DISTINCT" in s.upper()], statements.statements
    with app.app_context():
        make_subtitles(db.session.get(Recording, recording_id), "tr")
    assert subtitle_options(client.get("/").get_data(as_text=True)) == ["fr", "tr"]
    search = client.get("/search?q=anything").get_data(as_text=True)
    assert 'value="tr"' in search
