"""Reads of the search package: the matching documents of a query, ranked, grouped by recording with the hits of
each in time order; facets by language, event and kind; the same moment in the recording's other subtitle
languages; and "did you mean" when nothing matches.

A document must hold every word of the query (function words aside); when none does, the documents holding some
of them are shown instead, with a spelling suggestion. Ranking happens here, in Python, on at most RANK_LIMIT
candidates, so SQLite and PostgreSQL order the same matches the same way: documents holding more of the query's
words come first, then those holding more of them as typed (exact and phrase matches before stem matches), then
those holding them side by side, titles and texts before cues, and a BM25-like weight of the matches.
"""

from __future__ import annotations

import math
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple
from urllib.parse import quote_plus

from flask import url_for
from markupsafe import Markup
from sqlalchemy import Row, TextClause, bindparam, event, func, select, text, union
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from catalogue.inputs import InvalidInput
from catalogue.memo import KEY_ALLOWANCE, Memo
from catalogue.pagecache import kept_fact, until_next_write, wrote_to_catalogue
from catalogue.problems import N_
from catalogue.recordings.models import Event
from catalogue.search.index import BLOCK_IDS, block_of
from catalogue.search.models import KINDS, SearchDocument, SearchWord
from catalogue.search.query import (
    MAX_TERMS,
    Query,
    Span,
    Term,
    fts5_expression,
    snippet_of,
    spans,
    tsquery_branches,
    tsquery_lexemes,
)
from catalogue.search.query import parse as parse  # views and the API parse through this module
from catalogue.search.query import unparse as unparse_query
from catalogue.subtitles.models import SubtitleTrack

# A common word may match hundreds of thousands of cues: the query stops after this many matches, which are
# ranked; past it, results are the first ones in index order ("more than 200 results"), so the first page costs
# the same whatever the catalogue's size (benchmarks/search.py measures it at 3 million cues).
RANK_LIMIT = 200
KIND_ORDER = {"title": 0, "chapter": 1, "summary": 2, "event": 3, "speaker": 4, "cue": 5}
# The same moment in other languages: cues that started at most this long before the hit and overlap it.
MOMENT_LOOKBACK_MS = 10_000
LINES_PER_LANGUAGE = 2
# "Did you mean": how many indexed words sharing a query word's first letter are compared with it.
MAX_SUGGESTION_CANDIDATES = 5_000

D = SearchDocument.__table__


@dataclass(frozen=True)
class Filters:
    language: str | None = None
    event: str | None = None
    kind: str | None = None

    def __post_init__(self) -> None:
        if self.kind is not None and self.kind not in KINDS:
            raise InvalidInput("kind", "unknown-kind", N_("Choose one of: %(kinds)s."), kinds=", ".join(KINDS))

    @property
    def any(self) -> bool:
        return bool(self.language or self.event or self.kind)

    def admit(self, document: Document, event_of: dict[int, str]) -> bool:
        return (
            (not self.language or document.language == self.language)
            and (not self.kind or document.kind == self.kind)
            and (not self.event or event_of.get(document.recording_id) == self.event)
        )


class Document(NamedTuple):
    """A matching row of the index, as a hit shows it: a named tuple, as cheap to make as the row it comes from
    (a common word's page makes two hundred; a frozen dataclass cost four times as much)."""

    id: int
    recording_id: int
    kind: str
    language: str
    start_ms: int | None
    end_ms: int | None
    text: str


@dataclass(frozen=True)
class Line:
    """What was said at the same moment in another subtitle language of the recording."""

    language: str
    start_ms: int
    text: str


@dataclass(frozen=True)
class EventRef:
    slug: str
    title: str
    original_language: str


@dataclass(frozen=True)
class RecordingRef:
    """What a hit shows of its recording (read with plain columns: cheaper than the ORM's objects)."""

    id: int
    slug: str
    title: str
    workshop_title: str
    event: EventRef


@dataclass
class Hit:
    document: Document
    recording: RecordingRef
    snippet: Markup
    also: list[Line] = field(default_factory=list)


