"""Writes of the search package beyond the session events of index.py: rebuilding the whole index, and
re-indexing the translated texts when the compiled `content` catalogues change.

A translator's save compiles a new content.mo (catalogue.translating); so does `flask translations compile` or a
deployment. Every worker looks at the files' stat() on each request, as catalogue.i18n does for its own cache, and
when they changed, the first worker to notice re-indexes the texts, in one transaction that also records the
catalogues' signature: the others find it recorded and do nothing. Search never imports the translating package.
"""

from __future__ import annotations

from flask import Flask, current_app
from sqlalchemy import update
from sqlalchemy.engine import Connection

from catalogue.extensions import db
from catalogue.pagecache import bump
from catalogue.search import content
from catalogue.search.index import index_texts, rebuild
from catalogue.search.models import CONTENT_STATE, STATE

STAMPS = "catalogue_search_content_stamps"


def reindex() -> None:
    """The whole index from the database and the compiled catalogues (`flask search reindex`)."""
    with db.engine.begin() as connection:
        rebuild(connection)
        bump(connection)


def reindex_translated_texts(connection: Connection, translations: content.ContentTranslations) -> bool:
    """Re-index the texts unless the index already holds these catalogues' translations; True when it did."""
    claimed = connection.execute(
        update(STATE)
        .where(STATE.c.name == CONTENT_STATE, STATE.c.signature != translations.signature)
        .values(signature=translations.signature)
    ).rowcount
    if not claimed:
        return False
    index_texts(connection)
    bump(connection)
    return True


def refresh_translated_texts() -> None:
    """Before each request: a few stat() calls; a new compiled content catalogue re-indexes the texts."""
    state = current_app.extensions[STAMPS]
    stamps = content.stamps()
    if stamps == state["stamps"]:
        return
    with db.engine.begin() as connection:
        reindex_translated_texts(connection, content.current())
    state["stamps"] = stamps


def init_app(app: Flask) -> None:
    with app.app_context():
        app.extensions[STAMPS] = {"stamps": content.stamps()}
    app.before_request(refresh_translated_texts)
