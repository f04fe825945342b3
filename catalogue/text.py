"""Text folding for search and sorting, shared by every package (design.md §6).

`fold()` makes `IZMIR`, `İzmir`, `izmir` and `ızmır` the same word, and `égalité` the same as `egalite`:
Python's str.lower() alone gets Turkish wrong (`İ` becomes `i̇`, and `I` is not `ı`).

Words are also reduced to their stems per language, after folding (Snowball, through PyStemmer), so that
`dayanışma` finds `dayanışmayı` and `inégalité` finds `inégalités`: `text_stems()` for what the index keeps,
`word_stems()` for a word of a query.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache

import Stemmer

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
    if text.isascii():
        # As fold(): every ASCII character folds to one, its lower case.
        return text.lower(), list(range(len(text)))
    folded: list[str] = []
    positions: list[int] = []
    for index, char in enumerate(text):
        piece = fold_char(char)
        folded.append(piece)
        positions.extend([index] * len(piece))
    return "".join(folded), positions


# --- stems (design.md §6) ----------------------------------------------------------------------------------

# The Snowball algorithm (PyStemmer) of each language whose words are reduced to stems; a BCP 47 tag picks one
# by its primary subtag (`fr-CA` is French). The search index has one column of stems per language here.
SNOWBALL = {"en": "english", "fr": "french", "tr": "turkish"}
STEMMED_LANGUAGES = tuple(SNOWBALL)
# Turkish words are also conflated by their first five letters ("F5"): Can et al., "Information retrieval on
# Turkish texts" (JASIST 59, 2008), found this truncation as effective as a full morphological analyser, and it
# catches what Snowball's Turkish stemmer misses on its own (`göçmen` → `gocme` but `göçmenler` → `gocmen`,
# `dalgası` is left whole but `dalgaları` → `dalga`).
PREFIX_KEYS = {"tr": 5}
# Longer "words" (hashes, URLs run together, hostile input) are matched whole, never stemmed.
MAX_STEMMED_WORD = 64
_WORD = re.compile(r"\w++")
# PyStemmer's stemmers keep state between calls: one per thread.
_stemmers = threading.local()


def stemming_language(tag: str | None) -> str | None:
    """The language whose stemmer applies to text tagged `tag`, or None (its words are matched whole)."""
    primary = (tag or "").partition("-")[0].lower()
    return primary if primary in SNOWBALL else None


def lower_as(text: str, language: str | None) -> str:
    """Lower case the way the language writes it: Turkish and Azeri `I` is `ı` and `İ` is `i`."""
    if language in ("tr", "az"):
        text = text.replace("I", "ı").replace("İ", "i")
    return text.lower()


def _stem(word: str, language: str) -> str:
    stemmers = _stemmers.__dict__
    if language not in stemmers:
        stemmers[language] = Stemmer.Stemmer(SNOWBALL[language])
    stem: str = stemmers[language].stemWord(word)  # PyStemmer has no stubs
    return stem


@lru_cache(maxsize=65536)
def word_stems(word: str, language: str) -> frozenset[str]:
    """The folded Snowball stems of one word as written (lower case): the stem of its folded form, which is what
    an accentless query gives, and the stem of the word as written, folded. They differ when folding hides a
    letter the stemmer needs (Turkish `dirençliliğin` → `direnclilik`, but `direncliligin` → `direncliligi`)."""
    folded = fold(word)
    if len(word) > MAX_STEMMED_WORD or not folded:
        return frozenset((folded,))
    return frozenset((fold(_stem(folded, language)), fold(_stem(word, language))))


def word_prefix_key(word: str, language: str) -> str | None:
    """The language's prefix key of a word (its first five letters, folded, in Turkish), if it has one."""
    length = PREFIX_KEYS.get(language)
    folded = fold(word)
    return folded[:length] if length and len(folded) >= length else None


@lru_cache(maxsize=65536)
def word_keys(word: str, language: str) -> frozenset[str]:
    """What a word is matched by in a language, besides itself: its stems and its prefix key. Kept: highlighting
    asks for the keys of every word of every snippet."""
    key = word_prefix_key(word, language)
    stems = word_stems(word, language)
    return stems | {key} if key else stems


def text_stems(text: str, language: str) -> str:
    """What the index keeps for a text in a stemmed language, space-separated, each once: the stems of its words
    that are not themselves one of its folded words (those are matched as words), and their prefix keys."""
    words = set(_WORD.findall(fold(text)))
    keys: dict[str, None] = {}
    for word in _WORD.findall(lower_as(unicodedata.normalize("NFC", text), language)):
        for stem in word_stems(word, language):
            if stem not in words:
                keys[stem] = None
        key = word_prefix_key(word, language)
        if key:
            keys[key] = None
    return " ".join(keys)
