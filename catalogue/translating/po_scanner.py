"""The strict scan of a `.po` file: where each entry lies in the text, and the line of the first thing wrong.

Babel is lenient where we cannot be: it reads an unterminated string or text after the closing quote without a
word, and reports 0-based line numbers. So this scan runs first. It reads the text as msgfmt's lexer does, token by
token: a keyword (`msgid`, `msgstr[1]`...) or a quoted string, with any spaces or tabs between them, so indented
entries, tabs after keywords, a keyword alone on its line, two strings on one line or a comment after an entry
read as msgfmt reads them. Each field keeps the line and column where it starts and ends, so that the writer can
change one entry and leave every other byte alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Protocol

from catalogue.problems import N_, Problem
from catalogue.translating.po_model import declared_nplurals, parse_headers

# Possessive: a string is read once, never given back character by character (design.md §9: linear on any line).
_STRING = r'"(?:[^"\\]++|\\.)*+"'
_KEYWORD = r"(msgctxt|msgid_plural|msgid|msgstr)"
#: The usual shapes of a line, matched whole: `keyword "string"` and a `"string"` continuation.
KEYWORD_LINE = re.compile(rf"{_KEYWORD}(?:\[(\d{{1,9}})\])?[ \t]+({_STRING})[ \t]*\Z")
CONTINUATION_LINE = re.compile(rf"({_STRING})[ \t]*\Z")
# Any other line is read one token at a time, with msgfmt's blanks between tokens and inside `[ 0 ]`; as for
# msgfmt, a `#` outside a string starts a comment that runs to the end of the line.
_BLANKS = r"[ \t\f\v\r]*+"
_TOKEN = re.compile(
    rf"{_BLANKS}(?:{_KEYWORD}(?![\w$])(?:{_BLANKS}\[{_BLANKS}(\d{{1,9}}){_BLANKS}\])?|({_STRING})|(#.*))"
)
_OPEN_STRING = re.compile(r'"(?:[^"\\]++|\\.)*+("?)')
_ESCAPE = re.compile(r"\\(.)")
UNESCAPES = {"\\": "\\", '"': '"', "n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
_ESCAPES = str.maketrans({v: "\\" + k for k, v in UNESCAPES.items()})


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


def unescape(quoted: str, line: int) -> str:
    """The value of a quoted string; an escape that gettext does not know is an error on `line` (1-based)."""
    if "\\" not in quoted:  # Most strings: no callback per character class to run.
        return quoted[1:-1]

    def replace(match: re.Match[str]) -> str:
        char = match.group(1)
        if char not in UNESCAPES:
            raise PoSyntaxError(line, N_("Unsupported escape sequence %(escape)s."), {"escape": match.group(0)})
        return UNESCAPES[char]

    return _ESCAPE.sub(replace, quoted[1:-1])


def escape(value: str) -> str:
    """A string in gettext's escaping, without the quotes (a NUL cannot be stored in a .mo file)."""
    if "\0" in value:
        raise ValueError("a translation cannot contain a NUL character")
    return value.translate(_ESCAPES)


def split_lines(text: str) -> list[str]:
    """Lines with their own endings, split on "\\n" only, as Babel and msgfmt split them (not on U+2028)."""
    pieces = re.split(r"(?<=\n)", text)
    return [piece for piece in pieces if piece]


def bare(line: str) -> str:
    """The line without its "\\n" or "\\r\\n" ending."""
    return line[:-2] if line.endswith("\r\n") else line[:-1] if line.endswith("\n") else line


def comment_kind(stripped: str) -> str:
    """`,` flags, `|` previous msgid, `.` developer, `:` locations, `#` a translator's comment."""
    return stripped[1] if len(stripped) > 1 and stripped[1] in ",|.:" else "#"


def flags(stripped: str) -> list[str]:
    """The flags of a `#,` line (`fuzzy`, `python-format`...)."""
    return [flag.strip() for flag in stripped[2:].split(",") if flag.strip()]


# --- what the scan finds ----------------------------------------------------------------------------------------
# Few objects per entry: the save path scans a whole catalogue twice, and every object made is one more for the
# garbage collector to walk (it costs more than the scan itself). Where each string of a field lies is read again
# for the one field that needs it (string_positions); comments are line numbers.


@dataclass(slots=True)
class Comment:
    """A comment: its text from the `#` (its kind is the character after it), its 0-based line and the column of
    the `#` (after the blanks, unless it follows an entry on that line)."""

    text: str
    line: int
    column: int


@dataclass
class Field:
    """A keyword and its strings' values, on lines[start:end]: from the keyword at `column` of line `start` to the
    closing quote before `end_column` of line `end - 1`."""

    keyword: str
    index: int | None
    start: int
    end: int
    column: int
    pieces: list[str] = field(default_factory=list)
    end_column: int = 0

    @property
    def value(self) -> str:
        pieces = self.pieces
        return pieces[0] if len(pieces) == 1 else "".join(pieces)


