"""Reading a `.po` file: bytes -> text -> the strict scan -> Babel's parse -> a PoCatalogue (design.md §4, §6).

The strict scan (po_scanner) names the line of the first thing wrong; Babel then parses what the scan accepted
(`read_po(..., abort_invalid=True)`) and judges the header (its Language and dates). Babel reads one keyword and
its string a line, separated by one space; the lines that msgfmt reads and Babel would not (a tab after a keyword,
two strings on a line) are given to Babel in that shape, and Babel's line numbers mapped back to the file's.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from babel.core import UnknownLocaleError
from babel.messages.catalog import Catalog
from babel.messages.pofile import PoFileError, read_po

from catalogue.problems import N_
from catalogue.translating.po_model import (
    Entry,
    PoCatalogue,
    declared_nplurals,
    plural_expression,
    plural_function,
)
from catalogue.translating.po_scanner import (
    CONTINUATION_LINE,
    KEYWORD_LINE,
    PoSyntaxError,
    Scan,
    Span,
    bare,
    comment_kind,
    flags,
    scan_lines,
    split_lines,
    unescape,
)

_CHARSET = re.compile(rb'"Content-Type:[^"\n]*charset=([-\w.:]+)', re.IGNORECASE)


def decode(data: bytes) -> str:
    """The file's text in the charset its header names (UTF-8 when it names none), a byte-order mark dropped."""
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
    return parse_text(decode(data))


def read_catalogue_file(path: str | os.PathLike[str]) -> PoCatalogue:
    return read_catalogue(Path(path).read_bytes())


def parse_text(text: str) -> PoCatalogue:
    """Parse a `.po` file's text (see read_catalogue)."""
    lines = [bare(line) for line in split_lines(text)]
    scan = scan_lines(lines)
    catalog = _babel_parse(lines, scan)
    headers = scan.headers
    plural_forms, nplurals = _plural_rule(scan, catalog)
    spans = {span.key: span for span in scan.spans}
    entries = []
    for message in list(catalog)[1:]:
        span = spans[(message.context, message.id if isinstance(message.id, str) else message.id[0])]
        entries.append(_entry(message, span, _comment_texts(span, scan, lines), nplurals))
    locale = headers.get("Language") or (str(catalog.locale) if catalog.locale else "")
    return PoCatalogue(locale=locale, entries=entries, plural_forms=plural_forms, nplurals=nplurals, headers=headers)


def _babel_parse(lines: list[str], scan: Scan) -> Catalog:
    """Babel's parse of the scanned lines, its refusals told with the file's own (1-based) line numbers."""
    babel_lines, origin = _lines_for_babel(lines, scan.babel_lines)
    try:
        return read_po([line + "\n" for line in babel_lines], abort_invalid=True)
    except PoFileError as exc:  # Babel's line numbers are 0-based, and count the lines it was given.
        line = origin[min(exc.lineno, len(origin) - 1)] if origin else exc.lineno
        raise PoSyntaxError(
            line + 1, N_("Babel cannot read this line: %(detail)s"), {"detail": str(exc).rsplit(" on ", 1)[0]}
        ) from None
    except (UnknownLocaleError, ValueError) as exc:  # A Language or date header Babel cannot read.
        line = scan.header.line if scan.header else 1
        raise PoSyntaxError(line, N_("The header cannot be read: %(detail)s"), {"detail": str(exc)}) from None


def _lines_for_babel(lines: list[str], replaced: dict[int, list[str]]) -> tuple[list[str], list[int] | None]:
    """The lines to give Babel and, when they are not the file's own one for one, the file line of each."""
    origin: list[int] | None = None
    if replaced:
        babel_lines, origin = [], []
        for index, line in enumerate(lines):
            instead = replaced.get(index, [line])
            babel_lines.extend(instead)
            origin.extend([index] * len(instead))
    else:
        babel_lines = list(lines)
    if babel_lines:
        babel_lines[0] = babel_lines[0].lstrip().lstrip("\ufeff")
    return babel_lines, origin


def _plural_rule(scan: Scan, catalog: Catalog) -> tuple[str, int]:
    """The file's Plural-Forms (Babel's default for its Language when it has none) and its nplurals, checked."""
    plural_forms = scan.headers.get("Plural-Forms") or catalog.plural_forms
    nplurals = declared_nplurals(plural_forms)
    if nplurals is None:
        nplurals = catalog.num_plurals
    try:
        if nplurals < 1:
            raise ValueError(plural_forms)
        plural_function(plural_expression(plural_forms))
    except ValueError:
        line = scan.header.line if scan.header else 1
        raise PoSyntaxError(line, N_("The Plural-Forms header cannot be read.")) from None
    return plural_forms, nplurals


def _comment_texts(span: Span, scan: Scan, lines: list[str]) -> list[str]:
    """The entry's comments from their `#` (without making a Comment of each: this runs for every entry)."""
    columns = scan.comment_columns
    return [lines[i][columns.get(i, 0) :].strip() for i in span.comments]


def _entry(message: Any, span: Span, comments: list[str], nplurals: int) -> Entry:
    entry_flags = [flag for c in comments if comment_kind(c) == "," for flag in flags(c)]
    previous = [c[2:].strip() for c in comments if comment_kind(c) == "|"]
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
        fuzzy="fuzzy" in entry_flags,
        python_format="python-format" in entry_flags,
        translator_comments=[c[1:].strip() for c in comments if comment_kind(c) == "#"],
        developer_comments=list(message.auto_comments),
        locations=list(message.locations),
        previous_msgid=_previous_msgid(previous),
        lineno=span.line,  # Babel's own count is off when a line was given to it in two.
    )


def _previous_msgid(lines: list[str]) -> str | None:
    """The `#| msgid "..."` string with its `#| "..."` continuations (None when there is none or it is garbled)."""
    value: list[str] | None = None
    for line in lines:
        keyword = KEYWORD_LINE.match(line)
        continuation = CONTINUATION_LINE.match(line)
        if keyword and keyword.group(1) == "msgid_plural":
            break
        try:
            if keyword:
                value = [unescape(keyword.group(3), 0)] if keyword.group(1) == "msgid" else None
            elif continuation and value is not None:
                value.append(unescape(continuation.group(1), 0))
        except PoSyntaxError:
            return None
    return "".join(value) if value is not None else None
