"""Search inside everything that was said and written: the index, queries, the search page."""

from flask import Flask


def init_app(app: Flask) -> None:
    from catalogue.search import index
    from catalogue.search.cli import search_cli
    from catalogue.search.views import bp

    # Uploads and restores re-index their track in the same transaction (subtitles never imports search).
    index.register()
    app.register_blueprint(bp)
    app.cli.add_command(search_cli)
