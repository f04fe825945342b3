"""Keeping the search index in step: full-text structures per database, the documents of every text a viewer can
read (cues of current subtitle revisions; titles, summaries, chapters, speakers and event texts in their original
language and in every language the `content` catalogues translate them into), and session events that re-index a
subtitle track when its current revision moves (upload, restore, retirement), in the same transaction.

Each document holds its folded text and, in the column of its language, the stems of its words (catalogue.text):
a query word finds the word itself or a word with the same stem in the document's language (see query.py).

Registered by search.init_app, so the subtitles package never needs to know about search. Migration 0004 calls
install() and rebuild() on the schema of its day: both ask the database which columns and tables it has.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, delete, event, insert, inspect, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from catalogue.recordings.models import Chapter, Event, Participation, Person, Recording, Workshop
from catalogue.search import content
from catalogue.search.models import CONTENT_STATE, STATE, SearchDocument, SearchWord
from catalogue.subtitles.models import Cue, SubtitleTrack
from catalogue.text import STEMMED_LANGUAGES, fold, stemming_language, text_stems

DOCUMENTS = cast(Table, SearchDocument.__table__)
WORDS = cast(Table, SearchWord.__table__)
# One row of search_documents, column name to value (the stems columns are named per language).
DocumentRow = dict[str, str | int | None]
STEMS_COLUMNS = {language: f"stems_{language}" for language in STEMMED_LANGUAGES}
# PostgreSQL keeps the folded words and each language's stems in one tsvector, told apart by weight: the
# query asks for `word:A` or `stem:B` (catalogue.search.query), as SQLite asks for a column.
EXACT_WEIGHT = "A"
STEMS_WEIGHTS = dict(zip(STEMMED_LANGUAGES, "BCD", strict=True))
WORD = re.compile(r"\w++")
FTS5_TOKENIZER = "unicode61 remove_diacritics 2"
SUGGESTED_WORD_LENGTHS = range(3, 65)  # SearchWord.word is a String(64); shorter words are not worth suggesting.


def _sqlite_structures(columns: tuple[str, ...]) -> tuple[str, ...]:
    """External-content FTS5 over the folded text (and the stems); the triggers keep it in step."""
    names = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    return (
        f"CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5({names}, content='search_documents', "
        f"content_rowid='id', tokenize='{FTS5_TOKENIZER}')",
        "CREATE TRIGGER IF NOT EXISTS search_documents_ai AFTER INSERT ON search_documents BEGIN "
        f"INSERT INTO search_fts(rowid, {names}) VALUES (new.id, {new}); END",
        "CREATE TRIGGER IF NOT EXISTS search_documents_ad AFTER DELETE ON search_documents BEGIN "
        f"INSERT INTO search_fts(search_fts, rowid, {names}) VALUES ('delete', old.id, {old}); END",
        "CREATE TRIGGER IF NOT EXISTS search_documents_au AFTER UPDATE ON search_documents BEGIN "
        f"INSERT INTO search_fts(search_fts, rowid, {names}) VALUES ('delete', old.id, {old}); "
        f"INSERT INTO search_fts(rowid, {names}) VALUES (new.id, {new}); END",
    )


def full_text_columns(stemmed: bool = True) -> tuple[str, ...]:
    """The columns SQLite's FTS5 table indexes (the folded words, and each language's stems)."""
    return ("folded", *STEMS_COLUMNS.values()) if stemmed else ("folded",)


def tsvector_expression(stemmed: bool = True) -> str:
    """PostgreSQL's tsvector of a document: the folded words with weight A, each language's stems with its own."""
    vector = "to_tsvector('simple', folded)"
    if not stemmed:
        return vector
    return " || ".join(
        [f"setweight({vector}, '{EXACT_WEIGHT}')"]
        + [
            f"setweight(to_tsvector('simple', coalesce({STEMS_COLUMNS[language]}, '')), '{weight}')"
            for language, weight in STEMS_WEIGHTS.items()
        ]
    )


# PostgreSQL's GIN index over the tsvector and the document's block of ids (ids // BLOCK_IDS). A GIN scan cannot
# stop after the first matches in id order, as a common word's first page needs; asked for the word AND a few
# blocks, it intersects the two posting lists and returns only the word's documents in those blocks (one scan
# of an index, skipping through the word's list), so the first matches cost a few hundred rows, not a walk
# through every document until they are found (queries.first_by_blocks).
GIN_INDEX = "ix_search_documents_folded_tsv_block"
# The index before migration 0010: the same without the blocks.
WORDS_ONLY_GIN_INDEX = "ix_search_documents_folded_tsv"
BLOCK_IDS = 4096


def block_of(column: str = "id") -> str:
    """The GIN index's second column, an expression a query must repeat as is for the planner to use it."""
    return f"ARRAY[{column} / {BLOCK_IDS}]"


