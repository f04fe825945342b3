"""Keeping the search index in step: full-text structures per database, and session events that re-index a
subtitle track when its current revision moves (upload or restore), in the same transaction.

Registered by search.init_app, so the subtitles package never needs to know about search.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, event, insert, inspect, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from catalogue.recordings.models import Chapter, Event, Participation, Person, Recording, Workshop
from catalogue.search.models import SearchDocument
from catalogue.subtitles.models import Cue, SubtitleTrack
from catalogue.text import fold

DOCUMENTS = SearchDocument.__table__

SQLITE_STRUCTURES = (
    # External-content FTS5 over the folded text; the triggers keep it in step with search_documents.
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5("
    "folded, content='search_documents', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS search_documents_ai AFTER INSERT ON search_documents BEGIN "
    "INSERT INTO search_fts(rowid, folded) VALUES (new.id, new.folded); END",
    "CREATE TRIGGER IF NOT EXISTS search_documents_ad AFTER DELETE ON search_documents BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, folded) VALUES ('delete', old.id, old.folded); END",
    "CREATE TRIGGER IF NOT EXISTS search_documents_au AFTER UPDATE ON search_documents BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, folded) VALUES ('delete', old.id, old.folded); "
    "INSERT INTO search_fts(rowid, folded) VALUES (new.id, new.folded); END",
)
POSTGRESQL_STRUCTURES = (
    "ALTER TABLE search_documents ADD COLUMN IF NOT EXISTS folded_tsv tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple', folded)) STORED",
    "CREATE INDEX IF NOT EXISTS ix_search_documents_folded_tsv ON search_documents USING gin (folded_tsv)",
)


def modelled(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """For Alembic's comparison: the full-text structures are created here, not by the models."""
    if type_ == "table" and name and name.startswith("search_fts"):
        return False
    return not (type_ in ("column", "index") and name in ("folded_tsv", "ix_search_documents_folded_tsv"))


def install(connection: Connection) -> None:
    """Create the full-text structures of this database over search_documents (idempotent)."""
    statements = SQLITE_STRUCTURES if connection.dialect.name == "sqlite" else POSTGRESQL_STRUCTURES
    for statement in statements:
        connection.exec_driver_sql(statement)


def uninstall(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("DROP TABLE IF EXISTS search_fts")
    else:
        connection.exec_driver_sql("DROP INDEX IF EXISTS ix_search_documents_folded_tsv")
        connection.exec_driver_sql("ALTER TABLE search_documents DROP COLUMN IF EXISTS folded_tsv")


def _insert(connection: Connection, rows: list[dict]) -> None:
    if rows:
        connection.execute(insert(DOCUMENTS), rows)


def index_track(connection: Connection, recording_id: int, language: str, revision_id: int | None) -> None:
    """The cues of a track's current revision replace whatever the index had for that track."""
    connection.execute(
        delete(DOCUMENTS).where(
            DOCUMENTS.c.recording_id == recording_id, DOCUMENTS.c.kind == "cue", DOCUMENTS.c.language == language
        )
    )
    if revision_id is None:
        return
    cues = connection.execute(select(Cue.start_ms, Cue.text, Cue.voice).where(Cue.revision_id == revision_id))
    _insert(
        connection,
        [
            {
                "recording_id": recording_id,
                "kind": "cue",
                "language": language,
                "start_ms": start,
                "text": text,
                "folded": fold(f"{voice} {text}" if voice else text),
            }
            for start, text, voice in cues
        ],
    )


def index_texts(connection: Connection, recording_ids: Iterable[int] | None = None) -> None:
    """Titles, summaries, chapters and speakers of the given recordings (all when None)."""
    query = (
        select(
            Recording.id,
            Recording.title,
            Workshop.id,
            Workshop.title,
            Workshop.summary,
            Event.title,
            Event.original_language,
        )
        .join(Workshop, Recording.workshop_id == Workshop.id)
        .join(Event, Workshop.event_id == Event.id)
    )
    wanted = None if recording_ids is None else set(recording_ids)
    if wanted is not None:
        query = query.where(Recording.id.in_(wanted))
    recordings = connection.execute(query).all()
    ids = [r[0] for r in recordings]
    purge = delete(DOCUMENTS).where(DOCUMENTS.c.kind != "cue")
    connection.execute(purge if wanted is None else purge.where(DOCUMENTS.c.recording_id.in_(ids)))
    if not ids:
        return
    people: dict[int, list[str]] = {}
    for workshop_id, name, affiliation in connection.execute(
        select(Participation.workshop_id, Person.name, Person.affiliation).join(
            Person, Participation.person_id == Person.id
        )
    ):
        people.setdefault(workshop_id, []).append(f"{name}, {affiliation}" if affiliation else name)
    chapters: dict[int, list[tuple[int, str]]] = {}
    for recording_id, start, title in connection.execute(
        select(Chapter.recording_id, Chapter.start_ms, Chapter.title).where(Chapter.recording_id.in_(ids))
    ):
        chapters.setdefault(recording_id, []).append((start, title))
    rows = []

    def add(recording_id: int, lang: str, kind: str, text: str | None, start: int | None = None) -> None:
        if text and text.strip():
            row = {"recording_id": recording_id, "kind": kind, "language": lang, "start_ms": start, "text": text}
            rows.append(row | {"folded": fold(text)})

    for recording_id, recording_title, workshop_id, workshop_title, summary, event_title, lang in recordings:
        add(recording_id, lang, "title", f"{workshop_title} · {recording_title} · {event_title}")
        add(recording_id, lang, "summary", summary)
        for person in people.get(workshop_id, []):
            add(recording_id, lang, "speaker", person)
        for start, title in chapters.get(recording_id, []):
            add(recording_id, lang, "chapter", title, start)
    _insert(connection, rows)


def rebuild(connection: Connection) -> int:
    """The whole index from scratch (a new database, or `flask search reindex`)."""
    connection.execute(delete(DOCUMENTS))
    index_texts(connection)
    served = select(SubtitleTrack.recording_id, SubtitleTrack.language, SubtitleTrack.current_revision_id)
    # Migration 0004 rebuilds the index before 0006 adds retired tracks: ask the schema, not the model.
    if "retired_at" in {column["name"] for column in inspect(connection).get_columns("subtitle_tracks")}:
        served = served.where(SubtitleTrack.retired_at.is_(None))
    tracks = connection.execute(served)
    for recording_id, language, revision_id in tracks.all():
        index_track(connection, recording_id, language, revision_id)
    return connection.execute(select(DOCUMENTS.c.id).limit(1)).first() is not None


def _after_flush(session: Session, _context: object) -> None:
    """Re-index what this flush changed, on the flush's own connection (so in the same transaction)."""
    connection = session.connection()
    texts: set[int] = set()
    everything = False
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, SubtitleTrack) and obj not in session.deleted:
            attrs = inspect(obj).attrs
            if attrs.current_revision_id.history.has_changes() or attrs.retired_at.history.has_changes():
                served = None if obj.retired_at is not None else obj.current_revision_id
                index_track(connection, obj.recording_id, obj.language, served)
        elif isinstance(obj, Recording) and obj.id is not None:
            texts.add(obj.id)
        elif isinstance(obj, Chapter) and obj.recording_id is not None:
            texts.add(obj.recording_id)
        elif isinstance(obj, Workshop | Event | Person | Participation):
            everything = True
    if everything:
        index_texts(connection)
    elif texts:
        index_texts(connection, texts)


def register() -> None:
    """Listen to every session's flushes (once per process)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
