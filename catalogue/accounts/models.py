"""Users, their roles and the locales a translator may edit, and the hashed API tokens of their scripts."""

from __future__ import annotations

import enum
import hashlib
from datetime import UTC, datetime, timedelta

from flask_login import UserMixin
from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from catalogue.db import Base, UTCDateTime, string_enum, unseen_by_visitors

TOKEN_PREFIX = "cat_"
# How stale `last_used_at` may get: a busy script must not turn every API read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class Role(enum.StrEnum):
    VIEWER = "viewer"
    TRANSLATOR = "translator"
    ARCHIVIST = "archivist"
    ADMIN = "admin"


def _now() -> datetime:
    return datetime.now(UTC)


def normalize_email(email: str) -> str:
    """The one spelling of an address we store and look up: stripped and lower-cased."""
    return email.strip().lower()


@unseen_by_visitors
class User(Base, UserMixin):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(string_enum(Role, "user_role"), default=Role.VIEWER)
    # The interface locales a translator may edit ("fr", "tr"); admins may edit every locale.
    locales: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The interface language chosen after signing in, when the request names none (design.md §6).
    preferred_locale: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=_now)
    # Overrides UserMixin.is_active: Flask-Login refuses to sign in an inactive user.
    is_active: Mapped[bool] = mapped_column(default=True)
    # A random value that every session and remember cookie of this user carries (see get_id). Signing out
    # replaces it, so a copied session or remember cookie stops working on the server, not only in one browser.
    session_token: Mapped[str | None] = mapped_column(String(64))

    api_tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="ApiToken.id"
    )

    @validates("email")
    def _normalize_email(self, key: str, value: str) -> str:
        return normalize_email(value)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)  # scrypt, werkzeug's default

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    def has_role(self, *roles: Role | str) -> bool:
        """Whether the user holds one of `roles`; an admin holds them all."""
        return self.role == Role.ADMIN or self.role in roles

    def can_edit_locale(self, locale: str) -> bool:
        """Admins edit every locale; translators the ones listed on their account; nobody else any."""
        if self.role == Role.ADMIN:
            return True
        return self.role == Role.TRANSLATOR and locale in (self.locales or [])

    def get_id(self) -> str:
        """What the session and the remember cookie hold (Flask-Login's alternative token): the id and the
        current session token, which signing out replaces (catalogue.accounts.auth)."""
        return f"{self.id}:{self.session_token}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"


@unseen_by_visitors
class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # sha256 hex of the token: the token itself is shown once and never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=_now)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(back_populates="api_tokens")


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()
