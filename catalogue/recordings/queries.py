"""Reads of recordings for pages, the API and other packages (design.md §4: views call queries, never views)."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from catalogue.extensions import db
from catalogue.recordings.models import Event, Recording, Workshop


def recordings_query() -> Select[Recording]:
    """Every recording in catalogue order, with what a listing shows loaded in a few queries (no N+1)."""
    return (
        select(Recording)
        .join(Recording.workshop)
        .order_by(Workshop.event_id, Workshop.number, Recording.id)
        .options(
            selectinload(Recording.workshop).selectinload(Workshop.event),
            selectinload(Recording.workshop).selectinload(Workshop.participations),
            selectinload(Recording.audio_tracks),
            selectinload(Recording.subtitle_tracks),
        )
    )


def recording_or_404(slug: str) -> Recording:
    """The recording a URL names; a 404 (a page, or JSON under /api) that says so otherwise."""
    recording: Recording = db.first_or_404(
        select(Recording).where(Recording.slug == slug), description=f"No recording “{slug}”."
    )
    return recording


def workshop_by_number(event_slug: str, number: int) -> Workshop | None:
    """A workshop as scripts name it: its event's slug and its number in the programme."""
    return db.session.scalar(
        select(Workshop).join(Workshop.event).where(Event.slug == event_slug, Workshop.number == number)
    )
