"""The declarative base shared by every domain package, and the column types they have in common."""

import enum
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import DateTime, Enum, MetaData, event
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

# Named constraints make Alembic migrations stable and reversible on SQLite and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# Tables whose writes change nothing an anonymous visitor sees. Each domain marks its own models; the page cache
# (catalogue.pagecache) reads the set, so the shared layer never names another package's tables.
_UNSEEN_BY_VISITORS: set[str] = set()

ModelT = TypeVar("ModelT", bound=type[Base])


def unseen_by_visitors(model: ModelT) -> ModelT:
    """Class decorator: writes to this model's table leave every public page as it was (no cache bump)."""
    _UNSEEN_BY_VISITORS.add(str(model.__tablename__))
    return model


def seen_by_visitors(table_name: str | None) -> bool:
    """Whether a write to this table may change what a visitor sees (unknown tables are assumed to)."""
    return table_name not in _UNSEEN_BY_VISITORS


def string_enum(cls: type[enum.Enum], name: str) -> Enum:
    """An enum stored as its lower-case values, checked by a named CHECK constraint rather than a native
    PostgreSQL enum type (which migrations would have to alter for every new value)."""
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=20,
        values_callable=lambda members: [m.value for m in members],
    )


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored in UTC.

    SQLite keeps no offset, so a naive value would come back ambiguous; we refuse naive input
    and always hand back aware datetimes in UTC, whatever the database.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: give it a time zone")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Busy(Exception):
    """A row another writer holds could not be locked in time: answered 503 with Retry-After, never 500.

    `message` is an English msgid, translated where the error is shown (catalogue.errors).
    """

    def __init__(self, message: str, retry_after_s: int = 2) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after_s = retry_after_s


def is_lock_timeout(error: Exception) -> bool:
    """PostgreSQL's lock_timeout (SQLSTATE 55P03) or SQLite's busy timeout running out: another writer, not an
    outage."""
    orig = getattr(error, "orig", None)
    return getattr(orig, "sqlstate", None) == "55P03" or "database is locked" in str(orig)


def configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    """SQLite as a multi-process default: WAL lets readers go on while one process writes, and the busy timeout
    makes a second writer wait for the lock instead of failing at once with "database is locked"."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: object) -> None:
        cursor = dbapi_connection.cursor()
        try:
            # WAL is a property of the file (kept once set); an in-memory database answers "memory" and stays so.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            # Durable at each checkpoint rather than each commit: the usual pairing with WAL.
            cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()
