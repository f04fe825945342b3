"""Writes on recordings and their audio tracks: validation first, then the change, in one transaction."""

from __future__ import annotations

import mimetypes
from datetime import UTC, datetime

from catalogue.extensions import db
from catalogue.recordings.models import AudioKind, AudioTrack, Recording


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
