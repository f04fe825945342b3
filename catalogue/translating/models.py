"""Every change to a translation catalogue, and each catalogue's revision number for optimistic concurrency."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalogue.db import Base, UTCDateTime, unseen_by_visitors


def _now() -> datetime:
    return datetime.now(UTC)


@unseen_by_visitors
class TranslationCatalogue(Base):
    """One .po file (locale × domain). Its revision grows with every save, so an editor can say "I started
    from revision 41" and learn whether the entry changed since."""

    __tablename__ = "translation_catalogues"
    __table_args__ = (UniqueConstraint("locale", "domain"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    locale: Mapped[str] = mapped_column(String(16))
    domain: Mapped[str] = mapped_column(String(40))
    revision: Mapped[int] = mapped_column(default=0)
    # The file as we last wrote or saw it: a different hash on disk means someone changed it outside the app.
    file_sha256: Mapped[str] = mapped_column(String(64), default="")


@unseen_by_visitors
class TranslationChange(Base):
    """Who changed which entry, when, from what to what. An entry-less row records an outside change."""

    __tablename__ = "translation_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    catalogue_id: Mapped[int] = mapped_column(ForeignKey("translation_catalogues.id", ondelete="CASCADE"), index=True)
    revision: Mapped[int]
    kind: Mapped[str] = mapped_column(String(20))  # edit, upload, revert, external
    msgid: Mapped[str | None] = mapped_column(Text)
    context: Mapped[str | None] = mapped_column(Text)
    # {"msgstr": ..., "msgstr_plural": [...], "fuzzy": bool}
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    user_name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=_now)
    reverts_id: Mapped[int | None] = mapped_column(ForeignKey("translation_changes.id", ondelete="SET NULL"))

    catalogue: Mapped[TranslationCatalogue] = relationship()
