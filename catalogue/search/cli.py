"""`flask --app catalogue search reindex`: rebuild the search index from the database."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from catalogue.extensions import db
from catalogue.search.queries import count_documents
from catalogue.search.services import reindex as reindex_everything

search_cli = AppGroup("search", help="The search index.")


@search_cli.command("reindex")
def reindex() -> None:
    """Rebuild the whole index (current subtitle revisions; titles, summaries, chapters, speakers and event texts
    in every language the content catalogues translate them into)."""
    reindex_everything()
    click.echo(f"Search index rebuilt: {count_documents(db.session()):,} documents.")
