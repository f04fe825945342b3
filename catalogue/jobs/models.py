"""A Job row: what the pages and the API read about background work (the queue itself only carries its id)."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from catalogue.db import Base, UTCDateTime, string_enum, unseen_by_visitors


class JobState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


def _now() -> datetime:
    return datetime.now(UTC)


@unseen_by_visitors
class Job(Base):
    __tablename__ = "jobs"
    # Job ids are in URLs that scripts poll: SQLite must never hand a deleted job's id to a new one.
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Which handler runs it ("package"): domains register theirs, so this package never imports them.
    kind: Mapped[str] = mapped_column(String(40))
    state: Mapped[JobState] = mapped_column(string_enum(JobState, "job_state"), default=JobState.QUEUED)
    progress: Mapped[float] = mapped_column(default=0.0)
    # Why it failed, in English for logs and the command line ...
    error: Mapped[str | None] = mapped_column(Text)
    # ... and as a msgid with its parameters, said in each reader's language (catalogue.problems).
    problem: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # By table name only: jobs sits below the domains and does not import them.
    recording_id: Mapped[int | None] = mapped_column(ForeignKey("recordings.id", ondelete="CASCADE"), index=True)
    # What the handler needs beyond the recording (a fetch's address, kind and languages), as checked when queued.
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=_now)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED)
