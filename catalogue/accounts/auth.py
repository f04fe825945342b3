"""Who is asking: the session for pages (Flask-Login, CSRF on every form) and Bearer tokens for the JSON API.

Flask-Login and Flask-WTF ship without type annotations, so under mypy --strict every call into them is
untyped and every decorator of theirs erases the view's type. The few entry points we use are given their
types here, once (with `cast`), and the rest of the code calls the typed names below: `role_required` and
`login_required` (decorators that keep the view's signature), `csrf_exempt`, `signed_in_user` and
`current_account` (the typed `current_user`), `sign_in` and `sign_out`.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar, cast

import flask_login
from flask import Flask, g, render_template, request, session
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Forbidden, Unauthorized
from werkzeug.wrappers import Response

from catalogue.accounts import services
from catalogue.accounts.models import Role, User
from catalogue.accounts.queries import user_by_id
from catalogue.errors import api_error, wants_json
from catalogue.extensions import csrf, login_manager

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")


# Every POST/PUT/PATCH/DELETE needs the form's csrf_token (`csrf`, created in catalogue.extensions), except
# under the JSON API: the `api` blueprint authenticates by `Authorization: Bearer` only and never reads the session
# cookie, so a cross-site request cannot borrow anyone's credentials there; catalogue.api exempts it.

REALM = "catalogue"


def load_user(user_id: str) -> User | None:
    """The user a session or remember cookie names by "id:session_token" (User.get_id).

    A token other than the user's current one (they signed out since) or a session from before tokens (a bare
    id) is signed out, as is a deactivated account.
    """
    number, _sep, token = user_id.partition(":")
    if not token:
        return None
    try:
        user = user_by_id(int(number))
    except ValueError:
        return None
    if user is None or not user.is_active or not user.session_token:
        return None
    return user if hmac.compare_digest(token.encode(), user.session_token.encode()) else None


def signed_in_user() -> User | None:
    """The user signed in on this request's session, or None (Flask-Login's `current_user`, typed)."""
    user = current_user._get_current_object()  # The proxy's object: an AnonymousUserMixin when nobody is.
    return user if isinstance(user, User) else None


def current_account() -> User:
    """The signed-in user, in a view that role_required or login_required guards (401 should nobody be)."""
    user = signed_in_user()
    if user is None:
        raise Unauthorized()
    return user


def sign_in(user: User, *, remember: bool) -> None:
    """Sign `user` in on this session (and with `remember`, a long-lived cookie), under a fresh session token."""
    services.start_session(user)
    cast("Callable[[User, bool], bool]", flask_login.login_user)(user, remember)


def sign_out(user: User) -> None:
    """Sign out everywhere: every copy of this user's session and remember cookies stops working."""
    services.end_sessions(user)
    # Cleared first: logout_user then marks the remember cookie for deletion in the new session.
    session.clear()
    cast("Callable[[], bool]", flask_login.logout_user)()


def role_required(*roles: Role | str) -> Callable[[Callable[P, R]], Callable[P, R | Response]]:
    """Page views only: anonymous visitors go to the sign-in page, signed-in users without a role get 403.

    With no roles, any signed-in user passes. Admins pass every check (User.has_role). The view keeps its
    signature for the type checker (flask_login.login_required erases it).
    """

    def decorator(view: Callable[P, R]) -> Callable[P, R | Response]:
        @wraps(view)
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> R | Response:
            user = signed_in_user()
            if user is None:
                return cast("Callable[[], Response]", login_manager.unauthorized)()
            if roles and not user.has_role(*roles):
                raise Forbidden()
            return view(*args, **kwargs)

        return wrapped

    return decorator


def login_required(view: Callable[P, R]) -> Callable[P, R | Response]:
    """flask_login.login_required, typed: any signed-in user passes."""
    return role_required()(view)


def csrf_exempt(view: T) -> T:
    """csrf.exempt, typed: the view or blueprint is spared the CSRF check and keeps its type."""
    return cast("Callable[[T], T]", csrf.exempt)(view)


def _unauthorized(description: str, error: str | None = None) -> Unauthorized:
    parameters: dict[str, str | None] = {"realm": REALM}
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
    user = services.user_for_token(auth.token)
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
    cast("Callable[[Callable[[str], User | None]], object]", login_manager.user_loader)(load_user)
    cast("Callable[[Flask], None]", login_manager.init_app)(app)
    login_manager.login_view = "accounts.login"
    # A LazyString passes for the str Flask-Login expects; localize_callback (below) makes it one when flashed.
    login_manager.login_message = cast(str, _l("Please sign in to see this page."))
    login_manager.login_message_category = "info"
    # Flashed messages travel in the session cookie: make the lazy string a plain str now, in the request's
    # locale (a LazyString would come back as Markup, unescaped, and translations are untrusted text).
    login_manager.localize_callback = str
    cast("Callable[[Flask], None]", csrf.init_app)(app)
    # Cookies never ride along on cross-site POSTs (belt and braces next to the CSRF token).
    if app.config.get("SESSION_COOKIE_SAMESITE") is None:
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    if app.config.get("REMEMBER_COOKIE_SAMESITE") is None:
        app.config["REMEMBER_COOKIE_SAMESITE"] = "Lax"
    app.register_error_handler(CSRFError, _handle_csrf_error)
