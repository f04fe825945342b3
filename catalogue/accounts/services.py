"""Writes on accounts: creating users, changing their role, locales or password, API tokens, and the session
token that signing in and out turns over.

Every value is checked here, before anything is stored, so the command line and any page give the same
reasons; a refused value raises InvalidInput naming the field (catalogue.inputs).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from catalogue.accounts.models import (
    LAST_USED_RESOLUTION,
    TOKEN_PREFIX,
    ApiToken,
    Role,
    User,
    hash_token,
    normalize_email,
)
from catalogue.accounts.queries import token_with_hash, user_by_email
from catalogue.extensions import db
from catalogue.inputs import InvalidInput, column_length
from catalogue.problems import N_

MIN_PASSWORD_LENGTH = 8
# The sign-in form's limit too: hashing a megabyte-long password is work nobody needs to ask of us.
MAX_PASSWORD_LENGTH = 1024
# A token longer than this was never one of ours: refused before any hashing or lookup.
MAX_TOKEN_LENGTH = 200

# Checked when nobody has the address, so a wrong address costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not a password of anyone")


# --- checks --------------------------------------------------------------------------------------------------


def check_email(email: str) -> str:
    """The address as stored (stripped, lower-case), if it looks like one: something@somewhere, no spaces."""
    email = normalize_email(email)
    local, at, domain = email.partition("@")
    if not local or not at or not domain or any(c.isspace() for c in email) or len(email) > column_length(User.email):
        raise InvalidInput("email", "bad-email", N_("“%(email)s” is not an email address."), email=email[:100])
    return email


def check_display_name(name: str) -> str:
    name = name.strip()
    limit = column_length(User.display_name)
    if not name or len(name) > limit:
        raise InvalidInput("name", "bad-name", N_("The display name must have 1 to %(max)s characters."), max=limit)
    return name


def check_locales(codes: Iterable[str]) -> list[str]:
    """Interface locales a translator may edit, in the order given, without repeats."""
    codes = list(codes)
    allowed = current_app.config["LANGUAGES"]
    unknown = [code for code in codes if code not in allowed]
    if unknown:
        raise InvalidInput(
            "locale",
            "bad-locale",
            N_("%(locales)s is not an interface locale (choose from %(allowed)s)."),
            locales=", ".join(unknown),
            allowed=", ".join(allowed),
        )
    return list(dict.fromkeys(codes))


def check_password(password: str) -> str:
    if not password:
        raise InvalidInput("password", "empty-password", N_("The password is empty."))
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            "password",
            "short-password",
            N_("The password is shorter than %(min)s characters."),
            min=MIN_PASSWORD_LENGTH,
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(
            "password", "long-password", N_("The password is longer than %(max)s characters."), max=MAX_PASSWORD_LENGTH
        )
    return password


def check_token_name(name: str) -> str:
    limit = column_length(ApiToken.name)
    if len(name) > limit:
        raise InvalidInput("name", "too-long", N_("The token name may be at most %(max)s characters long."), max=limit)
    return name


# --- accounts --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NewAccount:
    """What a new account will be, checked: its address, display name and locales."""

    email: str
    display_name: str
    locales: list[str]


def check_new_account(email: str, display_name: str | None = None, locales: Iterable[str] = ()) -> NewAccount:
    """Every check of a new account but its password (a command asks for that only once these pass).

    Without a display name, the part of the address before the @ is shown.
    """
    allowed_locales = check_locales(locales)
    email = check_email(email)
    if user_by_email(email) is not None:
        raise account_exists(email)
    name = check_display_name(email.partition("@")[0] if display_name is None else display_name)
    return NewAccount(email, name, allowed_locales)


def create_user(
    email: str, *, role: Role, password: str, display_name: str | None = None, locales: Iterable[str] = ()
) -> User:
    """A new account, committed; InvalidInput (nothing stored) for a bad value or an address already taken."""
    new = check_new_account(email, display_name, locales)
    user = User(email=new.email, display_name=new.display_name, role=role, locales=new.locales)
    user.set_password(check_password(password))
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:  # created by someone else between our check and now
        db.session.rollback()
        raise account_exists(new.email) from None
    return user


def account_exists(email: str) -> InvalidInput:
    """The error for an address another account has."""
    return InvalidInput("email", "exists", N_("An account for %(email)s already exists."), email=email)


def set_role(user: User, role: Role) -> None:
    user.role = role
    db.session.commit()


def set_locales(user: User, locales: Iterable[str]) -> None:
    user.locales = check_locales(locales)
    db.session.commit()


def set_password(user: User, password: str) -> None:
    """A new password; every session of the user ends, as after signing out (their remember cookies too)."""
    user.set_password(check_password(password))
    user.session_token = secrets.token_urlsafe(32)
    db.session.commit()


# --- signing in and out ------------------------------------------------------------------------------------------


def authenticate(email: str, password: str) -> User | None:
    """The active account with this address and password, or None, in about the same time either way."""
    user = user_by_email(email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if user.check_password(password) and user.is_active else None


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


# --- API tokens ----------------------------------------------------------------------------------------------------


def issue_token(user: User, name: str = "") -> str:
    """A new API token for `user`: the row goes into db.session (the caller commits); the token is returned once."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user=user, token_hash=hash_token(raw), name=check_token_name(name)))
    return raw


def issue_api_token(user: User, name: str = "") -> str:
    """issue_token, committed; an inactive account gets none (InvalidInput)."""
    if not user.is_active:
        raise InvalidInput("email", "inactive", N_("The account %(email)s is deactivated."), email=user.email)
    raw = issue_token(user, name)
    db.session.commit()
    return raw


def revoke_token(token: ApiToken) -> None:
    """The token stops working at once (its row is deleted: a revoked token is not worth keeping)."""
    db.session.delete(token)
    db.session.commit()


def user_for_token(raw: str | None) -> User | None:
    """The active user a token belongs to, or None.

    The lookup is by the token's sha256, so comparing secrets never happens byte by byte in our code.
    When it stamps `last_used_at` (at most once a minute) it commits the session: call it before making changes.
    """
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > MAX_TOKEN_LENGTH:
        return None
    token = token_with_hash(hash_token(raw))
    if token is None or not token.user.is_active:
        return None
    user = token.user
    now = datetime.now(UTC)
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        token.last_used_at = now
        db.session.commit()
    return user
