"""Problems found in what people upload or edit, told in the reader's language (shared by every domain)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from babel.numbers import format_decimal
from flask_babel import get_locale, gettext


def N_(message: str) -> str:
    """Mark a message for translation; it is translated when shown, in the reader's language."""
    return message


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a file or an entry: where (line), what (a stable code), and a message a person
    can act on.

    The message is kept as its English msgid with parameters and translated when read, so an archivist or a
    translator sees it in French or Turkish, and a stored warning follows each reader's language.
    """

    line: int | None
    code: str
    text: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return render_message(self.text, self.params)

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "code": self.code, "message": self.message}

    def as_record(self) -> dict[str, Any]:
        """What is stored with a revision: enough to say it in each reader's language later."""
        return {"line": self.line, "code": self.code, "text": self.text, "params": self.params}


# Parameters that name a line, a cue or a revision: identifiers, shown as plain digits ("Satır 12345", never
# "Satır 12.345", which a Turkish reader takes for an ordinal). Every other number is a quantity, written as the
# reader's locale writes it ("0,7" in French, "5 242 880").
IDENTIFIERS = frozenset({"line", "cue", "number", "revision"})
# Decimals stored as text by earlier versions ("0.7"): read back as numbers, so they are shown the same way.
_STORED_DECIMAL = re.compile(r"[0-9]{1,9}\.[0-9]{1,6}")


def _shown(name: str, value: Any, locale: str) -> Any:
    if isinstance(value, str) and _STORED_DECIMAL.fullmatch(value):
        value = float(value)
    if name in IDENTIFIERS or isinstance(value, bool) or not isinstance(value, int | float):
        return value
    return format_decimal(value, locale=locale)


def render_message(text: str, params: dict[str, Any]) -> str:
    locale = str(get_locale() or "en")
    return gettext(text, **{name: _shown(name, value, locale) for name, value in params.items()})


def problem_dict(record: dict[str, Any]) -> dict[str, Any]:
    """A stored problem in the reader's language (older records without their msgid keep their message)."""
    message = render_message(record["text"], record.get("params", {})) if "text" in record else record["message"]
    return {"line": record.get("line"), "code": record.get("code"), "message": message}