@dataclass
class Results:
    query: Query
    total: int
    capped: bool
    hits: list[Hit]
    # value -> count, most first, over the unfiltered matches (the first RANK_LIMIT when `capped_facets`).
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    capped_facets: bool = False
    events: dict[str, EventRef] = field(default_factory=dict)
    suggestion: str | None = None

    @property
    def partial(self) -> bool:
        """No document holds every word of the query: these hold some of them, most first."""
        return self.query.any_term


# --- matching ----------------------------------------------------------------------------------------------


def _filtering(filters: Filters) -> tuple[str, dict[str, object]]:
    """SQL conditions on search_documents AS d for the filters, and their parameters."""
    sql = ""
    parameters: dict[str, object] = {}
    if filters.language:
        sql += " AND d.language = :language"
        parameters["language"] = filters.language
    if filters.kind:
        sql += " AND d.kind = :kind"
        parameters["kind"] = filters.kind
    if filters.event:
        sql += (
            " AND d.recording_id IN (SELECT r.id FROM recordings AS r JOIN workshops AS w ON w.id = r.workshop_id"
            " JOIN events AS e ON e.id = w.event_id WHERE e.slug = :event)"
        )
        parameters["event"] = filters.event
    return sql, parameters


# The columns of a matching document (Document's fields), as every matching query selects them.
DOCUMENT_COLUMNS = "d.id, d.recording_id, d.kind, d.language, d.start_ms, d.end_ms, d.text"


def _sqlite_matches(query: Query, limit: int, filters: Filters) -> tuple[str, dict[str, object]]:
    """SQL for the first `limit` matching documents in the FTS5 index's order (rowid order: no ranking)."""
    conditions, parameters = _filtering(filters)
    parameters |= {"q": fts5_expression(query), "limit": limit}
    sql = (
        f"SELECT {DOCUMENT_COLUMNS} FROM search_fts JOIN search_documents AS d ON d.id = search_fts.rowid "
        f"WHERE search_fts MATCH :q{conditions} LIMIT :limit"
    )
    return sql, parameters


def _postgresql_matches(
    branches: list[str], limit: int, filters: Filters, after: int | None = None
) -> tuple[str, dict[str, object]]:
    """SQL for the first `limit` matching documents in id order (past the id `after`, when given)."""
    conditions, parameters = _filtering(filters)
    if after is not None:
        conditions += " AND d.id > :after"
        parameters["after"] = after
    parameters["limit"] = limit
    # ORDER BY id lets the planner walk the primary key for common words (stopping at :limit matches) and use the
    # GIN index for a rare one (a bitmap scan of a common word's whole posting list cannot stop early): each
    # alternative is planned on its own, and the first :limit of their union are the query's first. (Never with
    # a prepared statement's generic plan: see use_custom_plans. One common word, or any of several, is read by
    # blocks of ids instead: first_by_blocks.)
    selects = []
    for index, branch in enumerate(branches):
        parameters[f"q{index}"] = branch
        selects.append(
            f"SELECT {DOCUMENT_COLUMNS} FROM search_documents AS d "
            f"WHERE d.folded_tsv @@ to_tsquery('simple', :q{index}){conditions} ORDER BY d.id LIMIT :limit"
        )
    if len(selects) == 1:
        return selects[0], parameters
    union = " UNION ".join(f"({select})" for select in selects)
    return f"SELECT * FROM ({union}) AS d ORDER BY id LIMIT :limit", parameters


# The blocks of ids holding the lowest id and the :span ids after it, found by the statement itself. Given by a
# subquery: the planner cannot tell how many documents they hold, or it might walk the primary key for what it
# estimates to be many.
FIRST_BLOCKS = (
    f"SELECT generate_series(lowest / {BLOCK_IDS}, (lowest + :span) / {BLOCK_IDS}) "
    "FROM (SELECT min(id) AS lowest FROM search_documents) AS b"
)


def _block_matches(tsquery: str, span: int, limit: int, filters: Filters) -> tuple[str, dict[str, object]]:
    """SQL for the first `limit` documents matching `tsquery` in the FIRST_BLOCKS of ids (index.GIN_INDEX): one GIN
    scan for the word and the blocks together, then only the word's documents in them are read, filtered and
    sorted."""
    conditions, parameters = _filtering(filters)
    sql = (
        f"SELECT {DOCUMENT_COLUMNS} FROM search_documents AS d WHERE d.folded_tsv @@ to_tsquery('simple', :q0) "
        f"AND {block_of('d.id')} && ARRAY({FIRST_BLOCKS}){conditions} ORDER BY d.id LIMIT :limit"
    )
    return sql, parameters | {"q0": tsquery, "span": span, "limit": limit}


