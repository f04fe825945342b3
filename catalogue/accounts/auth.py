"""Who is asking: the session for pages (Flask-Login, CSRF on every form) and Bearer tokens for the JSON API."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Flask, current_app, g, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Forbidden, Unauthorized

from catalogue.accounts.models import Role, User, user_for_token
from catalogue.errors import api_error, wants_json
from catalogue.extensions import db

F = TypeVar("F", bound=Callable[..., Any])

login_manager = LoginManager()

# Every POST/PUT/PATCH/DELETE needs the form's csrf_token, except under the JSON API: the `api` blueprint
# authenticates by `Authorization: Bearer` only and never reads the session cookie, so a cross-site request
# cannot borrow anyone's credentials there. create_app therefore calls `csrf.exempt(api_bp)`.
csrf = CSRFProtect()

REALM = "catalogue"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The user a session or remember cookie names by "id:session_token" (User.get_id).

    A token other than the user's current one (they signed out since) or a session from before tokens (a bare
    id) is signed out, as is a deactivated account.
    """
    number, _sep, token = user_id.partition(":")
    if not token:
        return None
    try:
        user = db.session.get(User, int(number))
    except ValueError:
        return None
    if user is None or not user.is_active or not user.session_token:
        return None
    return user if hmac.compare_digest(token.encode(), user.session_token.encode()) else None


def start_session(user: User) -> None:
    """Give `user` a session token before signing in, if signing out has not left one ready."""
    if not user.session_token:
        user.session_token = secrets.token_urlsafe(32)
        db.session.commit()


def end_sessions(user: User) -> None:
    """A new session token: every session and remember cookie holding the old one is signed out on the server,
    and the next sign-in gets a new remember cookie."""
    user.session_token = secrets.token_urlsafe(32)
    db.session.commit()


def role_required(*roles: Role | str) -> Callable[[F], F]:
    """Page views only: anonymous visitors go to the sign-in page, signed-in users without a role get 403.

    With no roles, any signed-in user passes. Admins pass every check (User.has_role).
    """

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
            if roles and not current_user.has_role(*roles):
                raise Forbidden()
            return view(*args, **kwargs)

        return cast(F, wrapped)

    return decorator


def _unauthorized(description: str, error: str | None = None) -> Unauthorized:
    parameters = {"realm": REALM}
    if error:
        parameters["error"] = error
    return Unauthorized(description=description, www_authenticate=WWWAuthenticate("Bearer", parameters))


def api_user(*roles: Role | str) -> User:
    """The user behind the request's `Authorization: Bearer <token>`, for JSON API views (never the session).

    No token or an unknown/revoked/inactive one: 401 with `WWW-Authenticate: Bearer`; a role outside `roles`: 403.
    With no roles, any valid token passes. Call it first in a view: it may commit the token's last-used stamp.
    """
    auth = request.authorization
    if auth is None or auth.type != "bearer" or not auth.token:
        raise _unauthorized("This request needs an API token: send “Authorization: Bearer <token>”.")
    user = user_for_token(auth.token)
    if user is None:
        raise _unauthorized("The API token is not valid.", error="invalid_token")
    if roles and not user.has_role(*roles):
        raise Forbidden(description="This API token's account may not do this.")
    g.api_user = user
    return user


def _handle_csrf_error(error: CSRFError) -> ResponseReturnValue:
    if wants_json():
        return api_error(400, "csrf", error.description or "")
    message = _("This form has expired or came from another site. Go back, reload the page and try again.")
    return render_template("errors/error.html", status=400, message=message), 400


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    # Flashed messages travel in the session cookie: make the lazy string a plain str now, in the request's
    # locale (a LazyString would come back as Markup, unescaped, and translations are untrusted text).
    login_manager.localize_callback = str
    csrf.init_app(app)
    # Cookies never ride along on cross-site POSTs (belt and braces next to the CSRF token).
    if app.config.get("SESSION_COOKIE_SAMESITE") is None:
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    if app.config.get("REMEMBER_COOKIE_SAMESITE") is None:
        app.config["REMEMBER_COOKIE_SAMESITE"] = "Lax"
    app.register_error_handler(CSRFError, _handle_csrf_error)
