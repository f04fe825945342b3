"""The declarative base shared by every domain package, and the column types they have in common."""

import enum
import time
import weakref
from datetime import UTC, datetime
from typing import Any, TypeVar

from flask import g, has_request_context
from flask_sqlalchemy.session import Session as FlaskSQLAlchemySession
from sqlalchemy import DateTime, Enum, MetaData, event
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, scoped_session
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


def ping_idle_connections(engine: Engine, idle_s: float) -> None:
    """Check a pooled connection that sat unused for more than `idle_s` before handing it out; a dead one is
    replaced (SQLAlchemy's pessimistic disconnect handling, limited to idle connections).

    pool_pre_ping checked every connection on every checkout: one more round trip on each request, a fifth of a
    page's on a busy PostgreSQL. A database that restarted has left every pooled connection idle while it was
    down, so they are still all checked; a connection in constant use that meets a restart fails its statement
    once (a 503, catalogue.errors), and SQLAlchemy then drops the whole pool. `idle_s` 0 checks every checkout.
    """
    if engine.dialect.name == "sqlite":
        return  # A file: nothing to lose between two requests.

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["catalogue_checked_in_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: object) -> None:
        checked_in_at = record.info.get("catalogue_checked_in_at")
        if checked_in_at is not None and time.monotonic() - checked_in_at <= idle_s:
            return
        try:
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute("SELECT 1")
            finally:
                cursor.close()
            dbapi_connection.rollback()  # The ping opened a transaction: leave the connection as the pool had it.
        except Exception as error:
            raise DisconnectionError(str(error)) from error


# --- reads without a transaction ----------------------------------------------------------------------------------

_AUTOCOMMIT_ENGINES: "weakref.WeakKeyDictionary[Engine, Engine]" = weakref.WeakKeyDictionary()


def reads_only(session: scoped_session[Any]) -> None:
    """Declare that this request only reads (an anonymous visitor's public page): on PostgreSQL its statements
    then run in autocommit, without the BEGIN and ROLLBACK round trips that wrapped every page's five or six
    reads. Each statement still sees one consistent snapshot, as under READ COMMITTED it always did; a request
    whose session has already begun keeps its transaction."""
    # Asking the registry first: a request that never touches the database (a 304) makes no session at all.
    if not session.registry.has() or not session().in_transaction():
        g.catalogue_reads_only = True


def _autocommit(engine: Engine) -> Engine:
    found = _AUTOCOMMIT_ENGINES.get(engine)
    if found is None:
        found = _AUTOCOMMIT_ENGINES[engine] = engine.execution_options(isolation_level="AUTOCOMMIT")
    return found


class CatalogueSession(FlaskSQLAlchemySession):
    """Flask-SQLAlchemy's session, bound in autocommit for a request that declared it only reads (reads_only())."""

    def get_bind(
        self, mapper: Any | None = None, clause: Any | None = None, bind: Any | None = None, **kwargs: Any
    ) -> Any:
        engine = super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)
        if (
            bind is None
            and isinstance(engine, Engine)
            and engine.dialect.name == "postgresql"
            and has_request_context()
            and g.get("catalogue_reads_only", False)
        ):
            return _autocommit(engine)
        return engine
