"""A worker warms up before it serves (catalogue.layout.warm_up, called by catalogue.wsgi in every worker).

Its first requests used to compile templates and load Babel's locale data while every request queued behind them
waited: the p99 of cache hits under load. A warm-up that fails (no database yet) is logged and the worker starts.
"""

from __future__ import annotations

import logging

from flask import Flask

from catalogue.extensions import db
from catalogue.layout import warm_up
from catalogue.recordings.queries import WATCHED_KEY


def test_warm_up_compiles_every_template_and_renders_each_language(make_app, demo_app):
    app: Flask = make_app(CATALOGUE_PAGE_CACHE_BYTES=0)
    templates = app.jinja_env.list_templates(filter_func=lambda name: name.endswith(".html"))
    assert len(templates) > 20
    warm_up(app)
    loaded = {key[1] for key in app.jinja_env.cache}  # (loader's weakref, name)
    assert set(templates) <= loaded
    # Each language's catalogue page was made: its cards are kept, in French and Turkish too.
    french = app.test_client().get("/?lang=fr")
    assert french.status_code == 200 and "Enregistrements" in french.get_data(as_text=True)
    memo = app.extensions["catalogue_fragment_memo"]
    assert memo.hits > 0 and memo.renders >= 3 * 4  # three languages × (three cards and the summit's line)


def test_a_worker_without_its_database_still_starts(make_app, caplog, tmp_path):
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'no-tables.sqlite'}")
    with caplog.at_level(logging.WARNING):
        warm_up(app)
    assert "warm-up request" in caplog.text


def test_warm_up_opens_a_connection_per_thread_and_watches_the_first_recording(make_app, demo_app):
    app: Flask = make_app(CATALOGUE_PAGE_CACHE_BYTES=0)
    warm_up(app, connections=3)
    with app.app_context():
        # Handed back to the pool, where the worker's threads find them open.
        assert db.engine.pool.checkedin() == 3
    first = app.test_client().get("/api/v1/recordings?per_page=1").get_json()["recordings"][0]
    # The first recording's watch page was made in every language: its facts are kept until the next write.
    watched = app.extensions[WATCHED_KEY][1]
    assert watched.get(first["slug"]) is not None
    assert watched.hits >= 2  # French and Turkish after English
