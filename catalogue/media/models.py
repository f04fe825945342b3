"""Media as the archivist brought it (MediaSource) and what viewers play (Stream): HLS packaged from the sources."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalogue.db import Base, UTCDateTime, string_enum
from catalogue.recordings.models import AudioKind, AudioTrack, Recording


class StreamState(enum.StrEnum):
    NONE = "none"
    QUEUED = "queued"
    RUNNING = "running"
    READY = "ready"
    FAILED = "failed"


def _now() -> datetime:
    return datetime.now(UTC)


class MediaSource(Base):
    """One file kept byte for byte as received (under CATALOGUE_MEDIA_DIR/sources/), and the audio track it
    gives the recording: the floor video with its original sound, or one interpretation channel."""

    __tablename__ = "media_sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    recording_id: Mapped[int] = mapped_column(ForeignKey("recordings.id", ondelete="CASCADE"), index=True)
    audio_track_id: Mapped[int | None] = mapped_column(ForeignKey("audio_tracks.id", ondelete="SET NULL"), index=True)
    kind: Mapped[AudioKind] = mapped_column(string_enum(AudioKind, "media_source_kind"))
    languages: Mapped[list[str]] = mapped_column(JSON)
    label: Mapped[str] = mapped_column(String(200))
    # The uploader's name for the file, shown in messages; never used as a path.
    original_filename: Mapped[str] = mapped_column(String(255))
    # Relative to CATALOGUE_MEDIA_DIR, under a name of our own.
    path: Mapped[str] = mapped_column(String(500))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    # Which of the file's audio streams this track plays (0: the first), for files with several.
    audio_stream: Mapped[int] = mapped_column(default=0)
    has_video: Mapped[bool] = mapped_column(default=False)
    duration_ms: Mapped[int | None]
    # ffprobe's summary: container, duration, and each stream's codec, language, size or channels.
    probe: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Problem records (catalogue.problems): worth knowing, never blocking (a duration unlike the floor's).
    warnings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=_now)

    recording: Mapped[Recording] = relationship()
    audio_track: Mapped[AudioTrack | None] = relationship()


class Stream(Base):
    """What viewers play of a recording: the published HLS folder, and the state of its latest packaging.

    `folder` changes only when a packaging has written a complete new folder, in the same commit that
    marks it ready: until then the previous folder keeps playing, and a failed packaging leaves it in place.
    """

    __tablename__ = "streams"

    id: Mapped[int] = mapped_column(primary_key=True)
    recording_id: Mapped[int] = mapped_column(ForeignKey("recordings.id", ondelete="CASCADE"), unique=True)
    state: Mapped[StreamState] = mapped_column(string_enum(StreamState, "stream_state"), default=StreamState.NONE)
    # Relative to CATALOGUE_MEDIA_DIR: "<slug>/hls/<version>", a folder never changed once published.
    folder: Mapped[str | None] = mapped_column(String(500))
    has_video: Mapped[bool] = mapped_column(default=False)
    # File names inside the folder.
    poster: Mapped[str | None] = mapped_column(String(100))
    thumbnails: Mapped[str | None] = mapped_column(String(100))
    # The audio renditions in the master playlist's order: track slug, NAME, LANGUAGE, DEFAULT.
    renditions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    duration_ms: Mapped[int | None]
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"), index=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    recording: Mapped[Recording] = relationship()
