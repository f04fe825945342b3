"""A bounded, thread-safe memo of things rendered from values: the catalogue's cards, the site's header, the API's
recordings; and the catalogue's facts kept per version.

Keys hold exactly what the rendering read (frozen values) and the setting it depends on (interface language,
translations signature, site prefix, host): a change of data is a new key, so an entry is never stale and nothing
is ever invalidated; entries nobody asks for again age out, least recently used first.
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar, cast

from flask import current_app, g, request
from markupsafe import Markup

from catalogue.i18n import locale_code

V = TypeVar("V")

FRAGMENT_MEMO_KEY = "catalogue_fragment_memo"
# A worker keeps some 3,000 cards (1,000 recordings in three languages) in about 8 MiB.
FRAGMENT_MEMO_BYTES = 8 * 1024 * 1024
# What a key holds beside the HTML (a card's facts, the shared setting): an allowance, not a measure.
KEY_ALLOWANCE = 1024


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


def of_version(name: str, version: int, make: Callable[[], Memo[V]]) -> Memo[V]:
    """The worker's memo of that name for things as they are at catalogue `version` (read before them, so nothing kept
    is older than the version it is kept under): one memo for the newest version a request has brought, replaced
    with its entries when a newer one comes. A request that read an older version gets a memo of its own, kept by
    nobody: what it reads may predate the newer version, and must not be kept under it."""
    extensions = current_app.extensions
    slot: tuple[int, Memo[V]] | None = extensions.get(name)
    if slot is None or slot[0] < version:
        slot = (version, make())
        # Two threads that bring the same new version may each make one; the last one stays, the other's entries
        # are read once.
        extensions[name] = slot
    elif slot[0] > version:
        return make()
    return slot[1]


# --- rendered fragments -------------------------------------------------------------------------------------------


def markup_memo(name: str, max_bytes: int) -> Memo[tuple[Markup, ...]]:
    """The app's memo of rendered markup of that name, bounded by the bytes of what it holds."""
    return app_memo(name, lambda: Memo(max_bytes, size=lambda parts: sum(map(sys.getsizeof, parts)) + KEY_ALLOWANCE))


def fragment_memo() -> Memo[tuple[Markup, ...]]:
    """The worker's rendered fragments (cards, sections, the watch page's and search page's parts), bounded in
    bytes."""
    return markup_memo(FRAGMENT_MEMO_KEY, FRAGMENT_MEMO_BYTES)


def translations_signature() -> object:
    """The compiled translations' signature as this request first saw it (see fragment_setting()). Read at the
    start of every request (catalogue.layout), right after a translator's new .mo is loaded, so even a fragment a
    page renders last (the header) is never kept under a newer signature than its translations."""
    if "catalogue_fragments_signature" not in g:
        g.catalogue_fragments_signature = current_app.extensions["catalogue_catalogue_state"]["signature"]
    return g.catalogue_fragments_signature


def escaped(parts: tuple[object, ...], source: str) -> tuple[Markup, ...]:
    """Only what a template's autoescape made is kept as markup (an .html template's output is)."""
    if not all(isinstance(part, Markup) for part in parts):
        raise TypeError(f"{source} must render with autoescape")
    return cast(tuple[Markup, ...], parts)


def fragment_setting() -> tuple[object, ...]:
    """What every fragment's HTML depends on beside its facts: the interface language, the compiled translations'
    signature and the site's path prefix. A view reads it before it translates anything: the signature comes
    first, so the catalogues a request renders with are never older than its keys say."""
    signature = translations_signature()
    return (locale_code(), signature, request.script_root)


def keep_fragment(memo: Memo[tuple[Markup, ...]], full_key: tuple[object, ...], found: tuple[Markup, ...]) -> None:
    """Keep a fragment just rendered under a key that starts with fragment_setting(), unless a translator's new
    .mo arrived while it rendered (it may hold either version) or templates reload (debug: an edited template
    would not show)."""
    unchanged = current_app.extensions["catalogue_catalogue_state"]["signature"] == full_key[1]
    if unchanged and not current_app.jinja_env.auto_reload:
        memo.put(full_key, found)


def kept(
    key: Hashable, render: Callable[[], tuple[Markup, ...]], memo: Memo[tuple[Markup, ...]] | None = None
) -> tuple[Markup, ...]:
    """The fragments of `key` in this request's setting (language, translations, site prefix): from `memo` (the
    fragment memo by default), or rendered now and kept. Called before the view translates anything (see
    fragment_setting())."""
    if memo is None:
        memo = fragment_memo()
    full_key = (*fragment_setting(), key)
    found = memo.get(full_key)
    if found is None:
        found = render()
        keep_fragment(memo, full_key, found)
    return found


def template_parts(template_name: str, names: tuple[str, ...], **values: object) -> tuple[Markup, ...]:
    """The template's top-level `{% set %}` blocks rendered with these values in this request's context."""
    context: dict[str, object] = dict(values)
    current_app.update_template_context(context)
    module = current_app.jinja_env.get_template(template_name).make_module(context)
    return escaped(tuple(getattr(module, name) for name in names), template_name)
