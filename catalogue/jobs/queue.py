"""The huey queue behind background jobs: one instance per app, its storage named by CATALOGUE_QUEUE_URL.

`sqlite:///PATH` (the default, `instance/queue.sqlite`) needs no other server, as `make serve` wants;
`redis://HOST:PORT/DB` lets workers on several machines share one queue. The queue carries job ids only;
the Job rows in our database hold state and progress.
"""

from __future__ import annotations

import threading
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, current_app
from huey.api import Huey, RedisHuey, SqliteHuey

QUEUE_NAME = "catalogue"
DEFAULT_QUEUE_FILE = "queue.sqlite"
_EXTENSION = "catalogue_huey"
_lock = threading.Lock()


class QueueConfigurationError(ValueError):
    """CATALOGUE_QUEUE_URL names no storage huey has."""


def queue_location(app: Flask) -> tuple[str, str]:
    """("sqlite", absolute path) or ("redis", url) from the app's CATALOGUE_QUEUE_URL.

    A relative SQLite path is under the instance folder, as Flask-SQLAlchemy reads relative SQLite URLs.
    """
    url = app.config.get("CATALOGUE_QUEUE_URL") or ""
    if not url:
        return "sqlite", str(Path(app.instance_path) / DEFAULT_QUEUE_FILE)
    scheme = urlsplit(url).scheme
    if scheme == "sqlite" and url.startswith("sqlite:///") and len(url) > len("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        return "sqlite", str(path if path.is_absolute() else Path(app.instance_path) / path)
    if scheme in {"redis", "rediss", "unix"}:
        return "redis", url
    raise QueueConfigurationError(
        f"CATALOGUE_QUEUE_URL={url!r}: use sqlite:///PATH (huey's SQLite storage) or redis://HOST:PORT/DB."
    )


def make_huey(app: Flask) -> Huey:
    """A huey instance on the app's storage, with the one task every job goes through.

    The task takes a job id and builds its own app context on *this* app, so a worker process created by
    `flask --app catalogue jobs work` runs the job with that process's configuration and database.
    """
    kind, where = queue_location(app)
    if kind == "sqlite":
        Path(where).parent.mkdir(parents=True, exist_ok=True)
        huey: Huey = SqliteHuey(QUEUE_NAME, filename=where, results=False)
    else:
        huey = RedisHuey(QUEUE_NAME, url=where, results=False)

    @huey.task(name="run_job")  # type: ignore[untyped-decorator]  # huey has no annotations
    def run_job(job_id: int) -> str:
        from catalogue.jobs.services import run

        with app.app_context():
            return run(job_id)

    app.extensions[_EXTENSION + "_task"] = run_job
    return huey


def huey_for(app: Flask | None = None) -> Huey:
    """The app's huey instance, created on first use (most app instances never touch the queue)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    huey = app.extensions.get(_EXTENSION)
    if huey is None:
        with _lock:
            huey = app.extensions.get(_EXTENSION)
            if huey is None:
                huey = app.extensions[_EXTENSION] = make_huey(app)
    return huey


def enqueue_job(job_id: int, app: Flask | None = None) -> None:
    """Put a job id on the queue; a worker picks it up."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    huey = huey_for(app)
    app.extensions[_EXTENSION + "_task"](job_id)
    close_connection(huey)


def close_connection(huey: Huey) -> None:
    """Let go of the storage's connections after enqueueing: SQLite keeps one per thread, Redis a pool (a web
    worker enqueues rarely; an idle connection would only wait for a timeout)."""
    huey.storage.close()
    pool = getattr(huey.storage, "pool", None)
    if pool is not None:
        pool.disconnect()


def pending_count(app: Flask | None = None) -> int:
    huey = huey_for(app)
    try:
        count: int = huey.pending_count()
        return count
    finally:
        close_connection(huey)
