"""The summit as data: an event, its workshops, who took part, and the recordings with their audio and chapters."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalogue.db import Base, UTCDateTime, string_enum

if TYPE_CHECKING:
    from catalogue.subtitles.models import SubtitleTrack


class Role(enum.StrEnum):
    MODERATOR = "moderator"
    INTRODUCTION = "introduction"
    SPEAKER = "speaker"
    CONCLUSION = "conclusion"


class AudioKind(enum.StrEnum):
    INTERPRETATION = "interpretation"
    ORIGINAL = "original"


class Event(Base):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    organiser: Mapped[str] = mapped_column(String(300), default="")
    city: Mapped[str] = mapped_column(String(120), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    description: Mapped[str] = mapped_column(Text, default="")
    original_language: Mapped[str] = mapped_column(String(16), default="en")

    workshops: Mapped[list[Workshop]] = relationship(
        back_populates="event", order_by="Workshop.number", cascade="all, delete-orphan"
    )


class Workshop(Base):
    __tablename__ = "workshops"
    __table_args__ = (
        UniqueConstraint("event_id", "number"),
        UniqueConstraint("event_id", "slug"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    slug: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    # None when the programme gives no start time: unknown stays unknown.
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    event: Mapped[Event] = relationship(back_populates="workshops")
    participations: Mapped[list[Participation]] = relationship(
        back_populates="workshop", order_by="Participation.position", cascade="all, delete-orphan"
    )
    recordings: Mapped[list[Recording]] = relationship(
        back_populates="workshop", order_by="Recording.id", cascade="all, delete-orphan"
    )

    def people_in(self, role: Role) -> list[Person]:
        return [p.person for p in self.participations if p.role == role]


class Person(Base):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    honorific: Mapped[str] = mapped_column(String(20), default="")
    name: Mapped[str] = mapped_column(String(200))
    affiliation: Mapped[str] = mapped_column(Text, default="")

    @property
    def display_name(self) -> str:
        return f"{self.honorific} {self.name}".strip()


class Participation(Base):
    __tablename__ = "participations"
    __table_args__ = (UniqueConstraint("workshop_id", "role", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="RESTRICT"), index=True)
    role: Mapped[Role] = mapped_column(string_enum(Role, "participation_role"))
    position: Mapped[int] = mapped_column(default=0)

    workshop: Mapped[Workshop] = relationship(back_populates="participations")
    person: Mapped[Person] = relationship(lazy="joined")


class Recording(Base):
    __tablename__ = "recordings"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(160), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    duration_ms: Mapped[int | None]
    poster_url: Mapped[str | None] = mapped_column(String(500))
    # Demo media are short synthesised excerpts; the interface says so wherever they play.
    is_demo_excerpt: Mapped[bool] = mapped_column(default=False)

    workshop: Mapped[Workshop] = relationship(back_populates="recordings")
    # What viewers see: the tracks nobody retired. The archive's pages use the all_* lists, retired tracks included.
    audio_tracks: Mapped[list[AudioTrack]] = relationship(
        back_populates="recording",
        primaryjoin="and_(Recording.id == AudioTrack.recording_id, AudioTrack.retired_at.is_(None))",
        order_by="AudioTrack.position",
        cascade="all, delete-orphan",
    )
    all_audio_tracks: Mapped[list[AudioTrack]] = relationship(order_by="AudioTrack.position", viewonly=True)
    chapters: Mapped[list[Chapter]] = relationship(
        back_populates="recording", order_by="Chapter.start_ms", cascade="all, delete-orphan"
    )
    subtitle_tracks: Mapped[list[SubtitleTrack]] = relationship(
        back_populates="recording",
        primaryjoin="and_(Recording.id == SubtitleTrack.recording_id, SubtitleTrack.retired_at.is_(None))",
        order_by="SubtitleTrack.language",
        cascade="all, delete-orphan",
    )
    all_subtitle_tracks: Mapped[list[SubtitleTrack]] = relationship(order_by="SubtitleTrack.language", viewonly=True)

    @property
    def default_audio(self) -> AudioTrack | None:
        return next((t for t in self.audio_tracks if t.is_default), None) or next(iter(self.audio_tracks), None)

    @property
    def audio_languages(self) -> list[str]:
        """Every language heard on any audio track, in first-heard order."""
        seen: list[str] = []
        for track in self.audio_tracks:
            seen.extend(lang for lang in track.languages if lang not in seen)
        return seen

    @property
    def published_subtitles(self) -> list[SubtitleTrack]:
        return [t for t in self.subtitle_tracks if t.current_revision_id is not None]


class AudioTrack(Base):
    __tablename__ = "audio_tracks"
    __table_args__ = (UniqueConstraint("recording_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recording_id: Mapped[int] = mapped_column(ForeignKey("recordings.id", ondelete="CASCADE"), index=True)
    # Stable and readable in a shared link: ?audio=floor
    slug: Mapped[str] = mapped_column(String(60))
    kind: Mapped[AudioKind] = mapped_column(string_enum(AudioKind, "audio_kind"))
    languages: Mapped[list[str]] = mapped_column(JSON)
    label: Mapped[str] = mapped_column(String(200))
    media_url: Mapped[str] = mapped_column(String(1000))
    mime_type: Mapped[str] = mapped_column(String(100))
    is_default: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)
    # An archivist retires a track instead of deleting it: hidden from viewers, its row and history kept.
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    recording: Mapped[Recording] = relationship(back_populates="audio_tracks")


class Chapter(Base):
    __tablename__ = "chapters"

    id: Mapped[int] = mapped_column(primary_key=True)
    recording_id: Mapped[int] = mapped_column(ForeignKey("recordings.id", ondelete="CASCADE"), index=True)
    start_ms: Mapped[int]
    end_ms: Mapped[int | None]
    title: Mapped[str] = mapped_column(String(300))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)
    role: Mapped[Role | None] = mapped_column(string_enum(Role, "chapter_role"))

    recording: Mapped[Recording] = relationship(back_populates="chapters")
    person: Mapped[Person | None] = relationship(lazy="joined")