# What a hit shows of its recording. Kept per catalogue version (pagecache.kept_fact), filled as searches meet
# recordings: joined into every matching statement, it cost a third of a common word's query on PostgreSQL.
_RECORDING_REFS = text(
    "SELECT r.id, r.slug, r.title, w.title, e.slug, e.title, e.original_language FROM recordings AS r "
    "JOIN workshops AS w ON w.id = r.workshop_id JOIN events AS e ON e.id = w.event_id WHERE r.id IN :ids"
).bindparams(bindparam("ids", expanding=True))


def _recording_refs(session: Session, ids: Iterable[int]) -> dict[int, RecordingRef]:
    """The recordings of these ids as hits show them: those met before under this catalogue version from
    memory, the others in one statement."""
    known: dict[int, RecordingRef] = kept_fact("search recording refs", dict)
    wanted = list(dict.fromkeys(ids))
    missing = [recording_id for recording_id in wanted if recording_id not in known]
    if missing:
        for row in session.connection().execute(_RECORDING_REFS, {"ids": missing}).all():
            known[row[0]] = RecordingRef(row[0], row[1], row[2], row[3], EventRef(*row[4:]))
    return {recording_id: known[recording_id] for recording_id in wanted if recording_id in known}


@lru_cache(maxsize=256)
def _text(sql: str) -> TextClause:
    """A statement's TextClause, parsed once per SQL text (the matching statements are a few shapes)."""
    return text(sql)


def _by_id(document: Document) -> int:
    return document.id


def _documents(
    session: Session, matches: str, parameters: dict[str, object]
) -> tuple[list[Document], dict[int, RecordingRef]]:
    """The documents `matches` selects, in id order, and their recordings."""
    # Sorted here, not by an outer ORDER BY: SQLite would flatten that into the FTS5 query and walk every id.
    rows = session.connection().execute(_text(matches), parameters).all()
    documents = sorted((Document(*row) for row in rows), key=_by_id)
    recordings = _recording_refs(session, (document.recording_id for document in documents))
    # A document whose recording went in the meantime (deleted between the two reads) is not a hit.
    return [document for document in documents if document.recording_id in recordings], recordings


def _matching(
    session: Session, query: Query, limit: int, filters: Filters = Filters()
) -> tuple[list[Document], dict[int, RecordingRef]]:
    """The first `limit` matching documents in index order, and their recordings."""
    if session.get_bind().dialect.name == "sqlite":
        return _documents(session, *_sqlite_matches(query, limit, filters))
    statistics = _index_statistics(session)
    branches = tsquery_branches(query, statistics.frequencies)
    span = 0 if len(branches) > 1 else ids_holding(query, statistics, limit)
    if span:
        return first_by_blocks(session, branches[0], span, limit, filters)
    return _documents(session, *_postgresql_matches(branches, limit, filters))


# What a search read, kept until the next write (pagecache.until_next_write), as a search engine keeps its query
# results and documents until its next commit (Solr's queryResultCache and documentCache): another page of the
# same words, the same search in another interface language or through the API reads the index no more. Bounded
# in bytes per worker: a common word's entry holds its first 201 documents.
MATCHES_KEY = "catalogue_search_matches_this_version"
MATCHES_BYTES = 8 * 1024 * 1024
MOMENTS_KEY = "catalogue_search_moments_this_version"
MOMENTS_BYTES = 4 * 1024 * 1024
_Matched = tuple[tuple["Document", ...], dict[int, "RecordingRef"], "_Matches"]


def _matched_size(matched: _Matched) -> int:
    """The documents' texts, and an allowance for each one's row, spans and snippet (filled as pages ask)."""
    documents, recordings, _matches = matched
    return 2 * sum(len(d.text) for d in documents) + 400 * len(documents) + 300 * len(recordings) + KEY_ALLOWANCE


def _lines_size(lines: tuple[Line, ...]) -> int:
    return sum(len(line.text) for line in lines) + 120 * len(lines) + 100


