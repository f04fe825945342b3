"""The webinar catalogue: a Flask application factory in the style of the Flask tutorial."""

from pathlib import Path
from typing import Any

from flask import Flask


def _init_shared(app: Flask) -> None:
    """The shared layer: the database (and every model on its metadata), migrations, languages, errors, caching."""
    from catalogue import caching, errors, i18n, inputs, layout, pagecache
    from catalogue.db import configure_sqlite, ping_idle_connections
    from catalogue.extensions import db, migrate

    db.init_app(app)
    # Several gunicorn workers share the SQLite file: WAL and a busy timeout on every connection.
    with app.app_context():
        configure_sqlite(db.engine, int(app.config["CATALOGUE_LOCK_TIMEOUT_S"] * 1000))
        # A PostgreSQL restart is survived without a round trip on every request: only idle connections are pinged.
        ping_idle_connections(db.engine, float(app.config["CATALOGUE_DB_PING_IDLE_S"]))
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
    caching.init_app(app)
    pagecache.init_app(app)
    app.jinja_env.globals["page_link"] = inputs.page_link
    layout.init_app(app)


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
    # No media folder set: media/ in the instance folder, beside the default SQLite file and job queue (the
    # checkout's instance/, or Flask's folder for an installed package, never site-packages).
    if not app.config.get("CATALOGUE_MEDIA_DIR"):
        app.config["CATALOGUE_MEDIA_DIR"] = str(Path(app.instance_path) / "media")

    _init_shared(app)
    # The domains, lowest layer first (design.md §4): each registers its blueprints, CLI commands and hooks.
    from catalogue import accounts, api, demo, jobs, media, recordings, search, subtitles, translating

    for domain in (accounts, recordings, subtitles, translating, search, jobs, media, api, demo):
        domain.init_app(app)
    # Security headers, Secure cookies and the sign-in throttle, once the login view exists.
    from catalogue import security

    security.init_app(app)
    return app
