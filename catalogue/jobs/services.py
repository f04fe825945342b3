"""Writes on jobs: create and queue one, and run one in a worker (state, progress, the reason it failed)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, cast

from flask import Flask, current_app
from sqlalchemy import Table, update

from catalogue.db import Busy
from catalogue.extensions import db
from catalogue.jobs.models import Job, JobState
from catalogue.jobs.queue import enqueue_job
from catalogue.problems import N_, Problem

logger = logging.getLogger(__name__)

Progress = Callable[[float], None]
Handler = Callable[[Job, Progress], None]
_HANDLERS = "catalogue_job_handlers"
# Progress is written at most this often: a 90-minute packaging would otherwise write thousands of times.
PROGRESS_INTERVAL_S = 0.5
SKIPPED = "skipped"


class JobFailed(Exception):
    """A job that cannot finish, and why: a msgid with parameters (said in each reader's language) and its
    English text for logs and the command line."""

    def __init__(self, code: str, text: str, **params: Any) -> None:
        self.problem = Problem(None, code, text, params)
        super().__init__(text % params if params else text)

    @property
    def record(self) -> dict[str, Any]:
        return self.problem.as_record()


def register_handler(app: Flask, kind: str, handler: Handler) -> None:
    """Say which function runs jobs of `kind` (a domain does this in its init_app)."""
    app.extensions.setdefault(_HANDLERS, {})[kind] = handler


def create_job(kind: str, recording_id: int | None = None, payload: dict[str, Any] | None = None) -> Job:
    """A queued Job row in the current transaction; call `submit` once it is committed."""
    job = Job(kind=kind, state=JobState.QUEUED, progress=0.0, recording_id=recording_id, payload=payload)
    db.session.add(job)
    db.session.flush()
    return job


def submit(job: Job) -> None:
    """Queue a committed job. If the queue cannot take it (Redis down), the job says so rather than wait forever,
    and the caller gets Busy: a 503 that tells the person to try again."""
    try:
        enqueue_job(job.id)
    except Exception as error:
        logger.exception("job %s could not be queued", job.id)
        failure = JobFailed("queue", N_("The job could not be queued: %(error)s"), error=str(error))
        _finish(job.id, JobState.FAILED, failure)
        raise Busy(N_("The job queue cannot be reached right now. Try again in a moment.")) from error


def _now() -> datetime:
    return datetime.now(UTC)


def _write(job_id: int, **values: Any) -> None:
    """One statement in its own transaction, outside the session the handler works in: progress and the final
    state are written even when the handler's own transaction was rolled back."""
    with db.engine.begin() as connection:
        jobs = cast(Table, Job.__table__)
        connection.execute(update(jobs).where(jobs.c.id == job_id).values(**values))


def _finish(job_id: int, state: JobState, failure: JobFailed | None = None) -> None:
    values: dict[str, Any] = {"state": state.value, "finished_at": _now()}
    if failure is None:
        values["progress"] = 1.0
    else:
        values["error"] = str(failure)
        values["problem"] = failure.record
    _write(job_id, **values)


def progress_reporter(job_id: int) -> Progress:
    """A function a handler calls with its progress (0..1); it writes now and then, and never goes backwards."""
    last = {"at": 0.0, "value": 0.0}

    def report(fraction: float) -> None:
        fraction = min(max(fraction, 0.0), 1.0)
        now = time.monotonic()
        if fraction <= last["value"] or now - last["at"] < PROGRESS_INTERVAL_S:
            return
        last["at"], last["value"] = now, fraction
        _write(job_id, progress=round(fraction, 4))

    return report


def run(job_id: int) -> str:
    """Run a queued job in this process (a worker calls this): its state, and its handler's result.

    Returns the final state ("done" or "failed"), or "skipped" when the job is no longer in the database (its
    recording was deleted) or has run already (the same id queued twice): it is not run again.
    """
    job = db.session.get(Job, job_id)
    if job is None:
        logger.warning("job %s is not in the database; skipped", job_id)
        return SKIPPED
    if job.state != JobState.QUEUED:
        logger.warning("job %s is %s already; not run again", job_id, job.state.value)
        return SKIPPED
    handler = current_app.extensions.get(_HANDLERS, {}).get(job.kind)
    if handler is None:
        failure = JobFailed("unknown-kind", N_("No worker knows jobs of the kind “%(kind)s”."), kind=job.kind)
        _finish(job_id, JobState.FAILED, failure)
        return JobState.FAILED.value
    _write(job_id, state=JobState.RUNNING.value, started_at=_now(), progress=0.0)
    db.session.expire(job)
    logger.info("job %s (%s) started", job_id, job.kind)
    try:
        handler(job, progress_reporter(job_id))
    except JobFailed as failure:
        db.session.rollback()
        logger.warning("job %s failed: %s", job_id, failure)
        _finish(job_id, JobState.FAILED, failure)
        return JobState.FAILED.value
    except Exception as error:
        db.session.rollback()
        logger.exception("job %s stopped on an unexpected error", job_id)
        crash = JobFailed("internal", N_("The job stopped on an unexpected error: %(error)s"), error=repr(error))
        _finish(job_id, JobState.FAILED, crash)
        return JobState.FAILED.value
    _finish(job_id, JobState.DONE)
    logger.info("job %s done", job_id)
    return JobState.DONE.value
