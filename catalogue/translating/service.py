"""Reading and saving translations: checks, optimistic concurrency, atomic writes, compile, history.

The only code besides the CLI that reads or writes .po files. A save edits the entry's own lines in the file
(po_writer.update_entry), writes the .po and its .mo atomically, and records the change, under a file lock so
that two workers never interleave; every worker reloads the new .mo on its next request (i18n).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select

from catalogue.accounts.models import User
from catalogue.extensions import db
from catalogue.inputs import check_int
from catalogue.problems import N_, Problem
from catalogue.translating.checks import check_entry
from catalogue.translating.models import TranslationCatalogue, TranslationChange
from catalogue.translating.po_model import Entry, EntryEdit, PoCatalogue
from catalogue.translating.po_reader import read_catalogue
from catalogue.translating.po_writer import atomic_write, compile_mo, update_entry, with_entry

DOMAINS = ("messages", "content")
REVISION_HEADER = "X-Catalogue-Revision"


class StaleEdit(Exception):
    """The entry changed since the editor's base revision: nothing was written."""

    def __init__(self, current: Entry | None, revision: int):
        super().__init__("stale")
        self.current = current
        self.revision = revision


class CheckFailed(Exception):
    """The translation would break the page: nothing was written."""

    def __init__(self, errors: list[Problem], warnings: list[Problem]):
        super().__init__("; ".join(p.message for p in errors))
        self.errors = errors
        self.warnings = warnings


@dataclass
class SaveResult:
    revision: int
    warnings: list[Problem] = field(default_factory=list)
    changed: list[tuple[Entry, dict[str, Any]]] = field(default_factory=list)


def po_path(locale: str, domain: str) -> Path:
    if domain not in DOMAINS or locale not in current_app.config["LANGUAGES"]:
        raise LookupError((locale, domain))
    return Path(current_app.config["CATALOGUE_TRANSLATIONS_DIR"]) / locale / "LC_MESSAGES" / f"{domain}.po"


def value_of(entry: Entry) -> dict[str, Any]:
    return {"msgstr": entry.msgstr, "msgstr_plural": entry.msgstr_plural, "fuzzy": entry.fuzzy}


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """One writer at a time per catalogue, across processes on this machine."""
    lock_path = path.with_name(f".{path.name}.lock")
    with lock_path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# Parsed catalogues by the hash of their bytes: the editor page, the save and the next page read the same
# file, and a 2,000-message parse costs more than compiling it. Bounded, per process; the hash keeps it exact.
_PARSED: dict[str, PoCatalogue] = {}


def parse_cached(data: bytes, sha: str | None = None) -> PoCatalogue:
    key = sha or _sha(data)
    catalogue = _PARSED.get(key)
    if catalogue is None:
        catalogue = read_catalogue(data)
        if len(_PARSED) >= 16:
            _PARSED.pop(next(iter(_PARSED)))
        _PARSED[key] = catalogue
    return catalogue


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
    if state is None:
        state = TranslationCatalogue(locale=locale, domain=domain, revision=1, file_sha256=_sha(data))
        db.session.add(state)
        db.session.commit()
    elif state.file_sha256 != _sha(data):
        state.revision += 1
        state.file_sha256 = _sha(data)
        db.session.add(TranslationChange(catalogue_id=state.id, revision=state.revision, kind="external"))
        # Changed outside a save (a deployment, or a save killed between writing the .po and the .mo):
        # compile it, so the site never shows a .mo older than its .po.
        compile_mo(parse_cached(data), path.with_suffix(".mo"))
        db.session.commit()
    return state


def load(locale: str, domain: str) -> tuple[PoCatalogue, int]:
    data = po_path(locale, domain).read_bytes()
    return parse_cached(data), catalogue_state(locale, domain, data).revision


def entry_problems(
    entry: Entry, catalogue: PoCatalogue, locale: str, msgstr: str | list[str] | None = None
) -> tuple[list[Problem], list[Problem]]:
    value = msgstr if msgstr is not None else (entry.msgstr_plural if entry.msgid_plural else entry.msgstr)
    if not value or (isinstance(value, list) and not any(value)):
        return [], []
    return check_entry(
        entry.msgid,
        entry.msgid_plural,
        value,
        locale=locale,
        python_format=entry.python_format,
        nplurals=catalogue.nplurals,
        plural_expr=catalogue.plural_expr,
    )


