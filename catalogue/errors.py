"""Error pages in the visitor's language, and JSON errors under /api (design.md §8 error shape)."""

import contextlib

from babel.numbers import format_decimal
from flask import Flask, current_app, jsonify, make_response, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException


def wants_json() -> bool:
    return request.path.startswith("/api/")


def api_error(status: int, code: str, message: str, line: int | None = None):
    return jsonify({"errors": [{"line": line, "code": code, "message": message}]}), status


def _too_large() -> str:
    limit = format_decimal(current_app.config["CATALOGUE_MAX_SUBTITLE_BYTES"], locale=str(get_locale() or "en"))
    return _("The file is too large: subtitle files may be up to %(limit)s bytes.", limit=limit)


def handle_http_error(error: HTTPException):
    status = error.code or 500
    if wants_json():
        message = _too_large() if status == 413 else error.description or ""
        response = api_error(status, (error.name or "error").lower().replace(" ", "-"), message)
    else:
        messages = {
            401: _("Please sign in to do this."),
            403: _("Your account may not do this. Ask an administrator if you need to."),
            404: _("We could not find that page. The recording, language or track in the link may not exist."),
            405: _("This address does not accept that kind of request."),
            413: _too_large() if status == 413 else "",
        }
        message = messages.get(status, _("Something went wrong. Please try again in a moment."))
        response = render_template("errors/error.html", status=status, message=message), status
    # Keep the headers the error carries (Allow on 405, for example).
    final = make_response(response)
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            final.headers.setdefault(name, value)
    return final


def handle_database_down(error: Exception):
    """The database is unreachable (restarting, failing over): a clear 503 now, and the connection pool
    (pool_pre_ping) reconnects by itself once it is back; the app needs no restart."""
    from catalogue.extensions import db

    with contextlib.suppress(Exception):
        db.session.rollback()
    current_app.logger.warning("database unavailable: %s", error.__class__.__name__)
    message = _("The catalogue cannot reach its database right now. Please try again in a moment.")
    if wants_json():
        response = make_response(api_error(503, "database-unavailable", message))
    else:
        response = make_response(render_template("errors/error.html", status=503, message=message), 503)
    response.headers["Retry-After"] = "5"
    return response


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(OperationalError, handle_database_down)
    app.register_error_handler(InterfaceError, handle_database_down)
