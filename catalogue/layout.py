"""The parts of every page's layout (base.html) that are the same for every visitor nobody signed in as.

The header (brand, search box, language switcher, sign-in link) shows interface text and links made from the
URL alone, yet rendering it took 0.1 ms of the home page's 1.9 ms (some twenty url_for and gettext calls). For a
visitor nobody signed in as it is kept per interface language, translations and URL, as the catalogue's cards
are (catalogue.memo.kept); a signed-in visitor's header (name, role links, a sign-out form holding a CSRF token)
is rendered every time and never kept.
"""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import urlsplit

from flask import Flask, render_template, request
from flask.testing import FlaskClient
from flask_login import UserMixin, current_user
from markupsafe import Markup
from sqlalchemy.engine import Connection

from catalogue.extensions import db
from catalogue.memo import Memo, kept, markup_memo, translations_signature

HEADER = "_header.html"
MEMO_KEY = "catalogue_layout_memo"
# Headers of some 300 URLs in three languages (about 3 kB each), apart from the cards: a crawler walking search
# URLs evicts other headers, never the catalogue's cards.
MEMO_BYTES = 3 * 1024 * 1024


def layout_memo() -> Memo[tuple[Markup, ...]]:
    return markup_memo(MEMO_KEY, MEMO_BYTES)


def site_header() -> Markup:
    """The site's header for this request, from the memo for a visitor nobody signed in as."""
    if cast(UserMixin, current_user).is_authenticated or request.endpoint is None:
        # Signed in: personal, with a token. No route (a 404): an address anybody can vary, not worth keeping.
        return Markup(render_template(HEADER))
    # The search box shows the query and the language links and the sign-in link carry the URL: all three
    # come from the endpoint, the path and the query string.
    key = (HEADER, request.endpoint, request.path, request.query_string)
    (header,) = kept(key, lambda: (Markup(render_template(HEADER)),), layout_memo())
    return header


def _note_translations_signature() -> None:
    translations_signature()


def init_app(app: Flask) -> None:
    app.jinja_env.globals["site_header"] = site_header
    # After catalogue.i18n's hook that loads a translator's new .mo (registered before this one).
    app.before_request(_note_translations_signature)


# What a new worker asks itself for before it serves, in every interface language; and the first recording's
# watch page, found through the API (its first recording).
WARM_UP_PATHS = ("/", "/search")
FIRST_RECORDING = "/api/v1/recordings"


def warm_up(app: Flask, connections: int = 1) -> None:
    """Compile every template, open `connections` database connections (one per thread of the worker), and ask
    for the catalogue, the search page and a watch page in every interface language, before a worker serves its
    first request.

    A fresh worker (a deploy, or gunicorn recycling it after max_requests) otherwise paid on its first requests
    for what it loads once: 100 ms for the first catalogue page (Jinja compiling, Babel's locale data, the first
    database connections, the catalogue's facts, two dozen cards), 30-50 ms for a watch or search page, while
    the requests queued behind it waited; and each of its threads opened its own connection on its first
    statement (on PostgreSQL a few milliseconds of authentication each). Under load that stall was the p99.
    A warm-up step that fails (the database not reachable yet, say) is logged and skipped: the worker starts all
    the same.
    """
    for name in app.jinja_env.list_templates(filter_func=lambda name: name.endswith(".html")):
        app.jinja_env.get_template(name)
    _open_connections(app, connections)
    client = app.test_client()
    paths = list(WARM_UP_PATHS)
    first = _warm_up_get(app, client, FIRST_RECORDING, app.config["BABEL_DEFAULT_LOCALE"], per_page="1")
    if first is not None and first.get("recordings"):
        paths.append(urlsplit(first["recordings"][0]["url"]).path)
    for language in app.config["LANGUAGES"]:
        for path in paths:
            _warm_up_get(app, client, path, language)


def _warm_up_get(app: Flask, client: FlaskClient, path: str, language: str, **arguments: str) -> Any:
    """GET `path` in `language` (and with these arguments); its JSON, if any. A failure is logged, never raised."""
    try:
        response = client.get(path, query_string={"lang": language, **arguments})
    except Exception:
        app.logger.warning("warm-up request %s?lang=%s failed", path, language, exc_info=True)
        return None
    if response.status_code >= 500:
        app.logger.warning("warm-up request %s?lang=%s answered %d", path, language, response.status_code)
    return response.get_json(silent=True) if response.is_json else None


def _open_connections(app: Flask, count: int) -> None:
    """Open `count` pooled connections at once and hand them back to the pool, where the threads find them."""
    with app.app_context():
        opened: list[Connection] = []
        try:
            for _ in range(count):
                opened.append(db.engine.connect())
        except Exception:
            app.logger.warning("warm-up could open %d of %d connections", len(opened), count, exc_info=True)
        finally:
            for connection in opened:
                connection.close()
