"""The catalogue's own texts in the languages they are translated into, for the index: read from the compiled
`content` catalogues (translations/<lang>/LC_MESSAGES/content.mo) through Babel.

Search does not import catalogue.translating (another branch of the layers): it reads the files that package
compiles, and notices a new compile by their signature (services.refresh_translated_texts).
"""

from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from babel.support import Translations
from flask import current_app, has_app_context

DOMAIN = "content"
# Outside an application (a script building an index): the project's own catalogues and languages.
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "translations"


def _where() -> tuple[Path, tuple[str, ...]]:
    if has_app_context():
        config = current_app.config
        return Path(config["CATALOGUE_TRANSLATIONS_DIR"]), tuple(config["LANGUAGES"])
    from config import Config

    return DEFAULT_DIR, tuple(Config.LANGUAGES)


def _files() -> dict[str, Path]:
    folder, languages = _where()
    return {language: folder / language / "LC_MESSAGES" / f"{DOMAIN}.mo" for language in languages}


def stamps() -> tuple[tuple[int, int, int], ...]:
    """What stat() says of each compiled catalogue: cheap enough to look at on every request."""
    found = []
    for path in _files().values():
        try:
            stat = os.stat(path)
        except FileNotFoundError:
            found.append((0, 0, 0))
        else:
            found.append((stat.st_mtime_ns, stat.st_size, stat.st_ino))
    return tuple(found)


@dataclass(frozen=True)
class ContentTranslations:
    """The compiled catalogues of one moment, and their signature (a hash of what they hold)."""

    catalogues: dict[str, Translations]
    signature: str

    def translate(self, text: str | None, context: str, language: str) -> str | None:
        """The translation of a text into a language, or None when it has none.

        A translation may equal its source (French "Introduction"): present in the catalogue, it is one all the
        same, and the text is found in that language too.
        """
        catalogue = self.catalogues.get(language)
        if not text or catalogue is None:
            return None
        translated = catalogue.upgettext(context, text)
        if translated and translated != text:
            return translated
        return text if f"{context}\x04{text}" in getattr(catalogue, "_catalog", {}) else None

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self.catalogues)


@lru_cache(maxsize=4)
def _read(files: tuple[tuple[str, str], ...], _stamps: tuple[tuple[int, int, int], ...]) -> ContentTranslations:
    catalogues = {}
    digest = hashlib.sha256()
    for language, path in files:
        try:
            data = Path(path).read_bytes()
        except FileNotFoundError:
            digest.update(f"{language}:-\n".encode())
            continue
        digest.update(f"{language}:{len(data)}\n".encode() + data)
        catalogues[language] = Translations(io.BytesIO(data), domain=DOMAIN)
    return ContentTranslations(catalogues, digest.hexdigest())


def current() -> ContentTranslations:
    """The catalogues as they are on disk now (read again only when a file changed)."""
    files = tuple((language, str(path)) for language, path in _files().items())
    return _read(files, stamps())
