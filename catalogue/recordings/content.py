"""The catalogue's own texts that translators localise in the `content` gettext domain."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select

from catalogue.extensions import db
from catalogue.recordings.models import AudioTrack, Chapter, Event, Recording, Workshop


def content_messages() -> Iterator[tuple[str, str, str]]:
    """(context, text, where) for every translatable text in the database; the context says what it is."""
    for event in db.session.scalars(select(Event).order_by(Event.id)):
        where = f"events/{event.slug}"
        yield "event title", event.title, where
        yield "event organiser", event.organiser, where
        yield "event description", event.description, where
    for workshop in db.session.scalars(select(Workshop).order_by(Workshop.event_id, Workshop.number)):
        where = f"workshops/{workshop.slug}"
        yield "workshop title", workshop.title, where
        yield "workshop summary", workshop.summary, where
    for recording in db.session.scalars(select(Recording).order_by(Recording.id)):
        yield "recording title", recording.title, f"recordings/{recording.slug}"
    for chapter in db.session.scalars(select(Chapter).order_by(Chapter.recording_id, Chapter.start_ms)):
        yield "chapter title", chapter.title, f"recordings/{chapter.recording_id}/chapters"
    for track in db.session.scalars(select(AudioTrack).order_by(AudioTrack.recording_id, AudioTrack.position)):
        yield "audio track label", track.label, f"recordings/{track.recording_id}/audio/{track.slug}"
