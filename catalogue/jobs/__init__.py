"""Background work (design.md §5): a huey queue per app, and a Job row per piece of work for pages and the API.

A shared package: it knows nothing of the domains. A domain registers a handler for a kind of job
(`services.register_handler(app, "package", package_recording)`); the queue carries only job ids, and a worker
(`flask --app catalogue jobs work`) builds its own app context, reads the Job row and calls the handler.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """`flask jobs work`; the queue itself is made on first use (catalogue.jobs.queue.huey_for)."""
    from catalogue.jobs.cli import jobs_cli

    app.cli.add_command(jobs_cli)
