"""Reading and editing gettext `.po` files without disturbing them (design.md §4, §6, §8).

Babel parses (`read_po(..., abort_invalid=True)`), but Babel's `write_po` rewrites the header, drops the
`X-Poedit-*` fields and turns `#|` lines into comments. So an edit is made on the text itself, the way Poedit makes
it: only the entry's `msgstr` lines, its fuzzy flag (and its `#|` lines when the flag is cleared) and the header's
`PO-Revision-Date` and `Last-Translator` lines change; every other byte stays as Poedit or `pybabel update` wrote it.

Babel is lenient where we cannot be: it reads an unterminated string or text after the closing quote without a
word, guesses the `python-format` flag from the msgid instead of reading it, and reports 0-based line numbers. A
strict scan of our own runs first and names the line of the first thing wrong.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gettext
import io
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from babel.core import UnknownLocaleError
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po

from catalogue.problems import N_, Problem

#: Line width of wrapped strings, as pybabel writes them.
WIDTH = 76

# Possessive: a string is read once, never given back character by character (design.md §9: linear on any line).
_STRING = r'"(?:[^"\\]++|\\.)*+"'
_KEYWORD_LINE = re.compile(rf"(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?[ \t]+({_STRING})[ \t]*\Z")
_CONTINUATION_LINE = re.compile(rf"({_STRING})[ \t]*\Z")
_ESCAPE = re.compile(r"\\(.)")
_UNESCAPES = {"\\": "\\", '"': '"', "n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
_ESCAPES = str.maketrans({v: "\\" + k for k, v in _UNESCAPES.items()})
_CHARSET = re.compile(rb'"Content-Type:[^"\n]*charset=([-\w.:]+)', re.IGNORECASE)
_PLURAL_EXPR = re.compile(r"(?<![A-Za-z])plural\s*=\s*([^;]+)")
_NPLURALS = re.compile(r"nplurals\s*=\s*(\d+)")


class PoSyntaxError(ValueError):
    """A `.po` file that cannot be read safely; `line` is 1-based, the message an English msgid with parameters."""

    def __init__(self, line: int, text: str, params: dict[str, Any] | None = None) -> None:
        self.line = line
        self.text = text
        self.params = params or {}
        super().__init__(text % self.params)

    @property
    def problem(self) -> Problem:
        """The error as a `Problem`, told in the reader's language."""
        return Problem(self.line, "po-syntax", self.text, self.params)


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


@functools.lru_cache(maxsize=64)
def plural_function(expr: str) -> Callable[[int], int]:
    """The expression compiled by gettext's own safe C-expression translator (raises ValueError when invalid)."""
    return gettext.c2py(expr)


# --- the strict scan ------------------------------------------------------------------------------------------


def _unescape(quoted: str, line: int) -> str:
    def replace(match: re.Match[str]) -> str:
        char = match.group(1)
        if char not in _UNESCAPES:
            raise PoSyntaxError(line, N_("Unsupported escape sequence %(escape)s."), {"escape": match.group(0)})
        return _UNESCAPES[char]

    return _ESCAPE.sub(replace, quoted[1:-1])


def escape(value: str) -> str:
    """A string in gettext's escaping, without the quotes (a NUL cannot be stored in a .mo file)."""
    if "\0" in value:
        raise ValueError("a translation cannot contain a NUL character")
    return value.translate(_ESCAPES)


@dataclass
class _Field:
    """A keyword and its string, spread over lines[start:end] (the keyword line, then `"..."` continuations)."""

    keyword: str
    index: int | None
    start: int
    end: int
    pieces: list[str]

    @property
    def value(self) -> str:
        return "".join(self.pieces)


@dataclass
class _Span:
    """Where one entry lies in the text: its comment lines and its fields."""

    comments: list[int]
    fields: list[_Field] = field(default_factory=list)

    def get(self, keyword: str) -> _Field | None:
        return next((f for f in self.fields if f.keyword == keyword), None)

    @property
    def msgstrs(self) -> list[_Field]:
        return [f for f in self.fields if f.keyword == "msgstr"]

    @property
    def key(self) -> tuple[str | None, str]:
        context = self.get("msgctxt")
        msgid = self.get("msgid")
        return (context.value if context else None, msgid.value if msgid else "")

    @property
    def line(self) -> int:
        """The msgid's line, 1-based (Babel's Message.lineno)."""
        msgid = self.get("msgid")
        return (msgid or self.fields[0]).start + 1