def _changed_since(state: TranslationCatalogue, key: tuple[str | None, str], base_revision: int) -> bool:
    context, msgid = key
    rows = db.session.scalars(
        select(TranslationChange).where(
            TranslationChange.catalogue_id == state.id, TranslationChange.revision > base_revision
        )
    )
    return any(row.kind == "external" or (row.msgid == msgid and row.context == context) for row in rows)


def save_entry(
    locale: str,
    domain: str,
    user: User,
    *,
    msgid: str,
    context: str | None,
    msgstr: str | None = None,
    msgstr_plural: list[str] | None = None,
    fuzzy: bool = False,
    base_revision: int,
    kind: str = "edit",
    reverts: int | None = None,
) -> SaveResult:
    """Check and save one entry. Raises LookupError (no such entry), StaleEdit (409) or CheckFailed (422);
    InvalidInput (422) for a base_revision that is no revision number (`true`, -1, 10**30)."""
    check_int(base_revision, "base_revision")
    edit = EntryEdit(msgid=msgid, context=context, msgstr=msgstr, msgstr_plural=msgstr_plural, fuzzy=fuzzy)
    return _save(locale, domain, user, [edit], base_revision, kind, reverts=reverts)


@dataclass
class _Checked:
    """What the checks of a save found: the problems, and each entry that changes with its value after."""

    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    changes: list[tuple[Entry, dict[str, Any]]] = field(default_factory=list)


def _save(
    locale: str,
    domain: str,
    user: User,
    edits: list[EntryEdit],
    base_revision: int | None,
    kind: str,
    *,
    reverts: int | None = None,
    lines: dict[tuple[str | None, str], int] | None = None,
) -> SaveResult:
    """Check every edit, then write them all or none: the .po, its .mo, the revision and the history rows."""
    path = po_path(locale, domain)
    with _locked(path):
        data = path.read_bytes()
        state = catalogue_state(locale, domain, data, for_update=True)
        catalogue = parse_cached(data, state.file_sha256)
        checked = _Checked()
        for edit in edits:
            entry = catalogue.find(edit.msgid, edit.context)
            if entry is None:
                raise LookupError(edit.key)
            stale = base_revision is not None and base_revision < state.revision
            if stale and _changed_since(state, entry.key, base_revision or 0):
                raise StaleEdit(entry, state.revision)
            _check_edit(checked, entry, edit, catalogue, locale, (lines or {}).get(entry.key))
        if checked.errors:
            raise CheckFailed(checked.errors, checked.warnings)
        if checked.changes:
            sha = _write(path, data, catalogue, checked.changes, user)
            _record(state, sha, checked.changes, user, kind, reverts)
        return SaveResult(state.revision, checked.warnings, checked.changes)


def _check_edit(
    checked: _Checked, entry: Entry, edit: EntryEdit, catalogue: PoCatalogue, locale: str, line: int | None
) -> None:
    """Add the edit's problems (told at `line` of an uploaded file) and, when it changes the entry, the change."""
    value = edit.msgstr_plural if entry.msgid_plural else (edit.msgstr or "")
    if entry.msgid_plural and (value is None or len(value) != catalogue.nplurals):
        text = N_("Give exactly %(count)s plural forms.")
        checked.errors.append(Problem(line, "plural-count", text, {"count": catalogue.nplurals}))
        return
    errors, warnings = entry_problems(entry, catalogue, locale, value)
    checked.errors.extend(Problem(line, p.code, p.text, p.params) for p in errors)
    checked.warnings.extend(Problem(line, p.code, p.text, p.params) for p in warnings)
    after = {
        "msgstr": "" if entry.msgid_plural else value,
        "msgstr_plural": value if entry.msgid_plural else None,
        "fuzzy": bool(edit.fuzzy),
    }
    if after != value_of(entry):
        checked.changes.append((entry, after))


