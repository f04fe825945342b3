"""Reading what arrives from outside (query strings, JSON bodies) so that a bad value is a 4xx naming the
field, never a 500 (design.md §9): paging parameters, JSON bodies, and the fields of a JSON object.

Lengths come from the model columns (`column_length(Recording.slug)`), so a limit is written down once.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from flask import request, url_for
from sqlalchemy import String
from sqlalchemy.orm import InstrumentedAttribute

from catalogue.problems import N_, render_message

# Design §8: lists are paged, at most 500 per page. A page number beyond this is clamped: with 500 per
# page the offset stays far inside a 64-bit integer on every database.
MAX_PER_PAGE = 500
MAX_PAGE = 1_000_000_000
# JSON nesting deeper than this is no request we ever expect; Python's parser would recurse on it.
MAX_JSON_DEPTH = 64
T = TypeVar("T")
# The largest value of a 32-bit INTEGER column (PostgreSQL's `integer`).
MAX_INT32 = 2**31 - 1
# Years a recording's date may fall in: any time zone's offset then stays inside what datetime can hold.
YEARS = range(1800, 9000)


class InvalidInput(ValueError):
    """A value we refuse: which field, a stable code, and why, said in the reader's language when shown.

    `text` is an English msgid (marked with N_) with %(name)s placeholders, translated when read, like a
    Problem. The ValueError's own message is the English text, for logs and the command line.
    """

    def __init__(self, field: str, code: str, text: str, **params: Any) -> None:
        super().__init__(f"{field}: {text % params if params else text}")
        self.field = field
        self.code = code
        self.text = text
        self.params = params

    @property
    def reason(self) -> str:
        """Why, in the reader's language (what a form shows next to its field)."""
        return render_message(self.text, self.params)

    @property
    def message(self) -> str:
        """The field and why: API clients and error pages have no form to show it next to."""
        return f"{self.field}: {self.reason}"

    def as_dict(self) -> dict[str, Any]:
        return {"line": None, "code": self.code, "field": self.field, "message": self.message}


def column_length(column: InstrumentedAttribute[Any]) -> int:
    """The size of a String(n) model column: the one place a length limit is written."""
    column_type = column.property.columns[0].type
    if not isinstance(column_type, String) or column_type.length is None:
        raise TypeError(f"{column} is not a String(n) column.")
    return column_type.length


# --- paging ----------------------------------------------------------------------------------------------


def bounded_int(raw: str | None, default: int, low: int, high: int) -> int:
    """A query-string integer clamped into [low, high]; missing or garbage (`abc`, `-3`, `1.5`) is `default`."""
    if raw is None or not (raw.isascii() and raw.isdigit()):
        return default
    if len(raw) > len(str(high)):  # Huge: clamp without converting a million digits.
        return high
    return min(max(int(raw), low), high)


