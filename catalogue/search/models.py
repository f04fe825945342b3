"""The search index's tables: one row per searchable text, the words it holds (for "did you mean"), and what the
translated texts were indexed from."""

from __future__ import annotations

from typing import cast

from sqlalchemy import ForeignKey, Index, String, Table, Text, event, insert
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, mapped_column

from catalogue.db import Base

# What a document is: said in a cue, or one of the catalogue's own texts about the recording.
KINDS = ("cue", "title", "summary", "chapter", "speaker", "event")


class SearchDocument(Base):
    """A searchable text: a cue of a current subtitle revision, or a title, summary, chapter, speaker or event text
    in one language (the original or a translation). SQLite keeps an FTS5 table over `folded` and the stems;
    PostgreSQL a tsvector column with a GIN index (both created by the migration, see index.install)."""

    __tablename__ = "search_documents"
    # Seeks a recording's cues around a moment, in every language (queries.add_moments).
    __table_args__ = (Index("ix_search_documents_recording_kind_start", "recording_id", "kind", "start_ms"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recording_id: Mapped[int] = mapped_column(ForeignKey("recordings.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(16))
    start_ms: Mapped[int | None]
    end_ms: Mapped[int | None]
    text: Mapped[str] = mapped_column(Text)
    # fold(text): what queries are matched against (catalogue.text.fold).
    folded: Mapped[str] = mapped_column(Text)
    # text_stems(text) in the document's language, in that language's column (catalogue.text.STEMMED_LANGUAGES).
    stems_en: Mapped[str | None] = mapped_column(Text)
    stems_fr: Mapped[str | None] = mapped_column(Text)
    stems_tr: Mapped[str | None] = mapped_column(Text)


class SearchWord(Base):
    """Every folded word the index has held: where "did you mean" looks for the closest one. Words are added as
    texts are indexed and only forgotten by a full reindex, so a suggestion is checked before it is offered."""

    __tablename__ = "search_words"

    word: Mapped[str] = mapped_column(String(64), primary_key=True)


class SearchIndexState(Base):
    """What part of the index was built from outside the database: the signature of the compiled `content`
    catalogues the translated texts come from, so that one worker, not all, reindexes them after a change."""

    __tablename__ = "search_index_state"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    signature: Mapped[str] = mapped_column(String(64), default="")


STATE = cast(Table, SearchIndexState.__table__)
CONTENT_STATE = "content"


@event.listens_for(STATE, "after_create")
def _first_row(table: Table, connection: Connection, **_: object) -> None:
    """create_all (tests) gets the row that migration 0008 inserts."""
    connection.execute(insert(table).values(name=CONTENT_STATE, signature=""))
