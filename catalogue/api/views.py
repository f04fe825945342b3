"""The JSON API under /api/v1, exactly as design.md §8 promises to other people's scripts."""

from __future__ import annotations

import mimetypes
from datetime import datetime
from typing import Any
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, jsonify, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from catalogue.accounts.auth import api_user
from catalogue.accounts.models import Role
from catalogue.errors import api_error
from catalogue.extensions import db
from catalogue.pagecache import cached
from catalogue.problems import problem_dict
from catalogue.recordings.forms import SLUG as SLUG_VALIDATOR
from catalogue.recordings.models import AudioKind, AudioTrack, Chapter, Event, Recording, Workshop
from catalogue.recordings.views import recording_or_404, recordings_query
from catalogue.search.query import parse as parse_query
from catalogue.search.query import search as run_search
from catalogue.search.views import hit_url
from catalogue.subtitles.forms import LANGUAGE_CODE
from catalogue.subtitles.models import SubtitleRevision, SubtitleTrack
from catalogue.subtitles.parsing import SubtitleError
from catalogue.subtitles.store import publish_subtitle, restore_revision
from catalogue.subtitles.views import current_revision, track_or_404
from catalogue.translating import service as translation_service
from catalogue.translating.pofile import Entry

bp = Blueprint("api", __name__)
SLUG = SLUG_VALIDATOR.regex


def _recordings_query():
    return recordings_query().options(
        # Only the number and cue count are shown: never load the revisions' files for a listing.
        selectinload(Recording.subtitle_tracks)
        .selectinload(SubtitleTrack.current_revision)
        .load_only(SubtitleRevision.number, SubtitleRevision.cue_count),
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
@cached
def recordings() -> dict[str, Any]:
    """All recordings, or a page of them with `?page=` and `per_page=` (at most 200); `total` counts them all."""
    total = db.session.scalar(select(func.count()).select_from(Recording))
    query = _recordings_query()
    if "page" in request.args or "per_page" in request.args:
        per_page = min(max(1, request.args.get("per_page", 50, type=int)), 200)
        page = max(1, request.args.get("page", 1, type=int))
        query = query.limit(per_page).offset((page - 1) * per_page)
    return {"recordings": [recording_json(r) for r in db.session.scalars(query)], "total": total}


@bp.get("/recordings/<slug>")
@cached
def recording(slug: str) -> dict[str, Any]:
    found = db.session.scalar(_recordings_query().where(Recording.slug == slug))
    if found is None:
        abort(404, description=f"No recording “{slug}”.")
    return recording_json(found)


@bp.get("/recordings/<slug>/subtitles/<language>")
@cached
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
        "warnings": [problem_dict(w) for w in revision.warnings],
    }


# --- Writes: Bearer token of an archivist (or admin); refused input changes nothing -------------------------


def _subtitle_errors(error: SubtitleError) -> ResponseReturnValue:
    return jsonify({"errors": [p.as_dict() for p in error.problems]}), error.status


@bp.put("/recordings/<slug>/subtitles/<language>")
def put_subtitles(slug: str, language: str) -> ResponseReturnValue:
    """Upload a subtitle file (the body, or the multipart field `file`): 201 with the new revision."""
    user = api_user(Role.ARCHIVIST)
    recording = recording_or_404(slug)
    if not LANGUAGE_CODE.match(language):
        return api_error(422, "bad-language", f"“{language}” is not a language code such as en, fr or pt-BR.")
    # The body is the file whatever its Content-Type says: `curl --data-binary @file` labels it as a form, and
    # letting werkzeug parse it as one would consume the file (then refused as empty). Only multipart is a form.
    upload = request.files.get("file") if request.mimetype == "multipart/form-data" else None
    data = upload.read() if upload else request.get_data(cache=False)
    filename = (upload.filename if upload else request.headers.get("X-Filename", "")) or ""
    try:
        revision = publish_subtitle(
            recording,
            language,
            data,
            filename=filename,
            format=request.args.get("format"),
            encoding=request.args.get("encoding"),
            user=user,
        )
    except SubtitleError as error:
        return _subtitle_errors(error)
    return jsonify(_revision_json(revision, revision.track.current_revision_id)), 201


def _revision_json(revision: SubtitleRevision, current_id: int | None) -> dict[str, Any]:
    return {
        "revision": revision.number,
        "current": revision.id == current_id,
        "created_at": revision.created_at.isoformat(),
        "uploaded_by": revision.uploaded_by,
        "source_filename": revision.source_filename,
        "format": revision.format,
        "encoding": revision.encoding,
        "cue_count": revision.cue_count,
        "restored_from": revision.restored_from,
        "warnings": [problem_dict(w) for w in revision.warnings],
    }


