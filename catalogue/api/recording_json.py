"""The API's RECORDING (design.md §8), described once per recording and reused as JSON text.

A page of the recordings API builds some 350 absolute URLs; building them and the objects around them, then
serializing fifty objects, cost more than reading the data. So each recording's object is kept in a memo as the
compact JSON text the app's provider writes, keyed by what it shows: the recording's columns, its audio tracks,
chapters and published subtitles, what its stream shows (catalogue.media.queries.stream_facts), plus the host and
path prefix its URLs are made for. A page joins the texts. A write is a new key for the recordings it changed;
nothing is ever invalidated.

Until the next write, each text is also kept by recording id (catalogue.pagecache.until_next_write): a page of
recordings all described since the last write reads at most its window of ids, whatever its URL.
The first page after a write reads and describes its recordings again, and rebuilds the JSON only of those the
write changed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

from flask import Response, current_app, request, url_for

from catalogue.media.models import Stream
from catalogue.media.queries import stream_facts, stream_json, streams_by_recording
from catalogue.memo import Memo, app_memo
from catalogue.pagecache import until_next_write
from catalogue.recordings.models import Recording
from catalogue.recordings.queries import RecordingEntry, recording_entries, recordings_by_id
from catalogue.subtitles.queries import subtitle_summaries

MEMO_KEY = "catalogue_recording_json_memo"
VERSION_MEMO_KEY = "catalogue_recording_json_this_version"
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


def recording_json_memo() -> Memo[str]:
    return app_memo(MEMO_KEY, lambda: Memo(MEMO_ENTRIES, size=lambda _described: 1))


def compact_json() -> bool:
    """Whether the app writes JSON answers compact (Flask's provider: always but in debug mode)."""
    provider = current_app.json
    compact = getattr(provider, "compact", None)
    return not ((compact is None and current_app.debug) or compact is False)


def recording_texts(recordings: Sequence[Recording], streams: dict[int, Stream]) -> list[str]:
    """Design §8's RECORDING for each recording, in order, as the compact JSON text the app's JSON provider
    writes (sorted keys): serializing a page of fifty took as long as reading it. `streams` comes from
    `streams_by_recording(recordings)` (one query for every stream)."""
    entries = recording_entries(recordings)
    subtitles = subtitle_summaries([recording.id for recording in recordings])
    memo = recording_json_memo()
    setting = (request.host_url, request.root_url)
    texts = []
    for recording in recordings:
        description = RecordingDescription(entries[recording.id], subtitles.get(recording.id, ()))
        key = (setting, description, stream_facts(recording, streams))
        text = memo.get(key)
        if text is None:
            described = _described(description) | {"stream": stream_json(recording, streams)}
            text = current_app.json.dumps(described, separators=(",", ":"))
            memo.put(key, text)
        texts.append(text)
    return texts


def page_texts(ids: Sequence[int]) -> list[str]:
    """Design §8's RECORDING of each of these recordings, in order, as recording_texts() writes them: those
    described since the last write from memory, the others loaded and described (an id whose recording went
    since it was read is left out)."""
    setting = (request.host_url, request.root_url)
    this_version: Memo[str] = until_next_write(VERSION_MEMO_KEY, lambda: Memo(MEMO_ENTRIES, size=lambda _text: 1))
    texts = {recording_id: this_version.get((setting, recording_id)) for recording_id in ids}
    missing = [recording_id for recording_id, text in texts.items() if text is None]
    if missing:
        recordings = recordings_by_id(missing)
        described = recording_texts(recordings, streams_by_recording(recordings))
        for recording, text in zip(recordings, described, strict=True):
            this_version.put((setting, recording.id), text)
            texts[recording.id] = text
    return [text for text in texts.values() if text is not None]


def json_answer(body: str) -> Response:
    """A JSON answer from its compact text, as the app's provider would have written it (a final newline)."""
    return current_app.response_class(f"{body}\n", mimetype=current_app.json.mimetype)  # type: ignore[attr-defined]


def recordings_answer(ids: Sequence[int], **fields: int) -> Response:
    """`{"recordings": [RECORDING, ...], **fields}` for the recordings of these ids (fields are numbers), byte
    for byte what jsonify() writes."""
    texts = page_texts(ids)
    if not compact_json():
        return cast(Response, current_app.json.response({"recordings": [json.loads(t) for t in texts], **fields}))
    # Sorted keys, as the provider writes them: "recordings" before "total".
    members = {"recordings": "[" + ",".join(texts) + "]"} | {name: str(int(value)) for name, value in fields.items()}
    return json_answer("{" + ",".join(f"{json.dumps(name)}:{members[name]}" for name in sorted(members)) + "}")


def recording_answer(recording: Recording, streams: dict[int, Stream]) -> Response:
    """One RECORDING, byte for byte what jsonify() writes."""
    (text,) = recording_texts([recording], streams)
    return json_answer(text) if compact_json() else cast(Response, current_app.json.response(json.loads(text)))
