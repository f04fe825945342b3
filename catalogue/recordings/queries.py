"""Reads of recordings for pages, the API and other packages (design.md §4: views call queries, never views)."""

from __future__ import annotations

import functools
import json
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Row,
    Select,
    String,
    Text,
    and_,
    bindparam,
    cast,
    func,
    literal,
    null,
    select,
    union_all,
)

from catalogue.extensions import db
from catalogue.memo import Memo
from catalogue.pagecache import kept_fact, until_next_write
from catalogue.recordings.cards import (
    PEOPLE_ROLES,
    AudioFacts,
    EventFacts,
    EventLead,
    PersonFacts,
    RecordingCard,
    RecordingFacts,
    WorkshopFacts,
    WorkshopSection,
)
from catalogue.recordings.models import (
    AudioKind,
    AudioTrack,
    Chapter,
    Event,
    Participation,
    Person,
    Recording,
    Role,
    Workshop,
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


# --- the catalogue and event pages: filters, and what cards and sections show (catalogue.recordings.cards) ------
#
# These reads run on every catalogue and event page that the page cache cannot answer. Their statements are built
# once, with bound parameters, and run on the session's connection (in its transaction) as Core statements: the
# ORM's per-execution work cost more than the database did.


# Statements of several columns, and their rows.
AnySelect = Select[*tuple[Any, ...]]
AnyRow = Row[*tuple[Any, ...]]


def _rows(statement: AnySelect, **parameters: object) -> Sequence[AnyRow]:
    return db.session.connection().execute(statement, parameters).all()


def _subtitle_track() -> Any:
    """Subtitle tracks through the relationship: recordings sits below subtitles and does not import it."""
    return Recording.subtitle_tracks.property.mapper.class_


def _published(track: Any) -> ColumnElement[bool]:
    return and_(track.current_revision_id.is_not(None), track.retired_at.is_(None))


# Audio languages are a JSON list per track, compared as its stored text.
_SPELLING = cast(AudioTrack.languages, Text)


@lru_cache(maxsize=1024)
def _languages(spelling: str) -> tuple[str, ...]:
    """A track's languages from their stored spelling. A catalogue spells its few lists the same way on every
    track: reading the text and decoding each spelling once cost a fifth of what decoding every row's JSON did."""
    return tuple(json.loads(spelling))


_LIVE_AUDIO = AudioTrack.retired_at.is_(None)


@cache
def _facet_statements() -> tuple[AnySelect, AnySelect]:
    track = _subtitle_track()
    return (
        select(AudioTrack.kind, _SPELLING).where(_LIVE_AUDIO).distinct(),
        select(track.language).where(_published(track)).distinct(),
    )


def audio_spellings() -> tuple[tuple[AudioKind, str], ...]:
    """(kind, languages as stored) of the live audio tracks, each pair once: the few distinct spellings of the
    catalogue's language lists, not every track. Read once per catalogue version (it scans every track)."""
    return kept_fact(
        "audio spellings",
        lambda: tuple((kind, text) for kind, text in _rows(_facet_statements()[0])),
    )


def subtitle_languages() -> tuple[str, ...]:
    """Every language that some recording has published subtitles in; read once per catalogue version."""
    return kept_fact(
        "subtitle languages",
        lambda: tuple(language for (language,) in _rows(_facet_statements()[1])),
    )


def heard_in(spellings: Collection[str]) -> ColumnElement[bool]:
    """A filter: recordings with a live audio track whose languages are spelled as one of `spellings`."""
    return Recording.id.in_(select(AudioTrack.recording_id).where(_LIVE_AUDIO, _SPELLING.in_(list(spellings))))


def subtitled_in(language: str) -> ColumnElement[bool]:
    """A filter: recordings with published subtitles in `language`."""
    track = _subtitle_track()
    return Recording.id.in_(select(track.recording_id).where(track.language == language, _published(track)))


@dataclass(frozen=True, slots=True)
class CardFilter:
    """Which recordings the catalogue page lists: those with a live audio track whose languages are spelled as
    one of `heard` (None: any), and with published subtitles in `subtitled` ("": any). A value, so what it
    selects can be kept until the next write."""

    heard: tuple[str, ...] | None = None
    subtitled: str = ""

    def clauses(self) -> list[ColumnElement[bool]]:
        clauses = [] if self.heard is None else [heard_in(self.heard)]
        return [*clauses, subtitled_in(self.subtitled)] if self.subtitled else clauses


EVERY_RECORDING = CardFilter()


@cache
def _count_statement() -> AnySelect:
    return select(func.count()).select_from(Recording)


def recording_count(selected: CardFilter = EVERY_RECORDING) -> int:
    """How many recordings the filter selects (all of them by default), kept until the next write."""
    statement = _count_statement().where(*selected.clauses())
    return kept_fact(("count", selected), lambda: int(_rows(statement)[0][0]))


def recording_ids(selected: CardFilter, limit: int, offset: int) -> tuple[int, ...]:
    """A window of the ids of the recordings the filter selects, in catalogue order (by event, workshop number,
    then id): a page of the catalogue or of the recordings API. Kept until the next write."""
    statement = _card_statements()[0].where(*selected.clauses())
    return kept_fact(
        ("ids", selected, limit, offset),
        lambda: tuple(row[0] for row in _rows(statement, limit=limit, offset=offset)),
    )


# A recording's columns in a card or a section, named as its rows' attributes.
_RECORDING_COLUMNS = (
    Recording.id,
    Recording.slug,
    Recording.recorded_at,
    Recording.duration_ms,
    Recording.is_demo_excerpt,
)
_IDS: BindParameter[list[int]] = bindparam("ids", expanding=True)
_WORKSHOPS: BindParameter[list[int]] = bindparam("workshops", expanding=True)


People = tuple[tuple[Role, tuple[PersonFacts, ...]], ...]
NO_PEOPLE: People = tuple((role, ()) for role in PEOPLE_ROLES)


def _tagged(tag: str, owner: Any, values: tuple[Any, ...], order: tuple[Any, Any], width: int) -> Any:
    """One part of a statement of tagged rows (a union of several small reads, one round trip): the tag, the
    row's owner (a recording or a workshop), `width` values as text (NULL past the part's own) and two integers
    to order the part by."""
    padded = [*values, *([null()] * (width - len(values)))]
    return select(
        literal(tag, String()).label("part"),
        owner.label("owner"),
        *(cast(value, String).label(f"v{n}") for n, value in enumerate(padded)),
        *(column.label(f"o{n}") for n, column in enumerate(order)),
    )


def _people_part(workshops: ColumnElement[bool], width: int) -> Any:
    """The part ("p": role, honorific, name, affiliation) of the people of the roles a page lists, in programme
    order, of the workshops `workshops` selects."""
    return (
        _tagged(
            "p",
            Participation.workshop_id,
            (Participation.role, Person.honorific, Person.name, Person.affiliation),
            (Participation.position, Participation.id),
            width,
        )
        .join(Participation.person)
        .where(workshops, Participation.role.in_(PEOPLE_ROLES))
    )


@cache
def _details_statement() -> Any:
    """For recordings (`ids`) and workshops (`workshops`): live audio tracks ("a": kind, languages), published
    subtitle languages ("s": language) and the people of listed roles ("p": role, honorific, name, affiliation),
    in one statement of tagged rows, each part in its order. One round trip instead of three: on PostgreSQL
    each was a third of a page's time in the database."""
    track = _subtitle_track()
    part = functools.partial(_tagged, width=4)
    statement = union_all(
        part("a", AudioTrack.recording_id, (AudioTrack.kind, _SPELLING), (AudioTrack.position, AudioTrack.id)).where(
            AudioTrack.recording_id.in_(_IDS), _LIVE_AUDIO
        ),
        part("s", track.recording_id, (track.language,), (literal(0), literal(0))).where(
            track.recording_id.in_(_IDS), _published(track)
        ),
        _people_part(Participation.workshop_id.in_(_WORKSHOPS), width=4),
    ).subquery()
    c = statement.c
    return select(statement).order_by(c.part, c.owner, c.o0, c.o1, c.v0)


@dataclass(frozen=True, slots=True)
class _Details:
    audio: dict[int, list[AudioFacts]]
    subtitles: dict[int, list[str]]
    people: dict[int, People]


def _details(recording_ids: Collection[int], workshop_ids: Collection[int]) -> _Details:
    """The recordings' live audio tracks in each one's order, their published subtitle languages in language
    order, and each workshop's people for every role a page lists, in programme order."""
    audio: dict[int, list[AudioFacts]] = defaultdict(list)
    subtitles: dict[int, list[str]] = defaultdict(list)
    by_role: dict[int, dict[Role, list[PersonFacts]]] = defaultdict(lambda: defaultdict(list))
    rows = _rows(_details_statement(), ids=list(recording_ids), workshops=list(workshop_ids))
    for tag, owner, first, second, third, fourth, _o0, _o1 in rows:
        if tag == "a":
            audio[owner].append(AudioFacts(AudioKind(first), _languages(second)))
        elif tag == "s":
            subtitles[owner].append(first)
        else:
            by_role[owner][Role(first)].append(PersonFacts(second, third, fourth))
    people = {
        workshop_id: tuple((role, tuple(roles.get(role, ()))) for role in PEOPLE_ROLES)
        for workshop_id, roles in by_role.items()
    }
    return _Details(audio, subtitles, people)


def _recordings_facts(rows: Sequence[AnyRow], details: _Details) -> dict[int, RecordingFacts]:
    """Recordings from rows with _RECORDING_COLUMNS, with their audio tracks and subtitle languages."""
    audio, subtitles = details.audio, details.subtitles
    return {
        row.id: RecordingFacts(
            row.slug,
            row.recorded_at,
            row.duration_ms,
            row.is_demo_excerpt,
            tuple(audio[row.id]),
            tuple(subtitles[row.id]),
        )
        for row in rows
    }


@cache
def _card_statements() -> tuple[AnySelect, AnySelect]:
    """The ids of the catalogue's cards in catalogue order (filters are added, the window is bound: `limit`,
    `offset`); and the columns a card shows of the recordings of a list of ids (`ids`)."""
    return (
        select(Recording.id)
        .join(Recording.workshop)
        .order_by(Workshop.event_id, Workshop.number, Recording.id)
        .limit(bindparam("limit"))
        .offset(bindparam("offset")),
        select(
            *_RECORDING_COLUMNS,
            Workshop.id.label("workshop_id"),
            Workshop.number.label("workshop_number"),
            Workshop.title.label("workshop_title"),
            Event.slug.label("event_slug"),
            Event.title.label("event_title"),
            Event.original_language,
            Event.timezone,
        )
        .join(Recording.workshop)
        .join(Workshop.event)
        .where(Recording.id.in_(_IDS)),
    )


# The worker's cards kept until the next write (catalogue.pagecache.until_next_write), by recording id: 1,000
# recordings' facts are well under a MiB.
CARDS_KEY = "catalogue_cards_this_version"
CARDS_KEPT = 4096


def _cards_by_id(ids: Sequence[int]) -> dict[int, RecordingCard]:
    """The cards of these recordings, by id: two small queries of the columns a card shows (the recordings, and
    their details as tagged rows), never whole rows. A recording deleted since its id was read has none."""
    rows = _rows(_card_statements()[1], ids=list(ids))
    details = _details([row.id for row in rows], {row.workshop_id for row in rows})
    recordings, people = _recordings_facts(rows, details), details.people
    return {
        row.id: RecordingCard(
            recordings[row.id],
            WorkshopFacts(row.workshop_number, row.workshop_title, people.get(row.workshop_id, NO_PEOPLE)),
            EventFacts(row.event_slug, row.event_title, row.original_language, row.timezone),
        )
        for row in rows
    }


def recording_cards(selected: CardFilter, limit: int, offset: int) -> list[RecordingCard]:
    """A page of the catalogue's cards (the recordings the filter selects) in catalogue order. The page is a
    window of ids (recording_ids); the cards are kept by id until the next write, so a page whose cards were all
    read since then (another filter, another page) costs at most one statement; the others are read."""
    ids = recording_ids(selected, limit, offset)
    this_version: Memo[RecordingCard] = until_next_write(CARDS_KEY, _new_cards_memo)
    cards = {recording_id: this_version.get(recording_id) for recording_id in ids}
    missing = [recording_id for recording_id, card in cards.items() if card is None]
    if missing:
        for recording_id, card in _cards_by_id(missing).items():
            this_version.put(recording_id, card)
            cards[recording_id] = card
    return [card for card in cards.values() if card is not None]


def _new_cards_memo() -> Memo[RecordingCard]:
    return Memo(CARDS_KEPT, size=lambda _card: 1)


@cache
def _event_statements() -> tuple[AnySelect, AnySelect, AnySelect]:
    """Every event's lead line, the latest first; an event's (`event_id`) workshops; and its recordings."""
    event_id: BindParameter[int] = bindparam("event_id")
    return (
        select(Event.slug, Event.title, Event.city, Event.original_language, Event.starts_on, Event.ends_on).order_by(
            Event.starts_on.desc(), Event.id
        ),
        select(Workshop.id, Workshop.number, Workshop.title, Workshop.summary, Workshop.starts_at)
        .where(Workshop.event_id == event_id)
        .order_by(Workshop.number),
        select(*_RECORDING_COLUMNS, Recording.workshop_id)
        .join(Recording.workshop)
        .where(Workshop.event_id == event_id)
        .order_by(Recording.id),
    )


def event_leads() -> tuple[EventLead, ...]:
    """Every event as the catalogue's lead lines show it, the latest first; read once per catalogue version."""
    return kept_fact("event leads", lambda: tuple(EventLead(*row) for row in _rows(_event_statements()[0])))


def event_sections(event: Event) -> list[WorkshopSection]:
    """An event's workshops as its page shows them, in programme order, each with its recordings."""
    _leads, workshops_statement, recordings_statement = _event_statements()
    workshops = _rows(workshops_statement, event_id=event.id)
    rows = _rows(recordings_statement, event_id=event.id)
    details = _details([row.id for row in rows], [workshop.id for workshop in workshops])
    recordings, people = _recordings_facts(rows, details), details.people
    by_workshop: dict[int, list[RecordingFacts]] = defaultdict(list)
    for row in rows:
        by_workshop[row.workshop_id].append(recordings[row.id])
    facts = EventFacts(event.slug, event.title, event.original_language, event.timezone)
    return [
        WorkshopSection(
            WorkshopFacts(number, title, people.get(workshop_id, NO_PEOPLE)),
            summary,
            starts_at,
            facts,
            tuple(by_workshop[workshop_id]),
        )
        for workshop_id, number, title, summary, starts_at in workshops
    ]


# --- what the API's RECORDING shows of the recordings domain, as values (catalogue.api.recording_json) ----------


@dataclass(frozen=True, slots=True)
class AudioTrackEntry:
    id: int
    slug: str
    label: str
    kind: AudioKind
    languages: tuple[str, ...]
    media_url: str
    mime_type: str


@dataclass(frozen=True, slots=True)
class ChapterEntry:
    start_ms: int
    end_ms: int | None
    title: str
    speaker: str | None


@dataclass(frozen=True, slots=True)
class RecordingEntry:
    """A recording with its workshop, event, live audio tracks and chapters, as the API shows them."""

    slug: str
    title: str
    recorded_at: datetime | None
    duration_ms: int | None
    event_slug: str
    event_title: str
    event_timezone: str
    workshop_number: int
    workshop_title: str
    audio_tracks: tuple[AudioTrackEntry, ...]
    chapters: tuple[ChapterEntry, ...]


@cache
def _entry_statements() -> tuple[AnySelect, AnySelect, AnySelect, Select[Recording]]:
    """For a list of workshop ids, their numbers, titles and events; for a list of recording ids, their live audio
    tracks and chapters; and the recordings of a list of ids."""
    return (
        select(Workshop.id, Event.slug, Event.title, Event.timezone, Workshop.number, Workshop.title)
        .join(Workshop.event)
        .where(Workshop.id.in_(_WORKSHOPS)),
        select(
            AudioTrack.recording_id,
            AudioTrack.id,
            AudioTrack.slug,
            AudioTrack.label,
            AudioTrack.kind,
            _SPELLING,
            AudioTrack.media_url,
            AudioTrack.mime_type,
        )
        .where(AudioTrack.recording_id.in_(_IDS), _LIVE_AUDIO)
        .order_by(AudioTrack.recording_id, AudioTrack.position, AudioTrack.id),
        select(Chapter.recording_id, Chapter.start_ms, Chapter.end_ms, Chapter.title, Person.name)
        .outerjoin(Chapter.person)
        .where(Chapter.recording_id.in_(_IDS))
        .order_by(Chapter.recording_id, Chapter.start_ms, Chapter.id),
        select(Recording).where(Recording.id.in_(_IDS)),
    )


def recordings_by_id(ids: Sequence[int]) -> list[Recording]:
    """The recordings of these ids in their order, without their relationships (recording_entries() reads what
    the API shows of those as columns); an id with no recording (deleted since it was read) is left out."""
    found = {recording.id: recording for recording in db.session.scalars(_entry_statements()[3], {"ids": list(ids)})}
    return [found[recording_id] for recording_id in ids if recording_id in found]


def recording_entries(recordings: Sequence[Recording]) -> dict[int, RecordingEntry]:
    """What the API shows of these recordings, by id: two queries of those columns, and their workshops' places
    once per catalogue version."""
    ids = [recording.id for recording in recordings]
    places_statement, audio_statement, chapters_statement, _recordings = _entry_statements()
    # Where each workshop sits (its number, title and event), kept per catalogue version: a handful of workshops
    # for a page of fifty recordings, the same on every page.
    places: dict[int, AnyRow] = kept_fact("workshop places", dict)
    missing = {recording.workshop_id for recording in recordings} - places.keys()
    if missing:
        places.update((row[0], row) for row in _rows(places_statement, workshops=list(missing)))
    audio: dict[int, list[AudioTrackEntry]] = defaultdict(list)
    for recording_id, track_id, slug, label, kind, languages, media_url, mime_type in _rows(audio_statement, ids=ids):
        audio[recording_id].append(
            AudioTrackEntry(track_id, slug, label, kind, _languages(languages), media_url, mime_type)
        )
    chapters: dict[int, list[ChapterEntry]] = defaultdict(list)
    for recording_id, start_ms, end_ms, title, speaker in _rows(chapters_statement, ids=ids):
        chapters[recording_id].append(ChapterEntry(start_ms, end_ms, title, speaker))
    entries = {}
    for recording in recordings:
        _id, event_slug, event_title, event_timezone, workshop_number, workshop_title = places[recording.workshop_id]
        entries[recording.id] = RecordingEntry(
            recording.slug,
            recording.title,
            recording.recorded_at,
            recording.duration_ms,
            event_slug,
            event_title,
            event_timezone,
            workshop_number,
            workshop_title,
            tuple(audio[recording.id]),
            tuple(chapters[recording.id]),
        )
    return entries


# --- the watch page --------------------------------------------------------------------------------------------
# Reads for the watch page: a recording and what its player, chapters and people show, in three small statements.
#
# The watch page renders on every view the page cache cannot answer (a new URL such as a shared moment, the first
# view after a write). For one recording the ORM's per-statement work (lazy loaders, selectinload's IN lists,
# identity bookkeeping) cost several times what the database did, so only the recording is loaded as an entity
# (the media package describes its stream from it); its workshop and event come as columns of the same row, and
# the audio tracks as plain rows, and the subtitle languages, chapters and people as one statement of tagged rows
# (_tagged), into frozen values, by statements built once. None grows with the number of tracks, chapters or people.


@dataclass(frozen=True, slots=True)
class AudioChoice:
    """A live audio track as the player offers it; the attributes audio_label() reads, as AudioTrack has them."""

    id: int
    slug: str
    kind: AudioKind
    languages: tuple[str, ...]
    label: str
    media_url: str
    mime_type: str
    is_default: bool


@dataclass(frozen=True, slots=True)
class ChapterFacts:
    start_ms: int
    title: str
    role: Role | None
    person: PersonFacts | None


@dataclass(frozen=True, slots=True)
class WatchFacts:
    """What the watch page shows whatever its URL asks for (the heading, chapters, subtitle files and people):
    a value, so what it renders can be kept per interface language (recordings.views)."""

    slug: str
    recorded_at: datetime | None
    duration_ms: int | None
    is_demo_excerpt: bool
    workshop: WorkshopFacts
    summary: str
    event: EventFacts
    # Languages with a published revision, in language order.
    subtitle_languages: tuple[str, ...]
    chapters: tuple[ChapterFacts, ...]


@dataclass(frozen=True, slots=True)
class PlayedRecording:
    """What the player reads of the recording itself (and the media package, to describe its stream)."""

    id: int
    slug: str
    poster_url: str | None
    duration_ms: int | None


@dataclass(frozen=True)
class WatchedRecording:
    recording: PlayedRecording
    facts: WatchFacts
    # Live tracks, in the archivist's order.
    audio_tracks: tuple[AudioChoice, ...]

    @property
    def default_audio(self) -> AudioChoice | None:
        """As Recording.default_audio: the default track, else the first."""
        return next((t for t in self.audio_tracks if t.is_default), None) or next(iter(self.audio_tracks), None)


@cache
def _statements() -> tuple[AnySelect, Any]:
    """A recording's (`recording`) audio tracks; and in one statement of tagged rows (_tagged), its published
    subtitle languages ("s"), its chapters ("c": title, role and person, ordered by start) and the people of its
    workshop (`workshop`) for the roles a page lists ("p"). Built on first use, once the mappers are configured."""
    recording: BindParameter[int] = bindparam("recording")
    workshop: BindParameter[int] = bindparam("workshop")
    track = _subtitle_track()
    part = functools.partial(_tagged, width=5)
    details = union_all(
        part("s", track.recording_id, (track.language,), (literal(0), literal(0))).where(
            track.recording_id == recording, _published(track)
        ),
        part(
            "c",
            Chapter.recording_id,
            (Chapter.title, Chapter.role, Person.honorific, Person.name, Person.affiliation),
            (Chapter.start_ms, Chapter.id),
        )
        .outerjoin(Chapter.person)
        .where(Chapter.recording_id == recording),
        _people_part(Participation.workshop_id == workshop, width=5),
    ).subquery()
    c = details.c
    return (
        select(
            AudioTrack.id,
            AudioTrack.slug,
            AudioTrack.kind,
            _SPELLING,
            AudioTrack.label,
            AudioTrack.media_url,
            AudioTrack.mime_type,
            AudioTrack.is_default,
        )
        .where(AudioTrack.recording_id == recording, AudioTrack.retired_at.is_(None))
        .order_by(AudioTrack.position, AudioTrack.id),
        select(details).order_by(c.part, c.o0, c.o1, c.v0),
    )


def _person(honorific: str | None, name: str | None, affiliation: str | None) -> PersonFacts | None:
    """A chapter's person from an outer join: None when the chapter names nobody."""
    return None if name is None else PersonFacts(honorific or "", name, affiliation or "")


@dataclass(frozen=True, slots=True)
class _WatchDetails:
    subtitle_languages: tuple[str, ...]
    chapters: tuple[ChapterFacts, ...]
    people: People


def _watch_details(recording_id: int, workshop_id: int, statement: Any) -> _WatchDetails:
    """The recording's published subtitle languages in language order, its chapters in order, and its workshop's
    people for each role the page lists, in programme order: one statement (_statements)."""
    languages: list[str] = []
    chapters: list[ChapterFacts] = []
    by_role: dict[Role, list[PersonFacts]] = defaultdict(list)
    for tag, _owner, first, second, third, fourth, fifth, start_ms, _id in _rows(
        statement, recording=recording_id, workshop=workshop_id
    ):
        if tag == "s":
            languages.append(first)
        elif tag == "c":
            role = Role(second) if second is not None else None
            chapters.append(ChapterFacts(start_ms, first, role, _person(third, fourth, fifth)))
        else:
            by_role[Role(first)].append(PersonFacts(second, third, fourth))
    people = tuple((role, tuple(by_role[role])) for role in PEOPLE_ROLES)
    return _WatchDetails(tuple(languages), tuple(chapters), people)


@cache
def _watched_statement() -> Any:
    """A recording's (`slug`) columns the page shows, with those of its workshop and event."""
    return (
        select(
            Recording.id,
            Recording.slug,
            Recording.poster_url,
            Recording.duration_ms,
            Recording.recorded_at,
            Recording.is_demo_excerpt,
            Workshop.id,
            Workshop.number,
            Workshop.title,
            Workshop.summary,
            Event.slug,
            Event.title,
            Event.original_language,
            Event.timezone,
        )
        .join(Recording.workshop)
        .join(Workshop.event)
        .where(Recording.slug == bindparam("slug"))
    )


# The worker's watched recordings kept until the next write, by slug, bounded in bytes: a recording's facts grow
# with its chapters and summary.
WATCHED_KEY = "catalogue_watched_this_version"
WATCHED_BYTES = 8 * 1024 * 1024
# How many watched recordings' streams a worker keeps (each a few hundred bytes of JSON).
WATCHED_KEPT = 2048


def _watched_size(watched: WatchedRecording) -> int:
    """An estimate of what a watched recording holds: its texts, and an allowance per chapter, track and person."""
    facts = watched.facts
    people = sum(len(persons) for _role, persons in facts.workshop.people)
    parts = len(facts.chapters) + len(watched.audio_tracks) + people
    return len(facts.summary) + sum(len(chapter.title) for chapter in facts.chapters) + 300 * parts + 1000


def watched_recording(slug: str) -> WatchedRecording | None:
    """The recording at `slug` with what its watch page shows, or None. Kept by slug until the next write: a new
    URL of a recording watched since then (a shared moment, another audio track or subtitle language) reads
    nothing; the first view after a write reads it in three statements."""
    this_version: Memo[WatchedRecording] = until_next_write(
        WATCHED_KEY, lambda: Memo(WATCHED_BYTES, size=_watched_size)
    )
    watched = this_version.get(slug)
    if watched is None:
        watched = _read_watched(slug)
        if watched is not None:
            this_version.put(slug, watched)
    return watched


def _read_watched(slug: str) -> WatchedRecording | None:
    found = _rows(_watched_statement(), slug=slug)
    if not found:
        return None
    (
        recording_id,
        slug,
        poster_url,
        duration_ms,
        recorded_at,
        is_demo_excerpt,
        workshop_id,
        number,
        title,
        summary,
        *event,
    ) = found[0]
    audio, details_statement = _statements()
    details = _watch_details(recording_id, workshop_id, details_statement)
    facts = WatchFacts(
        slug=slug,
        recorded_at=recorded_at,
        duration_ms=duration_ms,
        is_demo_excerpt=is_demo_excerpt,
        workshop=WorkshopFacts(number, title, details.people),
        summary=summary,
        event=EventFacts(*event),
        subtitle_languages=details.subtitle_languages,
        chapters=details.chapters,
    )
    return WatchedRecording(
        PlayedRecording(recording_id, slug, poster_url, duration_ms),
        facts,
        tuple(
            AudioChoice(track_id, track_slug, kind, _languages(spelling), *rest)
            for track_id, track_slug, kind, spelling, *rest in _rows(audio, recording=recording_id)
        ),
    )