def _comment_kind(stripped: str) -> str:
    """`,` flags, `|` previous msgid, `.` developer, `:` locations, `#` a translator's comment."""
    return stripped[1] if len(stripped) > 1 and stripped[1] in ",|.:" else "#"


def _flags(stripped: str) -> list[str]:
    return [flag.strip() for flag in stripped[2:].split(",") if flag.strip()]


@dataclass
class _Scan:
    spans: list[_Span]
    header: _Span | None
    headers: dict[str, str]


def _scan(lines: list[str]) -> _Scan:
    """Check the syntax line by line, as msgfmt does, and find where each entry lies.

    Obsolete `#~` entries are checked for string syntax only; their `#~|` lines are comments.
    """
    spans: list[_Span] = []
    pending: list[int] = []
    current: _Span | None = None
    last: _Field | None = None
    obsolete_open = False
    header: _Span | None = None
    headers: dict[str, str] = {}
    nplurals: int | None = None
    seen: dict[tuple[str | None, str], int] = {}

    def finish() -> None:
        nonlocal current, last, header, headers, nplurals
        if current is None:
            return
        if not current.msgstrs:
            raise PoSyntaxError(current.line, N_("This entry has no msgstr."))
        key = current.key
        if key in seen:
            raise PoSyntaxError(current.line, N_("The same message is already on line %(line)s."), {"line": seen[key]})
        seen[key] = current.line
        if key == (None, "") and header is None and not spans:
            header = current
            headers = parse_headers(current.msgstrs[0].value)
            match = _NPLURALS.search(headers.get("Plural-Forms", ""))
            nplurals = int(match.group(1)) if match else None
        spans.append(current)
        current = None
        last = None

    for number, raw in enumerate(lines, start=1):
        stripped = raw.strip()
        if number == 1:
            stripped = stripped.lstrip("\ufeff")
        if not stripped:
            continue
        if stripped.startswith("#-"):
            raise PoSyntaxError(number, N_("Merge conflict markers: resolve the conflict first."))
        if stripped.startswith("#~"):
            body = stripped[2:].lstrip()
            if current is not None:
                finish()
            pending = []
            if not body or body.startswith("|"):
                continue
            match = _KEYWORD_LINE.match(body) or _CONTINUATION_LINE.match(body)
            if not match:
                raise _misformatted(number, body)
            if body.startswith('"') and not obsolete_open:
                raise PoSyntaxError(number, N_("A string that belongs to no msgctxt, msgid or msgstr."))
            obsolete_open = True
            _unescape(match.group(match.lastindex or 1), number)
            continue
        obsolete_open = False
        if stripped.startswith("#"):
            if current is not None:
                finish()
            pending.append(number - 1)
            last = None
            continue
        if stripped.startswith('"'):
            match = _CONTINUATION_LINE.match(stripped)
            if not match:
                raise _misformatted(number, stripped)
            if last is None:
                raise PoSyntaxError(number, N_("A string that belongs to no msgctxt, msgid or msgstr."))
            last.pieces.append(_unescape(match.group(1), number))
            last.end = number
            continue
        match = _KEYWORD_LINE.match(stripped)
        if not match:
            raise _misformatted(number, stripped)
        keyword, index, quoted = match.group(1), match.group(2), match.group(3)
        has = {f.keyword for f in current.fields} if current is not None else set()
        if keyword in ("msgctxt", "msgid") and current is not None:
            if "msgstr" in has:
                finish()
                has = set()
            elif "msgid" in has:
                raise PoSyntaxError(current.line, N_("This entry has no msgstr."))
            elif keyword == "msgctxt":
                raise PoSyntaxError(number, N_("A msgctxt must be followed by its msgid."))
        if keyword == "msgid_plural" and ("msgid" not in has or "msgid_plural" in has or "msgstr" in has):
            raise PoSyntaxError(number, N_("A msgid_plural must follow the msgid."))
        if keyword == "msgstr":
            if "msgid" not in has:
                raise PoSyntaxError(number, N_("A msgstr without a msgid."))
            plural = "msgid_plural" in has
            if plural != (index is not None):
                raise PoSyntaxError(
                    number,
                    N_("A plural entry needs msgstr[0], msgstr[1]…")
                    if plural
                    else N_("msgstr[N] is only for entries with a msgid_plural."),
                )
            taken = [f.index for f in current.msgstrs] if current else []
            if index is not None and int(index) in taken:
                raise PoSyntaxError(number, N_("A second msgstr[%(index)s] for the same entry."), {"index": int(index)})
            if index is not None and nplurals is not None and int(index) >= nplurals:
                raise PoSyntaxError(
                    number,
                    N_("msgstr[%(index)s] is one plural form too many: the header says nplurals=%(nplurals)s."),
                    {"index": int(index), "nplurals": nplurals},
                )
            if index is None and taken:
                raise PoSyntaxError(number, N_("A second msgstr for the same entry."))
        if current is None:
            current = _Span(comments=pending)
            pending = []
        last = _Field(keyword, int(index) if index is not None else None, number - 1, number, [])
        last.pieces.append(_unescape(quoted, number))
        current.fields.append(last)
    finish()
    return _Scan(spans, header, headers)


