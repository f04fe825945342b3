"""Search queries: words, "quoted phrases" and prefixes (dialog*), matched the folded way, on SQLite FTS5 or
PostgreSQL full text. The query never reaches the database as syntax: it is parsed here into words, and
only words made of letters and digits are handed over, as bound parameters."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from markupsafe import Markup, escape
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from catalogue.recordings.models import Event, Recording, Workshop
from catalogue.search.models import SearchDocument
from catalogue.text import fold, fold_with_positions

WORD = re.compile(r"\w++")
TERM = re.compile(r'"([^"]*+)"?+|(\S++)')
# A common word may match hundreds of thousands of cues: the query stops after this many matches, which
# are ranked; past it, results come in index order ("more than 200 results"), so the first page costs the
# same whatever the catalogue's size (benchmarks/search.py measures it at 3 million cues).
RANK_LIMIT = 200
MAX_TERMS = 12


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]  # folded; more than one for a phrase
    prefix: bool = False


@dataclass
class Query:
    raw: str
    terms: list[Term] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.terms


def parse(raw: str) -> Query:
    """Words, "phrases" and prefix* terms, folded; everything else (operators, punctuation) is ignored."""
    query = Query(raw[:500])
    for phrase, word in TERM.findall(query.raw):
        source = phrase if phrase else word
        words = tuple(WORD.findall(fold(source)))
        if not words:
            continue
        prefix = not phrase and word.endswith("*") and len(words) == 1
        query.terms.append(Term(words, prefix))
        if len(query.terms) >= MAX_TERMS:
            break
    return query


def fts5_expression(query: Query) -> str:
    """FTS5 syntax built from words only: every word quoted, so nothing the user typed is an operator."""
    parts = []
    for term in query.terms:
        quoted = '"' + " ".join(term.words) + '"'
        parts.append(quoted + "*" if term.prefix else quoted)
    return " AND ".join(parts)


def tsquery_expression(query: Query) -> str:
    """to_tsquery('simple', ...) syntax from words only: phrases with <->, prefixes with :*."""
    parts = []
    for term in query.terms:
        if len(term.words) > 1:
            parts.append("(" + " <-> ".join(term.words) + ")")
        else:
            parts.append(term.words[0] + (":*" if term.prefix else ""))
    return " & ".join(parts)


@dataclass
class Hit:
    document: SearchDocument
    recording: Recording
    snippet: Markup


@dataclass
class Results:
    query: Query
    total: int
    capped: bool
    hits: list[Hit]


def _matching(session: Session, query: Query, limit: int) -> dict[int, tuple[str, str, int]]:
    """Matching documents in index order (cheap: no ranking): id -> (kind, language, recording id)."""
    if session.get_bind().dialect.name == "sqlite":
        statement = text(
            "SELECT d.id, d.kind, d.language, d.recording_id FROM search_fts "
            "JOIN search_documents AS d ON d.id = search_fts.rowid WHERE search_fts MATCH :q LIMIT :limit"
        )
        parameters = {"q": fts5_expression(query), "limit": limit}
    else:
        # ORDER BY id lets the planner walk the primary key for a common word (stopping at :limit matches) and
        # use the GIN index for a rare one: a bitmap scan of a common word's whole posting list cannot stop early.
        statement = text(
            "SELECT id, kind, language, recording_id FROM search_documents "
            "WHERE folded_tsv @@ to_tsquery('simple', :q) ORDER BY id LIMIT :limit"
        )
        parameters = {"q": tsquery_expression(query), "limit": limit}
    return {row[0]: (row[1], row[2], row[3]) for row in session.execute(statement, parameters)}


def _ranked(session: Session, query: Query, ids: list[int]) -> list[int]:
    """The candidate ids, best first (bm25 on SQLite, ts_rank on PostgreSQL)."""
    if session.get_bind().dialect.name == "sqlite":
        statement = text(
            "SELECT rowid FROM search_fts WHERE search_fts MATCH :q ORDER BY bm25(search_fts) LIMIT :limit"
        )
        return session.execute(statement, {"q": fts5_expression(query), "limit": len(ids)}).scalars().all()
    statement = text(
        "SELECT id FROM search_documents WHERE folded_tsv @@ to_tsquery('simple', :q) "
        "ORDER BY ts_rank(folded_tsv, to_tsquery('simple', :q)) DESC, id LIMIT :limit"
    )
    return session.execute(statement, {"q": tsquery_expression(query), "limit": len(ids)}).scalars().all()


def search(
    session: Session,
    query: Query,
    *,
    language: str | None = None,
    event: str | None = None,
    page: int = 1,
    per_page: int = 20,
) -> Results:
    """Titles and texts first, then cues; ranked when the matches are few, in index order when they are many."""
    if query.empty:
        return Results(query, 0, False, [])
    found = _matching(session, query, RANK_LIMIT + 1)
    capped = len(found) > RANK_LIMIT
    candidates = list(found)[:RANK_LIMIT] if capped else _ranked(session, query, list(found))
    in_event = None
    if event:
        statement = select(Recording.id).join(Workshop).join(Event).where(Event.slug == event)
        in_event = set(session.scalars(statement))
    kept = [
        i
        for i in candidates
        if (not language or found[i][1] == language) and (in_event is None or found[i][2] in in_event)
    ]
    ordered = sorted(kept, key=lambda i: found[i][0] == "cue")
    window = ordered[(page - 1) * per_page : page * per_page]
    documents = {d.id: d for d in session.scalars(select(SearchDocument).where(SearchDocument.id.in_(window)))}
    recording_ids = {d.recording_id for d in documents.values()}
    recordings = {r.id: r for r in session.scalars(select(Recording).where(Recording.id.in_(recording_ids)))}
    hits = [Hit(documents[i], recordings[documents[i].recording_id], snippet(documents[i].text, query)) for i in window]
    return Results(query, len(ordered), capped, hits)


def snippet(original: str, query: Query, width: int = 160) -> Markup:
    """The text, escaped, with the matched words in <mark>, cut around the first match when long."""
    folded, positions = fold_with_positions(original)
    tokens = list(WORD.finditer(folded))
    spans = []
    for term in query.terms:
        for start, end in _occurrences(tokens, term):
            spans.append((positions[start], positions[end - 1] + 1))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    begin, finish = 0, len(original)
    if len(original) > width:
        first = merged[0][0] if merged else 0
        begin = max(0, first - width // 3)
        finish = min(len(original), begin + width)
    pieces, cursor = [], begin
    for start, end in merged:
        if end <= begin or start >= finish:
            continue
        start, end = max(start, begin), min(end, finish)
        pieces.append(escape(original[cursor:start]))
        pieces.append(Markup("<mark>") + escape(original[start:end]) + Markup("</mark>"))
        cursor = end
    pieces.append(escape(original[cursor:finish]))
    result = Markup("").join(pieces)
    if begin > 0:
        result = Markup("…") + result
    if finish < len(original):
        result = result + Markup("…")
    return result


def _occurrences(tokens: list[re.Match[str]], term: Term) -> Iterator[tuple[int, int]]:
    """Where the term's words are consecutive whole words of the text (the last one a prefix for `dialog*`), leftmost
    first and without overlap, as (start, end) in the folded text.

    One pass over the words (Knuth-Morris-Pratt): a regex of the phrase, tried again at every word of a long cue,
    costs the number of words times the phrase's length (a 250-word phrase against a 2 MB cue)."""
    words, last = term.words, len(term.words) - 1

    def fits(index: int, word: str) -> bool:
        return word == words[index] or (index == last and term.prefix and word.startswith(words[index]))

    # fallback[i]: the longest proper prefix of words[: i + 1] that is also its suffix.
    fallback = [0] * len(words)
    for index in range(1, len(words)):
        length = fallback[index - 1]
        while length and words[index] != words[length]:
            length = fallback[length - 1]
        fallback[index] = length + 1 if words[index] == words[length] else 0
    matched = 0
    for index, token in enumerate(tokens):
        word = token.group()
        while matched and not fits(matched, word):
            matched = fallback[matched - 1]
        if fits(matched, word):
            matched += 1
        if matched == len(words):
            yield tokens[index - last].start(), token.end()
            matched = 0


def count_documents(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(SearchDocument)) or 0
