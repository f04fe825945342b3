"""What the archivist's subtitle editor page (archive.editor, static/js/editor.js) reads and how it saves.

The page saves through its own route under /archive, not through the JSON API: the API authenticates by
Bearer token only and is exempt from CSRF checks as a whole, so letting it accept the session cookie would make
every API write reachable by a cross-site request the moment one check is missed. The archive route takes the
signed-in archivist's session with the CSRF token in an `X-CSRFToken` header (Flask-WTF checks it before the
view runs; the cookie is SameSite=Lax besides), and calls the same service with the same body and answers.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for

from catalogue.accounts.models import User
from catalogue.i18n import format_datetime_in
from catalogue.inputs import InvalidInput, json_body
from catalogue.problems import problem_dict
from catalogue.recordings.models import Recording
from catalogue.subtitles.models import Cue, SubtitleRevision, SubtitleTrack
from catalogue.subtitles.parsing import SubtitleError
from catalogue.subtitles.queries import revision_cues
from catalogue.subtitles.services import edit_subtitles, problems_json, read_edits
from catalogue.subtitles.store import StaleRevision


def cues_json(cues: list[Cue]) -> list[dict[str, Any]]:
    """Cues as the editor holds them: times in milliseconds, plain text, the voice apart."""
    return [{"start": c.start_ms, "end": c.end_ms, "text": c.text, "voice": c.voice} for c in cues]


def _revision_summary(recording: Recording, revision: SubtitleRevision) -> dict[str, Any]:
    """Who saved a revision and when, in the event's time zone, with a link to its WebVTT: what a conflict shows."""
    slug, language = recording.slug, revision.track.language
    return {
        "revision": revision.number,
        "uploaded_by": revision.uploaded_by,
        "created_at": format_datetime_in(revision.created_at, recording.workshop.event.timezone),
        "cue_count": revision.cue_count,
        "vtt_url": url_for("archive.revision_vtt", slug=slug, language=language, number=revision.number),
    }


def page_data(recording: Recording, track: SubtitleTrack, revision: SubtitleRevision) -> dict[str, Any]:
    """The editor's starting point (a JSON block in the page, never script): the base revision, all its cues,
    the recording's duration and the quality thresholds that the live warnings apply as the server does."""
    config = current_app.config
    return {
        "revision": revision.number,
        "language": track.language,
        "cues": cues_json(revision_cues(revision.id)),
        "duration_ms": recording.duration_ms,
        "limits": {
            "line_chars": config["SUBTITLE_MAX_LINE_CHARS"],
            "lines": config["SUBTITLE_MAX_LINES"],
            "cps": config["SUBTITLE_MAX_CPS"],
            "min_ms": config["SUBTITLE_MIN_DURATION_MS"],
            "max_ms": config["SUBTITLE_MAX_DURATION_MS"],
        },
        "save_url": url_for("archive.save_edits", slug=recording.slug, language=track.language),
    }


def save(recording: Recording, track: SubtitleTrack, user: User) -> tuple[dict[str, Any], int]:
    """The request's body and the answers of the edits API (201, 409, 422), for the page: after a save, the new
    revision's cues become the editor's base."""
    try:
        base_revision, operations = read_edits(json_body())
    except InvalidInput as error:
        return {"errors": [error.as_dict()]}, 422
    try:
        revision = edit_subtitles(track, base_revision, operations, user=user)
    except StaleRevision as stale:
        current = track.current_revision
        return {
            "errors": problems_json([stale.problem(base_revision)]),
            "revision": stale.current,
            "current": _revision_summary(recording, current) if current else None,
        }, 409
    except SubtitleError as error:
        return {"errors": problems_json(error.problems)}, error.status
    return {
        "revision": revision.number,
        "cues": cues_json(revision_cues(revision.id)),
        "warnings": [problem_dict(w) for w in revision.warnings],
    }, 201
