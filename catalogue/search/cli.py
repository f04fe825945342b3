"""`flask --app catalogue search reindex`: rebuild the search index from the database."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from catalogue.extensions import db
from catalogue.pagecache import bump
from catalogue.search.index import rebuild
from catalogue.search.query import count_documents

search_cli = AppGroup("search", help="The search index.")


@search_cli.command("reindex")
def reindex() -> None:
    """Rebuild the whole index (current subtitle revisions, titles, summaries, chapters, speakers)."""
    with db.engine.begin() as connection:
        rebuild(connection)
        bump(connection)
    click.echo(f"Search index rebuilt: {count_documents(db.session):,} documents.")