def _misformatted(number: int, stripped: str) -> PoSyntaxError:
    quote = stripped.find('"')
    if quote != -1:
        string = re.compile(r'"(?:[^"\\]++|\\.)*+("?)').match(stripped, quote)
        assert string is not None
        if not string.group(1):
            return PoSyntaxError(number, N_("Unterminated string: a closing quote is missing."))
        if stripped[string.end() :].strip():
            return PoSyntaxError(number, N_("Text after the closing quote."))
    return PoSyntaxError(number, N_("Unknown or misformatted line."))


def parse_headers(value: str) -> dict[str, str]:
    """The header fields in order, unknown ones (X-Poedit-*, X-Generator) included."""
    headers: dict[str, str] = {}
    for line in value.split("\n"):
        name, colon, rest = line.partition(":")
        if colon and name.strip():
            headers[name.strip()] = rest.strip()
    return headers


# --- reading ----------------------------------------------------------------------------------------------------


def _split_lines(text: str) -> list[str]:
    """Lines with their own endings, split on "\\n" only, as Babel and msgfmt split them (not on U+2028)."""
    pieces = re.split(r"(?<=\n)", text)
    return [piece for piece in pieces if piece]


def _bare(line: str) -> str:
    return line[:-2] if line.endswith("\r\n") else line[:-1] if line.endswith("\n") else line


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    match = _CHARSET.search(data)
    charset = match.group(1).decode("ascii") if match and match.group(1).lower() != b"charset" else "utf-8"
    try:
        return data.decode(charset)
    except LookupError:
        raise PoSyntaxError(
            data[: match.start()].count(b"\n") + 1 if match else 1,
            N_("Unknown character set %(charset)s."),
            {"charset": charset},
        ) from None
    except UnicodeDecodeError as exc:
        raise PoSyntaxError(
            data[: exc.start].count(b"\n") + 1,
            N_("This line is not valid %(charset)s text."),
            {"charset": charset},
        ) from None


def read_catalogue(data: bytes) -> PoCatalogue:
    """Parse a `.po` file's bytes; raise PoSyntaxError naming the line of the first problem."""
    return parse_text(_decode(data))


def read_catalogue_file(path: str | os.PathLike[str]) -> PoCatalogue:
    return read_catalogue(Path(path).read_bytes())


def parse_text(text: str) -> PoCatalogue:
    """Parse a `.po` file's text (see read_catalogue)."""
    lines = [_bare(line) for line in _split_lines(text)]
    scan = _scan(lines)
    # Babel aborts on `#~|` (the previous msgid of an obsolete entry, which msgmerge and Poedit write): blank those
    # lines for Babel, keeping the line numbers.
    babel_lines = ["" if line.lstrip().startswith("#~|") else line for line in lines]
    if babel_lines:
        babel_lines[0] = babel_lines[0].lstrip("\ufeff")
    try:
        catalog = read_po([line + "\n" for line in babel_lines], abort_invalid=True)
    except PoFileError as exc:  # Babel's line numbers are 0-based.
        raise PoSyntaxError(
            exc.lineno + 1, N_("Babel cannot read this line: %(detail)s"), {"detail": str(exc).rsplit(" on ", 1)[0]}
        ) from None
    except (UnknownLocaleError, ValueError) as exc:  # A Language or date header Babel cannot read.
        line = scan.header.line if scan.header else 1
        raise PoSyntaxError(line, N_("The header cannot be read: %(detail)s"), {"detail": str(exc)}) from None

    headers = scan.headers
    plural_forms = headers.get("Plural-Forms") or catalog.plural_forms
    match = _NPLURALS.search(plural_forms)
    nplurals = int(match.group(1)) if match else catalog.num_plurals
    try:
        if nplurals < 1:
            raise ValueError(plural_forms)
        plural_function(plural_expression(plural_forms))
    except ValueError:
        line = scan.header.line if scan.header else 1
        raise PoSyntaxError(line, N_("The Plural-Forms header cannot be read.")) from None

    spans = {span.key: span for span in scan.spans}
    entries = []
    for message in list(catalog)[1:]:
        span = spans[(message.context, message.id if isinstance(message.id, str) else message.id[0])]
        entries.append(_entry(message, span, lines, nplurals))
    locale = headers.get("Language") or (str(catalog.locale) if catalog.locale else "")
    return PoCatalogue(locale=locale, entries=entries, plural_forms=plural_forms, nplurals=nplurals, headers=headers)


