"""Sorting for a reader: the order of the reader's language (ICU collation, design.md §6).

Python's `sorted()` orders by code point, which puts every accented or dotted letter after `z`: in Turkish
"İngilizce" came after "Türkçe", and "Çin" after "Zeynep". ICU's collation (PyICU, built against Debian's
libicu) knows each language's alphabet: in Turkish `ç` follows `c`, `ı` comes before `i`, and `İngilizce` sorts
between `Fransızca` and `Türkçe`; in French, accents only break ties (`élan` beside `elan`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import TypeVar

import icu

T = TypeVar("T")

# ICU collators are cheap to share for reading but not documented as thread-safe in PyICU: one per thread and
# locale, made once.
_collators = threading.local()


def _collator(locale: str) -> icu.Collator:
    """The collator of a locale (`tr`, `fr`, `pt_BR`, `pt-BR`); ICU falls back to its root order for the unknown."""
    cache: dict[str, icu.Collator] = _collators.__dict__.setdefault("by_locale", {})
    collator = cache.get(locale)
    if collator is None:
        collator = icu.Collator.createInstance(icu.Locale(locale.replace("-", "_")))
        cache[locale] = collator
    return collator


def sort_key(locale: str) -> Callable[[str], bytes]:
    """A key function that orders texts as a reader of `locale` expects: `sorted(names, key=sort_key("tr"))`."""
    collator = _collator(locale)

    def key(text: str) -> bytes:
        return bytes(collator.getSortKey(text))

    return key


def collated(items: Iterable[T], locale: str, key: Callable[[T], str] | None = None) -> list[T]:
    """The items in the reader's order, by `key(item)` (the item itself by default): stable, like sorted()."""
    text_key = sort_key(locale)
    if key is None:
        return sorted(items, key=lambda item: text_key(str(item)))
    chosen = key
    return sorted(items, key=lambda item: text_key(chosen(item)))
