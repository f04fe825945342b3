"""The catalogue's own texts that translators localise in the `content` gettext domain (design.md §6).

Everything a viewer reads that comes from the database is here, each with a context saying what it is: the
event's title, organiser, description and city, the workshops, the recordings, the chapters, the audio tracks'
labels, and the people as the programme names them (honorific and name) with their affiliations.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select

from catalogue.extensions import db
from catalogue.i18n import ContentText, content_text, locale_code
from catalogue.recordings.models import AudioTrack, Chapter, Event, Person, Recording, Workshop

# The contexts (msgctxt) of the `content` domain, as translators see them beside each text.
EVENT_TITLE = "event title"
EVENT_ORGANISER = "event organiser"
EVENT_DESCRIPTION = "event description"
EVENT_CITY = "event city"
WORKSHOP_TITLE = "workshop title"
WORKSHOP_SUMMARY = "workshop summary"
RECORDING_TITLE = "recording title"
CHAPTER_TITLE = "chapter title"
AUDIO_TRACK_LABEL = "audio track label"
# A person's name with its honorific ("Ms Güldem Özatağan"): a translator writes it as the language does in a
# programme ("Mme Güldem Özatağan"; in Turkish the Mr and Ms of a list are dropped and "Dr." kept).
PERSON_NAME = "person name"
PERSON_AFFILIATION = "person affiliation"


def content_messages() -> Iterator[tuple[str, str, str]]:
    """(context, text, where) for every translatable text in the database; the context says what it is."""
    for event in db.session.scalars(select(Event).order_by(Event.id)):
        where = f"events/{event.slug}"
        yield EVENT_TITLE, event.title, where
        yield EVENT_ORGANISER, event.organiser, where
        yield EVENT_DESCRIPTION, event.description, where
        yield EVENT_CITY, event.city, where
    for workshop in db.session.scalars(select(Workshop).order_by(Workshop.event_id, Workshop.number)):
        where = f"workshops/{workshop.slug}"
        yield WORKSHOP_TITLE, workshop.title, where
        yield WORKSHOP_SUMMARY, workshop.summary, where
    for recording in db.session.scalars(select(Recording).order_by(Recording.id)):
        yield RECORDING_TITLE, recording.title, f"recordings/{recording.slug}"
    for chapter in db.session.scalars(select(Chapter).order_by(Chapter.recording_id, Chapter.start_ms)):
        yield CHAPTER_TITLE, chapter.title, f"recordings/{chapter.recording_id}/chapters"
    for track in db.session.scalars(select(AudioTrack).order_by(AudioTrack.recording_id, AudioTrack.position)):
        yield AUDIO_TRACK_LABEL, track.label, f"recordings/{track.recording_id}/audio/{track.slug}"
    for person in db.session.scalars(select(Person).order_by(Person.key)):
        where = f"people/{person.key}"
        if person.honorific.strip():
            yield PERSON_NAME, person.display_name, where
        yield PERSON_AFFILIATION, person.affiliation, where


def person_name(person: Person, original_lang: str = "en") -> ContentText:
    """A person as a page names them: with an honorific, as the reader's language writes it; a bare name is
    the same in every language (and so never marked as an untranslated original)."""
    if not person.honorific.strip():
        return ContentText(person.name, locale_code(), True)
    return content_text(person.display_name, PERSON_NAME, original_lang)


def person_affiliation(person: Person, original_lang: str = "en") -> ContentText:
    return content_text(person.affiliation, PERSON_AFFILIATION, original_lang)
