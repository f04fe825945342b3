"""Reads on jobs: one by id, a recording's latest, and the JSON the API answers with."""

from __future__ import annotations

from typing import Any

from flask import url_for
from sqlalchemy import select

from catalogue.extensions import db
from catalogue.jobs.models import Job
from catalogue.problems import render_message


def job_or_404(job_id: int) -> Job:
    job: Job = db.first_or_404(select(Job).where(Job.id == job_id), description=f"No job {job_id}.")
    return job


def latest_job(recording_id: int, kind: str | None = None) -> Job | None:
    query = select(Job).where(Job.recording_id == recording_id)
    if kind is not None:
        query = query.where(Job.kind == kind)
    return db.session.scalar(query.order_by(Job.id.desc()).limit(1))


def job_error(job: Job) -> str | None:
    """Why the job failed, in the reader's language (the English text for jobs recorded without a msgid)."""
    if job.problem:
        return render_message(job.problem["text"], job.problem.get("params", {}))
    return job.error


def job_url(job: Job) -> str:
    return url_for("api.job", job_id=job.id, _external=True)


def job_json(job: Job) -> dict[str, Any]:
    """Design §8: {"id", "state", "progress", "error"}."""
    return {"id": job.id, "state": job.state.value, "progress": job.progress, "error": job_error(job)}
