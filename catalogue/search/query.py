"""The query language: words, "quoted phrases" and prefixes (dialog*), matched the folded way and by stems, turned
into SQLite FTS5 or PostgreSQL tsquery syntax, and found again in a document's text (for highlights and ranking).

- a word finds itself, or a word with the same stem in the document's language (`dayanışma` finds
  `dayanışmayı` in Turkish, `inegalite` finds `inégalités` in French, `resilient` finds `resilience` in English);
- a "quoted phrase" (or a single "quoted" word) finds those exact words in that order, without stems;
- a prefix* finds words that start with it, without stems.

The query never reaches the database as syntax: it is parsed here into words, and only words made of letters and
digits are handed over, as bound parameters.
"""

from __future__ import annotations

import re
import unicodedata
from collections import deque
from collections.abc import Container, Iterator
from dataclasses import dataclass, field, replace

from markupsafe import Markup, escape

from catalogue.search.index import EXACT_WEIGHT, STEMS_COLUMNS, STEMS_WEIGHTS
from catalogue.text import (
    STEMMED_LANGUAGES,
    fold,
    fold_with_positions,
    lower_as,
    stemming_language,
    word_keys,
    word_stems,
)

WORD = re.compile(r"\w++")
TERM = re.compile(r'"([^"]*+)"?+|(\S++)')
MAX_QUERY = 500
MAX_TERMS = 12
# PostgreSQL: at most this many alternatives planned apart (tsquery_branches).
MAX_BRANCHES = 16


# Function words (folded) that a query does not require, unless quoted or alone: a viewer typing "participation
# des jeunes" wants the documents about young people's participation, with or without "des". Words that another of
# the three languages uses as a common content word stay required: "is" (Turkish iş), "an", "at", "on", "son".
STOP_WORDS = frozenset(
    """a the of and or to in for from by with about as are was were be been it its this that these those
    into than then there their our we you they he she his her
    l le la les un une des de du d et ou au aux en dans pour par sur avec sans ce cet cette ces qui que qu dont se
    s ne n est sont il elle ils elles nous vous leur leurs sa ses y c j m t
    ve ile bir bu da de ki mi mu icin gibi veya ya ama""".split()  # noqa: SIM905 (a list per language, readable)
)


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]  # folded; more than one for a phrase
    prefix: bool = False
    # For a plain word: the words that are it in any language (itself and its bare Snowball stems: a document's
    # word that is its own stem is indexed as a word, not as a stem) ...
    forms: frozenset[str] = frozenset()
    # ... and what finds it in each stemmed language's column of stems (catalogue.text.word_keys).
    keys: tuple[tuple[str, frozenset[str]], ...] = ()
    # A function word the query does not require (STOP_WORDS).
    optional: bool = False

    @property
    def plain(self) -> bool:
        """A single word, found by its stems too."""
        return bool(self.keys)

    def keys_in(self, language: str | None) -> frozenset[str]:
        return next((keys for code, keys in self.keys if code == language), frozenset())


@dataclass
class Query:
    raw: str
    terms: list[Term] = field(default_factory=list)
    # Documents need only one of the terms, not all (the fallback when none holds them all).
    any_term: bool = False

    @property
    def matched(self) -> list[Term]:
        """The terms a document is matched against (function words left out)."""
        return [term for term in self.terms if not term.optional]

    @property
    def empty(self) -> bool:
        return not self.matched

    def loosened(self) -> Query:
        return Query(self.raw, self.terms, any_term=True)


def _plain(source: str, word: str) -> Term:
    """A word typed without quotes or star: its stems come from the word as typed (with its accents, when it has
    them) and from its folded form (catalogue.text.word_stems)."""
    typed = WORD.findall(unicodedata.normalize("NFC", source))
    written = typed[0] if len(typed) == 1 else word
    stems = {lang: word_stems(lower_as(written, lang), lang) for lang in STEMMED_LANGUAGES}
    return Term(
        (word,),
        forms=frozenset((word,)).union(*stems.values()),
        keys=tuple((lang, word_keys(lower_as(written, lang), lang)) for lang in STEMMED_LANGUAGES),
    )


def parse(raw: str) -> Query:
    """Words, "phrases" and prefix* terms, folded; everything else (operators, punctuation) is ignored. Function
    words are kept as optional terms when the query has another word."""
    query = Query(raw[:MAX_QUERY])
    for phrase, word in TERM.findall(query.raw):
        source = phrase if phrase else word
        words = tuple(WORD.findall(fold(source)))
        if not words:
            continue
        if not phrase and word.endswith("*") and len(words) == 1:
            query.terms.append(Term(words, prefix=True))
        elif not phrase and len(words) == 1:
            query.terms.append(_plain(source, words[0]))
        else:
            query.terms.append(Term(words))
        if len(query.terms) >= MAX_TERMS:
            break
    if any(not (term.plain and term.words[0] in STOP_WORDS) for term in query.terms):
        query.terms = [
            replace(term, optional=True) if term.plain and term.words[0] in STOP_WORDS else term for term in query.terms
        ]
    return query


def unparse(query: Query) -> str:
    """The query written back (for a suggestion): phrases quoted, prefixes starred."""
    parts = []
    for term in query.terms:
        if term.prefix:
            parts.append(term.words[0] + "*")
        elif term.plain:
            parts.append(term.words[0])
        else:
            parts.append('"' + " ".join(term.words) + '"')
    return " ".join(parts)