@bp.get("/recordings/<slug>/subtitles/<language>/revisions")
def revisions(slug: str, language: str) -> dict[str, Any]:
    track = track_or_404(recording_or_404(slug), language)
    return {
        "language": language,
        "current": track.current_revision.number if track.current_revision else None,
        "revisions": [_revision_json(r, track.current_revision_id) for r in track.revisions],
    }


@bp.post("/recordings/<slug>/subtitles/<language>/revisions/<int:number>/restore")
def restore(slug: str, language: str, number: int) -> ResponseReturnValue:
    user = api_user(Role.ARCHIVIST)
    track = track_or_404(recording_or_404(slug), language)
    try:
        revision = restore_revision(track, number, user=user)
    except LookupError:
        abort(404, description=f"No revision {number} of the {language} subtitles.")
    return jsonify(_revision_json(revision, revision.id)), 201


@bp.post("/recordings")
def create_recording() -> ResponseReturnValue:
    """Register a recording: {"event", "workshop" (number), "slug", "title", "recorded_at", "duration_s", ...}."""
    api_user(Role.ARCHIVIST)
    body = request.get_json(force=True, silent=True)  # Whatever the Content-Type: `curl -d` says form.
    if not isinstance(body, dict):
        return api_error(422, "bad-json", "Send a JSON object.")
    workshop = db.session.scalar(
        select(Workshop)
        .join(Workshop.event)
        .where(Event.slug == body.get("event"), Workshop.number == body.get("workshop"))
    )
    if workshop is None:
        return api_error(422, "unknown-workshop", "No workshop with that event slug and number.")
    slug, title = body.get("slug"), body.get("title")
    if not isinstance(slug, str) or not SLUG.match(slug) or not isinstance(title, str) or not title.strip():
        return api_error(422, "bad-field", "“slug” (lower-case letters, digits, hyphens) and “title” are required.")
    if db.session.scalar(select(Recording.id).where(Recording.slug == slug)):
        return api_error(409, "exists", f"A recording “{slug}” exists already.")
    try:
        recorded_at = datetime.fromisoformat(body["recorded_at"]) if body.get("recorded_at") else None
        if recorded_at is not None and recorded_at.tzinfo is None:
            raise ValueError("recorded_at needs an offset")
        duration = body.get("duration_s")
        duration_ms = round(float(duration) * 1000) if duration is not None else None
    except (TypeError, ValueError) as error:
        return api_error(
            422, "bad-field", f"recorded_at must be ISO 8601 with an offset, duration_s a number ({error})."
        )
    recording = Recording(
        workshop=workshop,
        slug=slug,
        title=title.strip(),
        recorded_at=recorded_at,
        duration_ms=duration_ms,
        poster_url=body.get("poster_url"),
    )
    db.session.add(recording)
    db.session.commit()
    return jsonify(recording_json(db.session.scalar(_recordings_query().where(Recording.slug == slug)))), 201


@bp.post("/recordings/<slug>/audio-tracks")
def create_audio_track(slug: str) -> ResponseReturnValue:
    """Add an audio track: {"slug", "kind", "languages", "label", "url", "mime_type", "default"}."""
    api_user(Role.ARCHIVIST)
    recording = recording_or_404(slug)
    body = request.get_json(force=True, silent=True)  # Whatever the Content-Type: `curl -d` says form.
    if not isinstance(body, dict):
        return api_error(422, "bad-json", "Send a JSON object.")
    languages = body.get("languages")
    if (
        not isinstance(body.get("slug"), str)
        or not SLUG.match(body["slug"])
        or body.get("kind") not in {k.value for k in AudioKind}
        or not isinstance(languages, list)
        or not languages
        or not all(isinstance(x, str) and LANGUAGE_CODE.match(x) for x in languages)
        or not isinstance(body.get("label"), str)
        or not isinstance(body.get("url"), str)
        or not body["url"].startswith(("http://", "https://", "/"))
    ):
        return api_error(
            422,
            "bad-field",
            "Needs slug, kind (interpretation|original), languages (codes), label "
            "and url (http, https or a path on this site).",
        )
    if any(t.slug == body["slug"] for t in recording.audio_tracks):
        return api_error(409, "exists", f"This recording already has a track “{body['slug']}”.")
    if body.get("default"):
        for track in recording.audio_tracks:
            track.is_default = False
    recording.audio_tracks.append(
        AudioTrack(
            slug=body["slug"],
            kind=AudioKind(body["kind"]),
            languages=languages,
            label=body["label"],
            media_url=body["url"],
            mime_type=body.get("mime_type") or mimetypes.guess_type(body["url"])[0] or "application/octet-stream",
            is_default=bool(body.get("default")) or not recording.audio_tracks,
            position=len(recording.audio_tracks),
        )
    )
    db.session.commit()
    return jsonify(recording_json(db.session.scalar(_recordings_query().where(Recording.slug == slug)))), 201


