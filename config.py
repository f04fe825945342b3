"""Configuration from the environment (design.md §8): secrets and URLs never live in the code."""

import os
from pathlib import Path
from typing import ClassVar

BASE_DIR = Path(__file__).resolve().parent
# Public, so it signs nothing in production: catalogue.wsgi refuses to start with it (catalogue.security).
DEV_SECRET_KEY = "dev-only-secret-change-me"


def _default_database_url() -> str:
    # The embedded default is a SQLite file under instance/, as the two README commands use. The path is relative:
    # Flask-SQLAlchemy puts it in the app's instance folder, which is the checkout's instance/ and, once the wheel
    # is installed, Flask's folder for an installed package (<prefix>/var/catalogue-instance), never site-packages.
    return "sqlite:///catalogue.sqlite"


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or _default_database_url()
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict[str, object]] = {}
    # A pooled connection idle longer than this is checked before use, so the app outlives a database restart
    # (catalogue.db.ping_idle_connections); connections in constant use are not pinged on every request.
    CATALOGUE_DB_PING_IDLE_S = float(os.environ.get("CATALOGUE_DB_PING_IDLE_S", 1.0))
    # How long a write waits for a row or the SQLite file that another writer holds before answering 503.
    CATALOGUE_LOCK_TIMEOUT_S = float(os.environ.get("CATALOGUE_LOCK_TIMEOUT_S", 10))

    # Behind HTTPS set CATALOGUE_SECURE_COOKIES=1: the session, remember and language cookies become `Secure`.
    CATALOGUE_SECURE_COOKIES = os.environ.get("CATALOGUE_SECURE_COOKIES", "").lower() in {"1", "true", "yes", "on"}
    SESSION_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_HTTPONLY = True
    # Failed sign-ins allowed per account (the e-mail typed) and per client address (Flask-Limiter strings);
    # beyond them even the right password gets 429 until the window ends. Counts live in each worker's memory,
    # or in Redis shared by every worker and machine with CATALOGUE_LIMITER_URL=redis://HOST:6379/1.
    CATALOGUE_LOGIN_LIMIT_ACCOUNT = os.environ.get("CATALOGUE_LOGIN_LIMIT_ACCOUNT", "5 per 15 minutes")
    CATALOGUE_LOGIN_LIMIT_ADDRESS = os.environ.get("CATALOGUE_LOGIN_LIMIT_ADDRESS", "20 per 15 minutes")
    CATALOGUE_LIMITER_URL = os.environ.get("CATALOGUE_LIMITER_URL", "")
    # The proxies whose X-Forwarded-For names the client (gunicorn's own setting, read for the limits above).
    CATALOGUE_TRUSTED_PROXIES = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

    LANGUAGES = ("en", "fr", "tr")
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    CATALOGUE_TRANSLATIONS_DIR = os.environ.get("CATALOGUE_TRANSLATIONS_DIR") or str(BASE_DIR / "translations")
    # Empty: media/ in the app's instance folder (create_app fills it in).
    CATALOGUE_MEDIA_DIR = os.environ.get("CATALOGUE_MEDIA_DIR", "")
    CATALOGUE_MAX_SUBTITLE_BYTES = int(os.environ.get("CATALOGUE_MAX_SUBTITLE_BYTES", 5 * 1024 * 1024))
    CATALOGUE_MAX_MEDIA_BYTES = int(os.environ.get("CATALOGUE_MAX_MEDIA_BYTES", 4 * 1024**3))
    # Media fetched from an address an archivist gives: public addresses only, unless this is set (an intranet
    # archive, the tests); and how long the far server may stay silent.
    CATALOGUE_MEDIA_FETCH_PRIVATE = os.environ.get("CATALOGUE_MEDIA_FETCH_PRIVATE", "0") == "1"
    CATALOGUE_MEDIA_FETCH_TIMEOUT_S = float(os.environ.get("CATALOGUE_MEDIA_FETCH_TIMEOUT_S", 30))
    # Background jobs (design.md §5): huey's SQLite storage, `sqlite:///PATH` (relative to instance/; empty means
    # instance/queue.sqlite), or `redis://HOST:6379/0` when workers run on several machines.
    CATALOGUE_QUEUE_URL = os.environ.get("CATALOGUE_QUEUE_URL", "")
    # The ffmpeg and ffprobe that package media to HLS (Debian's `ffmpeg` package; a name is looked up on PATH).
    CATALOGUE_FFMPEG = os.environ.get("CATALOGUE_FFMPEG", "ffmpeg")
    CATALOGUE_FFPROBE = os.environ.get("CATALOGUE_FFPROBE", "ffprobe")
    # HLS segment length in seconds, and the heights of the video ladder when a video must be re-encoded.
    CATALOGUE_HLS_SEGMENT_S = float(os.environ.get("CATALOGUE_HLS_SEGMENT_S", 6))
    CATALOGUE_HLS_LADDER = os.environ.get("CATALOGUE_HLS_LADDER", "360,720")
    # `demo load` packages the demo's floor videos and interpretation files into streams (a few seconds, ffmpeg).
    CATALOGUE_DEMO_VIDEO = os.environ.get("CATALOGUE_DEMO_VIDEO", "1").lower() in {"1", "true", "yes", "on"}
    # An interpretation longer or shorter than the floor recording by more than this is worth a warning.
    CATALOGUE_MEDIA_DURATION_TOLERANCE_S = float(os.environ.get("CATALOGUE_MEDIA_DURATION_TOLERANCE_S", 3.0))
    # Memory each worker may spend on rendered public pages (catalogue.pagecache); 0 turns the cache off.
    CATALOGUE_PAGE_CACHE_BYTES = int(os.environ.get("CATALOGUE_PAGE_CACHE_BYTES", 32 * 1024 * 1024))
    # PostgreSQL pushes the catalogue version to each worker (LISTEN/NOTIFY), which also reads it every this many
    # seconds; another worker's write is then seen within 2 × this at worst (milliseconds as a rule). 0: read it on
    # every cached request instead (SQLite always does; it is an in-process read there).
    CATALOGUE_VERSION_POLL_S = float(os.environ.get("CATALOGUE_VERSION_POLL_S", 0.5))

    # Seconds the player steps back when switching from the floor audio to an interpretation,
    # because interpreters speak a moment after the speaker.
    CATALOGUE_INTERPRETATION_STEP_BACK_S = float(os.environ.get("CATALOGUE_INTERPRETATION_STEP_BACK_S", 2.0))

    # Subtitle quality thresholds (design.md §7, after Amara and Subtitle Edit).
    SUBTITLE_MAX_LINE_CHARS = 42
    SUBTITLE_MAX_LINES = 2
    SUBTITLE_MAX_CPS = 21.0
    SUBTITLE_MIN_DURATION_MS = 700
    SUBTITLE_MAX_DURATION_MS = 7000
