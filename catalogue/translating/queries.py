"""Reads on translation catalogues: which files there are, each parsed with its revision, the entries a
translator asks to see, how complete a catalogue is, and the history of changes.

Reading a catalogue also keeps its revision in step with the file: a file changed outside the app (a
deployment, Poedit on the server) counts as a new revision, so an editor that started before it learns so.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from catalogue.accounts.models import User
from catalogue.extensions import db
from catalogue.problems import Problem
from catalogue.text import fold
from catalogue.translating.checks import check_entry
from catalogue.translating.models import TranslationCatalogue, TranslationChange
from catalogue.translating.po_model import STATUSES, Entry, PoCatalogue, Status
from catalogue.translating.po_reader import read_catalogue, read_catalogue_file
from catalogue.translating.po_scanner import PoSyntaxError
from catalogue.translating.po_writer import compile_mo

# The gettext domains: `messages` (the interface, from the code) and `content` (the catalogue's own texts).
DOMAINS = ("messages", "content")
REVISION_HEADER = "X-Catalogue-Revision"
# What a list of entries may be narrowed to: every entry, one status, or (in the editor) those with problems.
STATES = ("all", *STATUSES)
EDITOR_STATES = (*STATES, "warnings")
HISTORY_LENGTH = 200
# Parsed catalogues kept per process (see parse_cached).
PARSED_CATALOGUES = 16


def translations_dir() -> Path:
    return Path(current_app.config["CATALOGUE_TRANSLATIONS_DIR"])


def po_path(locale: str, domain: str) -> Path:
    """The .po file of an interface locale and a domain; LookupError for any other locale or domain."""
    if domain not in DOMAINS or locale not in current_app.config["LANGUAGES"]:
        raise LookupError((locale, domain))
    return translations_dir() / locale / "LC_MESSAGES" / f"{domain}.po"


def catalogue_files(domain: str | None = None) -> list[tuple[str, str, Path]]:
    """(locale, domain, path) of every .po file of the interface locales that exists."""
    found = []
    for locale in current_app.config["LANGUAGES"]:
        for name in (domain,) if domain else DOMAINS:
            path = po_path(locale, name)
            if path.exists():
                found.append((locale, name, path))
    return found


def editable_locales(user: User) -> list[str]:
    """The interface locales, but the default one (the msgids themselves), that `user` may edit."""
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    return [loc for loc in current_app.config["LANGUAGES"] if loc != default and user.can_edit_locale(loc)]


# --- catalogues and their revisions ------------------------------------------------------------------------------


def file_sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# Parsed catalogues by the hash of their bytes: the editor page, the save and the next page read the same
# file, and a 2,000-message parse costs more than compiling it. Bounded, per process; the hash keeps it exact.
_PARSED: dict[str, PoCatalogue] = {}


def parse_cached(data: bytes, sha: str | None = None) -> PoCatalogue:
    key = sha or file_sha(data)
    catalogue = _PARSED.get(key)
    if catalogue is None:
        catalogue = read_catalogue(data)
        remember_parse(key, catalogue)
    return catalogue


def remember_parse(sha: str, catalogue: PoCatalogue) -> None:
    """Keep the parse of a file with this hash (a save knows it without parsing what it wrote)."""
    if sha not in _PARSED and len(_PARSED) >= PARSED_CATALOGUES:
        _PARSED.pop(next(iter(_PARSED)))
    _PARSED[sha] = catalogue


def catalogue_state(
    locale: str, domain: str, data: bytes | None = None, *, for_update: bool = False
) -> TranslationCatalogue:
    """The catalogue's row, brought in step with the file: a file changed outside the app counts as a revision."""
    path = po_path(locale, domain)
    data = path.read_bytes() if data is None else data
    query = select(TranslationCatalogue).where(
        TranslationCatalogue.locale == locale, TranslationCatalogue.domain == domain
    )
    state = db.session.scalar(query.with_for_update() if for_update else query)
    sha = file_sha(data)
    if state is None:
        state = TranslationCatalogue(locale=locale, domain=domain, revision=1, file_sha256=sha)
        db.session.add(state)
        db.session.commit()
    elif state.file_sha256 != sha:
        state.revision += 1
        state.file_sha256 = sha
        db.session.add(TranslationChange(catalogue_id=state.id, revision=state.revision, kind="external"))
        # Changed outside a save (a deployment, or a save killed between writing the .po and the .mo):
        # compile it, so the site never shows a .mo older than its .po.
        compile_mo(parse_cached(data, sha), path.with_suffix(".mo"))
        db.session.commit()
    return state


def load(locale: str, domain: str) -> tuple[PoCatalogue, int]:
    """The catalogue as parsed and its revision; LookupError (no such catalogue) or FileNotFoundError."""
    data = po_path(locale, domain).read_bytes()
    return parse_cached(data), catalogue_state(locale, domain, data).revision


def download_bytes(locale: str, domain: str) -> tuple[bytes, int]:
    """The .po as on disk, with the revision it was at in an X-Catalogue-Revision header (kept by Poedit)."""
    data = po_path(locale, domain).read_bytes()
    revision = catalogue_state(locale, domain, data).revision
    text = data.decode("utf-8")
    marker = '"Content-Transfer-Encoding: 8bit\\n"\n'
    if marker in text:
        text = text.replace(marker, marker + f'"{REVISION_HEADER}: {revision}\\n"\n', 1)
    return text.encode("utf-8"), revision


