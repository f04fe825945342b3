"""Signing in and out of the catalogue."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from catalogue.accounts.auth import sign_in, sign_out, signed_in_user
from catalogue.accounts.forms import LoginForm
from catalogue.accounts.services import authenticate
from catalogue.accounts.throttle import record_failed_sign_in
from catalogue.security import is_safe_local_path

bp = Blueprint("accounts", __name__, template_folder="templates")


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site ("/recordings/x?t=3"), else None: never an open redirect."""
    return target if is_safe_local_path(target) else None


def _home() -> str:
    return url_for("recordings.home")


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    next_url = safe_next(request.args.get("next"))
    if signed_in_user() is not None:
        return redirect(next_url or _home())
    form = LoginForm()
    failed = False
    if form.validate_on_submit():
        user = authenticate(form.email.data or "", form.password.data or "")
        if user is not None:
            sign_in(user, remember=bool(form.remember.data))
            flash(_("Signed in. Welcome, %(name)s.", name=user.display_name), "success")
            return redirect(next_url or _home())
        # Never say whether the address or the password was wrong, nor that an account is deactivated.
        failed = True
        record_failed_sign_in()
    return render_template("accounts/login.html", form=form, failed=failed, next_url=next_url)


@bp.route("/logout", methods=["POST"])
def logout() -> ResponseReturnValue:
    # POST only (CSRF-protected like every form): a link or an image on another site cannot sign anyone out.
    user = signed_in_user()
    if user is not None:
        # Every copy of this user's session and remember cookies stops working, not only this browser's.
        sign_out(user)
        flash(_("You have signed out."), "info")
    return redirect(_home())
