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
    # Bodies larger than a subtitle file (plus form overhead) are refused with 413 before they are read;
    # the media upload form lifts the limit for itself.
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = app.config["CATALOGUE_MAX_SUBTITLE_BYTES"] + 1024 * 1024
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    from catalogue import errors, i18n, pagecache
    from catalogue.accounts import auth
    from catalogue.db import configure_sqlite
    from catalogue.extensions import db, migrate

    db.init_app(app)
    # Several gunicorn workers share the SQLite file: WAL and a busy timeout on every connection.
    with app.app_context():
        configure_sqlite(db.engine, int(app.config["CATALOGUE_LOCK_TIMEOUT_S"] * 1000))
    # Importing the models registers them on the metadata that Alembic compares against.
    from catalogue.accounts import models as _accounts_models  # noqa: F401
    from catalogue.jobs import models as _jobs_models  # noqa: F401
    from catalogue.media import models as _media_models  # noqa: F401
    from catalogue.recordings import models as _recordings_models  # noqa: F401
    from catalogue.search import models as _search_models  # noqa: F401
    from catalogue.subtitles import models as _subtitles_models  # noqa: F401
    from catalogue.translating import models as _translating_models  # noqa: F401

    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"))
    i18n.init_app(app)
    errors.init_app(app)
    auth.init_app(app)
    from catalogue import caching

    caching.init_app(app)
    pagecache.init_app(app)

    from catalogue.accounts.cli import users_cli
    from catalogue.accounts.views import bp as accounts_bp
    from catalogue.api.views import bp as api_bp
    from catalogue.demo.cli import demo_cli
    from catalogue.recordings.manage import bp as manage_bp
    from catalogue.recordings.views import bp as recordings_bp
    from catalogue.subtitles.archive import bp as archive_bp
    from catalogue.subtitles.cli import subtitles_cli
    from catalogue.subtitles.views import bp as subtitles_bp
    from catalogue.translating.cli import translations_cli
    from catalogue.translating.views import bp as translate_bp

    # The JSON API authenticates by Bearer token only, never by the session cookie: no CSRF token there.
    auth.csrf.exempt(api_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(recordings_bp)
    app.register_blueprint(subtitles_bp)
    app.register_blueprint(archive_bp)
    app.register_blueprint(manage_bp)
    app.register_blueprint(translate_bp)
    from catalogue import search

    search.init_app(app)
    # The media routes join the API blueprint: their module must be imported before it is registered.
    from catalogue.api import media as _api_media  # noqa: F401

    app.register_blueprint(api_bp, url_prefix="/api/v1")
    # Media sources, HLS streams and the background jobs that package them (design.md §5).
    from catalogue import jobs, media

    jobs.init_app(app)
    media.init_app(app)
    # Security headers on every response, Secure cookies and the sign-in throttle (after the login view exists).
    from catalogue import security

    security.init_app(app)
    app.cli.add_command(demo_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(subtitles_cli)
    app.cli.add_command(translations_cli)
    # What `translations extract` reads into the `content` domain (translating does not import the domains).
    from catalogue.recordings.content import content_messages

    app.extensions["catalogue_content_sources"] = [content_messages]
    return app
