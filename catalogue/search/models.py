"""One searchable text: a cue of a current subtitle revision, or a title, summary, chapter or speaker."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from catalogue.db import Base


class SearchDocument(Base):
    """The search index's rows. SQLite keeps an FTS5 table over `folded`; PostgreSQL a tsvector column with a
    GIN index (both created by the migration, see index.install). Only current revisions are here."""

    __tablename__ = "search_documents"
    __table_args__ = (Index("ix_search_documents_recording_kind_language", "recording_id", "kind", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recording_id: Mapped[int] = mapped_column(ForeignKey("recordings.id", ondelete="CASCADE"))
    # cue, title, summary, chapter, speaker
    kind: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(16))
    start_ms: Mapped[int | None]
    text: Mapped[str] = mapped_column(Text)
    # fold(text): what queries are matched against (catalogue.text.fold).
    folded: Mapped[str] = mapped_column(Text)