def _kept_matching(
    session: Session, query: Query, limit: int, filters: Filters = Filters()
) -> tuple[list[Document], dict[int, RecordingRef], _Matches]:
    """_matching(), kept until the next write by the query's terms, the limit and the filters; with where the
    query's terms are in each document and its snippet, worked out as pages ask for them and kept with it."""
    memo: Memo[_Matched] = until_next_write(MATCHES_KEY, lambda: Memo(MATCHES_BYTES, size=_matched_size), session)
    key = (tuple(query.terms), query.any_term, limit, filters)
    found = memo.get(key)
    if found is None:
        documents, recordings = _matching(session, query, limit, filters)
        found = (tuple(documents), recordings, _Matches(query))
        if not wrote_to_catalogue(session):  # Its reads may have flushed a write (autoflush).
            memo.put(key, found)
    # Copies of the lists: callers filter and merge them.
    return list(found[0]), dict(found[1]), found[2]


def first_by_blocks(
    session: Session, tsquery: str, span: int, limit: int, filters: Filters = Filters()
) -> tuple[list[Document], dict[int, RecordingRef]]:
    """PostgreSQL: the first `limit` documents matching `tsquery` (and the filters) in id order, read from the
    blocks of ids that hold the lowest id and the `span` ids after it, and after them when they hold fewer.
    (How many of the word's documents filters keep, no statistics tell: when the blocks fall short, the rest is
    planned as any query.)"""
    documents, recordings = _documents(session, *_block_matches(tsquery, span, limit, filters))
    if len(documents) < limit:
        # The blocks hold every match below their end: the next ones come after the last of them, in id order.
        after = documents[-1].id if documents else None
        more, others = _documents(session, *_postgresql_matches([tsquery], limit - len(documents), filters, after))
        documents, recordings = documents + more, recordings | others
    return documents, recordings


# Reading a common word's first matches by blocks of ids: how many more ids than the statistics say hold `limit`
# matches, and the most ids (blocks) one scan asks for (past that, the word is rare enough for the GIN index alone).
BLOCK_MARGIN = 1.5
MAX_SPAN = 64 * BLOCK_IDS


@dataclass(frozen=True)
class IndexStatistics:
    """What PostgreSQL's statistics say of the index: the share of documents holding each of its most common
    lexemes, and the share of the ids between the lowest and the highest that documents use (deleted and
    re-indexed documents leave gaps)."""

    frequencies: dict[str, float] = field(default_factory=dict)
    ids_used: float = 1.0


def ids_holding(query: Query, statistics: IndexStatistics, limit: int) -> int:
    """How many ids from the lowest likely hold the query's first `limit` matches; 0 when the query is not one of
    the index's common words (nor any of several), so that it is better planned as it is."""
    lexemes = tsquery_lexemes(query)
    density = max((statistics.frequencies.get(lexeme, 0.0) for lexeme in lexemes), default=0.0)
    if density <= 0.0:
        return 0
    span = math.ceil(limit * BLOCK_MARGIN / (density * statistics.ids_used))
    return span if span <= MAX_SPAN else 0


# Read again after a while, per database.
STATISTICS_TTL_S = 600.0
LEXEME_FREQUENCIES = (
    "SELECT x.lexeme, x.frequency FROM pg_stats, "
    "unnest(most_common_elems::text::text[], most_common_elem_freqs) AS x(lexeme, frequency) "
    "WHERE schemaname = current_schema() AND tablename = 'search_documents' AND attname = 'folded_tsv' "
    "AND x.lexeme IS NOT NULL"
)
# The planner's estimate of the rows over the span of ids (both ends read from the primary key).
IDS_USED = (
    "SELECT (SELECT reltuples FROM pg_class WHERE oid = 'search_documents'::regclass) / (max(id) - min(id) + 1) "
    "FROM search_documents"
)
_statistics: dict[str, tuple[float, IndexStatistics]] = {}