def fts5_expression(query: Query) -> str:
    """FTS5 syntax built from words only: every word quoted and given its column, so nothing the user typed is an
    operator. A plain word: itself or a bare stem among the folded words, or a stem in a language's column."""
    parts = []
    for term in query.matched:
        quoted = '"' + " ".join(term.words) + '"'
        if term.prefix:
            parts.append(f"folded : {quoted}*")
        elif not term.plain:
            parts.append(f"folded : {quoted}")
        else:
            branches = [f'folded : "{form}"' for form in sorted(term.forms)]
            branches += [f'{STEMS_COLUMNS[lang]} : "{key}"' for lang, keys in term.keys for key in sorted(keys)]
            parts.append("(" + " OR ".join(branches) + ")")
    return (" OR " if query.any_term else " AND ").join(parts)


def _ts_operands(term: Term) -> list[str]:
    """A term's alternatives in to_tsquery('simple', ...) syntax: the folded words have weight A, each language's
    stems its own weight (index.STEMS_WEIGHTS), one operand per lexeme with all its weights (`citi:AB`)."""
    exact = EXACT_WEIGHT
    if term.prefix:
        return [f"{term.words[0]}:{exact}*"]
    if not term.plain:
        return ["(" + " <-> ".join(f"{word}:{exact}" for word in term.words) + ")"]
    weights: dict[str, set[str]] = {form: {exact} for form in term.forms}
    for lang, keys in term.keys:
        for key in keys:
            weights.setdefault(key, set()).add(STEMS_WEIGHTS[lang])
    return [f"{lexeme}:{''.join(sorted(labels))}" for lexeme, labels in sorted(weights.items())]


def tsquery_expression(query: Query) -> str:
    """to_tsquery('simple', ...) syntax from words only: alternatives with |, phrases with <->, prefixes with :*."""
    parts = ["(" + " | ".join(_ts_operands(term)) + ")" for term in query.matched]
    return (" | " if query.any_term else " & ").join(parts)


def tsquery_branches(query: Query, common: Container[str] = frozenset()) -> list[str]:
    """The query as tsqueries whose matches together are the query's. PostgreSQL estimates an OR of several rare
    lexemes as common, and walks the whole table in id order for it: when any one alternative will do (a single
    word, or the fallback) and none is among the `common` lexemes, one tsquery per alternative, each planned on
    its own lexeme's statistics. A common word stays one tsquery: one walk in id order that stops early."""
    terms = query.matched
    if len(terms) == 1 or query.any_term:
        operands = sorted({operand for term in terms for operand in _ts_operands(term)})
        if any(operand.partition(":")[0] in common for operand in operands):
            return [tsquery_expression(query)]
        if len(operands) <= MAX_BRANCHES:
            return operands
        return ["(" + " | ".join(_ts_operands(term)) + ")" for term in terms]
    return [tsquery_expression(query)]


def tsquery_lexemes(query: Query) -> frozenset[str]:
    """The lexemes of a query whose documents hold at least one of them: one word, or any of several, each
    matched by itself or its stems (not phrases nor prefixes, not several words required together). How
    common its matches are is then told by how common its lexemes are (queries.ids_holding); empty
    otherwise."""
    terms = query.matched
    if not terms or (len(terms) > 1 and not query.any_term) or not all(term.plain for term in terms):
        return frozenset()
    return frozenset(operand.partition(":")[0] for term in terms for operand in _ts_operands(term))


# --- finding the terms again in a document (highlights and ranking) -------------------------------------


@dataclass(frozen=True)
class Span:
    """Where a term was found in a text: original character offsets, and whether it was the word itself (or the
    phrase, or the prefix) rather than another word with the same stem."""

    start: int
    end: int
    term: int
    exact: bool


def spans(original: str, query: Query, language: str | None = None) -> list[Span]:
    """Every occurrence of every term in the text, in text order; `language` is the document's (for stems)."""
    folded, positions = fold_with_positions(original)
    stemmer = stemming_language(language)
    found = []
    for index, term in enumerate(query.matched):
        if term.plain:
            occurrences = _word_occurrences(folded, positions, original, term, stemmer)
        else:
            occurrences = ((start, end, True) for start, end in _occurrences(folded, term))
        for start, end, exact in occurrences:
            found.append(Span(positions[start], positions[end - 1] + 1, index, exact))
    found.sort(key=lambda span: (span.start, span.end))
    return found


def _word_occurrences(
    folded: str, positions: list[int], original: str, term: Term, language: str | None
) -> Iterator[tuple[int, int, bool]]:
    """Where a plain word is in the folded text: the word, one of its bare stems, or (in a stemmed language) a word
    with one of its stems: the same test the index makes (index.document, fts5_expression)."""
    word, forms, keys = term.words[0], term.forms, term.keys_in(language)
    for token in WORD.finditer(folded):
        found = token.group()
        if found == word:
            yield token.start(), token.end(), True
        elif found in forms:
            yield token.start(), token.end(), False
        elif keys and language is not None:  # only a known language has keys
            written = original[positions[token.start()] : positions[token.end() - 1] + 1]
            if word_keys(lower_as(written, language), language) & keys:
                yield token.start(), token.end(), False


def snippet(original: str, query: Query, width: int = 160, language: str | None = None) -> Markup:
    """The text, escaped, with the matched words in <mark>, cut around the first match when long."""
    return snippet_of(original, spans(original, query, language), width)


def snippet_of(original: str, found: list[Span], width: int = 160) -> Markup:
    merged: list[tuple[int, int]] = []
    for span in found:
        if merged and span.start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(span.end, merged[-1][1]))
        else:
            merged.append((span.start, span.end))
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


def _occurrences(folded: str, term: Term) -> Iterator[tuple[int, int]]:
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
    starts: deque[int] = deque(maxlen=len(words))  # where the last words began
    for token in WORD.finditer(folded):
        word = token.group()
        starts.append(token.start())
        while matched and not fits(matched, word):
            matched = fallback[matched - 1]
        if fits(matched, word):
            matched += 1
        if matched == len(words):
            yield starts[0], token.end()
            matched = 0
