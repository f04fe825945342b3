"""The API's RECORDING (design.md §8), described once per recording and reused.

A page of the recordings API builds some 350 absolute URLs; building them and the objects around them cost
more than reading the data. So each recording's object (all of it but `stream`, which the media package
describes from its own rows) is kept in a memo keyed by what it shows: the recording's columns, its audio
tracks, chapters and published subtitles, plus the host and path prefix its URLs are made for. A write is a
new key for the recordings it changed; nothing is ever invalidated.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

from flask import request, url_for

from catalogue.media.models import Stream
from catalogue.media.queries import stream_json
from catalogue.memo import Memo, app_memo
from catalogue.recordings.models import Recording
from catalogue.recordings.queries import RecordingEntry, recording_entries
from catalogue.subtitles.queries import subtitle_summaries

MEMO_KEY = "catalogue_recording_json_memo"
# Recordings' objects a worker keeps (a few KiB each): a 1,000-recording catalogue under two host names.
MEMO_ENTRIES = 2048


@dataclass(frozen=True, slots=True)
class RecordingDescription:
    """Everything the RECORDING object shows but its stream."""

    entry: RecordingEntry
    # (language, revision number, cue count) of each published track, in language order.
    subtitles: tuple[tuple[str, int, int], ...]


def _described(described: RecordingDescription) -> dict[str, Any]:
    """The RECORDING object without `stream`, for this request's host and path prefix."""
    recording = described.entry
    slug = recording.slug
    return {
        "slug": slug,
        "title": recording.title,
        "event": {"slug": recording.event_slug, "title": recording.event_title},
        "workshop": {"number": recording.workshop_number, "title": recording.workshop_title},
        # In the event's own time zone, with its offset: 08:00:07+03:00 reads as the programme does.
        "recorded_at": recording.recorded_at.astimezone(ZoneInfo(recording.event_timezone)).isoformat()
        if recording.recorded_at
        else None,
        "duration_s": recording.duration_ms / 1000 if recording.duration_ms is not None else None,
        "url": url_for("recordings.watch", slug=slug, _external=True),
        "audio_tracks": [
            {
                "id": t.id,
                "slug": t.slug,
                "label": t.label,
                "kind": t.kind.value,
                "languages": list(t.languages),
                "url": urljoin(request.host_url, t.media_url),
                "mime_type": t.mime_type,
            }
            for t in recording.audio_tracks
        ],
        "subtitles": [
            {
                "language": language,
                "revision": number,
                "cue_count": cue_count,
                "vtt_url": url_for("subtitles.vtt_file", slug=slug, language=language, _external=True),
                "srt_url": url_for("subtitles.srt_file", slug=slug, language=language, _external=True),
            }
            for language, number, cue_count in described.subtitles
        ],
        "chapters": [
            {
                "start_s": c.start_ms / 1000,
                "end_s": c.end_ms / 1000 if c.end_ms is not None else None,
                "title": c.title,
                "speaker": c.speaker,
            }
            for c in recording.chapters
        ],
    }


def recording_json_memo() -> Memo[dict[str, Any]]:
    return app_memo(MEMO_KEY, lambda: Memo(MEMO_ENTRIES, size=lambda _described: 1))


def recordings_json(recordings: Sequence[Recording], streams: dict[int, Stream] | None = None) -> list[dict[str, Any]]:
    """Design §8's RECORDING for each recording, in order. For a list, pass `streams_by_recording(recordings)`:
    one query for every stream. The objects the memo shares are only read: each answer gets its own copy of the
    outer object, with its `stream`."""
    entries = recording_entries(recordings)
    subtitles = subtitle_summaries([recording.id for recording in recordings])
    memo = recording_json_memo()
    setting = (request.host_url, request.root_url)
    answers = []
    for recording in recordings:
        key = (setting, RecordingDescription(entries[recording.id], subtitles.get(recording.id, ())))
        described = memo.get(key)
        if described is None:
            described = _described(key[1])
            memo.put(key, described)
        answers.append({**described, "stream": stream_json(recording, streams)})
    return answers
