"""Changing a `.po` file the way Poedit does, saving it atomically, and compiling its `.mo` (design.md §4, §6, §8).

Babel's `write_po` rewrites the header, drops the `X-Poedit-*` fields and turns `#|` lines into comments. So an
edit is made on the text itself: only the entry's `msgstr` strings, its fuzzy flag (and its `#|` lines when the
flag is cleared) and the header's `PO-Revision-Date` and `Last-Translator` strings change; every other byte stays
as Poedit or `pybabel update` wrote it. Edits are made by character position (the scanner tells where each field
starts and ends), so an entry that shares a line with another one in an oddly laid-out file is changed alone too.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import itertools
import os
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo

from catalogue.translating.po_model import PoCatalogue, parse_headers
from catalogue.translating.po_reader import parse_text, read_catalogue
from catalogue.translating.po_scanner import (
    Comment,
    Field,
    Span,
    bare,
    comment_kind,
    escape,
    flags,
    scan_lines,
    split_lines,
    string_positions,
)

#: Line width of wrapped strings, as pybabel writes them.
WIDTH = 76


def format_field(keyword: str, value: str, width: int = WIDTH) -> list[str]:
    """`keyword "value"` as xgettext and pybabel write it: one line when it fits and has no inner newline, else
    `keyword ""` and continuation lines no wider than `width`, broken after spaces and after each newline."""
    escaped = escape(value)
    if "\n" not in value[:-1] and len(keyword) + len(escaped) + 3 <= width:
        return [f'{keyword} "{escaped}"']
    lines = [f'{keyword} ""']
    for segment in re.findall(r"[^\n]*\n|[^\n]+", value):
        buffer = ""
        for token in re.findall(r"[^ ]+ *| +", segment):
            piece = escape(token)
            if buffer and len(buffer) + len(piece) + 2 > width:
                lines.append(f'"{buffer}"')
                buffer = piece
            else:
                buffer += piece
        if buffer:
            lines.append(f'"{buffer}"')
    return lines


# --- the text and its edits ---------------------------------------------------------------------------------------


@dataclass
class _Edit:
    """Replace text[start:end] (character offsets) with `text`."""

    start: int
    end: int
    text: str


class _Document:
    """A file's text split into lines, with the offsets the edits need; `lines` are without their endings."""

    def __init__(self, text: str) -> None:
        self.text = text
        raw = split_lines(text)
        self.lines = [bare(line) for line in raw]
        self.newline = "\r\n" if raw and raw[0].endswith("\r\n") else "\n"
        self.starts = [0, *itertools.accumulate(map(len, raw))]  # Where each line starts, and the end.

    def line_start(self, line: int) -> int:
        return self.starts[line]

    def line_end(self, line: int) -> int:
        """Where the line's ending (or the text) begins."""
        return self.starts[line] + len(self.lines[line])

    def replace_comment(self, comment: Comment, new: str | None) -> _Edit:
        """The comment (which runs to the end of its line) becomes `new`. None deletes it: its whole line, ending
        included, unless it follows an entry on that line."""
        line = comment.line
        start = self.line_start(line) + comment.column if self.lines[line][: comment.column].strip() else None
        if new is not None:
            return _Edit(self.line_start(line) if start is None else start, self.line_end(line), new)
        if start is None:
            return _Edit(self.line_start(line), self.starts[line + 1], "")
        return _Edit(start, self.line_end(line), "")

    def insert_lines_before(self, line: int, column: int, new: list[str]) -> _Edit:
        """Whole lines before the token at (line, column); a token before it on that line stays on a line of its
        own (a comment cannot follow a token on a line)."""
        joined = "".join(line_text + self.newline for line_text in new)
        if not self.lines[line][:column].strip():
            return _Edit(self.line_start(line), self.line_start(line), joined)
        at = self.line_start(line) + column
        return _Edit(at, at, self.newline + joined)

    def insert_lines_after(self, line: int, column: int, new: list[str]) -> _Edit:
        """Whole lines after the token that ends at (line, column); a token after it moves to a line of its own."""
        if not self.lines[line][column:].strip():
            at = self.starts[line + 1]
            if at == self.line_end(line):  # The last line of a file that ends without a newline.
                return _Edit(at, at, "".join(self.newline + line_text for line_text in new))
            return _Edit(at, at, "".join(line_text + self.newline for line_text in new))
        at = self.line_start(line) + column
        return _Edit(at, at, "".join(self.newline + line_text for line_text in new) + self.newline)

    def replace_tokens(self, first: tuple[int, int], last: tuple[int, int], new: list[str]) -> _Edit:
        """The text from (line, column) `first` to `last` becomes the `new` lines. What shares the first or the
        last line (another keyword or string) stays where it is; blanks there go, as when whole lines are replaced.
        """
        (first_line, first_column), (last_line, last_column) = first, last
        if not self.lines[first_line][:first_column].strip():
            first_column = 0
        if not self.lines[last_line][last_column:].strip():
            last_column = len(self.lines[last_line])
        return _Edit(
            self.line_start(first_line) + first_column,
            self.line_start(last_line) + last_column,
            self.newline.join(new),
        )

    def field_lines(self, field: Field) -> list[str]:
        """A field's own text as it is, line by line: whole lines unless it shares them with another token."""
        edit = self.replace_tokens((field.start, field.column), (field.end - 1, field.end_column), [])
        return self.text[edit.start : edit.end].split(self.newline)

    def apply(self, edits: Iterable[_Edit]) -> str:
        parts: list[str] = []
        position = 0
        for edit in sorted(edits, key=lambda e: (e.start, e.end)):
            if edit.start < position:
                raise RuntimeError("two edits of one save overlap")
            parts += [self.text[position : edit.start], edit.text]
            position = edit.end
        parts.append(self.text[position:])
        return "".join(parts)