@dataclass(frozen=True, slots=True)
class Paging:
    """Which page of a list a request asks for, already bounded."""

    page: int
    per_page: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def pages(self, total: int) -> int:
        """How many pages `total` items fill (at least one, so an empty list still has its page 1)."""
        return max(1, -(-total // self.per_page))

    def within(self, total: int) -> Paging:
        """This page, or the last one when the request asks for a page past the end."""
        return replace(self, page=min(self.page, self.pages(total)))

    def window(self, items: Sequence[T]) -> list[T]:
        """This page of a list that is already in memory."""
        return list(items[self.offset : self.offset + self.per_page])


def read_paging(per_page: int, *, adjustable: bool = False, max_page: int = MAX_PAGE) -> Paging:
    """`?page=` (and with `adjustable`, `?per_page=`, at most 500) from the query string, never failing:
    a missing or garbage value is the first page or the default size, a huge one is clamped."""
    size = bounded_int(request.args.get("per_page"), per_page, 1, MAX_PER_PAGE) if adjustable else per_page
    return Paging(bounded_int(request.args.get("page"), 1, 1, max_page), size)


# --- JSON bodies -----------------------------------------------------------------------------------------


def _depth(value: Any) -> int:
    """How deeply lists and objects nest in a parsed body (iteratively: the body is untrusted)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, depth)
            if depth <= MAX_JSON_DEPTH:
                stack.extend((child, depth + 1) for child in item)
    return deepest


def json_body() -> dict[str, Any]:
    """The request body as a JSON object, whatever its Content-Type (`curl -d` says form).

    Raises InvalidInput (field `body`) for a body that is not JSON, nests deeper than 64 levels (Python's
    parser raises RecursionError on 100,000 nested brackets), or is not an object.
    """
    try:
        body = json.loads(request.get_data(cache=True))
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors.
        raise InvalidInput("body", "bad-json", N_("The body is not valid JSON.")) from None
    if _depth(body) > MAX_JSON_DEPTH:
        raise InvalidInput("body", "bad-json", N_("The body nests deeper than %(depth)s levels."), depth=MAX_JSON_DEPTH)
    if not isinstance(body, dict):
        raise InvalidInput("body", "bad-json", N_("Send a JSON object."))
    return body


# --- fields of a JSON object -----------------------------------------------------------------------------


def check_optional_text(value: object, name: str, max_length: int, *, strip: bool = True) -> str | None:
    """A string at most `max_length` characters long (a column's size), or None when absent or empty.
    `strip` trims surrounding spaces (a title); without it they stay, for the caller's pattern to refuse (a
    slug)."""
    if isinstance(value, str) and strip:
        value = value.strip()
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InvalidInput(name, "bad-type", N_("This field must be a string."))
    if "\x00" in value:  # PostgreSQL stores no NUL in text.
        raise InvalidInput(name, "bad-text", N_("This field may not hold NUL characters."))
    if len(value) > max_length:
        raise InvalidInput(name, "too-long", N_("This field may be at most %(max)s characters long."), max=max_length)
    return value


def check_text(value: object, name: str, max_length: int, *, strip: bool = True) -> str:
    """optional_text, for a field that must be given."""
    text = check_optional_text(value, name, max_length, strip=strip)
    if text is None:
        raise InvalidInput(name, "missing-field", N_("This field is required."))
    return text


def json_text(
    body: dict[str, Any], name: str, max_length: int, *, required: bool = True, strip: bool = True
) -> str | None:
    """A string field of a JSON object (see check_optional_text and check_text)."""
    if required:
        return check_text(body.get(name), name, max_length, strip=strip)
    return check_optional_text(body.get(name), name, max_length, strip=strip)


def check_int(value: object, name: str, *, low: int = 0, high: int = MAX_INT32) -> int:
    """A whole number in [low, high]; `true` is not a number here, though Python says bool is an int."""
    if value is None:
        raise InvalidInput(name, "missing-field", N_("This field is required."))
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(name, "bad-type", N_("This field must be a whole number."))
    if not low <= value <= high:
        raise InvalidInput(
            name, "out-of-range", N_("This field must be between %(low)s and %(high)s."), low=low, high=high
        )
    return value


def json_int(body: dict[str, Any], name: str, *, low: int = 0, high: int = MAX_INT32) -> int:
    return check_int(body.get(name), name, low=low, high=high)


def json_seconds(body: dict[str, Any], name: str, *, maximum: int = MAX_INT32 // 1000) -> float | None:
    """A finite, non-negative number of seconds, or None when absent (1e400 parses as infinity). The default
    maximum keeps its milliseconds inside an INTEGER column (about 24 days)."""
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInput(name, "bad-type", N_("This field must be a number of seconds."))
    if not math.isfinite(value) or not 0 <= value <= maximum:
        raise InvalidInput(
            name, "out-of-range", N_("This field must be a number of seconds from 0 to %(max)s."), max=maximum
        )
    return float(value)


def json_bool(body: dict[str, Any], name: str) -> bool:
    """`true` or `false` (absent is false): the string "false" is not false."""
    value = body.get(name, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise InvalidInput(name, "bad-type", N_("This field must be true or false."))
    return value


# A page number no list reaches, standing for "the page" in a URL built once (page_link).
_ANY_PAGE = 987_654_321


def page_link(endpoint: str, args: dict[str, Any]) -> Callable[[int], str]:
    """url_for(endpoint, page=number, **args) for any number, with Flask's URL building run once: a row of page
    links asks for up to nine, and each url_for cost as much as the rest of the row. (None values in `args` are
    left out, as url_for leaves them.)"""
    # "page=" and the number: a value that holds the same digits has its "=" percent-encoded.
    head, _, tail = url_for(endpoint, page=_ANY_PAGE, **args).partition(f"page={_ANY_PAGE}")
    return lambda number: f"{head}page={number}{tail}"
