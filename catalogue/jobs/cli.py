"""`flask --app catalogue jobs work [--burst]`: a queue worker (design.md §8)."""

from __future__ import annotations

import logging
import sys
from urllib.parse import urlsplit, urlunsplit

import click
from flask import current_app
from flask.cli import AppGroup
from huey.consumer import Consumer

from catalogue.jobs.models import JobState
from catalogue.jobs.queue import close_connection, huey_for, queue_location
from catalogue.jobs.services import SKIPPED

jobs_cli = AppGroup("jobs", help="Background jobs (packaging media).")


def work_burst() -> int:
    """Run queued jobs one after another until the queue is empty: 0, or 1 when any of them failed."""
    huey = huey_for()
    failed = 0
    ran = 0
    while (task := huey.dequeue()) is not None:
        # The task's value is the job's final state; None when it raised before the job could record one.
        state = huey.execute(task)
        ran += 1
        if state not in (JobState.DONE.value, SKIPPED):
            failed += 1
    close_connection(huey)
    click.echo(f"{ran} job(s) run, {failed} failed.", err=True)
    return 1 if failed else 0


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@")))


@jobs_cli.command("work")
@click.option("--burst", is_flag=True, help="Run until the queue is empty, then exit (1 if a job failed).")
def work_command(burst: bool) -> None:
    """Run a queue worker: it packages media that archivists add. Run one or more on every machine that shares
    the database and CATALOGUE_MEDIA_DIR (with CATALOGUE_QUEUE_URL=redis://... across machines)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    kind, where = queue_location(current_app)
    click.echo(f"Queue: {kind} {_without_password(where)}", err=True)
    if burst:
        sys.exit(work_burst())
    # One worker thread: ffmpeg uses every core for a packaging already.
    Consumer(huey_for(), workers=1, periodic=False, worker_type="thread").run()