def _entry(message: Any, span: _Span, lines: list[str], nplurals: int) -> Entry:
    comments = [lines[i].strip() for i in span.comments]
    flags = [flag for c in comments if _comment_kind(c) == "," for flag in _flags(c)]
    previous = [c[2:].strip() for c in comments if _comment_kind(c) == "|"]
    plural = not isinstance(message.id, str)
    strings = list(message.string) if plural else None
    if strings is not None:
        strings = (strings + [""] * nplurals)[:nplurals]
    return Entry(
        msgid=message.id[0] if plural else message.id,
        msgid_plural=message.id[1] if plural else None,
        context=message.context,
        msgstr="" if plural else message.string,
        msgstr_plural=strings,
        fuzzy="fuzzy" in flags,
        python_format="python-format" in flags,
        translator_comments=[c[1:].strip() for c in comments if _comment_kind(c) == "#"],
        developer_comments=list(message.auto_comments),
        locations=list(message.locations),
        previous_msgid=_previous_msgid(previous),
        lineno=message.lineno,
    )


def _previous_msgid(lines: list[str]) -> str | None:
    """The `#| msgid "..."` string with its `#| "..."` continuations (None when there is none or it is garbled)."""
    value: list[str] | None = None
    for line in lines:
        keyword = _KEYWORD_LINE.match(line)
        continuation = _CONTINUATION_LINE.match(line)
        if keyword and keyword.group(1) == "msgid_plural":
            break
        try:
            if keyword:
                value = [_unescape(keyword.group(3), 0)] if keyword.group(1) == "msgid" else None
            elif continuation and value is not None:
                value.append(_unescape(continuation.group(1), 0))
        except PoSyntaxError:
            return None
    return "".join(value) if value is not None else None


# --- writing one entry --------------------------------------------------------------------------------------------


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


@dataclass
class _Edit:
    start: int
    end: int
    lines: list[str]


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
    raw = _split_lines(text)
    lines = [_bare(line) for line in raw]
    scan = _scan(lines)
    span = next((s for s in scan.spans if s.key == (context, msgid) and s is not scan.header), None)
    if span is None:
        raise KeyError((context, msgid))
    plural = span.get("msgid_plural") is not None
    if plural != (msgstr_plural is not None):
        raise ValueError("a plural entry takes msgstr_plural" if plural else "this entry has no plural forms")
    if msgstr_plural is not None and len(msgstr_plural) != before.nplurals:
        raise ValueError(f"this catalogue has {before.nplurals} plural forms, not {len(msgstr_plural)}")

    edits = _msgstr_edits(span, lines, msgstr, msgstr_plural) + _fuzzy_edits(span, lines, fuzzy)
    if not edits:
        return text
    if scan.header is not None:
        stamp = now.strftime("%Y-%m-%d %H:%M%z")
        edits += _header_edits(scan.header, lines, {"PO-Revision-Date": stamp, "Last-Translator": translator})
    newline = "\r\n" if raw[0].endswith("\r\n") else "\n"
    for edit in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        ending = _ending(raw[edit.end - 1]) if edit.end > edit.start else newline
        new = [line + newline for line in edit.lines]
        if new:
            new[-1] = edit.lines[-1] + ending
        raw[edit.start : edit.end] = new
    result = "".join(raw)

    _check_read_back(result, msgid, context, msgstr, msgstr_plural, fuzzy)
    return result