def _write(
    path: Path, data: bytes, catalogue: PoCatalogue, changes: list[tuple[Entry, dict[str, Any]]], user: User
) -> str:
    """Edit each changed entry's lines in the file, then write the .po and its .mo, each atomically; returns the
    new file's hash."""
    text = data.decode("utf-8")
    translator = f"{user.display_name or user.email} <{user.email}>"
    now = datetime.now(UTC)
    for entry, after in changes:
        values = {
            "msgstr": None if entry.msgid_plural is not None else after["msgstr"],
            "msgstr_plural": after["msgstr_plural"],
            "fuzzy": after["fuzzy"],
        }
        text = update_entry(
            text, entry.msgid, entry.context, translator=translator, now=now, catalogue=catalogue, **values
        )
        catalogue = with_entry(catalogue, entry.msgid, entry.context, **values)
    new_data = text.encode("utf-8")
    atomic_write(path, new_data)
    compile_mo(catalogue, path.with_suffix(".mo"))
    sha = _sha(new_data)
    _PARSED[sha] = catalogue
    return sha


def _record(
    state: TranslationCatalogue,
    sha: str,
    changes: list[tuple[Entry, dict[str, Any]]],
    user: User,
    kind: str,
    reverts: int | None,
) -> None:
    """The new revision and one history row per changed entry, committed together."""
    state.revision += 1
    state.file_sha256 = sha
    for entry, after in changes:
        db.session.add(
            TranslationChange(
                catalogue_id=state.id,
                revision=state.revision,
                kind=kind,
                msgid=entry.msgid,
                context=entry.context,
                before=value_of(entry),
                after=after,
                user_id=user.id,
                user_name=user.display_name or user.email,
                reverts_id=reverts,
            )
        )
    db.session.commit()


def revert_change(change: TranslationChange, user: User) -> SaveResult:
    """Put an entry back as it was before `change`, if nobody changed it since (else StaleEdit)."""
    if change.msgid is None or change.before is None:
        raise LookupError(change.id)
    state = change.catalogue
    before = change.before
    edit = EntryEdit(
        msgid=change.msgid,
        context=change.context,
        msgstr=before["msgstr"],
        msgstr_plural=before["msgstr_plural"],
        fuzzy=before["fuzzy"],
    )
    return _save(state.locale, state.domain, user, [edit], change.revision, "revert", reverts=change.id)


def upload_catalogue(locale: str, domain: str, user: User, data: bytes) -> SaveResult:
    """Merge a .po file edited elsewhere (Poedit): every changed entry is checked; any error refuses the file.

    Entries are matched by (context, msgid); the file's X-Catalogue-Revision (set on download) tells which
    server-side edits it has not seen, and such an entry changed differently in both places is a conflict.
    Raises PoSyntaxError (broken file, with its line), CheckFailed or StaleEdit; nothing is written then.
    """
    uploaded = read_catalogue(data)
    raw_base = uploaded.headers.get(REVISION_HEADER)
    base = int(raw_base) if raw_base and raw_base.strip().isdigit() else None
    current, _revision = load(locale, domain)
    edits: list[EntryEdit] = []
    lines: dict[tuple[str | None, str], int] = {}
    for entry in uploaded.entries:
        mine = current.find(entry.msgid, entry.context)
        if mine is None or value_of(mine) == value_of(entry):
            continue
        edits.append(
            EntryEdit(
                msgid=entry.msgid,
                context=entry.context,
                msgstr=entry.msgstr,
                msgstr_plural=entry.msgstr_plural,
                fuzzy=entry.fuzzy,
            )
        )
        lines[entry.key] = entry.lineno
    return _save(locale, domain, user, edits, base, "upload", lines=lines)


def download_bytes(locale: str, domain: str) -> tuple[bytes, int]:
    """The .po as on disk, with the revision it was at in an X-Catalogue-Revision header (kept by Poedit)."""
    path = po_path(locale, domain)
    data = path.read_bytes()
    revision = catalogue_state(locale, domain, data).revision
    text = data.decode("utf-8")
    marker = '"Content-Transfer-Encoding: 8bit\\n"\n'
    if marker in text:
        text = text.replace(marker, marker + f'"{REVISION_HEADER}: {revision}\\n"\n', 1)
    return text.encode("utf-8"), revision


def counts(catalogue: PoCatalogue) -> dict[str, int]:
    result = {"translated": 0, "fuzzy": 0, "untranslated": 0}
    for entry in catalogue.entries:
        key = "fuzzy" if entry.fuzzy else "translated" if entry.translated else "untranslated"
        result[key] += 1
    return result
