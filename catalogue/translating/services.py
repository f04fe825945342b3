"""Saving translations: checks, optimistic concurrency, atomic writes, compile, history.

With the CLI, the only code that writes .po files. A save edits the entries' own lines in the file
(po_writer.update_entry), writes the .po and its .mo atomically, and records the change, under a file lock so
that two workers never interleave; every worker reloads the new .mo on its next request (i18n).
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from catalogue.accounts.models import User
from catalogue.extensions import db
from catalogue.inputs import InvalidInput, check_int
from catalogue.problems import N_, Problem
from catalogue.translating.models import TranslationCatalogue, TranslationChange
from catalogue.translating.po_model import Entry, EntryEdit, EntryValue, PoCatalogue
from catalogue.translating.po_reader import read_catalogue
from catalogue.translating.po_writer import atomic_write, compile_mo, update_entry, with_entry
from catalogue.translating.queries import (
    REVISION_HEADER,
    catalogue_state,
    changed_since,
    entry_problems,
    file_sha,
    load,
    parse_cached,
    po_path,
    remember_parse,
)

# Pinned plural rules (design.md §6): Babel's CLDR data would give French a third form.
PLURAL_FORMS = {"fr": "nplurals=2; plural=(n > 1);", "tr": "nplurals=2; plural=(n != 1);"}
PLURAL_HEADER = re.compile(r'"Plural-Forms: [^"]*"\n(?:"[^"]*"\n)*?(?="[A-Z])')


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
    # Each entry that changed, as it was, with its value after the save.
    changed: list[tuple[Entry, EntryValue]] = field(default_factory=list)


# --- checking what arrives -----------------------------------------------------------------------------------------


def _text(value: object, name: str) -> str | None:
    """A string field of an edit (None when absent); InvalidInput for any other type or a NUL."""
    if value is not None and not isinstance(value, str):
        raise InvalidInput(name, "bad-type", N_("This field must be a string."))
    if value is not None and "\x00" in value:
        raise InvalidInput(name, "bad-text", N_("This field may not hold NUL characters."))
    return value


def check_edit(msgid: object, context: object, msgstr: object, msgstr_plural: object, fuzzy: bool = False) -> EntryEdit:
    """An edit from outside (a JSON body), each field of the right type; InvalidInput naming the one that is not.

    Whether the translation suits its entry (placeholders, plural forms, markup) is checked on saving.
    """
    checked_msgid = _text(msgid, "msgid")
    if checked_msgid is None:
        raise InvalidInput("msgid", "missing-field", N_("This field is required."))
    if msgstr_plural is not None and not (
        isinstance(msgstr_plural, list) and all(isinstance(form, str) for form in msgstr_plural)
    ):
        raise InvalidInput("msgstr_plural", "bad-type", N_("Give a list of strings, one per plural form."))
    forms = None if msgstr_plural is None else [_text(form, "msgstr_plural") or "" for form in msgstr_plural]
    return EntryEdit(checked_msgid, _text(context, "context"), _text(msgstr, "msgstr"), forms, fuzzy)


# --- saving --------------------------------------------------------------------------------------------------------


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
) -> SaveResult:
    """save_edit of one entry's new translation, given field by field."""
    edit = check_edit(msgid, context, msgstr, msgstr_plural, fuzzy)
    return save_edit(locale, domain, user, edit, base_revision=base_revision)


def save_edit(locale: str, domain: str, user: User, edit: EntryEdit, *, base_revision: int) -> SaveResult:
    """Check and save one entry. Raises LookupError (no such entry), StaleEdit (409) or CheckFailed (422);
    InvalidInput (422) for a base_revision that is no revision number (`true`, -1, 10**30)."""
    check_int(base_revision, "base_revision")
    return _save(locale, domain, user, [edit], base_revision, "edit")


