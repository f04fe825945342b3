"""Writes on recordings and their audio tracks: validation first, then the change, in one transaction."""

from __future__ import annotations

import mimetypes
import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute

from catalogue.extensions import db
from catalogue.inputs import YEARS, InvalidInput, check_optional_text, check_text, column_length
from catalogue.languages import normalize_language_tag
from catalogue.problems import N_
from catalogue.recordings.models import AudioKind, AudioTrack, Recording, Workshop

# Matched from the start to \Z: `$` would also accept a final line break ("slug\n").
SLUG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")
# type/subtype, then parameters (`audio/ogg; codecs=opus`); no line breaks. Each part stops at its own
# delimiter, so matching is linear.
MIME_TYPE = re.compile(r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*(?:;[^;\r\n]*)*\Z")
# A floor track may carry several languages; more than this is no recording.
MAX_AUDIO_LANGUAGES = 20


class Taken(InvalidInput):
    """A slug that another recording, or another track of the recording, already answers to (409 in the API)."""


# --- checks: the form, the API and the command line refuse the same values with the same messages ---------------


def check_slug(value: object, column: InstrumentedAttribute[Any], field: str = "slug") -> str:
    """Lower-case letters, digits and hyphens, as long as its column allows (no final new line)."""
    slug = check_text(value, field, column_length(column), strip=False)
    if not SLUG_PATTERN.match(slug):
        raise InvalidInput(field, "bad-slug", N_("Lower-case letters, digits and hyphens only."))
    return slug


def check_recording_slug(value: object, field: str = "slug") -> str:
    return check_slug(value, Recording.slug, field)


def check_track_slug(value: object, field: str = "slug") -> str:
    return check_slug(value, AudioTrack.slug, field)


def check_title(value: object, field: str = "title") -> str:
    return check_text(value, field, column_length(Recording.title))


def check_label(value: object, field: str = "label") -> str:
    return check_text(value, field, column_length(AudioTrack.label))


def check_url(value: object, column: InstrumentedAttribute[Any], field: str) -> str | None:
    """An http(s) URL or a path on this site, as long as its column allows, with no spaces or control
    characters; None when absent."""
    url = check_optional_text(value, field, column_length(column), strip=False)
    if url is None:
        return None
    if not url.startswith(("http://", "https://", "/")) or any(c.isspace() or not c.isprintable() for c in url):
        raise InvalidInput(field, "bad-url", N_("Give an http or https URL, or a path on this site."))
    return url


def check_poster_url(value: object, field: str = "poster_url") -> str | None:
    return check_url(value, Recording.poster_url, field)


def check_media_url(value: object, field: str = "url") -> str:
    url = check_url(value, AudioTrack.media_url, field)
    if url is None:
        raise InvalidInput(field, "missing-field", N_("This field is required."))
    return url


def check_mime_type(value: object, field: str = "mime_type") -> str | None:
    mime_type = check_optional_text(value, field, column_length(AudioTrack.mime_type), strip=False)
    if mime_type is not None and not MIME_TYPE.match(mime_type):
        raise InvalidInput(field, "bad-mime-type", N_("Use a MIME type such as audio/ogg."))
    return mime_type


def check_kind(value: object, field: str = "kind") -> AudioKind:
    if not isinstance(value, str) or value not in {k.value for k in AudioKind}:
        raise InvalidInput(field, "bad-kind", N_("Use interpretation or original."))
    return AudioKind(value)


def check_languages(value: object, field: str = "languages") -> list[str]:
    """A non-empty list of language tags, each made canonical, none twice (["en"], or ["en", "fr", "tr"] for
    the floor)."""
    if not isinstance(value, list) or not 0 < len(value) <= MAX_AUDIO_LANGUAGES:
        raise InvalidInput(field, "bad-type", N_("Give a list of 1 to %(max)s language tags."), max=MAX_AUDIO_LANGUAGES)
    return list(dict.fromkeys(normalize_language_tag(tag, field=field) for tag in value))


def check_moment(value: datetime | None, field: str = "recorded_at") -> datetime | None:
    """A moment with its time zone, in a year any time zone's offset keeps inside what datetime holds."""
    if value is None:
        return None
    try:
        utc_year = value.astimezone(UTC).year if value.tzinfo else None
    except (ValueError, OverflowError):  # Year 1 at +03:00 is before the first moment datetime holds.
        utc_year = None
    if utc_year not in YEARS:
        raise InvalidInput(field, "bad-moment", N_("Use ISO 8601 with an offset, such as 2021-12-08T08:00:07+03:00."))
    return value


# --- registering recordings and audio tracks -----------------------------------------------------------------------


def register_recording(
    workshop: Workshop,
    *,
    slug: object,
    title: object,
    recorded_at: datetime | None = None,
    duration_ms: int | None = None,
    poster_url: object = None,
) -> Recording:
    """A new recording of a workshop, committed. Every field is checked first (InvalidInput naming it; Taken
    for a slug in use): a refused recording stores nothing."""
    checked_slug = check_recording_slug(slug)
    recording = Recording(
        slug=checked_slug,
        title=check_title(title),
        recorded_at=check_moment(recorded_at),
        duration_ms=duration_ms,
        poster_url=check_poster_url(poster_url),
    )
    if db.session.scalar(select(Recording.id).where(Recording.slug == checked_slug)):
        raise Taken("slug", "exists", N_("Another recording already uses this name."))
    recording.workshop = workshop
    db.session.add(recording)
    db.session.commit()
    return recording


def create_audio_track(
    recording: Recording,
    *,
    slug: object,
    kind: object,
    languages: object,
    label: object,
    media_url: object,
    mime_type: object = None,
    is_default: bool = False,
) -> AudioTrack:
    """A new audio track, last in the recording's order, committed. Every field is checked first (InvalidInput
    naming it; Taken for a slug another track, retired or not, has): a refused track stores nothing. Without a
    MIME type, it is guessed from the file name; `is_default` makes it the default track."""
    checked_slug = check_track_slug(slug)
    track_kind, tags, name = check_kind(kind), check_languages(languages), check_label(label)
    url = check_media_url(media_url)
    checked_mime_type = check_mime_type(mime_type) or guess_mime_type(url)
    if slug_taken(recording, checked_slug):
        raise Taken("slug", "exists", N_("This recording already has a track with this name."))
    track = add_audio_track(
        recording,
        slug=checked_slug,
        kind=track_kind,
        languages=tags,
        label=name,
        media_url=url,
        mime_type=checked_mime_type,
        is_default=True if is_default else None,
    )
    db.session.commit()
    return track


def retire_audio_track(track: AudioTrack) -> None:
    """Hide an audio track from viewers (its row, slug and history stay). If it was the default, the next live
    track becomes the default, so the watch page still opens on something playable."""
    if track.retired_at is not None:
        return
    recording = track.recording
    track.retired_at = datetime.now(UTC)
    if track.is_default:
        track.is_default = False
        successor = next((t for t in recording.all_audio_tracks if t is not track and t.retired_at is None), None)
        if successor is not None:
            successor.is_default = True
    db.session.commit()


def bring_back_audio_track(track: AudioTrack) -> None:
    """Offer a retired audio track to viewers again (as the default if no live track is one)."""
    if track.retired_at is None:
        return
    track.retired_at = None
    live = [t for t in track.recording.all_audio_tracks if t.retired_at is None and t is not track]
    if not any(t.is_default for t in live):
        track.is_default = True
    db.session.commit()


def guess_mime_type(url: str) -> str:
    """The MIME type a player is told, from the file name when the archivist gave none."""
    return mimetypes.guess_type(url)[0] or "application/octet-stream"


def slug_taken(recording: Recording, slug: str) -> bool:
    """Whether a track of the recording, retired ones included, already answers to `slug`."""
    return any(t.slug == slug for t in recording.all_audio_tracks)


def free_track_slug(recording: Recording, wanted: str) -> str:
    """`wanted`, or `wanted-2`, `wanted-3`... : the first slug no track of the recording (retired ones included)
    uses, so a shared link never changes meaning."""
    taken = {t.slug for t in recording.all_audio_tracks}
    slug, number = wanted, 1
    while slug in taken:
        number += 1
        slug = f"{wanted}-{number}"
    return slug


def add_audio_track(
    recording: Recording,
    *,
    kind: AudioKind,
    languages: list[str],
    label: str,
    media_url: str,
    mime_type: str,
    slug: str | None = None,
    is_default: bool | None = None,
) -> AudioTrack:
    """A new live audio track, last in the recording's order, in the current transaction (the caller commits,
    with whatever else belongs to the same change).

    `languages` are canonical tags already (catalogue.languages.normalize_language_tag). Without a slug the
    track is `floor` or `interpretation-<language>`, made unique; without `is_default` it is the default only
    when no live track is.
    """
    live = [t for t in recording.all_audio_tracks if t.retired_at is None]
    wanted = slug or ("floor" if kind == AudioKind.ORIGINAL else f"interpretation-{languages[0].lower()}")
    if is_default is None:
        is_default = not any(t.is_default for t in live)
    if is_default:
        for track in live:
            track.is_default = False
    track = AudioTrack(
        slug=free_track_slug(recording, wanted),
        kind=kind,
        languages=languages,
        label=label,
        media_url=media_url,
        mime_type=mime_type,
        is_default=is_default,
        position=max((t.position for t in recording.all_audio_tracks), default=-1) + 1,
    )
    recording.audio_tracks.append(track)
    db.session.flush()
    return track
