"""The webinar catalogue: a Flask application factory in the style of the Flask tutorial."""

from pathlib import Path
from typing import Any

from flask import Flask


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints and CLI commands."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object("config.Config")
    if config:
        app.config.update(config)
    # Flask-Babel joins this to the package path; an absolute path points it at the top-level translations/.
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = app.config["CATALOGUE_TRANSLATIONS_DIR"]
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    from catalogue import errors, i18n
    from catalogue.extensions import db, migrate

    db.init_app(app)
    # Importing the models registers them on the metadata that Alembic compares against.
    from catalogue.recordings import models as _recordings_models  # noqa: F401
    from catalogue.subtitles import models as _subtitles_models  # noqa: F401

    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"))
    i18n.init_app(app)
    errors.init_app(app)

    from catalogue.api.views import bp as api_bp
    from catalogue.demo.cli import demo_cli
    from catalogue.recordings.views import bp as recordings_bp
    from catalogue.subtitles.views import bp as subtitles_bp
    from catalogue.translating.cli import translations_cli

    app.register_blueprint(recordings_bp)
    app.register_blueprint(subtitles_bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.cli.add_command(demo_cli)
    app.cli.add_command(translations_cli)
    return app
