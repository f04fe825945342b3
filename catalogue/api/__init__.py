"""The JSON API (design.md §8): thin views over the domain packages."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Every JSON route under /api/v1; Bearer tokens only, so no CSRF token there."""
    from catalogue.accounts.auth import csrf_exempt

    # Every module of routes attaches to the blueprint: all are imported before it is registered.
    from catalogue.api import edits as _edits  # noqa: F401
    from catalogue.api import media as _media  # noqa: F401
    from catalogue.api import views as _views  # noqa: F401
    from catalogue.api.blueprint import bp

    csrf_exempt(bp)
    app.register_blueprint(bp, url_prefix="/api/v1")
