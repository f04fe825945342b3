"""Configuration from the environment (design.md §8): secrets and URLs never live in the code."""

import os
from pathlib import Path
from typing import ClassVar

BASE_DIR = Path(__file__).resolve().parent


def _default_database_url() -> str:
    # The embedded default is a SQLite file under instance/, as the two README commands use.
    return f"sqlite:///{BASE_DIR / 'instance' / 'catalogue.sqlite'}"


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-secret-change-me")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or _default_database_url()
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict[str, object]] = {"pool_pre_ping": True}

    LANGUAGES = ("en", "fr", "tr")
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    CATALOGUE_TRANSLATIONS_DIR = os.environ.get("CATALOGUE_TRANSLATIONS_DIR") or str(BASE_DIR / "translations")
    CATALOGUE_MEDIA_DIR = os.environ.get("CATALOGUE_MEDIA_DIR") or str(BASE_DIR / "instance" / "media")
    CATALOGUE_MAX_SUBTITLE_BYTES = int(os.environ.get("CATALOGUE_MAX_SUBTITLE_BYTES", 5 * 1024 * 1024))
    CATALOGUE_MAX_MEDIA_BYTES = int(os.environ.get("CATALOGUE_MAX_MEDIA_BYTES", 4 * 1024**3))
    # Memory each worker may spend on rendered public pages (catalogue.pagecache); 0 turns the cache off.
    CATALOGUE_PAGE_CACHE_BYTES = int(os.environ.get("CATALOGUE_PAGE_CACHE_BYTES", 32 * 1024 * 1024))

    # Seconds the player steps back when switching from the floor audio to an interpretation,
    # because interpreters speak a moment after the speaker.
    CATALOGUE_INTERPRETATION_STEP_BACK_S = float(os.environ.get("CATALOGUE_INTERPRETATION_STEP_BACK_S", 2.0))

    # Subtitle quality thresholds (design.md §7, after Amara and Subtitle Edit).
    SUBTITLE_MAX_LINE_CHARS = 42
    SUBTITLE_MAX_LINES = 2
    SUBTITLE_MAX_CPS = 21.0
    SUBTITLE_MIN_DURATION_MS = 700
    SUBTITLE_MAX_DURATION_MS = 7000
