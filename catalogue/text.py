"""Text folding for search and sorting, shared by every package (design.md §6).

`fold()` makes `IZMIR`, `İzmir`, `izmir` and `ızmır` the same word, and `égalité` the same as `egalite`:
Python's str.lower() alone gets Turkish wrong (`İ` becomes `i̇`, and `I` is not `ı`).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

# Letters that Unicode does not decompose into a base letter and a mark, and the Turkish i's.
_SPECIAL = {
    "İ": "i",
    "I": "i",
    "ı": "i",
    "œ": "oe",
    "Œ": "oe",
    "æ": "ae",
    "Æ": "ae",
    "ß": "ss",
    "ẞ": "ss",
    "ø": "o",
    "Ø": "o",
    "đ": "d",
    "Đ": "d",
    "ł": "l",
    "Ł": "l",
    "ð": "d",
    "þ": "th",
}


@lru_cache(maxsize=4096)
def fold_char(char: str) -> str:
    """One character folded: Turkish-aware, case-insensitive, without diacritics (may be "" or two letters)."""
    if char in _SPECIAL:
        return _SPECIAL[char]
    if char.isascii():
        return char.lower()
    decomposed = unicodedata.normalize("NFKD", char)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def fold(text: str) -> str:
    """The searchable form of a text: the same for every spelling a person might type."""
    if text.isascii():
        return text.lower()
    return "".join(fold_char(c) for c in text)


def fold_with_positions(text: str) -> tuple[str, list[int]]:
    """The folded text, and for each of its characters the index of the original character it came from
    (to put highlights back on the original text)."""
    folded: list[str] = []
    positions: list[int] = []
    for index, char in enumerate(text):
        piece = fold_char(char)
        folded.append(piece)
        positions.extend([index] * len(piece))
    return "".join(folded), positions
