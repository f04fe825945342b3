"""The translators' glossary: one agreed word per key term and language (translations/glossary.csv).

A catalogue reads as one voice only if "audio track" is always "piste audio" and "ses parçası", never "ses
kanalı" on one page and "ses parçası" on the next. The glossary lists those terms (`term,fr,tr,note`);
`flask translations check` fails on a translation whose source uses a term and which does not use the agreed
word (checked here), and the editor shows the terms of each entry beside it.

Words are compared by their folded stems, and in Turkish also by their first five letters (catalogue.text, as
search does), so inflected forms count: "sous-titres" for "sous-titre", "ses parçalarını" for "ses parçası",
"Transkripti" for "Transkript". A translation that keeps the English term as written (a code value such as
`floor` or `interpretation-en` in a hint) is left alone.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from flask import current_app

from catalogue.problems import N_, Problem
from catalogue.text import fold, lower_as, stemming_language, word_keys
from catalogue.translating.po_reader import read_catalogue_file
from catalogue.translating.po_scanner import PoSyntaxError

GLOSSARY_FILE = "glossary.csv"
SOURCE_LANGUAGE = "en"
# Words compared as written (folded), not by stems: the English term kept as a code value.
LITERAL = ""
# Placeholders are not words of the sentence: `%(language)s` says nothing about languages.
_PLACEHOLDER = re.compile(r"%\(\w{1,64}\)[a-z]|%[a-z]|\{\w{0,64}\}")
_WORD = re.compile(r"\w++")

Keys = tuple[frozenset[str], ...]


@dataclass(frozen=True, slots=True)
class Term:
    """One key term: the English word, the agreed word in each language, and a note for translators."""

    term: str
    translations: dict[str, str] = field(hash=False)
    note: str = ""

    def translation(self, locale: str) -> str | None:
        return self.translations.get(locale) or self.translations.get(locale.split("_")[0].split("-")[0])


def _keys_of_word(word: str, language: str) -> frozenset[str]:
    """What a word is matched by: its folded stems (and prefix key) in a stemmed language, else itself folded."""
    stemmed = stemming_language(language)
    if stemmed is None:
        return frozenset((fold(word),))
    return word_keys(lower_as(word, stemmed), stemmed) | {fold(word)}


@lru_cache(maxsize=8192)
def phrase_keys(text: str, language: str) -> Keys:
    """The keys of each word of a text, in order, placeholders left out."""
    words = _WORD.findall(_PLACEHOLDER.sub(" ", text))
    return tuple(_keys_of_word(word, language) for word in words)


def _contains(haystack: Keys, needle: Keys) -> bool:
    """Whether the words of `needle` stand one after the other in `haystack`, each matched by a shared key."""
    if not needle or len(needle) > len(haystack):
        return False
    for start in range(len(haystack) - len(needle) + 1):
        if all(haystack[start + i] & keys for i, keys in enumerate(needle)):
            return True
    return False


def uses_term(text: str, term: str, language: str) -> bool:
    """Whether `text` (in `language`) uses `term` in any inflected form."""
    return _contains(phrase_keys(text, language), phrase_keys(term, language))


def parse_glossary(data: str) -> list[Term]:
    """The terms of a glossary file: a header `term,<locale>...,note`, then one row per term."""
    rows = csv.DictReader(io.StringIO(data))
    locales = [name for name in rows.fieldnames or [] if name not in ("term", "note")]
    terms = []
    for row in rows:
        term = (row.get("term") or "").strip()
        if not term or term.startswith("#"):
            continue
        translations = {locale: (row.get(locale) or "").strip() for locale in locales}
        terms.append(Term(term, {k: v for k, v in translations.items() if v}, (row.get("note") or "").strip()))
    return terms


@lru_cache(maxsize=8)
def _read(path: str, _stamp: tuple[int, int]) -> tuple[Term, ...]:
    return tuple(parse_glossary(Path(path).read_text(encoding="utf-8-sig")))


def read_glossary(directory: Path) -> tuple[Term, ...]:
    """The glossary of a translations folder (none when it has no glossary.csv); read again when it changes."""
    path = directory / GLOSSARY_FILE
    try:
        stat = path.stat()
    except FileNotFoundError:
        return ()
    return _read(str(path), (stat.st_mtime_ns, stat.st_size))


def terms_in(source: str, terms: tuple[Term, ...] | list[Term]) -> list[Term]:
    """The glossary terms a source text (an English msgid) uses."""
    return [term for term in terms if uses_term(source, term.term, SOURCE_LANGUAGE)]


def check_glossary(
    msgid: str, msgid_plural: str | None, msgstr: str | list[str], locale: str, terms: tuple[Term, ...] | list[Term]
) -> list[Problem]:
    """A problem for each glossary term the source uses and a translated form leaves out.

    Empty forms are not checked (not translated yet), nor a form that keeps the English term as it is written
    (a code value the reader types, such as `floor`).
    """
    forms = [msgstr] if isinstance(msgstr, str) else list(msgstr)
    problems = []
    for term in terms_in(f"{msgid}\n{msgid_plural or ''}", terms):
        expected = term.translation(locale)
        if not expected:
            continue
        for form in forms:
            if not form or uses_term(form, expected, locale) or uses_term(form, term.term, LITERAL):
                continue
            problems.append(
                Problem(
                    None,
                    "glossary",
                    N_("The glossary translates “%(term)s” as “%(expected)s”: use it in this translation."),
                    {"term": term.term, "expected": expected},
                )
            )
            break
    return problems


def glossary_hints(msgid: str, msgid_plural: str | None, locale: str, directory: Path) -> list[dict[str, str]]:
    """What the editor shows beside an entry: each glossary term its source uses, the agreed word, the note."""
    hints = []
    for term in terms_in(f"{msgid}\n{msgid_plural or ''}", read_glossary(directory)):
        expected = term.translation(locale)
        if expected:
            hints.append({"term": term.term, "translation": expected, "note": term.note})
    return hints


def glossary_errors(path: Path, locale: str) -> list[str]:
    """`translations check`'s lines for one catalogue: every translated entry that leaves a glossary term out."""
    terms = read_glossary(path.parent.parent.parent)
    if not terms:
        return []
    try:
        catalogue = read_catalogue_file(path)
    except PoSyntaxError:
        return []  # Reported by the catalogue's own checks.
    problems = []
    for entry in catalogue.entries:
        if entry.status != "translated":
            continue
        for problem in check_glossary(entry.msgid, entry.msgid_plural, entry.translation, locale, terms):
            problems.append(f"{path}:{entry.lineno}: [{problem.code}] {problem.message}")
    return problems


def entry_glossary(msgid: str, msgid_plural: str | None, locale: str) -> list[dict[str, str]]:
    """The editor's hints for an entry, from the app's translations folder (a template global)."""
    return glossary_hints(msgid, msgid_plural, locale, Path(current_app.config["CATALOGUE_TRANSLATIONS_DIR"]))
