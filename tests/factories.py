"""Builders for the rows a test needs, so that a test asks for the summit demo only when it is about the summit.

Plain functions with defaults: call them inside an app context (`with app.app_context():`); each commits and
returns the new row. Slugs and e-mail addresses get a counter so that several calls never collide. Writes that
have a service go through it (audio tracks, subtitle revisions, API tokens), so the rows are the ones the app
itself makes: a subtitle revision is a real upload, parsed and checked, with its cues and warnings.

    with app.app_context():
        recording = make_recording(people=[("moderator", "Ayşe Yılmaz")])
        make_audio_track(recording)
        revision = make_subtitles(recording, "fr", [(500, 2500, "Bonjour à tous.", "Ayşe Yılmaz")])
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select

from catalogue.accounts import services as account_services
from catalogue.accounts.models import Role as UserRole
from catalogue.accounts.models import User
from catalogue.extensions import db
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
from catalogue.recordings.services import add_audio_track
from catalogue.subtitles.models import SubtitleRevision
from catalogue.subtitles.store import publish_subtitle

_serial = itertools.count(1)

# A cue as a test writes it: (start_ms, end_ms, text) or (start_ms, end_ms, text, voice).
CueSpec = tuple[int, int, str] | tuple[int, int, str, str | None]

DEFAULT_CUES: tuple[CueSpec, ...] = (
    (500, 3000, "Welcome to the workshop.", "Ayşe Yılmaz"),
    (3500, 6000, "Cities learn from each other."),
)


def _next() -> int:
    return next(_serial)


def make_event(**fields: Any) -> Event:
    number = _next()
    values: dict[str, Any] = {
        "slug": f"event-{number}",
        "title": f"Event {number}",
        "city": "Izmir",
        "timezone": "Europe/Istanbul",
        "starts_on": date(2021, 12, 8),
        "ends_on": date(2021, 12, 8),
    }
    event = Event(**(values | fields))
    db.session.add(event)
    db.session.commit()
    return event


def make_person(name: str, **fields: Any) -> Person:
    """A person, found by name if an earlier call made them (people are shared between workshops)."""
    key = fields.pop("key", "-".join(name.lower().split()))
    person = db.session.scalar(select(Person).where(Person.key == key))
    if person is None:
        person = Person(key=key, name=name, **fields)
        db.session.add(person)
        db.session.commit()
    return person


def make_workshop(
    event: Event | None = None, *, people: Iterable[tuple[Role | str, str]] = (), **fields: Any
) -> Workshop:
    """A workshop of `event` (a new one by default); `people` are (role, name) pairs in programme order."""
    event = event or make_event()
    number = fields.pop("number", len(event.workshops) + 1)
    values: dict[str, Any] = {
        "slug": f"workshop-{_next()}",
        "title": f"Workshop {number}",
        "starts_at": datetime(2021, 12, 8, 5, 0, 7, tzinfo=UTC),
    }
    participations = [
        Participation(person=make_person(name), role=Role(role), position=position)
        for position, (role, name) in enumerate(people)
    ]
    workshop = Workshop(event=event, number=number, participations=participations, **(values | fields))
    db.session.add(workshop)
    db.session.commit()
    return workshop


def make_recording(
    workshop: Workshop | None = None,
    *,
    people: Iterable[tuple[Role | str, str]] = (),
    chapters: Sequence[tuple[int, str] | tuple[int, str, str]] = (),
    **fields: Any,
) -> Recording:
    """A recording of `workshop`, or of a new workshop with `people` (role, name); `chapters` are
    (start_ms, title) or (start_ms, title, speaker's name), each running until the next starts, the last one
    until the end of the recording."""
    if workshop is not None and people:
        raise ValueError("people belong to the workshop: pass them to make_workshop")
    workshop = workshop or make_workshop(people=people)
    number = _next()
    values: dict[str, Any] = {
        "slug": f"recording-{number}",
        "title": f"Recording {number}",
        "recorded_at": workshop.starts_at,
        "duration_ms": 60_000,
    }
    values |= fields
    ends = [chapter[0] for chapter in chapters[1:]] + [values["duration_ms"]] * bool(chapters)
    values["chapters"] = [
        Chapter(start_ms=start, end_ms=end, title=title, person=make_person(speaker[0]) if speaker else None)
        for (start, title, *speaker), end in zip(chapters, ends, strict=True)
    ]
    recording = Recording(workshop=workshop, **values)
    db.session.add(recording)
    db.session.commit()
    return recording


def make_audio_track(
    recording: Recording,
    *,
    kind: AudioKind | str = AudioKind.ORIGINAL,
    languages: Sequence[str] = ("en",),
    label: str | None = None,
    media_url: str | None = None,
    mime_type: str = "audio/ogg; codecs=opus",
    **options: Any,
) -> AudioTrack:
    """An audio track added as the archive adds one (recordings.services): slug, position and default flag
    follow the same rules."""
    kind = AudioKind(kind)
    track = add_audio_track(
        recording,
        kind=kind,
        languages=list(languages),
        label=label or f"{kind.value.capitalize()} ({', '.join(languages).upper()})",
        media_url=media_url or f"https://media.example.org/{recording.slug}/{kind.value}-{_next()}.opus",
        mime_type=mime_type,
        **options,
    )
    db.session.commit()
    return track


def vtt(cues: Iterable[CueSpec]) -> bytes:
    """A WebVTT file, written by hand rather than by our writer, so that it tests the parser."""
    blocks = ["WEBVTT"]
    for start, end, text, *voice in cues:
        speaker = voice[0] if voice else None
        blocks.append(f"{_timestamp(start)} --> {_timestamp(end)}\n" + (f"<v {speaker}>{text}" if speaker else text))
    return ("\n\n".join(blocks) + "\n").encode("utf-8")


def _timestamp(ms: int) -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def make_subtitles(
    recording: Recording,
    language: str = "en",
    cues: Iterable[CueSpec] = DEFAULT_CUES,
    *,
    data: bytes | None = None,
    filename: str | None = None,
    user: User | None = None,
    **options: Any,
) -> SubtitleRevision:
    """A new revision of the recording's subtitles in `language`, published as an upload is (subtitles.store):
    the same checks, the same stored bytes, cues and warnings. Pass `data` for a file of your own."""
    return publish_subtitle(
        recording,
        language,
        vtt(cues) if data is None else data,
        filename=filename or f"{recording.slug}.{language}.vtt",
        user=user,
        **options,
    )


def make_account(
    email: str | None = None,
    role: UserRole | str = UserRole.VIEWER,
    *,
    password: str = "secret-pass",
    locales: Sequence[str] = (),
    **fields: Any,
) -> User:
    """An account stored directly (any field may be set, an inactive one say): the sign-in form checks it."""
    email = email or f"user-{_next()}@example.org"
    user = User(
        email=email,
        display_name=fields.pop("display_name", email.split("@")[0]),
        role=UserRole(role),
        locales=list(locales),
        **fields,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def make_api_token(user: User | None = None, role: UserRole | str = UserRole.ARCHIVIST, name: str = "") -> str:
    """A new API token (a script's Bearer token) for `user`, or for a new account with `role`."""
    user = user or make_account(role=role)
    token = account_services.issue_token(user, name)
    db.session.commit()
    return token