def gin_index(table: str = "search_documents", name: str = GIN_INDEX) -> str:
    return f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (folded_tsv, ({block_of()}))"


def _postgresql_structures(stemmed: bool) -> tuple[str, ...]:
    return (
        "ALTER TABLE search_documents ADD COLUMN IF NOT EXISTS folded_tsv tsvector "
        f"GENERATED ALWAYS AS ({tsvector_expression(stemmed)}) STORED",
        f"DROP INDEX IF EXISTS {WORDS_ONLY_GIN_INDEX}",
        gin_index(),
    )


@dataclass(frozen=True)
class Schema:
    """Which of the index's columns and tables this database has (migration 0004 runs before 0008 adds some)."""

    stems: bool = True
    end_ms: bool = True
    words: bool = True
    state: bool = True

    @classmethod
    def of(cls, connection: Connection) -> Schema:
        inspector = inspect(connection)
        columns = {column["name"] for column in inspector.get_columns("search_documents")}
        tables = set(inspector.get_table_names())
        return cls(
            stems=set(STEMS_COLUMNS.values()) <= columns,
            end_ms="end_ms" in columns,
            words=WORDS.name in tables,
            state=STATE.name in tables,
        )

    def row(self, document: DocumentRow) -> DocumentRow:
        """A document as this schema can store it."""
        if self.stems and self.end_ms:
            return document
        dropped = ({*STEMS_COLUMNS.values()} if not self.stems else set()) | ({"end_ms"} if not self.end_ms else set())
        return {key: value for key, value in document.items() if key not in dropped}


CURRENT = Schema()


