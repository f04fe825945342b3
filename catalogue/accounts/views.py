"""Signing in and out of the catalogue."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from catalogue.accounts.forms import LoginForm
from catalogue.accounts.models import User, normalize_email
from catalogue.extensions import db

bp = Blueprint("accounts", __name__, template_folder="templates")

# Checked when nobody has the address, so a wrong address costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not a password of anyone")


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site ("/recordings/x?t=3"), else None: never an open redirect."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    # Browsers read "/\\evil.example" as "//evil.example" and drop tabs and newlines inside URLs.
    if "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


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
        elif user.check_password(password) and login_user(user, remember=bool(form.remember.data)):
            flash(_("Signed in. Welcome, %(name)s.", name=user.display_name), "success")
            return redirect(next_url or _home())
        # Never say whether the address or the password was wrong, nor that an account is deactivated.
        failed = True
    return render_template("accounts/login.html", form=form, failed=failed, next_url=next_url)


@bp.route("/logout", methods=["POST"])
def logout() -> ResponseReturnValue:
    # POST only (CSRF-protected like every form): a link or an image on another site cannot sign anyone out.
    if current_user.is_authenticated:
        logout_user()
        flash(_("You have signed out."), "info")
    return redirect(_home())