# --- writing one entry --------------------------------------------------------------------------------------------


def update_entry(
    text: str,
    msgid: str,
    context: str | None,
    *,
    msgstr: str | None = None,
    msgstr_plural: list[str] | None = None,
    fuzzy: bool,
    translator: str,
    now: datetime,
    catalogue: PoCatalogue | None = None,
) -> str:
    """The file text with one entry's translation and fuzzy flag changed, and nothing else but the header's
    PO-Revision-Date and Last-Translator lines.

    Clearing the fuzzy flag also drops the entry's `#|` previous msgid, as Poedit does. An edit that changes
    nothing returns the text as it was (the header is not touched). Raises KeyError when the entry is not in the
    file (obsolete `#~` entries do not count), PoSyntaxError when the file cannot be read, ValueError for a
    translation that does not fit the entry (msgstr for a plural entry, the wrong number of forms, a NUL).
    """
    if (msgstr is None) == (msgstr_plural is None):
        raise ValueError("give either msgstr or msgstr_plural")
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    # Babel's verdict too: never edit a file that does not read back. A caller that parsed this very text
    # already (the save path keeps the parse of the file it read) hands it over instead of a second parse.
    before = catalogue if catalogue is not None else parse_text(text)
    document = _Document(text)
    scan = scan_lines(document.lines)
    span = next((s for s in scan.spans if s.key == (context, msgid) and s is not scan.header), None)
    if span is None:
        raise KeyError((context, msgid))
    _check_forms(span, msgstr_plural, before.nplurals)

    comments = scan.comments(span, document.lines)
    edits = _msgstr_edits(document, span, msgstr, msgstr_plural) + _fuzzy_edits(document, span, comments, fuzzy)
    if not edits:
        return text
    if scan.header is not None:
        stamp = now.strftime("%Y-%m-%d %H:%M%z")
        edits += _header_edits(document, scan.header, {"PO-Revision-Date": stamp, "Last-Translator": translator})
    result = document.apply(edits)
    _check_read_back(result, msgid, context, msgstr, msgstr_plural, fuzzy)
    return result


def _check_forms(span: Span, msgstr_plural: list[str] | None, nplurals: int) -> None:
    """A plural entry takes exactly the catalogue's number of forms, a simple entry one msgstr."""
    plural = span.get("msgid_plural") is not None
    if plural != (msgstr_plural is not None):
        raise ValueError("a plural entry takes msgstr_plural" if plural else "this entry has no plural forms")
    if msgstr_plural is not None and len(msgstr_plural) != nplurals:
        raise ValueError(f"this catalogue has {nplurals} plural forms, not {len(msgstr_plural)}")


