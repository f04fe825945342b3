"""What a parsed `.po` catalogue is: its entries, its header fields and its plural rule (design.md §4, §6).

Plain data, no file syntax: the scanner (po_scanner) finds where things are in the text, the reader (po_reader)
fills these classes, the writer (po_writer) changes the text and compiles it.
"""

from __future__ import annotations

import functools
import gettext
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

# Where an entry stands, as translators see it: the one place this is worked out (Entry.status).
Status = Literal["translated", "fuzzy", "untranslated"]
STATUSES: tuple[Status, ...] = ("untranslated", "fuzzy", "translated")

_PLURAL_EXPR = re.compile(r"(?<![A-Za-z])plural\s*=\s*([^;]+)")
_NPLURALS = re.compile(r"nplurals\s*=\s*(\d+)")


@dataclass
class Entry:
    """One message of a catalogue (not the header, not an obsolete `#~` entry)."""

    msgid: str
    msgid_plural: str | None
    context: str | None
    msgstr: str
    msgstr_plural: list[str] | None
    fuzzy: bool
    python_format: bool
    translator_comments: list[str]
    developer_comments: list[str]
    locations: list[tuple[str, int | None]]
    previous_msgid: str | None
    lineno: int

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.context, self.msgid)

    @property
    def translated(self) -> bool:
        if self.msgstr_plural is not None:
            return bool(self.msgstr_plural) and all(self.msgstr_plural)
        return bool(self.msgstr)

    @property
    def status(self) -> Status:
        """Fuzzy first: a fuzzy entry is not shown to visitors however complete its translation is."""
        if self.fuzzy:
            return "fuzzy"
        return "translated" if self.translated else "untranslated"

    @property
    def value(self) -> EntryValue:
        return EntryValue(self.msgstr, self.msgstr_plural, self.fuzzy)

    @property
    def translation(self) -> str | list[str]:
        """What the translator wrote: the plural forms of a plural entry, else its msgstr."""
        return (self.msgstr_plural or []) if self.msgid_plural else self.msgstr


@dataclass(frozen=True)
class EntryValue:
    """An entry's translation and fuzzy flag: what a save changes and what the history keeps, before and after.

    A plural entry has its forms in `msgstr_plural` and an empty `msgstr`; a simple one has no `msgstr_plural`.
    """

    msgstr: str
    msgstr_plural: list[str] | None
    fuzzy: bool

    def as_record(self) -> dict[str, Any]:
        """As TranslationChange.before and .after store it (JSON)."""
        return {"msgstr": self.msgstr, "msgstr_plural": self.msgstr_plural, "fuzzy": self.fuzzy}

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> EntryValue:
        return cls(record["msgstr"], record["msgstr_plural"], bool(record["fuzzy"]))


@dataclass(frozen=True)
class EntryEdit:
    """The translation one save wants an entry to have: `msgstr` for a simple entry, `msgstr_plural` (one string
    per plural form) for a plural one. Entries are named by (context, msgid), as gettext looks them up."""

    msgid: str
    context: str | None
    msgstr: str | None
    msgstr_plural: list[str] | None
    fuzzy: bool

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.context, self.msgid)

    @classmethod
    def setting(cls, msgid: str, context: str | None, value: EntryValue) -> EntryEdit:
        """The edit that gives the entry this value (a revert, a merged upload)."""
        return cls(msgid, context, value.msgstr, value.msgstr_plural, value.fuzzy)


@dataclass
class PoCatalogue:
    """A parsed catalogue: its entries in file order and its header fields exactly as written."""

    locale: str
    entries: list[Entry]
    plural_forms: str
    nplurals: int
    headers: dict[str, str] = field(default_factory=dict)

    def find(self, msgid: str, context: str | None = None) -> Entry | None:
        return next((e for e in self.entries if e.msgid == msgid and e.context == context), None)

    @property
    def plural_expr(self) -> str:
        return plural_expression(self.plural_forms)

    def plural_index(self, n: int) -> int:
        """Which plural form gettext picks for `n`, by the file's own Plural-Forms expression."""
        return plural_function(self.plural_expr)(n)


def plural_expression(plural_forms: str) -> str:
    """The `plural=` part of a Plural-Forms header ("(n != 1)" when it has none, as gettext assumes)."""
    match = _PLURAL_EXPR.search(plural_forms)
    return match.group(1).strip() if match else "(n != 1)"


def declared_nplurals(plural_forms: str) -> int | None:
    """The `nplurals=` number of a Plural-Forms header, None when the header does not say."""
    match = _NPLURALS.search(plural_forms)
    return int(match.group(1)) if match else None


@functools.lru_cache(maxsize=64)
def plural_function(expr: str) -> Callable[[int], int]:
    """The expression compiled by gettext's own safe C-expression translator (raises ValueError when invalid)."""
    return gettext.c2py(expr)


def parse_headers(value: str) -> dict[str, str]:
    """The header fields in order, unknown ones (X-Poedit-*, X-Generator) included."""
    headers: dict[str, str] = {}
    for line in value.split("\n"):
        name, colon, rest = line.partition(":")
        if colon and name.strip():
            headers[name.strip()] = rest.strip()
    return headers