def _index_statistics(session: Session) -> IndexStatistics:
    """PostgreSQL's statistics of the index (empty before its first ANALYZE), read on a connection of their own
    once in a while: not one of a page's queries. They only choose plans: every plan finds the same documents."""
    engine = session.get_bind().engine
    key = repr(engine.url)
    read_at, statistics = _statistics.get(key, (-STATISTICS_TTL_S, IndexStatistics()))
    if time.monotonic() - read_at >= STATISTICS_TTL_S:
        connection = engine.raw_connection()
        try:
            with closing(connection.cursor()) as cursor:
                cursor.execute(LEXEME_FREQUENCIES)
                frequencies = {lexeme: float(frequency) for lexeme, frequency in cursor.fetchall()}
                cursor.execute(IDS_USED)
                row = cursor.fetchone()
                ids_used = row[0] if row else None
        finally:
            connection.close()
        # Unknown (no rows, never analysed: reltuples is -1) counts as every id used.
        used = float(ids_used) if ids_used is not None and 0.0 < ids_used < 1.0 else 1.0
        statistics = IndexStatistics(frequencies, used)
        _statistics[key] = (time.monotonic(), statistics)
    return statistics


def use_custom_plans(engine: Engine) -> None:
    """PostgreSQL: plan every statement for its own parameters. psycopg prepares a statement run five times, and
    PostgreSQL may then keep a generic plan for it, one that cannot see the words: for the search that is a walk
    through the whole table in id order for a rare word (seconds at 3 million cues, not milliseconds)."""
    if engine.dialect.name != "postgresql":
        return

    @event.listens_for(engine, "connect")
    def _custom_plans(dbapi_connection: Any, _record: object) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET plan_cache_mode = force_custom_plan")
        dbapi_connection.commit()


def finds_anything(session: Session, query: Query) -> bool:
    return not query.empty and bool(_matching(session, query, 1)[0])


def _facets(documents: list[Document], event_of: dict[int, str]) -> dict[str, list[tuple[str, int]]]:
    counts = {
        "language": Counter(d.language for d in documents),
        "event": Counter(event_of[d.recording_id] for d in documents if d.recording_id in event_of),
        "kind": Counter(d.kind for d in documents),
    }
    return {name: sorted(counter.items(), key=lambda item: (-item[1], item[0])) for name, counter in counts.items()}


# --- ranking and grouping ---------------------------------------------------------------------------------


def _together(original: str, found: list[Span], terms: int) -> bool:
    """All the query's words, as typed and in its order, one after the other in the text (only spaces or
    punctuation between them): a phrase match without the quotes."""
    if terms < 2:
        return False
    run, last_end = 0, 0
    for span in found:
        if not span.exact:
            continue
        if span.term == run and (run == 0 or not any(c.isalnum() for c in original[last_end : span.start])):
            run += 1
        else:
            run = 1 if span.term == 0 else 0
        last_end = span.end
        if run == terms:
            return True
    return False


class _Matches(dict[Document, list[Span]]):
    """Where the query's terms are in each document (query.spans), and each one's snippet, found when first asked
    for. Kept with the matches (_kept_matching): the threads of a worker may fill it at once, each with the
    same value."""

    def __init__(self, query: Query) -> None:
        super().__init__()
        self.query = query
        self._snippets: dict[Document, Markup] = {}

    def __missing__(self, document: Document) -> list[Span]:
        self[document] = found = spans(document.text, self.query, document.language)
        return found

    def snippet(self, document: Document) -> Markup:
        found = self._snippets.get(document)
        if found is None:
            self._snippets[document] = found = snippet_of(document.text, self[document])
        return found


# Sort keys: smaller is better (more terms, more exact terms, side by side, kind, score, then index order).
_Relevance = tuple[int, int, bool, int, float, int]


def _relevance(matches: _Matches, documents: list[Document]) -> Callable[[Document], _Relevance]:
    average = max(1.0, sum(len(d.text) for d in documents) / len(documents)) if documents else 1.0
    terms = len(matches.query.matched)

    def relevance(document: Document) -> _Relevance:
        found = matches[document]
        weight: dict[int, float] = defaultdict(float)
        for span in found:
            weight[span.term] += 2.0 if span.exact else 1.0
        norm = 1.2 * (0.25 + 0.75 * len(document.text) / average)
        score = sum(w / (w + norm) for w in weight.values())
        return (
            -len(weight),
            -len({span.term for span in found if span.exact}),
            not _together(document.text, found, terms),
            KIND_ORDER.get(document.kind, 9),
            -round(score, 6),
            document.id,
        )

    return relevance


