"""Read side of the JSON API under /api/v1, exactly as design.md §8 promises to other people's scripts."""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, request, url_for
from sqlalchemy.orm import selectinload

from catalogue.extensions import db
from catalogue.recordings.models import Chapter, Recording
from catalogue.recordings.views import recordings_query
from catalogue.subtitles.models import SubtitleTrack
from catalogue.subtitles.views import current_revision

bp = Blueprint("api", __name__)


def _recordings_query():
    return recordings_query().options(
        selectinload(Recording.subtitle_tracks).selectinload(SubtitleTrack.current_revision),
        selectinload(Recording.chapters).selectinload(Chapter.person),
    )


def recording_json(recording: Recording) -> dict[str, Any]:
    workshop, event = recording.workshop, recording.workshop.event
    return {
        "slug": recording.slug,
        "title": recording.title,
        "event": {"slug": event.slug, "title": event.title},
        "workshop": {"number": workshop.number, "title": workshop.title},
        # In the event's own time zone, with its offset: 08:00:07+03:00 reads as the programme does.
        "recorded_at": recording.recorded_at.astimezone(ZoneInfo(event.timezone)).isoformat()
        if recording.recorded_at
        else None,
        "duration_s": recording.duration_ms / 1000 if recording.duration_ms is not None else None,
        "url": url_for("recordings.watch", slug=recording.slug, _external=True),
        "audio_tracks": [
            {
                "id": t.id,
                "slug": t.slug,
                "label": t.label,
                "kind": t.kind.value,
                "languages": t.languages,
                "url": urljoin(request.host_url, t.media_url),
                "mime_type": t.mime_type,
            }
            for t in recording.audio_tracks
        ],
        "subtitles": [
            {
                "language": t.language,
                "revision": t.current_revision.number,
                "cue_count": t.current_revision.cue_count,
                "vtt_url": url_for("subtitles.vtt_file", slug=recording.slug, language=t.language, _external=True),
                "srt_url": url_for("subtitles.srt_file", slug=recording.slug, language=t.language, _external=True),
            }
            for t in recording.subtitle_tracks
            if t.current_revision is not None
        ],
        "chapters": [
            {
                "start_s": c.start_ms / 1000,
                "end_s": c.end_ms / 1000 if c.end_ms is not None else None,
                "title": c.title,
                "speaker": c.person.name if c.person else None,
            }
            for c in recording.chapters
        ],
    }


@bp.get("/recordings")
def recordings() -> dict[str, Any]:
    found = list(db.session.scalars(_recordings_query()))
    return {"recordings": [recording_json(r) for r in found], "total": len(found)}


@bp.get("/recordings/<slug>")
def recording(slug: str) -> dict[str, Any]:
    found = db.session.scalar(_recordings_query().where(Recording.slug == slug))
    if found is None:
        abort(404, description=f"No recording “{slug}”.")
    return recording_json(found)


@bp.get("/recordings/<slug>/subtitles/<language>")
def subtitles(slug: str, language: str) -> dict[str, Any]:
    revision = current_revision(slug, language)
    if revision is None:
        abort(404, description=f"No {language} subtitles for recording “{slug}”.")
    return {
        "language": language,
        "revision": revision.number,
        "cues": [
            {
                "id": c.identifier,
                "start_s": c.start_ms / 1000,
                "end_s": c.end_ms / 1000,
                "text": c.text,
                "voice": c.voice,
            }
            for c in revision.cues
        ],
        "warnings": revision.warnings,
    }