@dataclass
class Span:
    """Where one entry lies in the text: the lines of its comments (0-based) and its fields."""

    comments: list[int]
    fields: list[Field] = field(default_factory=list)

    def get(self, keyword: str) -> Field | None:
        for f in self.fields:  # A loop, not next(...): this runs for every entry of every file read.
            if f.keyword == keyword:
                return f
        return None

    @property
    def msgstrs(self) -> list[Field]:
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


@dataclass
class Scan:
    """The entries in file order (the header first when there is one), the header's fields, the lines that Babel
    must be given in its own one-keyword-a-line shape (line index -> the lines to give it instead), and the column
    of each comment that follows an entry on its line (the others start their line)."""

    spans: list[Span]
    header: Span | None
    headers: dict[str, str]
    babel_lines: dict[int, list[str]]
    comment_columns: dict[int, int]

    def comments(self, span: Span, lines: list[str]) -> list[Comment]:
        """The entry's comments, with their text."""
        result = []
        for line in span.comments:
            raw = lines[line]
            column = self.comment_columns.get(line, len(raw) - len(raw.lstrip()))
            result.append(Comment(raw[column:].strip(), line, column))
        return result


# --- reading tokens ---------------------------------------------------------------------------------------------


class _TokenSink(Protocol):
    def keyword(self, keyword: str, index: int | None, line: int, column: int) -> None: ...

    def string(self, quoted: str, line: int, start: int, end: int) -> None: ...


def _read_tokens(text: str, column: int, line: int, sink: _TokenSink) -> tuple[list[str] | None, int]:
    """Hand the keywords and strings of one stripped line to `sink` (`column`: where `text` starts in the line).

    Returns them as Babel can read them (one keyword and its string a line, one space between; None when Babel
    reads the line as written, which is almost always), and where a comment after them starts in `text` (its
    length when there is none).
    """
    match = KEYWORD_LINE.match(text)
    if match:
        keyword, index, quoted = match.group(1, 2, 3)
        sink.keyword(keyword, int(index) if index is not None else None, line, column)
        sink.string(quoted, line, column + match.start(3), column + match.end(3))
        after_keyword = match.end(2) + 1 if index is not None else match.end(1)
        if text[after_keyword] == " ":
            return None, len(text)
        return [f"{keyword}[{index}] {quoted}" if index is not None else f"{keyword} {quoted}"], len(text)
    match = CONTINUATION_LINE.match(text)
    if match:
        sink.string(match.group(1), line, column, column + match.end(1))
        return None, len(text)
    return _read_token_by_token(text, column, line, sink)


def _read_token_by_token(text: str, column: int, line: int, sink: _TokenSink) -> tuple[list[str], int]:
    """The unusual lines: several tokens, a keyword alone, no blank or other blanks after a keyword, a comment
    after an entry. Babel is given one keyword and its string a line."""
    for_babel: list[str] = []
    waiting: str | None = None  # A keyword whose string is not read yet.
    position, after_string = 0, False
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise _misformatted(line + 1, text[position:], after_string)
        keyword, index, quoted, comment = match.group(1, 2, 3, 4)
        if comment is not None:
            position = match.start(4)
            break
        if quoted is None:
            for_babel.extend([f'{waiting} ""'] if waiting else [])
            waiting = f"{keyword}[{int(index)}]" if index is not None else keyword
            sink.keyword(keyword, int(index) if index is not None else None, line, column + match.start(1))
        else:
            for_babel.append(f"{waiting} {quoted}" if waiting else quoted)
            waiting = None
            sink.string(quoted, line, column + match.start(3), column + match.end(3))
        position, after_string = match.end(), quoted is not None
    return ([*for_babel, f'{waiting} ""'] if waiting else for_babel), position


def _misformatted(number: int, rest: str, after_string: bool) -> PoSyntaxError:
    """The error for a line that stops making sense at `rest`: the most telling of three."""
    rest = rest.lstrip(" \t\f\v\r")
    if rest.startswith('"'):  # A string the token reader could not close.
        return PoSyntaxError(number, N_("Unterminated string: a closing quote is missing."))
    if after_string:
        return PoSyntaxError(number, N_("Text after the closing quote."))
    quote = rest.find('"')
    string = _OPEN_STRING.match(rest, quote) if quote != -1 else None
    if string is not None and not string.group(1):
        return PoSyntaxError(number, N_("Unterminated string: a closing quote is missing."))
    return PoSyntaxError(number, N_("Unknown or misformatted line."))


