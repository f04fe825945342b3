"""The background queue: where huey keeps it, a real worker process in burst mode, and the Job rows it keeps up
to date (packaging itself is tested in test_media.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import delete

from catalogue.db import Busy
from catalogue.extensions import db
from catalogue.jobs.models import Job, JobState
from catalogue.jobs.queue import QueueConfigurationError, pending_count, queue_location
from catalogue.jobs.services import create_job, progress_reporter, run, submit
from tests.conftest import api_token

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def queue_app(app: Flask, tmp_path: Path) -> Flask:
    app.config["CATALOGUE_QUEUE_URL"] = f"sqlite:///{tmp_path / 'queue.sqlite'}"
    return app


def queued(app: Flask, kind: str) -> int:
    with app.app_context():
        job = create_job(kind)
        db.session.commit()
        submit(job)
        return job.id


def job_row(app: Flask, job_id: int) -> Job:
    with app.app_context():
        job = db.session.get(Job, job_id)
        db.session.expunge(job)
        return job


def test_the_queue_url_names_sqlite_or_redis_storage(make_app: Callable[..., Flask]):
    app = make_app(CATALOGUE_QUEUE_URL="")
    assert queue_location(app) == ("sqlite", str(Path(app.instance_path) / "queue.sqlite"))
    app.config["CATALOGUE_QUEUE_URL"] = "sqlite:///jobs/queue.db"
    assert queue_location(app) == ("sqlite", str(Path(app.instance_path) / "jobs" / "queue.db"))
    app.config["CATALOGUE_QUEUE_URL"] = "sqlite:////srv/catalogue/queue.sqlite"
    assert queue_location(app) == ("sqlite", "/srv/catalogue/queue.sqlite")
    app.config["CATALOGUE_QUEUE_URL"] = "redis://queue.example.org:6379/2"
    assert queue_location(app) == ("redis", "redis://queue.example.org:6379/2")
    for wrong in ("amqp://queue.example.org/", "sqlite://", "/srv/queue.sqlite"):
        app.config["CATALOGUE_QUEUE_URL"] = wrong
        with pytest.raises(QueueConfigurationError, match="CATALOGUE_QUEUE_URL"):
            queue_location(app)


def test_a_real_worker_runs_the_queue_empty_and_exits_1_when_a_job_failed(queue_app: Flask, database_url: str):
    ghost = queued(queue_app, "package")
    with queue_app.app_context():
        db.session.execute(delete(Job).where(Job.id == ghost))  # Its recording went, and the job with it.
        db.session.commit()
    unknown = queued(queue_app, "transcribe")
    assert pending_count(queue_app) == 2
    env = os.environ | {
        "DATABASE_URL": database_url,
        "CATALOGUE_QUEUE_URL": queue_app.config["CATALOGUE_QUEUE_URL"],
        "CATALOGUE_MEDIA_DIR": queue_app.config["CATALOGUE_MEDIA_DIR"],
        "SECRET_KEY": "test-secret",
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    command = [sys.executable, "-m", "flask", "--app", "catalogue", "jobs", "work", "--burst"]
    done = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert "2 job(s) run, 1 failed." in done.stderr, done.stderr
    assert pending_count(queue_app) == 0
    job = job_row(queue_app, unknown)
    assert job.state == JobState.FAILED and job.finished_at is not None
    assert job.error == "No worker knows jobs of the kind “transcribe”."
    token = api_token(queue_app, "archivist@example.org", "archivist", display_name="Archivist")
    answer = queue_app.test_client().get(f"/api/v1/jobs/{unknown}", headers={"Authorization": f"Bearer {token}"})
    assert answer.get_json() == {
        "id": unknown,
        "state": "failed",
        "progress": 0.0,
        "error": "No worker knows jobs of the kind “transcribe”.",
    }
    # An empty queue: the worker says so and exits 0 (in this process this time, through Click's runner).
    again = queue_app.test_cli_runner().invoke(args=["jobs", "work", "--burst"])
    assert again.exit_code == 0 and "0 job(s) run, 0 failed." in again.output


def test_a_finished_job_is_not_run_twice_and_progress_never_goes_back(queue_app: Flask):
    with queue_app.app_context():
        job = create_job("package")
        job.state = JobState.DONE
        db.session.commit()
        assert run(job.id) == "skipped"
        assert run(987654) == "skipped"
        other = create_job("package")
        db.session.commit()
        report = progress_reporter(other.id)
        report(0.4)
        report(0.1)
        db.session.expire_all()
        assert db.session.get(Job, other.id).progress == 0.4


def test_a_queue_that_cannot_be_reached_fails_the_job_and_answers_busy(app: Flask):
    """Redis down: the job says why instead of waiting forever, and the caller gets Busy (503, try again)."""
    app.config["CATALOGUE_QUEUE_URL"] = "redis://127.0.0.1:1/0"  # Nothing listens on port 1.
    with app.app_context():
        job = create_job("package")
        db.session.commit()
        with pytest.raises(Busy):
            submit(job)
        db.session.expire_all()
        failed = db.session.get(Job, job.id)
        assert failed.state == JobState.FAILED and failed.error.startswith("The job could not be queued: ")