def _moment(document: Document) -> tuple[bool, int, int, str, int]:
    """Within a recording: texts first (titles, then summaries...), then chapters and cues by their start."""
    timed = document.start_ms is not None
    return (timed, document.start_ms or 0, KIND_ORDER.get(document.kind, 9), document.language, document.id)


def _order(documents: list[Document], matches: _Matches, ranked: bool) -> list[Document]:
    """Best first (or in index order when not `ranked`), then grouped by recording in the order of each one's
    first document, the documents of each group in time order."""
    best_first = sorted(documents, key=_relevance(matches, documents)) if ranked else documents
    groups: dict[int, list[Document]] = {}
    for document in best_first:
        groups.setdefault(document.recording_id, []).append(document)
    return [document for group in groups.values() for document in sorted(group, key=_moment)]


# --- the same moment in other languages -----------------------------------------------------------------


# A hit's moment and the lines overlapping it in its recording's other languages, seeking the index on
# (recording_id, kind, start_ms) from a little before the hit to its end. A list of hit ids as parameters, not
# their columns: psycopg converts a query of more than 50 parameters again at every run.
MOMENTS = text(
    "SELECT h.id, d.language, d.start_ms, d.text FROM search_documents AS h JOIN search_documents AS d "
    "ON d.recording_id = h.recording_id AND d.kind = 'cue' AND d.start_ms >= h.start_ms - :lookback "
    "AND d.start_ms < CASE WHEN h.end_ms > h.start_ms THEN h.end_ms ELSE h.start_ms + 1 END "
    "AND CASE WHEN d.end_ms > d.start_ms THEN d.end_ms ELSE d.start_ms + 1 END > h.start_ms "
    "AND d.language <> h.language WHERE h.id IN :hits ORDER BY h.id, d.language, d.start_ms, d.id"
).bindparams(bindparam("hits", expanding=True))


def add_moments(session: Session, hits: list[Hit]) -> None:
    """For each cue hit, the lines of the recording's other subtitle languages that overlap it (their tracks
    share the recording's timeline): kept by hit until the next write, the others in one query whatever the
    page's size."""
    cues = [hit.document.id for hit in hits if hit.document.kind == "cue" and hit.document.start_ms is not None]
    if not cues:
        return
    memo: Memo[tuple[Line, ...]] = until_next_write(MOMENTS_KEY, lambda: Memo(MOMENTS_BYTES, size=_lines_size), session)
    kept = {hit_id: memo.get(hit_id) for hit_id in cues}
    missing = [hit_id for hit_id, lines in kept.items() if lines is None]
    if missing:
        lines: dict[int, list[Line]] = {hit_id: [] for hit_id in missing}
        moments = session.connection().execute(MOMENTS, {"hits": missing, "lookback": MOMENT_LOOKBACK_MS}).all()
        for hit_id, language, start, line in moments:
            said = lines[hit_id]
            if sum(other.language == language for other in said) < LINES_PER_LANGUAGE:
                said.append(Line(language, start, line))
        keep = not wrote_to_catalogue(session)
        for hit_id, said in lines.items():
            kept[hit_id] = tuple(said)
            if keep:
                memo.put(hit_id, tuple(said))
    for hit in hits:
        hit.also = list(kept.get(hit.document.id) or ())


# --- did you mean -----------------------------------------------------------------------------------------


def edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein distance (adjacent transpositions count one), or limit + 1 once it must exceed limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, other in enumerate(b, 1):
            cost = 0 if char == other else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char == b[j - 2] and a[i - 2] == other:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1] if previous[-1] <= limit else limit + 1


def closest_word(session: Session, word: str) -> str | None:
    """The indexed word nearest to `word` (same first letter, a few edits away), or None. Ties go to the word
    sharing the longest start with it, then to the first in alphabetical order."""
    limit = 1 if len(word) <= 4 else 2 if len(word) <= 8 else 3
    first = word[0]
    candidates = session.scalars(
        select(SearchWord.word)
        .where(
            SearchWord.word >= first,
            SearchWord.word < chr(ord(first) + 1),
            func.length(SearchWord.word).between(len(word) - limit, len(word) + limit),
        )
        .limit(MAX_SUGGESTION_CANDIDATES)
    )
    best: tuple[int, int, str] | None = None
    for candidate in candidates:
        distance = edit_distance(word, candidate, limit)
        if candidate != word and distance <= limit:
            key = (distance, -_shared_start(word, candidate), candidate)
            best = key if best is None or key < best else best
    return best[2] if best else None