class _ObsoleteChecker:
    """Obsolete `#~` entries are checked for string syntax only: each keyword has a string, each string follows a
    keyword, each escape is known. Their order is not checked: nothing is read from them."""

    def __init__(self) -> None:
        self.open = False  # A keyword was read in this block of `#~` lines.
        self.waiting: int | None = None  # The line of a keyword whose string is not read yet.

    def keyword(self, keyword: str, index: int | None, line: int, column: int) -> None:
        self.close()
        self.open, self.waiting = True, line

    def string(self, quoted: str, line: int, start: int, end: int) -> None:
        if not self.open:
            raise PoSyntaxError(line + 1, N_("A string that belongs to no msgctxt, msgid or msgstr."))
        unescape(quoted, line + 1)
        self.waiting = None

    def close(self) -> None:
        """The block of `#~` lines ends (or a keyword follows): its last keyword must have had a string."""
        if self.waiting is not None:
            raise PoSyntaxError(self.waiting + 1, N_("Unknown or misformatted line."))
        self.open = False


# --- putting tokens together into entries -----------------------------------------------------------------------


class _Scanner:
    """Checks the order of keywords as msgfmt does and groups the fields into entries (spans).

    A keyword is checked when its first string is read: a keyword without a string is told as such, whatever
    else is wrong with it (msgfmt: a syntax error at that place).
    """

    def __init__(self) -> None:
        self.spans: list[Span] = []
        self.pending: list[int] = []  # Comment lines read since the last entry.
        self.current: Span | None = None
        self.has: set[str] = set()  # The current entry's keywords so far.
        self.taken: list[int | None] = []  # Its msgstr indices so far.
        # A keyword read, whose string is not read yet (it may be on the next line): keyword, index, line, column.
        self.waiting: str | None = None
        self.waiting_index: int | None = None
        self.waiting_line = self.waiting_column = 0
        self.comment_columns: dict[int, int] = {}
        self.last: Field | None = None  # The field that a following string continues.
        self.header: Span | None = None
        self.headers: dict[str, str] = {}
        self.nplurals: int | None = None
        self.seen: dict[tuple[str | None, str], int] = {}
        self.obsolete = _ObsoleteChecker()
        self.babel_lines: dict[int, list[str]] = {}

    def scan(self, lines: list[str]) -> Scan:
        for index, raw in enumerate(lines):
            stripped = raw.lstrip()
            if index == 0:
                stripped = stripped.lstrip("\ufeff")
            text = stripped.rstrip()
            if not text:
                continue
            column = len(raw) - len(stripped)
            if text[0] == "#":
                for_babel = self._comment(text, index, column)
            else:
                self.obsolete.close()
                for_babel, end = _read_tokens(text, column, index, self)
                if end < len(text):
                    for_babel = [*(for_babel or []), *self._trailing_comment(text[end:], index, column + end)]
            if for_babel is not None:
                self.babel_lines[index] = for_babel
        self.obsolete.close()
        self._finish()
        return Scan(self.spans, self.header, self.headers, self.babel_lines, self.comment_columns)

    def _trailing_comment(self, text: str, line: int, column: int) -> list[str]:
        """A comment after an entry on its line; returns it as Babel must read it (on a line of its own)."""
        self.comment_columns[line] = column
        for_babel = self._comment(text, line, column)
        return [text] if for_babel is None else for_babel

    def _comment(self, text: str, line: int, column: int) -> list[str] | None:
        """A comment ends the entry before it; it belongs to the next one. Returns how Babel must read it."""
        if text.startswith("#-"):
            raise PoSyntaxError(line + 1, N_("Merge conflict markers: resolve the conflict first."))
        if text.startswith("#~"):
            return self._obsolete(line, text, column)
        self.obsolete.close()
        self._finish()
        self.pending.append(line)
        return None

    def _obsolete(self, line: int, text: str, column: int) -> list[str] | None:
        """A `#~` line: it ends the entry before it and takes the comments before it (they are its own)."""
        self._finish()
        self.pending = []
        body = text[2:].lstrip()
        if body.startswith("|"):  # The previous msgid of an obsolete entry, which Babel cannot read.
            return [""]
        if not body:
            return None
        body_column = column + len(text) - len(body)
        tokens, end = _read_tokens(body, body_column, line, self.obsolete)
        for_babel = None if tokens is None else [f"#~ {token}" for token in tokens]
        if end < len(body):
            for_babel = [*(for_babel or []), *self._trailing_comment(body[end:], line, body_column + end)]
        return for_babel

    def keyword(self, keyword: str, index: int | None, line: int, column: int) -> None:
        self._check_waiting()
        self.waiting, self.waiting_index, self.waiting_line, self.waiting_column = keyword, index, line, column

    def string(self, quoted: str, line: int, start: int, end: int) -> None:
        if self.waiting is not None:
            keyword, self.waiting = self.waiting, None
            self._open_field(keyword, self.waiting_index, self.waiting_line, self.waiting_column)
        last = self.last
        if last is None:
            raise PoSyntaxError(line + 1, N_("A string that belongs to no msgctxt, msgid or msgstr."))
        last.pieces.append(unescape(quoted, line + 1))
        last.end, last.end_column = line + 1, end

    def _check_waiting(self) -> None:
        """A keyword must have a string, on its line or the next ones (msgfmt: a syntax error)."""
        if self.waiting is not None:
            raise PoSyntaxError(self.waiting_line + 1, N_("Unknown or misformatted line."))

    def _open_field(self, keyword: str, index: int | None, line: int, column: int) -> None:
        """Check that the keyword may come here, then start its field (and its entry, after a msgstr)."""
        current = self.current
        if current is not None and keyword in ("msgctxt", "msgid"):
            current = self._end_before_new_entry(current, keyword, line)
        has = self.has
        if keyword == "msgid_plural" and ("msgid" not in has or "msgid_plural" in has or "msgstr" in has):
            raise PoSyntaxError(line + 1, N_("A msgid_plural must follow the msgid."))
        if keyword == "msgstr":
            self._check_msgstr(index, line + 1)
            self.taken.append(index)
        if current is None:
            current = self.current = Span(comments=self.pending)
            self.pending = []
        has.add(keyword)
        self.last = Field(keyword, index, line, line + 1, column)
        current.fields.append(self.last)

    def _end_before_new_entry(self, current: Span, keyword: str, line: int) -> Span | None:
        """A msgctxt or msgid after a msgstr starts the next entry; anywhere else in an entry it is an error."""
        has = self.has
        if "msgstr" in has:
            self._finish()
            return None
        if "msgid" in has:
            raise PoSyntaxError(current.line, N_("This entry has no msgstr."))
        if keyword == "msgctxt":
            raise PoSyntaxError(line + 1, N_("A msgctxt must be followed by its msgid."))
        return current

    def _check_msgstr(self, index: int | None, number: int) -> None:
        has = self.has
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
        taken = self.taken
        if index is None:
            if taken:
                raise PoSyntaxError(number, N_("A second msgstr for the same entry."))
            return
        if index in taken:
            raise PoSyntaxError(number, N_("A second msgstr[%(index)s] for the same entry."), {"index": index})
        if self.nplurals is not None and index >= self.nplurals:
            raise PoSyntaxError(
                number,
                N_("msgstr[%(index)s] is one plural form too many: the header says nplurals=%(nplurals)s."),
                {"index": index, "nplurals": self.nplurals},
            )

    def _finish(self) -> None:
        """The current entry is complete (a comment, an obsolete entry or the end of the file follows)."""
        self._check_waiting()
        current = self.current
        if current is None:
            return
        if "msgstr" not in self.has:
            raise PoSyntaxError(current.line, N_("This entry has no msgstr."))
        key, line = current.key, current.line
        if key in self.seen:
            raise PoSyntaxError(line, N_("The same message is already on line %(line)s."), {"line": self.seen[key]})
        self.seen[key] = line
        if key == (None, "") and self.header is None and not self.spans:
            self.header = current
            self.headers = parse_headers(current.msgstrs[0].value)
            self.nplurals = declared_nplurals(self.headers.get("Plural-Forms", ""))
        self.spans.append(current)
        self.current = None
        self.last = None
        self.has, self.taken = set(), []