def modelled(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """For Alembic's comparison: the full-text structures are created here, not by the models."""
    if type_ == "table" and name and name.startswith("search_fts"):
        return False
    return not (type_ in ("column", "index") and name in ("folded_tsv", GIN_INDEX, WORDS_ONLY_GIN_INDEX))


def install(connection: Connection) -> None:
    """Create the full-text structures of this database over search_documents (idempotent; on PostgreSQL, the GIN
    index without blocks of ids is replaced)."""
    stemmed = Schema.of(connection).stems
    if connection.dialect.name == "sqlite":
        statements = _sqlite_structures(full_text_columns(stemmed))
    else:
        statements = _postgresql_structures(stemmed)
    for statement in statements:
        connection.exec_driver_sql(statement)


def uninstall(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        for trigger in ("ai", "ad", "au"):
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS search_documents_{trigger}")
        connection.exec_driver_sql("DROP TABLE IF EXISTS search_fts")
    else:
        for name in (GIN_INDEX, WORDS_ONLY_GIN_INDEX):
            connection.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")
        connection.exec_driver_sql("ALTER TABLE search_documents DROP COLUMN IF EXISTS folded_tsv")


def document(
    recording_id: int,
    kind: str,
    language: str,
    text: str,
    start_ms: int | None = None,
    end_ms: int | None = None,
    searchable: str | None = None,
) -> DocumentRow:
    """One row of search_documents: `searchable` (by default the text itself) folded, and its stems in the column
    of the document's language. Benchmarks fill large catalogues with these rows directly."""
    searchable = text if searchable is None else searchable
    stemmer = stemming_language(language)
    row: DocumentRow = {
        "recording_id": recording_id,
        "kind": kind,
        "language": language,
        "start_ms": start_ms,
        "end_ms": end_ms,
        "text": text,
        "folded": fold(searchable),
    }
    for stems_language, column in STEMS_COLUMNS.items():
        row[column] = (text_stems(searchable, stems_language) or None) if stems_language == stemmer else None
    return row


def words_of(rows: Iterable[DocumentRow]) -> list[str]:
    """The distinct folded words of some documents that "did you mean" may offer, sorted (so that two writers
    add shared words in the same order, and never wait for each other in a circle on PostgreSQL)."""
    found = set()
    for row in rows:
        found.update(WORD.findall(str(row["folded"])))
    return sorted(w for w in found if len(w) in SUGGESTED_WORD_LENGTHS and not w.isdigit())


def _remember_words(connection: Connection, rows: list[DocumentRow]) -> None:
    words = words_of(rows)
    if not words:
        return
    dialect = sqlite if connection.dialect.name == "sqlite" else postgresql
    connection.execute(dialect.insert(WORDS).on_conflict_do_nothing(), [{"word": w} for w in words])


def _insert(connection: Connection, rows: list[DocumentRow], schema: Schema) -> None:
    if rows:
        connection.execute(insert(DOCUMENTS), [schema.row(row) for row in rows])
        if schema.words:
            _remember_words(connection, rows)


def index_track(
    connection: Connection, recording_id: int, language: str, revision_id: int | None, schema: Schema = CURRENT
) -> None:
    """The cues of a track's current revision replace whatever the index had for that track."""
    connection.execute(
        delete(DOCUMENTS).where(
            DOCUMENTS.c.recording_id == recording_id, DOCUMENTS.c.kind == "cue", DOCUMENTS.c.language == language
        )
    )
    if revision_id is None:
        return
    cues = connection.execute(
        select(Cue.start_ms, Cue.end_ms, Cue.text, Cue.voice)
        .where(Cue.revision_id == revision_id)
        .order_by(Cue.position)
    )
    rows = [
        document(recording_id, "cue", language, text, start, end, searchable=f"{voice} {text}" if voice else None)
        for start, end, text, voice in cues
    ]
    _insert(connection, rows, schema)


@dataclass
class _About:
    """What a viewer reads about one recording in one language."""

    title: str = ""
    summary: str | None = None
    event: str = ""
    speakers: tuple[str, ...] = ()
    chapters: tuple[tuple[int, int | None, str | None], ...] = ()

    def documents(self, recording_id: int, language: str) -> list[DocumentRow]:
        texts = (("title", self.title), ("summary", self.summary), ("event", self.event))
        rows = [document(recording_id, kind, language, text) for kind, text in texts if text and text.strip()]
        rows += [document(recording_id, "speaker", language, person) for person in self.speakers]
        rows += [
            document(recording_id, "chapter", language, title, start, end)
            for start, end, title in self.chapters
            if title and title.strip()
        ]
        return rows


def _joined(*parts: str | None) -> str:
    return " · ".join(part for part in parts if part and part.strip())


class _Texts:
    """The catalogue's texts about each recording, read in three queries, in every language."""

    def __init__(self, connection: Connection, wanted: set[int] | None) -> None:
        query = (
            select(
                Recording.id,
                Recording.title.label("recording_title"),
                Workshop.id.label("workshop_id"),
                Workshop.title.label("workshop_title"),
                Workshop.summary,
                Event.title.label("event_title"),
                Event.city,
                Event.organiser,
                Event.description,
                Event.original_language,
            )
            .join(Workshop, Recording.workshop_id == Workshop.id)
            .join(Event, Workshop.event_id == Event.id)
        )
        if wanted is not None:
            query = query.where(Recording.id.in_(wanted))
        self.recordings = connection.execute(query).all()
        self.people: dict[int, list[tuple[str, str | None]]] = {}
        for workshop_id, name, affiliation in connection.execute(
            select(Participation.workshop_id, Person.name, Person.affiliation)
            .join(Person, Participation.person_id == Person.id)
            .order_by(Participation.workshop_id, Participation.role, Participation.position)
        ):
            self.people.setdefault(workshop_id, []).append((name, affiliation))
        self.chapters: dict[int, list[tuple[int, int | None, str]]] = {}
        if self.ids:
            for recording_id, start, end, title in connection.execute(
                select(Chapter.recording_id, Chapter.start_ms, Chapter.end_ms, Chapter.title)
                .where(Chapter.recording_id.in_(self.ids))
                .order_by(Chapter.recording_id, Chapter.start_ms)
            ):
                self.chapters.setdefault(recording_id, []).append((start, end, title))

    @property
    def ids(self) -> list[int]:
        return [recording.id for recording in self.recordings]

    def original(self, r: Any) -> _About:
        return _About(
            title=_joined(r.workshop_title, r.recording_title, r.event_title),
            summary=r.summary,
            event=_joined(r.event_title, r.city, r.organiser, r.description),
            speakers=tuple(_person(name, affiliation) for name, affiliation in self.people.get(r.workshop_id, [])),
            chapters=tuple(self.chapters.get(r.id, [])),
        )

    def translated(self, r: Any, language: str, translations: content.ContentTranslations) -> _About:
        """Only the texts that are translated: an untranslated one stays in its own language, stemmed as such.
        A person is found by the name as written (the same in every language) with the translated affiliation."""

        def tr(text: str | None, context: str) -> str | None:
            return translations.translate(text, context, language)

        return _About(
            title=_joined(
                tr(r.workshop_title, "workshop title"),
                tr(r.recording_title, "recording title"),
                tr(r.event_title, "event title"),
            ),
            summary=tr(r.summary, "workshop summary"),
            event=_joined(
                tr(r.event_title, "event title"),
                tr(r.city, "event city"),
                tr(r.organiser, "event organiser"),
                tr(r.description, "event description"),
            ),
            speakers=tuple(
                _person(name, translated)
                for name, affiliation in self.people.get(r.workshop_id, [])
                if (translated := tr(affiliation, "person affiliation"))
            ),
            chapters=tuple(
                (start, end, tr(title, "chapter title")) for start, end, title in self.chapters.get(r.id, [])
            ),
        )

    def documents(self, translations: content.ContentTranslations) -> list[DocumentRow]:
        rows: list[DocumentRow] = []
        for r in self.recordings:
            rows += self.original(r).documents(r.id, r.original_language)
            for language in translations.languages:
                if language != r.original_language:
                    rows += self.translated(r, language, translations).documents(r.id, language)
        return rows


def _person(name: str, affiliation: str | None) -> str:
    return f"{name}, {affiliation}" if affiliation else name


def index_texts(connection: Connection, recording_ids: Iterable[int] | None = None, schema: Schema = CURRENT) -> None:
    """Titles, summaries, event texts, chapters and speakers of the given recordings (all when None), in every
    language; with all of them, also note which compiled catalogues the translations came from."""
    wanted = None if recording_ids is None else set(recording_ids)
    texts = _Texts(connection, wanted)
    purge = delete(DOCUMENTS).where(DOCUMENTS.c.kind != "cue")
    if wanted is not None:
        purge = purge.where(DOCUMENTS.c.recording_id.in_(texts.ids))
    translations = content.current()
    if wanted is None or texts.ids:
        connection.execute(purge)
    _insert(connection, texts.documents(translations), schema)
    if wanted is None and schema.state:
        connection.execute(update(STATE).where(STATE.c.name == CONTENT_STATE).values(signature=translations.signature))


def rebuild(connection: Connection) -> int:
    """The whole index from scratch (a new database, `flask search reindex`, a migration)."""
    schema = Schema.of(connection)
    connection.execute(delete(DOCUMENTS))
    if schema.words:
        connection.execute(delete(WORDS))
    index_texts(connection, schema=schema)
    served = select(SubtitleTrack.recording_id, SubtitleTrack.language, SubtitleTrack.current_revision_id)
    # Migration 0004 rebuilds the index before 0006 adds retired tracks: ask the schema, not the model.
    if "retired_at" in {column["name"] for column in inspect(connection).get_columns("subtitle_tracks")}:
        served = served.where(SubtitleTrack.retired_at.is_(None))
    tracks = connection.execute(served)
    for recording_id, language, revision_id in tracks.all():
        index_track(connection, recording_id, language, revision_id, schema)
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
