"""Reads on media: a recording's sources and stream, and the `stream` object of the recording JSON."""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urljoin

from flask import current_app, has_request_context, request, url_for
from sqlalchemy import bindparam, select

from catalogue.extensions import db
from catalogue.media.models import MediaSource, Stream, StreamState
from catalogue.recordings.models import AudioKind, AudioTrack, Recording
from catalogue.recordings.queries import recording_or_404 as recording_or_404  # re-exported for the media views


def media_dir() -> Path:
    return Path(current_app.config["CATALOGUE_MEDIA_DIR"])


# Built once: the watch page asks for its recording's stream on every render.
_STREAM_OF_RECORDING = select(Stream).where(Stream.recording_id == bindparam("recording"))


class StreamOwner(Protocol):
    """What stream_json() reads of a recording: a Recording, or the watch page's value of one
    (catalogue.recordings.queries.PlayedRecording)."""

    @property
    def id(self) -> int: ...

    @property
    def slug(self) -> str: ...

    @property
    def poster_url(self) -> str | None: ...


def stream_for(recording: StreamOwner) -> Stream | None:
    return db.session.scalar(_STREAM_OF_RECORDING, {"recording": recording.id})


def streams_by_recording(recordings: list[Recording]) -> dict[int, Stream]:
    """The streams of many recordings in one query (a page of the recordings API), by recording id."""
    ids = [r.id for r in recordings]
    return {s.recording_id: s for s in db.session.scalars(select(Stream).where(Stream.recording_id.in_(ids)))}


def published_stream(slug: str) -> Stream | None:
    """The stream viewers get for a recording slug: one with a published folder, whatever its latest job does."""
    return db.session.scalar(
        select(Stream).join(Stream.recording).where(Recording.slug == slug, Stream.folder.is_not(None))
    )


def sources_for(recording: Recording) -> list[MediaSource]:
    return list(
        db.session.scalars(select(MediaSource).where(MediaSource.recording_id == recording.id).order_by(MediaSource.id))
    )


def packable_sources(recording: Recording) -> list[tuple[MediaSource, AudioTrack]]:
    """The sources of the recording's live audio tracks, in the tracks' order: what a packaging plays."""
    rows = db.session.execute(
        select(MediaSource, AudioTrack)
        .join(AudioTrack, MediaSource.audio_track_id == AudioTrack.id)
        .where(MediaSource.recording_id == recording.id, AudioTrack.retired_at.is_(None))
        .order_by(AudioTrack.position, AudioTrack.id, MediaSource.id)
    ).all()
    seen: set[int] = set()
    pairs = []
    for source, track in rows:
        if track.id not in seen:  # One source per track: the first one added.
            seen.add(track.id)
            pairs.append((source, track))
    return pairs


def picture_source(sources: list[MediaSource]) -> MediaSource | None:
    """Where the recording's picture comes from: the latest floor file with video, else any latest with video."""
    with_video = [s for s in sources if s.has_video]
    originals = [s for s in with_video if s.kind == AudioKind.ORIGINAL]
    return max(originals or with_video, key=lambda s: s.id, default=None)


def floor_source(sources: list[MediaSource]) -> MediaSource | None:
    """The floor recording durations are compared with: the picture, else the latest original sound."""
    originals = [s for s in sources if s.kind == AudioKind.ORIGINAL]
    return picture_source(sources) or max(originals, key=lambda s: s.id, default=None)


def _external(path: str) -> str:
    return urljoin(request.host_url, path) if has_request_context() else path


def _folder_file(recording: StreamOwner, stream: Stream, name: str | None) -> str | None:
    if not name or not stream.folder:
        return None
    version = Path(stream.folder).name
    return url_for("media.hls_file", slug=recording.slug, version=version, name=name, _external=True)


def stream_facts(recording: Recording, streams: dict[int, Stream]) -> Hashable:
    """Everything stream_json() reads, as a value: what a kept RECORDING is keyed by (catalogue.api)."""
    stream = streams.get(recording.id)
    if stream is None:
        return (recording.slug, recording.poster_url)
    renditions = tuple(
        (r["track"], r["name"], r["language"], r["default"]) for r in (stream.renditions if stream.folder else [])
    )
    return (
        recording.slug,
        recording.poster_url,
        stream.state,
        stream.folder,
        stream.poster,
        stream.thumbnails,
        renditions,
    )


def stream_json(recording: StreamOwner, streams: dict[int, Stream] | None = None) -> dict[str, Any]:
    """The recording JSON's `stream` (design.md §8): {"hls", "poster", "state"}, plus "thumbnails" (a WebVTT
    track of sprite sheets) and "audio", the master playlist's audio renditions in order with the audio track
    slug each one plays, so a player can keep `?audio=` deep links.

    `hls` is the published stream, which keeps playing while a newer packaging is queued, running or has
    failed: a player plays `hls` whenever it is not null, whatever `state` says. An audio-only recording's
    poster is the recording's own. For a list, pass `streams_by_recording(recordings)` (one query, not one each).
    """
    stream = streams.get(recording.id) if streams is not None else stream_for(recording)
    fallback_poster = _external(recording.poster_url) if recording.poster_url else None
    if stream is None:
        return {
            "hls": None,
            "poster": fallback_poster,
            "state": StreamState.NONE.value,
            "thumbnails": None,
            "audio": [],
        }
    published = stream.folder is not None
    return {
        "hls": url_for("media.master", slug=recording.slug, _external=True) if published else None,
        "poster": _folder_file(recording, stream, stream.poster) or fallback_poster,
        "state": stream.state.value,
        "thumbnails": _folder_file(recording, stream, stream.thumbnails),
        "audio": [
            {"track": r["track"], "name": r["name"], "language": r["language"], "default": r["default"]}
            for r in (stream.renditions if published else [])
        ],
    }