def _shared_start(a: str, b: str) -> int:
    return next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))


def suggest(session: Session, query: Query) -> str | None:
    """A query like this one that finds something: in each term that finds nothing, each word that is in no
    document replaced by the closest indexed word. Bounded: at most MAX_TERMS words, two queries each, and one
    more to check the suggestion."""
    if sum(len(term.words) for term in query.matched) > MAX_TERMS:
        return None
    replaced = False
    terms = []
    for term in query.terms:
        if term.optional or finds_anything(session, Query(query.raw, [term])):
            terms.append(term)
            continue
        words = []
        for word in term.words:
            close = None if finds_anything(session, parse(f'"{word}"')) else closest_word(session, word)
            replaced = replaced or close is not None
            words.append(close or word)
        terms.append(parse(words[0]).terms[0] if term.plain else Term(tuple(words), prefix=term.prefix))
    if not replaced:
        return None
    suggestion = Query(query.raw, terms)
    return unparse_query(suggestion) if finds_anything(session, suggestion) else None


# --- the search -------------------------------------------------------------------------------------------


def search(
    session: Session,
    query: Query,
    *,
    language: str | None = None,
    event: str | None = None,
    kind: str | None = None,
    page: int = 1,
    per_page: int = 20,
) -> Results:
    """One page of hits, grouped by recording; facets over the unfiltered matches; a suggestion when none."""
    filters = Filters(language, event, kind)
    if query.empty:
        return Results(query, 0, False, [])
    everything, recordings, matches = _kept_matching(session, query, RANK_LIMIT + 1)
    suggestion = None
    if not everything:
        # Nothing holds every word: a spelling to try, and the documents holding some of the words.
        suggestion = suggest(session, query)
        if len(query.matched) > 1:
            query = query.loosened()
            everything, recordings, matches = _kept_matching(session, query, RANK_LIMIT + 1)
    capped_facets = len(everything) > RANK_LIMIT
    event_of = {r.id: r.event.slug for r in recordings.values()}
    if filters.any and capped_facets:
        found, more, matches = _kept_matching(session, query, RANK_LIMIT + 1, filters)
        recordings = recordings | more
    else:
        found = [d for d in everything if filters.admit(d, event_of)] if filters.any else everything
    capped = len(found) > RANK_LIMIT
    # Past RANK_LIMIT matches, the first ones come in index order (ranking them would cost as much as the rest).
    ordered = _order(found[:RANK_LIMIT], matches, ranked=not capped)
    window = ordered[(page - 1) * per_page : page * per_page]
    hits = [Hit(d, recordings[d.recording_id], matches.snippet(d)) for d in window]
    add_moments(session, hits)
    return Results(
        query,
        len(ordered),
        capped,
        hits,
        facets=_facets(everything[:RANK_LIMIT], event_of),
        capped_facets=capped_facets,
        events={r.event.slug: r.event for r in recordings.values()},
        suggestion=suggestion,
    )


def count_documents(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(SearchDocument)) or 0


# --- the results, as the search page and the API link them ------------------------------------------------------

# Hits on a page of the search page and of the API's answer.
PER_PAGE = 20
# Hits are ranked in full before a page is cut from them: deeper pages than this are not offered.
MAX_PAGE = 500


# How url_for() encodes a query string's values (werkzeug's _urlencode), so both build the same links.
_QUERY_SAFE = "!$'()*,/:;?@"


