"""Subtitle tracks keep every revision ever uploaded; the track points at the one that is served."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalogue.db import Base, UTCDateTime, unseen_by_visitors
from catalogue.recordings.models import Recording


def _now() -> datetime:
    return datetime.now(UTC)


class SubtitleTrack(Base):
    __tablename__ = "subtitle_tracks"
    __table_args__ = (UniqueConstraint("recording_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recording_id: Mapped[int] = mapped_column(ForeignKey("recordings.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(16))
    # The track and its revisions refer to each other; use_alter lets both tables be created first.
    current_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("subtitle_revisions.id", use_alter=True, ondelete="SET NULL")
    )
    # Retired tracks are hidden from viewers and search; every revision stays (nothing is ever deleted).
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    recording: Mapped[Recording] = relationship(back_populates="subtitle_tracks")
    current_revision: Mapped[SubtitleRevision | None] = relationship(
        foreign_keys=[current_revision_id], post_update=True
    )
    revisions: Mapped[list[SubtitleRevision]] = relationship(
        back_populates="track",
        foreign_keys="SubtitleRevision.track_id",
        order_by="SubtitleRevision.number",
        cascade="all, delete-orphan",
    )


class SubtitleRevision(Base):
    __tablename__ = "subtitle_revisions"
    __table_args__ = (UniqueConstraint("track_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("subtitle_tracks.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=_now)
    # Who published it: the account (kept even if renamed) and the name as it was then.
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    uploaded_by: Mapped[str] = mapped_column(String(200), default="")
    # Set when this revision restores an earlier one: restoring never rewrites history.
    restored_from: Mapped[int | None]
    source_filename: Mapped[str] = mapped_column(String(255), default="")
    # The bytes exactly as received, so any revision can be downloaded as it came.
    source_bytes: Mapped[bytes] = mapped_column(LargeBinary)
    format: Mapped[str] = mapped_column(String(10))
    encoding: Mapped[str] = mapped_column(String(40))
    # The canonical WebVTT we serve, and its strong validator, computed once at upload.
    vtt: Mapped[str] = mapped_column(Text)
    etag: Mapped[str] = mapped_column(String(80))
    cue_count: Mapped[int]
    warnings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

    track: Mapped[SubtitleTrack] = relationship(back_populates="revisions", foreign_keys=[track_id])
    cues: Mapped[list[Cue]] = relationship(
        back_populates="revision", order_by="Cue.position", cascade="all, delete-orphan"
    )


class Cue(Base):
    __tablename__ = "cues"
    __table_args__ = (Index("ix_cues_revision_position", "revision_id", "position", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("subtitle_revisions.id", ondelete="CASCADE"))
    position: Mapped[int]
    identifier: Mapped[str | None] = mapped_column(String(200))
    start_ms: Mapped[int]
    end_ms: Mapped[int]
    # Plain text, never HTML: tags are stripped on the way in and the voice is kept apart.
    text: Mapped[str] = mapped_column(Text)
    voice: Mapped[str | None] = mapped_column(String(200))

    revision: Mapped[SubtitleRevision] = relationship(back_populates="cues")


@unseen_by_visitors
class SubtitleUpload(Base):
    """A checked file waiting for its uploader to read the report and publish it (preview, then publish)."""

    __tablename__ = "subtitle_uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    recording_id: Mapped[int] = mapped_column(ForeignKey("recordings.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255), default="")
    format: Mapped[str | None] = mapped_column(String(10))
    encoding: Mapped[str | None] = mapped_column(String(40))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=_now)

    recording: Mapped[Recording] = relationship()