def _check_read_back(
    result: str, msgid: str, context: str | None, msgstr: str | None, msgstr_plural: list[str] | None, fuzzy: bool
) -> None:
    """The strict scanner reads the edited entry back exactly as written (cheaper than a full parse)."""
    lines = [_bare(line) for line in _split_lines(result)]
    span = next((s for s in _scan(lines).spans if s.key == (context, msgid)), None)
    if span is None:
        raise RuntimeError(f"the edited entry {msgid!r} does not read back")
    values = [f.value for f in sorted(span.msgstrs, key=lambda f: f.index or 0)]
    flags = [flag for i in span.comments if _comment_kind(lines[i].strip()) == "," for flag in _flags(lines[i].strip())]
    wanted = list(msgstr_plural) if msgstr_plural is not None else [msgstr]
    if values != wanted or ("fuzzy" in flags) != fuzzy:
        raise RuntimeError(f"the edited entry {msgid!r} does not read back as written")


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


def _ending(line: str) -> str:
    return line[len(_bare(line)) :]


def _msgstr_edits(span: _Span, lines: list[str], msgstr: str | None, forms: list[str] | None) -> list[_Edit]:
    """Rewrite the msgstr lines of the forms that change; unchanged forms keep their lines as they are."""
    fields = span.msgstrs
    start, end = fields[0].start, fields[-1].end
    existing = {f.index: f for f in fields}
    values = {None: msgstr} if forms is None else dict(enumerate(forms))
    new: list[str] = []
    changed = False
    for index, value in values.items():
        old = existing.get(index)
        assert value is not None
        if old is not None and old.value == value:
            new.extend(lines[old.start : old.end])
        else:
            changed = True
            new.extend(format_field("msgstr" if index is None else f"msgstr[{index}]", value))
    if not changed and len(existing) == len(values):
        return []
    return [_Edit(start, end, new)]


def _fuzzy_edits(span: _Span, lines: list[str], fuzzy: bool) -> list[_Edit]:
    """Add or remove the word `fuzzy` in the `#,` line (keeping python-format and the rest), or add or drop a
    `#, fuzzy` line; clearing it drops the `#|` previous-msgid lines too."""
    flag_lines = [i for i in span.comments if _comment_kind(lines[i].strip()) == ","]
    previous = [i for i in span.comments if _comment_kind(lines[i].strip()) == "|"]
    is_fuzzy = any("fuzzy" in _flags(lines[i].strip()) for i in flag_lines)
    if fuzzy == is_fuzzy:
        return []
    if fuzzy:
        if flag_lines:
            i = flag_lines[0]
            return [_Edit(i, i + 1, ["#, " + ", ".join(["fuzzy", *_flags(lines[i].strip())])])]
        at = previous[0] if previous else span.fields[0].start
        return [_Edit(at, at, ["#, fuzzy"])]
    edits = []
    for i in flag_lines:
        rest = [flag for flag in _flags(lines[i].strip()) if flag != "fuzzy"]
        edits.append(_Edit(i, i + 1, ["#, " + ", ".join(rest)] if rest else []))
    edits += [_Edit(i, i + 1, []) for i in previous]
    return edits


def _header_edits(header: _Span, lines: list[str], fields: dict[str, str]) -> list[_Edit]:
    """Replace each field's own line(s) in the header msgstr; add a missing field at its end. A header whose
    fields do not sit on their own lines is rewritten whole, one field a line."""
    msgstr = header.msgstrs[0]
    fields = {name: " ".join(value.split()) for name, value in fields.items()}  # No newline can smuggle a field in.
    pieces = msgstr.pieces
    edits: list[_Edit] = []
    missing: list[str] = []
    for name, value in fields.items():
        found = _find_header_field(pieces, name)
        if found is None:
            missing.append(name)
            continue
        first, last = found
        line = lines[msgstr.start + first]
        prefix = line[: line.index('"')] if first == 0 else ""
        edits.append(
            _Edit(msgstr.start + first, msgstr.start + last + 1, [f'{prefix}"{escape(f"{name}: {value}")}\\n"'])
        )
    if missing and (msgstr.value.endswith("\n") or not msgstr.value) and len(pieces) > 1:
        added = [f'"{escape(f"{name}: {fields[name]}")}\\n"' for name in missing]
        edits.append(_Edit(msgstr.end, msgstr.end, added))
    elif missing:
        headers = parse_headers(msgstr.value)
        headers.update(fields)
        value = "".join(f"{name}: {v}\n" for name, v in headers.items())
        return [
            _Edit(
                msgstr.start,
                msgstr.end,
                ['msgstr ""', *(f'"{escape(line)}"' for line in re.findall(r"[^\n]*\n|[^\n]+", value))],
            )
        ]
    return edits


def _find_header_field(pieces: list[str], name: str) -> tuple[int, int] | None:
    """The pieces (lines) that hold exactly `Name: value\\n`, or None when the field is absent or shares a line."""
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