class _StringCollector:
    """Where the strings of the first keyword handed to it lie, until another keyword or a comment."""

    def __init__(self) -> None:
        self.keywords = 0
        self.positions: list[tuple[int, int, int]] = []

    def keyword(self, keyword: str, index: int | None, line: int, column: int) -> None:
        self.keywords += 1

    def string(self, quoted: str, line: int, start: int, end: int) -> None:
        if self.keywords == 1:
            self.positions.append((line, start, end))


def string_positions(lines: list[str], scanned: Field) -> list[tuple[int, int, int]]:
    """Where each string of a scanned field lies: (line, column of its opening quote, column after its closing
    quote), read again from the field's lines."""
    collector = _StringCollector()
    for line in range(scanned.start, scanned.end):
        raw = lines[line]
        column = scanned.column if line == scanned.start else len(raw) - len(raw.lstrip())
        text = raw[column:].rstrip()
        if text:
            _, end = _read_tokens(text, column, line, collector)
            if end < len(text):  # A comment ends the field.
                break
    return collector.positions


def scan_lines(lines: list[str]) -> Scan:
    """Check the syntax token by token, as msgfmt does, and find where each entry lies (`lines` without their
    endings). Raises PoSyntaxError naming the line of the first thing wrong."""
    return _Scanner().scan(lines)
