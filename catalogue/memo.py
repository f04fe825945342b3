"""A bounded, thread-safe memo of things rendered from values: the catalogue's cards, the API's recordings.

Keys hold exactly what the rendering read (frozen values) and the setting it depends on (interface language,
translations signature, host): a change of data is a new key, so an entry is never stale and nothing is ever
invalidated; entries nobody asks for again age out, least recently used first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar, cast

from flask import current_app

V = TypeVar("V")


class Memo(Generic[V]):
    """Values by key, bounded by the sum of `size(value)`; the threads of a gthread worker share it.

    `hits` and `renders` count what callers asked for: a render is a miss that the caller filled with put().
    """

    def __init__(self, max_size: int, size: Callable[[V], int]) -> None:
        self.max_size = max_size
        self.size = size
        self.hits = 0
        self.renders = 0
        self._entries: OrderedDict[Hashable, V] = OrderedDict()
        self._total = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                self.hits += 1
            return found

    def put(self, key: Hashable, value: V) -> None:
        size = self.size(value)
        with self._lock:
            self.renders += 1
            if size > self.max_size:
                return
            previous = self._entries.pop(key, None)
            if previous is not None:
                self._total -= self.size(previous)
            self._entries[key] = value
            self._total += size
            while self._total > self.max_size:
                _, evicted = self._entries.popitem(last=False)
                self._total -= self.size(evicted)


def app_memo(name: str, make: Callable[[], Memo[V]]) -> Memo[V]:
    """The app's memo of that name (one per worker process), made on first use."""
    extensions = current_app.extensions
    found = extensions.get(name)
    if found is None:
        # setdefault is atomic: two threads that both missed end up with the same memo.
        found = extensions.setdefault(name, make())
    if not isinstance(found, Memo):
        raise TypeError(f"app.extensions[{name!r}] is not a Memo")
    return found


def by_version(name: str, version: int, compute: Callable[[], V]) -> V:
    """A fact of the whole catalogue (a few distinct values over every track, say) as of `version`: computed once
    per catalogue version and worker, then read from memory until the next write. The key is the version read
    before computing, so a fact is never older than the version it is kept under."""
    memo: Memo[Any] = app_memo("catalogue_facts_by_version", lambda: Memo(64, size=lambda _fact: 1))
    key = (name, version)
    found = memo.get(key)
    if found is None:
        found = compute()
        memo.put(key, found)
    return cast(V, found)