def _check_read_back(
    result: str, msgid: str, context: str | None, msgstr: str | None, msgstr_plural: list[str] | None, fuzzy: bool
) -> None:
    """The strict scanner reads the edited entry back exactly as written (cheaper than a full parse)."""
    lines = [bare(line) for line in split_lines(result)]
    scan = scan_lines(lines)
    span = next((s for s in scan.spans if s.key == (context, msgid)), None)
    if span is None:
        raise RuntimeError(f"the edited entry {msgid!r} does not read back")
    values = [f.value for f in sorted(span.msgstrs, key=lambda f: f.index or 0)]
    wanted = list(msgstr_plural) if msgstr_plural is not None else [msgstr]
    if values != wanted or ("fuzzy" in _entry_flags(scan.comments(span, lines))) != fuzzy:
        raise RuntimeError(f"the edited entry {msgid!r} does not read back as written")


def _entry_flags(comments: list[Comment]) -> list[str]:
    return [flag for c in comments if comment_kind(c.text) == "," for flag in flags(c.text)]


def with_entry(
    catalogue: PoCatalogue,
    msgid: str,
    context: str | None,
    *,
    msgstr: str | None = None,
    msgstr_plural: list[str] | None = None,
    fuzzy: bool,
) -> PoCatalogue:
    """The parsed catalogue after update_entry, without parsing the file again (the line numbers of the entries
    below the edited one are not shifted: read the file again where exact lines matter)."""
    entries = [
        dataclasses.replace(e, msgstr=msgstr if msgstr is not None else "", msgstr_plural=msgstr_plural, fuzzy=fuzzy)
        if e.key == (context, msgid)
        else e
        for e in catalogue.entries
    ]
    return dataclasses.replace(catalogue, entries=entries)


def _msgstr_edits(document: _Document, span: Span, msgstr: str | None, forms: list[str] | None) -> list[_Edit]:
    """Rewrite the msgstr strings of the forms that change; unchanged forms keep their text as it is."""
    fields = span.msgstrs
    existing = {f.index: f for f in fields}
    values = {None: msgstr} if forms is None else dict(enumerate(forms))
    new: list[str] = []
    changed = False
    for index, value in values.items():
        old = existing.get(index)
        assert value is not None
        if old is not None and old.value == value:
            new.extend(document.field_lines(old))
        else:
            changed = True
            new.extend(format_field("msgstr" if index is None else f"msgstr[{index}]", value))
    if not changed and len(existing) == len(values):
        return []
    first, last = fields[0], fields[-1]
    return [document.replace_tokens((first.start, first.column), (last.end - 1, last.end_column), new)]


def _fuzzy_edits(document: _Document, span: Span, comments: list[Comment], fuzzy: bool) -> list[_Edit]:
    """Add or remove the word `fuzzy` in the `#,` line (keeping python-format and the rest), or add or drop a
    `#, fuzzy` line; clearing it drops the `#|` previous-msgid lines too."""
    flag_lines = [c for c in comments if comment_kind(c.text) == ","]
    previous = [c for c in comments if comment_kind(c.text) == "|"]
    is_fuzzy = any("fuzzy" in flags(c.text) for c in flag_lines)
    if fuzzy == is_fuzzy:
        return []
    if fuzzy:
        if flag_lines:
            return [document.replace_comment(flag_lines[0], "#, " + ", ".join(["fuzzy", *flags(flag_lines[0].text)]))]
        if previous:
            return [document.insert_lines_before(previous[0].line, previous[0].column, ["#, fuzzy"])]
        first = span.fields[0]
        return [document.insert_lines_before(first.start, first.column, ["#, fuzzy"])]
    edits: list[_Edit] = []
    for comment in flag_lines:
        rest = [flag for flag in flags(comment.text) if flag != "fuzzy"]
        edits.append(document.replace_comment(comment, "#, " + ", ".join(rest) if rest else None))
    edits += [document.replace_comment(comment, None) for comment in previous]
    return edits