@dataclass
class _Checked:
    """What the checks of a save found: the problems, and each entry that changes with its value after."""

    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    changes: list[tuple[Entry, EntryValue]] = field(default_factory=list)


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
    """Check every edit, then write them all or none: the .po, its .mo, the revision and the history rows.

    `base_revision` None (a file without one) skips the staleness check; `lines` tells where in an uploaded
    file each entry was, for its problems."""
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
            if stale and changed_since(state, entry.key, base_revision or 0):
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
    if entry.msgid_plural:
        forms = edit.msgstr_plural
        if forms is None or len(forms) != catalogue.nplurals:
            text = N_("Give exactly %(count)s plural forms.")
            checked.errors.append(Problem(line, "plural-count", text, {"count": catalogue.nplurals}))
            return
        after = EntryValue("", forms, bool(edit.fuzzy))
    else:
        after = EntryValue(edit.msgstr or "", None, bool(edit.fuzzy))
    errors, warnings = entry_problems(entry, catalogue, locale, after.msgstr_plural or after.msgstr)
    checked.errors.extend(Problem(line, p.code, p.text, p.params) for p in errors)
    checked.warnings.extend(Problem(line, p.code, p.text, p.params) for p in warnings)
    if after != entry.value:
        checked.changes.append((entry, after))


def _write(path: Path, data: bytes, catalogue: PoCatalogue, changes: list[tuple[Entry, EntryValue]], user: User) -> str:
    """Edit each changed entry's lines in the file, then write the .po and its .mo, each atomically; returns the
    new file's hash."""
    text = data.decode("utf-8")
    translator = f"{user.display_name or user.email} <{user.email}>"
    now = datetime.now(UTC)
    for entry, after in changes:
        msgstr = None if entry.msgid_plural is not None else after.msgstr
        text = update_entry(
            text,
            entry.msgid,
            entry.context,
            msgstr=msgstr,
            msgstr_plural=after.msgstr_plural,
            fuzzy=after.fuzzy,
            translator=translator,
            now=now,
            catalogue=catalogue,
        )
        catalogue = with_entry(
            catalogue, entry.msgid, entry.context, msgstr=msgstr, msgstr_plural=after.msgstr_plural, fuzzy=after.fuzzy
        )
    new_data = text.encode("utf-8")
    atomic_write(path, new_data)
    compile_mo(catalogue, path.with_suffix(".mo"))
    sha = file_sha(new_data)
    remember_parse(sha, catalogue)
    return sha


def _record(
    state: TranslationCatalogue,
    sha: str,
    changes: list[tuple[Entry, EntryValue]],
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
                before=entry.value.as_record(),
                after=after.as_record(),
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
    edit = EntryEdit.setting(change.msgid, change.context, EntryValue.from_record(change.before))
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
        if mine is None or mine.value == entry.value:
            continue
        edits.append(EntryEdit.setting(entry.msgid, entry.context, entry.value))
        lines[entry.key] = entry.lineno
    return _save(locale, domain, user, edits, base, "upload", lines=lines)


# --- files, for the command line -----------------------------------------------------------------------------------


def write_template(path: Path, texts: Iterable[tuple[str | None, str, str]], *, project: str) -> int:
    """Write a .pot of (context, text, where it comes from) triples, sorted, atomically; returns its size."""
    catalog = Catalog(project=project, msgid_bugs_address="translators@example.org", fuzzy=False)
    for context, text, where in texts:
        if text and text.strip():
            # Babel writes a location without a line as the name alone; its annotation asks for an int.
            catalog.add(text, context=context, locations=[(where, None)])  # type: ignore[list-item]
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=76, sort_output=True, omit_header=False)
    atomic_write(path, buffer.getvalue())
    return len(catalog)


def pin_plural_forms(path: Path, locale: str) -> None:
    """Give a new catalogue the plural rule design.md §6 pins for its locale, in place of CLDR's."""
    if locale in PLURAL_FORMS:
        header = '"Plural-Forms: ' + PLURAL_FORMS[locale] + '\\n"\n'
        text = PLURAL_HEADER.sub(lambda _match: header, path.read_text("utf-8"), count=1)
        atomic_write(path, text.encode("utf-8"))


def compile_file(path: Path) -> None:
    """Compile a .po into the .mo beside it (atomically); PoSyntaxError names the line of a broken file."""
    compile_mo(path.read_text(encoding="utf-8"), path.with_suffix(".mo"))
