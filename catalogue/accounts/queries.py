"""Reads on accounts: a user by address or id, a user's API tokens, and the lists the command line prints."""

from __future__ import annotations

from sqlalchemy import select

from catalogue.accounts.models import ApiToken, Role, User, normalize_email
from catalogue.extensions import db


def user_by_email(email: str) -> User | None:
    """The account an address names, however it was typed (case and surrounding spaces do not matter)."""
    return db.session.scalars(select(User).where(User.email == normalize_email(email))).one_or_none()


def user_by_id(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def tokens_of(user: User) -> list[ApiToken]:
    """A user's API tokens, oldest first (only their hashes are stored: the tokens themselves are gone)."""
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)))


def token_with_hash(token_hash: str) -> ApiToken | None:
    return db.session.scalars(select(ApiToken).where(ApiToken.token_hash == token_hash)).one_or_none()


def users(role: Role | None = None) -> list[User]:
    """Every account (or those of one role), by address."""
    query = select(User).order_by(User.email)
    if role is not None:
        query = query.where(User.role == role)
    return list(db.session.scalars(query))
