"""Signing in and out of the catalogue."""

from __future__ import annotations

import math

from flask import Blueprint, Response, flash, make_response, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from catalogue.accounts.auth import end_sessions, start_session
from catalogue.accounts.forms import LoginForm
from catalogue.accounts.models import User, normalize_email
from catalogue.accounts.throttle import record_failed_sign_in
from catalogue.extensions import db
from catalogue.security import is_safe_local_path

bp = Blueprint("accounts", __name__, template_folder="templates")

# Checked when nobody has the address, so a wrong address costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not a password of anyone")


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site ("/recordings/x?t=3"), else None: never an open redirect."""
    return target if is_safe_local_path(target) else None


def _home() -> str:
    return url_for("recordings.home")


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or _home())
    form = LoginForm()
    failed = False
    if form.validate_on_submit():
        user = db.session.scalars(select(User).where(User.email == normalize_email(form.email.data or ""))).first()
        password = form.password.data or ""
        if user is None:
            check_password_hash(_DUMMY_HASH, password)
        elif user.check_password(password) and user.is_active:
            start_session(user)
            login_user(user, remember=bool(form.remember.data))
            flash(_("Signed in. Welcome, %(name)s.", name=user.display_name), "success")
            return redirect(next_url or _home())
        # Never say whether the address or the password was wrong, nor that an account is deactivated.
        failed = True
        record_failed_sign_in()
    return render_template("accounts/login.html", form=form, failed=failed, next_url=next_url)


def throttled_login_page(retry_after_s: int) -> Response:
    """The sign-in page once its account or address is over the limit of failed sign-ins (429)."""
    minutes = math.ceil(retry_after_s / 60)
    message = ngettext(
        "Too many failed sign-ins. Please wait %(num)s minute before trying again.",
        "Too many failed sign-ins. Please wait %(num)s minutes before trying again.",
        minutes,
    )
    page = render_template(
        "accounts/login.html",
        form=LoginForm(),
        failed=False,
        throttled=message,
        next_url=safe_next(request.args.get("next")),
    )
    return make_response(page, 429)


@bp.route("/logout", methods=["POST"])
def logout() -> ResponseReturnValue:
    # POST only (CSRF-protected like every form): a link or an image on another site cannot sign anyone out.
    if current_user.is_authenticated:
        # Every copy of this user's session and remember cookies stops working, not only this browser's.
        end_sessions(current_user)
        # Cleared first: logout_user then marks the remember cookie for deletion in the new session.
        session.clear()
        logout_user()
        flash(_("You have signed out."), "info")
    return redirect(_home())