# --- entries -------------------------------------------------------------------------------------------------------


def entry_problems(
    entry: Entry, catalogue: PoCatalogue, locale: str, value: str | list[str] | None = None
) -> tuple[list[Problem], list[Problem]]:
    """The errors and warnings of an entry's translation (or of `value`, a translation proposed for it);
    none for an empty one."""
    translation = value if value is not None else entry.translation
    if not translation or (isinstance(translation, list) and not any(translation)):
        return [], []
    return check_entry(
        entry.msgid,
        entry.msgid_plural,
        translation,
        locale=locale,
        python_format=entry.python_format,
        nplurals=catalogue.nplurals,
        plural_expr=catalogue.plural_expr,
    )


def matches(entry: Entry, q: str) -> bool:
    """Whether the source, plural, context or translation holds `q`, folded the Turkish-aware way as the
    catalogue's search does: "izmir" finds "İzmir", "egalite" "égalité"."""
    q = fold(q)
    haystack = [entry.msgid, entry.msgid_plural or "", entry.context or "", *(entry.msgstr_plural or [entry.msgstr])]
    return any(q in fold(text) for text in haystack)


def entries(catalogue: PoCatalogue, *, state: str = "all", q: str = "", locale: str | None = None) -> list[Entry]:
    """The entries in file order, narrowed to a status (STATES), or with `locale`, to those whose translation
    has problems ("warnings"), and to those holding `q`. An unknown state is "all"."""
    shown = catalogue.entries
    if state in STATUSES:
        shown = [e for e in shown if e.status == state]
    elif state == "warnings" and locale is not None:
        shown = [e for e in shown if any(entry_problems(e, catalogue, locale))]
    return [e for e in shown if matches(e, q)] if q else list(shown)


@dataclass
class ListedEntry:
    """An entry as the editor shows it: where it stands and what the checks say about its translation."""

    entry: Entry
    status: Status
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def with_problems(shown: list[Entry], catalogue: PoCatalogue, locale: str) -> list[ListedEntry]:
    return [ListedEntry(e, e.status, *entry_problems(e, catalogue, locale)) for e in shown]


def counts(catalogue: PoCatalogue) -> dict[Status, int]:
    """How many entries are translated, fuzzy and untranslated."""
    result: dict[Status, int] = {"translated": 0, "fuzzy": 0, "untranslated": 0}
    for entry in catalogue.entries:
        result[entry.status] += 1
    return result


@dataclass(frozen=True)
class Completeness:
    """One catalogue's line on the translators' dashboard."""

    locale: str
    domain: str
    revision: int
    counts: dict[Status, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values()) or 1

    @property
    def percent(self) -> dict[Status, float]:
        return {status: round(100 * count / self.total, 1) for status, count in self.counts.items()}


def completeness(locales: list[str]) -> list[Completeness]:
    """Each existing catalogue of these locales, domain by domain."""
    rows = []
    for locale in locales:
        for domain in DOMAINS:
            try:
                catalogue, revision = load(locale, domain)
            except FileNotFoundError:
                continue
            rows.append(Completeness(locale, domain, revision, counts(catalogue)))
    return rows


# --- files, for the command line ---------------------------------------------------------------------------------


def file_counts(path: Path) -> dict[Status, int]:
    return counts(read_catalogue_file(path))


def file_errors(path: Path, locale: str) -> list[str]:
    """Our checks (Babel's own and what they miss) on every translated, non-fuzzy entry, one line each."""
    try:
        catalogue = read_catalogue_file(path)
    except PoSyntaxError as error:
        return [f"{path}:{error.line}: {error}"]
    problems: list[str] = []
    for entry in catalogue.entries:
        if entry.status == "translated":
            errors, _warnings = entry_problems(entry, catalogue, locale)
            problems.extend(f"{path}:{entry.lineno}: [{p.code}] {p.message}" for p in errors)
    return problems


# --- history ---------------------------------------------------------------------------------------------------------


def history(state: TranslationCatalogue, limit: int = HISTORY_LENGTH) -> list[TranslationChange]:
    """The latest changes of a catalogue, newest first."""
    return list(
        db.session.scalars(
            select(TranslationChange)
            .where(TranslationChange.catalogue_id == state.id)
            .order_by(TranslationChange.id.desc())
            .limit(limit)
        )
    )


def change_of_an_entry(change_id: int) -> TranslationChange | None:
    """A change to one entry (not a row that records an outside change to the whole file)."""
    change = db.session.get(TranslationChange, change_id)
    return change if change is not None and change.msgid is not None else None


def last_change(locale: str, domain: str, msgid: str) -> TranslationChange | None:
    """The latest change to an entry, to show who changed it since an editor started."""
    return db.session.scalar(
        select(TranslationChange)
        .join(TranslationCatalogue)
        .where(
            TranslationCatalogue.locale == locale,
            TranslationCatalogue.domain == domain,
            TranslationChange.msgid == msgid,
        )
        .order_by(TranslationChange.id.desc())
    )


def changed_since(state: TranslationCatalogue, key: tuple[str | None, str], base_revision: int) -> bool:
    """Whether the entry (or the file, outside the app) changed after `base_revision`."""
    context, msgid = key
    rows = db.session.scalars(
        select(TranslationChange).where(
            TranslationChange.catalogue_id == state.id, TranslationChange.revision > base_revision
        )
    )
    return any(row.kind == "external" or (row.msgid == msgid and row.context == context) for row in rows)