# --- Translations (design.md §8): reads are public, writes need a translator of that locale (or an admin) ----


def _message_json(entry: Entry) -> dict[str, Any]:
    body: dict[str, Any] = {"msgid": entry.msgid, "msgid_plural": entry.msgid_plural, "context": entry.context}
    if entry.msgid_plural:
        body["msgstr_plural"] = entry.msgstr_plural
    else:
        body["msgstr"] = entry.msgstr
    body["fuzzy"] = entry.fuzzy
    body["comments"] = [*entry.developer_comments, *entry.translator_comments]
    body["locations"] = [f"{name}:{line}" if line else name for name, line in entry.locations]
    return body


def _load_catalogue(locale: str, domain: str):
    try:
        return translation_service.load(locale, domain)
    except (LookupError, FileNotFoundError):
        abort(404, description=f"No {domain} catalogue for “{locale}”.")


@bp.get("/translations/<locale>/<domain>/messages")
def translation_messages(locale: str, domain: str) -> dict[str, Any]:
    catalogue, revision = _load_catalogue(locale, domain)
    state = request.args.get("state", "all")
    if state not in {"all", "untranslated", "fuzzy", "translated"}:
        abort(422, description="state must be untranslated, fuzzy, translated or all.")
    q = request.args.get("q", "").casefold()
    messages = []
    for entry in catalogue.entries:
        status = "fuzzy" if entry.fuzzy else "translated" if entry.translated else "untranslated"
        if state != "all" and status != state:
            continue
        texts = [entry.msgid, entry.msgid_plural or "", entry.context or "", *(entry.msgstr_plural or [entry.msgstr])]
        if q and not any(q in text.casefold() for text in texts):
            continue
        messages.append(_message_json(entry))
    return {"revision": revision, "messages": messages}


@bp.put("/translations/<locale>/<domain>/messages")
def put_translation(locale: str, domain: str) -> ResponseReturnValue:
    user = api_user(Role.TRANSLATOR)
    _load_catalogue(locale, domain)
    if not user.can_edit_locale(locale):
        abort(403, description=f"This account may not edit the “{locale}” translations.")
    body = request.get_json(force=True, silent=True)  # Whatever the Content-Type: `curl -d` says form.
    if (
        not isinstance(body, dict)
        or not isinstance(body.get("msgid"), str)
        or not isinstance(body.get("base_revision"), int)
    ):
        return api_error(
            422, "bad-json", "Send a JSON object with msgid, msgstr or msgstr_plural, fuzzy and base_revision."
        )
    plural = body.get("msgstr_plural")
    if plural is not None and not (isinstance(plural, list) and all(isinstance(x, str) for x in plural)):
        return api_error(422, "bad-json", "msgstr_plural must be a list of strings.")
    if body.get("msgstr") is not None and not isinstance(body["msgstr"], str):
        return api_error(422, "bad-json", "msgstr must be a string.")
    try:
        result = translation_service.save_entry(
            locale,
            domain,
            user,
            msgid=body["msgid"],
            context=body.get("context"),
            msgstr=body.get("msgstr"),
            msgstr_plural=plural,
            fuzzy=bool(body.get("fuzzy")),
            base_revision=body["base_revision"],
        )
    except LookupError:
        return api_error(404, "not-found", "No such message in this catalogue.")
    except translation_service.StaleEdit as stale:
        response = {
            "errors": [
                {
                    "line": None,
                    "code": "stale",
                    "message": "This message changed since base_revision; "
                    "compare with “current” and send again with the new revision.",
                }
            ],
            "revision": stale.revision,
            "current": _message_json(stale.current) if stale.current else None,
        }
        return jsonify(response), 409
    except translation_service.CheckFailed as failed:
        return jsonify({"errors": [p.as_dict() for p in failed.errors]}), 422
    return jsonify({"revision": result.revision, "warnings": [p.as_dict() for p in result.warnings]}), 200


# --- Search -----------------------------------------------------------------------------------------------


@bp.get("/search")
@cached
def search_api() -> dict[str, Any]:
    """`snippet` is escaped HTML in which only <mark> is markup; `url` opens the player there."""
    raw = request.args.get("q", "")
    page = max(1, min(request.args.get("page", 1, type=int), 500))
    query = parse_query(raw)
    found = run_search(
        db.session, query, language=request.args.get("lang") or None, event=request.args.get("event") or None, page=page
    )
    return {
        "query": raw,
        "total": found.total,
        "results": [
            {
                "recording": hit.recording.slug,
                "title": hit.recording.title,
                "kind": hit.document.kind,
                "language": hit.document.language,
                "start_s": hit.document.start_ms / 1000 if hit.document.start_ms is not None else None,
                "snippet": str(hit.snippet),
                "url": hit_url(hit, external=True),
            }
            for hit in found.hits
        ],
    }