def _header_edits(document: _Document, header: Span, fields: dict[str, str]) -> list[_Edit]:
    """Replace each field's own string(s) in the header msgstr; add a missing field at its end. A header whose
    fields do not sit in strings of their own is rewritten whole, one field a line."""
    msgstr = header.msgstrs[0]
    fields = {name: " ".join(value.split()) for name, value in fields.items()}  # No newline can smuggle a field in.
    pieces = msgstr.pieces
    positions = string_positions(document.lines, msgstr)  # (line, start, end) of each piece.
    edits: list[_Edit] = []
    missing: list[str] = []
    for name, value in fields.items():
        found = _find_header_field(pieces, name)
        if found is None:
            missing.append(name)
            continue
        (first_line, start, _end), (last_line, _start, end) = positions[found[0]], positions[found[1]]
        new = f'"{escape(f"{name}: {value}")}\\n"'
        edits.append(document.replace_tokens((first_line, start), (last_line, end), [new]))
    if missing and (msgstr.value.endswith("\n") or not msgstr.value) and len(pieces) > 1:
        added = [f'"{escape(f"{name}: {fields[name]}")}\\n"' for name in missing]
        edits.append(document.insert_lines_after(msgstr.end - 1, msgstr.end_column, added))
    elif missing:
        headers = parse_headers(msgstr.value)
        headers.update(fields)
        value = "".join(f"{name}: {v}\n" for name, v in headers.items())
        rewritten = ['msgstr ""', *(f'"{escape(line)}"' for line in re.findall(r"[^\n]*\n|[^\n]+", value))]
        return [document.replace_tokens((msgstr.start, msgstr.column), (msgstr.end - 1, msgstr.end_column), rewritten)]
    return edits


def _find_header_field(pieces: list[str], name: str) -> tuple[int, int] | None:
    """The pieces (strings) that hold exactly `Name: value\\n`, or None when the field is absent or shares one."""
    before = ""
    for first, piece in enumerate(pieces):
        if (not before or before.endswith("\n")) and piece.lower().startswith(name.lower() + ":"):
            for last in range(first, len(pieces)):
                newline = pieces[last].find("\n")
                if newline == -1:
                    continue
                return (first, last) if newline == len(pieces[last]) - 1 else None
            return None
        before += piece
    return None


# --- saving -----------------------------------------------------------------------------------------------------


def _default_mode() -> int:
    """0o666 less the process umask, read without changing it (os.umask would race with other threads)."""
    with contextlib.suppress(OSError, ValueError, StopIteration):
        with open("/proc/self/status", encoding="ascii") as status:
            umask = next(line for line in status if line.startswith("Umask:"))
        return 0o666 & ~int(umask.split()[1], 8)
    return 0o644


def atomic_write(
    path: str | os.PathLike[str], data: bytes, *, before_rename: Callable[[Path], None] | None = None
) -> None:
    """Replace `path` with `data` all at once: a crash leaves the old file or the new one, never half of one.

    The bytes go to `.<name>.<random>.tmp` in the same directory, are flushed and fsynced, then renamed over the
    file (keeping its permissions); the directory is fsynced after. `before_rename(tmp_path)` is a test hook.
    """
    path = Path(path)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        try:
            mode = path.stat().st_mode & 0o7777
        except FileNotFoundError:
            mode = _default_mode()
        os.chmod(tmp, mode)
        if before_rename is not None:
            before_rename(tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    with contextlib.suppress(OSError):  # Best effort: not every file system lets a directory be fsynced.
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


def compile_mo(po_text_or_catalogue: str | bytes | PoCatalogue, mo_path: str | os.PathLike[str]) -> None:
    """Compile with Babel's write_mo (fuzzy and untranslated entries left out, as `pybabel compile` does) and
    save atomically.

    The Babel catalogue is built from our parse with no locale, so its Plural-Forms comes from the file's header:
    write_mo writes `catalog.plural_forms`, which falls back on CLDR (nplurals=3 for French) when a catalogue
    has a locale and no Plural-Forms of its own.
    """
    source = po_text_or_catalogue
    if isinstance(source, bytes):
        source = read_catalogue(source)
    elif isinstance(source, str):
        source = parse_text(source)
    catalog = Catalog(locale=None, fuzzy=False, charset="utf-8")
    catalog.mime_headers = [
        *((k, v) for k, v in source.headers.items() if k.lower() not in ("plural-forms", "content-type")),
        ("Plural-Forms", source.plural_forms),
        ("Content-Type", "text/plain; charset=UTF-8"),
    ]
    for entry in source.entries:
        if entry.fuzzy or not entry.translated:  # write_mo would fill an empty plural entry with the English.
            continue
        if entry.msgstr_plural is not None:
            assert entry.msgid_plural is not None
            catalog.add((entry.msgid, entry.msgid_plural), tuple(entry.msgstr_plural), context=entry.context)
        else:
            catalog.add(entry.msgid, entry.msgstr, context=entry.context)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    atomic_write(mo_path, buffer.getvalue())