class MomentLinks:
    """Links to the player at each hit's moment, for a page of hits: the player's URL is built by url_for once
    per recording and each moment's `t` and `subs` appended as url_for appends them (a page of 20 hits links
    some 80 moments, and url_for's routing and encoding, per link, cost more than the rest of a hit)."""

    def __init__(self, external: bool = False) -> None:
        self.external = external
        self._players: dict[str, str] = {}
        self._subs: dict[str, str] = {}

    def hit(self, hit: Hit) -> str:
        """The player at that moment, with those subtitles (cues), or the recording (titles and texts)."""
        document = hit.document
        if document.kind == "cue":
            return self._at(hit.recording.slug, (document.start_ms or 0) // 1000, document.language)
        if document.kind == "chapter" and document.start_ms is not None:
            return self._at(hit.recording.slug, document.start_ms // 1000)
        return self._player(hit.recording.slug)

    def line(self, hit: Hit, line: Line) -> str:
        """The player at the moment of a line said in another language, with that language's subtitles."""
        return self._at(hit.recording.slug, line.start_ms // 1000, line.language)

    def _player(self, slug: str) -> str:
        player = self._players.get(slug)
        if player is None:
            player = self._players[slug] = url_for("recordings.watch", slug=slug, _external=self.external)
        return player

    def _at(self, slug: str, seconds: int, subs: str | None = None) -> str:
        player = self._player(slug)
        if "?" in player:  # Arguments from a url_defaults hook: url_for merges them with these.
            return url_for("recordings.watch", slug=slug, t=seconds, subs=subs, _external=self.external)
        if subs is None:
            return f"{player}?t={seconds:d}"
        encoded = self._subs.get(subs)
        if encoded is None:
            encoded = self._subs[subs] = quote_plus(subs, safe=_QUERY_SAFE)
        return f"{player}?t={seconds:d}&subs={encoded}"


def hit_url(hit: Hit, external: bool = False) -> str:
    """The player at that moment, with those subtitles (cues), or the recording (titles and texts)."""
    return MomentLinks(external).hit(hit)


def line_url(hit: Hit, line: Line, external: bool = False) -> str:
    """The player at the moment of a line said in another language, with that language's subtitles."""
    return MomentLinks(external).line(hit, line)


def api_results(raw: str, found: Results) -> dict[str, Any]:
    """The API's answer (design.md §8), with additions: each cue's `end_s` and `also` (the same moment in the
    other subtitle languages), `facets` with counts, `partial` and a `suggestion` when no document holds every
    word."""
    return {
        "query": raw,
        "total": found.total,
        "results": [
            {
                "recording": hit.recording.slug,
                "title": hit.recording.title,
                "kind": hit.document.kind,
                "language": hit.document.language,
                "start_s": hit.document.start_ms / 1000 if hit.document.start_ms is not None else None,
                "end_s": hit.document.end_ms / 1000 if hit.document.end_ms is not None else None,
                "snippet": str(hit.snippet),
                "url": hit_url(hit, external=True),
                "also": [
                    {
                        "language": line.language,
                        "start_s": line.start_ms / 1000,
                        "text": line.text,
                        "url": line_url(hit, line, external=True),
                    }
                    for line in hit.also
                ],
            }
            for hit in found.hits
        ],
        "facets": {
            name: [{"value": value, "count": count} for value, count in counts] for name, counts in found.facets.items()
        },
        # False when the query matched more than the ranked candidates: the counts are of those only.
        "facets_complete": not found.capped_facets,
        # True when no document holds every word: the results hold some of them, most first.
        "partial": found.partial,
        "suggestion": found.suggestion,
    }


# --- the search form's choices --------------------------------------------------------------------------------

# From the small tables, not a DISTINCT over every indexed text; plain rows, the statements built once.
_LANGUAGE_CHOICES = union(
    select(SubtitleTrack.language).where(SubtitleTrack.retired_at.is_(None)), select(Event.original_language)
)
_EVENT_CHOICES = select(Event.slug, Event.title, Event.original_language).order_by(Event.starts_on.desc())


def language_choices(session: Session) -> frozenset[str]:
    """Every language a subtitle track (not retired) or an event is in; read once per catalogue version."""
    return kept_fact(
        "search language choices",
        lambda: frozenset(session.connection().execute(_LANGUAGE_CHOICES).scalars()),
    )


def event_choices(session: Session) -> Sequence[Row[str, str, str]]:
    """Every event's slug, title and original language, the latest first; read once per catalogue version."""
    return kept_fact("search event choices", lambda: tuple(session.connection().execute(_EVENT_CHOICES).all()))
