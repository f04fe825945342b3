"""Search inside everything that was said and written: the index, queries, the search page."""

from flask import Flask


def init_app(app: Flask) -> None:
    from catalogue.extensions import db
    from catalogue.search import index, services
    from catalogue.search.cli import search_cli
    from catalogue.search.queries import use_custom_plans
    from catalogue.search.views import bp

    # Uploads and restores re-index their track in the same transaction (subtitles never imports search).
    index.register()
    # A new compiled `content` catalogue re-indexes the translated texts (translating never imports search).
    services.init_app(app)
    with app.app_context():
        use_custom_plans(db.engine)
    app.register_blueprint(bp)
    app.cli.add_command(search_cli)
