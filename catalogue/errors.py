"""Error pages in the visitor's language, and JSON errors under /api (design.md §8 error shape)."""

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException


def wants_json() -> bool:
    return request.path.startswith("/api/")


def api_error(status: int, code: str, message: str, line: int | None = None):
    return jsonify({"errors": [{"line": line, "code": code, "message": message}]}), status


def handle_http_error(error: HTTPException):
    status = error.code or 500
    if wants_json():
        return api_error(status, (error.name or "error").lower().replace(" ", "-"), error.description or "")
    messages = {
        404: _("We could not find that page. The recording, language or track in the link may not exist."),
        405: _("This address does not accept that kind of request."),
        413: _("The file is too large."),
    }
    message = messages.get(status, _("Something went wrong. Please try again in a moment."))
    return render_template("errors/error.html", status=status, message=message), status


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_error)
