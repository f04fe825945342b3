"""Error pages in the visitor's language, and JSON errors under /api (design.md §8 error shape)."""

import contextlib
from typing import NotRequired, TypedDict

from babel.numbers import format_decimal
from flask import Flask, Response, current_app, jsonify, make_response, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy.exc import DataError, IntegrityError, InterfaceError, OperationalError, StatementError
from werkzeug.exceptions import HTTPException

from catalogue.db import Busy, is_lock_timeout
from catalogue.inputs import InvalidInput
from catalogue.problems import N_


def wants_json() -> bool:
    return request.path.startswith("/api/")


class ErrorJSON(TypedDict):
    """One entry of an API error's `errors` list (design.md §8)."""

    line: int | None
    code: str
    message: str
    field: NotRequired[str]


def api_error(
    status: int, code: str, message: str, line: int | None = None, field: str | None = None
) -> tuple[Response, int]:
    error: ErrorJSON = {"line": line, "code": code, "message": message}
    if field:
        error["field"] = field  # Which input was refused (design.md §9: a bad value is a 4xx naming the field).
    return jsonify({"errors": [error]}), status


def _too_large() -> str:
    limit = format_decimal(current_app.config["CATALOGUE_MAX_SUBTITLE_BYTES"], locale=str(get_locale() or "en"))
    return _("The file is too large: subtitle files may be up to %(limit)s bytes.", limit=limit)


def handle_http_error(error: HTTPException) -> Response:
    status = error.code or 500
    if wants_json():
        message = _too_large() if status == 413 else error.description or ""
        response: ResponseReturnValue = api_error(status, (error.name or "error").lower().replace(" ", "-"), message)
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


def handle_database_down(error: Exception) -> Response:
    """The database is unreachable (restarting, failing over): a clear 503 now, and the connection pool
    (catalogue.db.ping_idle_connections) reconnects by itself once it is back; the app needs no restart."""
    from catalogue.extensions import db

    with contextlib.suppress(Exception):
        db.session.rollback()
    if is_lock_timeout(error):
        return handle_busy(Busy(N_("The catalogue is busy saving other changes. Try again in a moment.")))
    current_app.logger.warning("database unavailable: %s", error.__class__.__name__)
    message = _("The catalogue cannot reach its database right now. Please try again in a moment.")
    if wants_json():
        response = make_response(api_error(503, "database-unavailable", message))
    else:
        response = make_response(render_template("errors/error.html", status=503, message=message), 503)
    response.headers["Retry-After"] = "5"
    return response


def handle_busy(error: Busy) -> Response:
    """A lock another writer holds did not come free in time: come back in a moment (503), nothing was changed."""
    message = _(error.message)
    if wants_json():
        response = make_response(api_error(503, "busy", message))
    else:
        response = make_response(render_template("errors/error.html", status=503, message=message), 503)
    response.headers["Retry-After"] = str(error.retry_after_s)
    return response


def handle_invalid_input(error: InvalidInput) -> ResponseReturnValue:
    """A value refused before it reached the database: 422 naming the field."""
    if wants_json():
        return api_error(422, error.code, error.message, field=error.field)
    return render_template("errors/error.html", status=422, message=error.message), 422


def handle_refused_by_database(error: StatementError) -> ResponseReturnValue:
    """The last line of defence: a value the database refuses (too long for its column on PostgreSQL, out of
    range, a constraint) or that a column type cannot convert is the request's fault, so a 422, not a 500.
    Views validate first; this only catches what they missed. Any other statement error is a bug: re-raised."""
    from catalogue.extensions import db

    if not isinstance(error, DataError | IntegrityError) and not isinstance(
        error.orig, ValueError | TypeError | OverflowError
    ):
        raise error
    with contextlib.suppress(Exception):
        db.session.rollback()
    current_app.logger.warning("value refused by the database: %s", error.__class__.__name__)
    message = _("A value in this request does not fit the catalogue. Check the fields and try again.")
    if wants_json():
        return api_error(422, "bad-value", message)
    return render_template("errors/error.html", status=422, message=message), 422


def init_app(app: Flask) -> None:
    app.register_error_handler(InvalidInput, handle_invalid_input)
    app.register_error_handler(DataError, handle_refused_by_database)
    app.register_error_handler(IntegrityError, handle_refused_by_database)
    app.register_error_handler(StatementError, handle_refused_by_database)
    app.register_error_handler(Busy, handle_busy)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(OperationalError, handle_database_down)
    app.register_error_handler(InterfaceError, handle_database_down)
