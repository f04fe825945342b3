"""The JSON API under /api/v1, exactly as design.md §8 promises to other people's scripts.

Thin views: reads through the domains' queries, writes through their services, which check every value the
way the forms and the command line do (a refused value is a 4xx naming the field, and stores nothing).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Response, abort, jsonify, request, url_for
from flask.typing import ResponseReturnValue

from catalogue.accounts.auth import api_user
from catalogue.accounts.models import Role
from catalogue.api.blueprint import bp
from catalogue.api.recording_json import recording_answer, recordings_answer
from catalogue.errors import api_error
from catalogue.extensions import db
from catalogue.inputs import (
    MAX_PER_PAGE,
    InvalidInput,
    Paging,
    column_length,
    json_body,
    json_bool,
    json_int,
    json_seconds,
    json_text,
    read_paging,
)
from catalogue.media.queries import streams_by_recording
from catalogue.pagecache import cached
from catalogue.problems import N_, problem_dict
from catalogue.recordings import services as recording_services
from catalogue.recordings.models import Event
from catalogue.recordings.queries import (
    EVERY_RECORDING,
    recording_count,
    recording_ids,
    recording_or_404,
    workshop_by_number,
)
from catalogue.recordings.services import Taken
from catalogue.search.queries import MAX_PAGE as SEARCH_MAX_PAGE
from catalogue.search.queries import PER_PAGE as SEARCH_PER_PAGE
from catalogue.search.queries import api_results, parse, search
from catalogue.subtitles.parsing import SubtitleError
from catalogue.subtitles.queries import (
    WARNINGS_IN_A_LISTING,
    cue_page,
    current_revision,
    revision_json,
    revision_number,
    revision_page,
    track_or_404,
)
from catalogue.subtitles.services import subtitle_language, text_encoding
from catalogue.subtitles.store import publish_subtitle, restore_revision
from catalogue.translating import queries as translation_queries
from catalogue.translating import services as translation_services
from catalogue.translating.po_model import Entry, PoCatalogue

# Pages of the lists that grow with a file (design.md §8: at most 500 per page on request).
CUES_PER_PAGE = 500
REVISIONS_PER_PAGE = 50
RECORDINGS_PER_PAGE = 50
# How long an ISO 8601 moment with its offset may be (with microseconds, 32 characters).
MOMENT_LENGTH = 64


def _recording_answer(slug: str) -> Response:
    recording = recording_or_404(slug)
    return recording_answer(recording, streams_by_recording([recording]))


@bp.get("/recordings")
@cached
def recordings() -> Response:
    """A page of recordings: `?page=` and `per_page=` (50 by default, at most 500), or the first 500 when
    neither is given; `total` counts them all."""
    asked = "page" in request.args or "per_page" in request.args
    paging = read_paging(RECORDINGS_PER_PAGE if asked else MAX_PER_PAGE, adjustable=True)
    ids = recording_ids(EVERY_RECORDING, paging.per_page, paging.offset)
    return recordings_answer(ids, total=recording_count())


@bp.get("/recordings/<slug>")
@cached
def recording(slug: str) -> Response:
    return _recording_answer(slug)


def _page_url(page: int, per_page: int) -> str:
    """This request's URL at another page (the other query parameters kept)."""
    args = request.args.to_dict() | {"page": str(page), "per_page": str(per_page)}
    return url_for(request.endpoint or "", **(request.view_args or {}), **args, _external=True)


def _paging_json(paging: Paging, total: int) -> dict[str, Any]:
    """Where a page sits in its list: the list's size, this page, how many there are, and a link to the next."""
    pages = paging.pages(total)
    return {
        "total": total,
        "page": paging.page,
        "per_page": paging.per_page,
        "pages": pages,
        "next": _page_url(paging.page + 1, paging.per_page) if paging.page < pages else None,
    }


@bp.get("/recordings/<slug>/subtitles/<language>")
@cached
def subtitles(slug: str, language: str) -> dict[str, Any]:
    """The current revision's cues a page at a time (`?page=`, `per_page=` up to 500; `next` links the next
    page), and the same window over its warnings: one answer never grows with the file (design.md §8)."""
    revision = current_revision(slug, language)
    if revision is None:
        abort(404, description=f"No {language} subtitles for recording “{slug}”.")
    paging = read_paging(CUES_PER_PAGE, adjustable=True).within(revision.cue_count)
    return {
        "language": language,
        "revision": revision.number,
        **_paging_json(paging, revision.cue_count),
        "cues": [
            {
                "id": c.identifier,
                "start_s": c.start_ms / 1000,
                "end_s": c.end_ms / 1000,
                "text": c.text,
                "voice": c.voice,
            }
            for c in cue_page(revision.id, paging)
        ],
        "warning_count": len(revision.warnings),
        "warnings": [problem_dict(w) for w in paging.window(revision.warnings)],
    }


# --- Writes: Bearer token of an archivist (or admin); refused input changes nothing -------------------------


def _subtitle_errors(error: SubtitleError) -> ResponseReturnValue:
    return jsonify({"errors": [p.as_dict() for p in error.problems]}), error.status


def _taken(error: Taken) -> ResponseReturnValue:
    """A slug in use: 409, so a script can tell "exists already" from a bad value."""
    return api_error(409, error.code, error.message, field=error.field)


@bp.put("/recordings/<slug>/subtitles/<language>")
def put_subtitles(slug: str, language: str) -> ResponseReturnValue:
    """Upload a subtitle file (the body, or the multipart field `file`): 201 with the new revision."""
    user = api_user(Role.ARCHIVIST)
    recording = recording_or_404(slug)
    language = subtitle_language(language)
    encoding = request.args.get("encoding") or None
    if encoding is not None:
        text_encoding(encoding)
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
            encoding=encoding,
            user=user,
        )
    except SubtitleError as error:
        return _subtitle_errors(error)
    return jsonify(revision_json(revision, revision.track.current_revision_id)), 201


@bp.get("/recordings/<slug>/subtitles/<language>/revisions")
def revisions(slug: str, language: str) -> dict[str, Any]:
    """Every revision of a track, oldest first, a page at a time; each with at most 100 of its warnings."""
    track = track_or_404(recording_or_404(slug), language)
    paging = read_paging(REVISIONS_PER_PAGE, adjustable=True)
    page, total = revision_page(track.id, paging)
    return {
        "language": language,
        "current": revision_number(track.current_revision_id),
        **_paging_json(paging, total),
        "revisions": [revision_json(r, track.current_revision_id, WARNINGS_IN_A_LISTING) for r in page],
    }


@bp.post("/recordings/<slug>/subtitles/<language>/revisions/<int:number>/restore")
def restore(slug: str, language: str, number: int) -> ResponseReturnValue:
    user = api_user(Role.ARCHIVIST)
    track = track_or_404(recording_or_404(slug), language)
    try:
        revision = restore_revision(track, number, user=user)
    except LookupError:
        abort(404, description=f"No revision {number} of the {language} subtitles.")
    return jsonify(revision_json(revision, revision.id)), 201


def _moment(body: dict[str, Any], name: str) -> datetime | None:
    """An ISO 8601 moment with its offset (2021-12-08T08:00:07+03:00), or None when absent."""
    text = json_text(body, name, MOMENT_LENGTH, required=False)
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            name, "bad-moment", N_("Use ISO 8601 with an offset, such as 2021-12-08T08:00:07+03:00.")
        ) from None


@bp.post("/recordings")
def create_recording() -> ResponseReturnValue:
    """Register a recording: {"event", "workshop" (number), "slug", "title", "recorded_at", "duration_s", ...}.

    Every field is checked before anything is stored: a bad one is a 422 naming it, a slug in use a 409.
    """
    api_user(Role.ARCHIVIST)
    body = json_body()
    event_slug = json_text(body, "event", column_length(Event.slug), strip=False) or ""
    number = json_int(body, "workshop")
    recorded_at = _moment(body, "recorded_at")
    duration = json_seconds(body, "duration_s")
    workshop = workshop_by_number(event_slug, number)
    if workshop is None:
        return api_error(422, "unknown-workshop", "No workshop with that event slug and number.", field="workshop")
    try:
        created = recording_services.register_recording(
            workshop,
            slug=body.get("slug"),
            title=body.get("title"),
            recorded_at=recorded_at,
            duration_ms=round(duration * 1000) if duration is not None else None,
            poster_url=body.get("poster_url"),
        )
    except Taken as taken:
        return _taken(taken)
    return _recording_answer(created.slug), 201


@bp.post("/recordings/<slug>/audio-tracks")
def create_audio_track(slug: str) -> ResponseReturnValue:
    """Add an audio track: {"slug", "kind", "languages", "label", "url", "mime_type", "default"}."""
    api_user(Role.ARCHIVIST)
    recording = recording_or_404(slug)
    body = json_body()
    try:
        recording_services.create_audio_track(
            recording,
            slug=body.get("slug"),
            kind=body.get("kind"),
            languages=body.get("languages"),
            label=body.get("label"),
            media_url=body.get("url"),
            mime_type=body.get("mime_type"),
            is_default=json_bool(body, "default"),
        )
    except Taken as taken:
        return _taken(taken)
    return _recording_answer(slug), 201


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


def _load_catalogue(locale: str, domain: str) -> tuple[PoCatalogue, int]:
    try:
        return translation_queries.load(locale, domain)
    except (LookupError, FileNotFoundError):
        abort(404, description=f"No {domain} catalogue for “{locale}”.")


@bp.get("/translations/<locale>/<domain>/messages")
def translation_messages(locale: str, domain: str) -> dict[str, Any]:
    catalogue, revision = _load_catalogue(locale, domain)
    state = request.args.get("state", "all")
    if state not in translation_queries.STATES:
        abort(422, description="state must be untranslated, fuzzy, translated or all.")
    shown = translation_queries.entries(catalogue, state=state, q=request.args.get("q", ""))
    return {"revision": revision, "messages": [_message_json(entry) for entry in shown]}


def _stale_json(stale: translation_services.StaleEdit) -> dict[str, Any]:
    message = "This message changed since base_revision; compare with “current” and send again with the new revision."
    return {
        "errors": [{"line": None, "code": "stale", "message": message}],
        "revision": stale.revision,
        "current": _message_json(stale.current) if stale.current else None,
    }


@bp.put("/translations/<locale>/<domain>/messages")
def put_translation(locale: str, domain: str) -> ResponseReturnValue:
    user = api_user(Role.TRANSLATOR)
    _load_catalogue(locale, domain)
    if not user.can_edit_locale(locale):
        abort(403, description=f"This account may not edit the “{locale}” translations.")
    body = json_body()
    base_revision = json_int(body, "base_revision")
    edit = translation_services.check_edit(
        body.get("msgid"), body.get("context"), body.get("msgstr"), body.get("msgstr_plural"), json_bool(body, "fuzzy")
    )
    try:
        result = translation_services.save_edit(locale, domain, user, edit, base_revision=base_revision)
    except LookupError:
        return api_error(404, "not-found", "No such message in this catalogue.")
    except translation_services.StaleEdit as stale:
        return jsonify(_stale_json(stale)), 409
    except translation_services.CheckFailed as failed:
        return jsonify({"errors": [p.as_dict() for p in failed.errors]}), 422
    return jsonify({"revision": result.revision, "warnings": [p.as_dict() for p in result.warnings]}), 200


# --- Search -----------------------------------------------------------------------------------------------


@bp.get("/search")
@cached
def search_api() -> dict[str, Any]:
    """`snippet` is escaped HTML in which only <mark> is markup; `url` opens the player there; each cue's `also`
    holds what was said at that moment in the recording's other subtitle languages."""
    raw = request.args.get("q", "")
    paging = read_paging(SEARCH_PER_PAGE, max_page=SEARCH_MAX_PAGE)
    found = search(
        db.session(),
        parse(raw),
        language=request.args.get("lang") or None,
        event=request.args.get("event") or None,
        kind=request.args.get("kind") or None,
        page=paging.page,
        per_page=paging.per_page,
    )
    return api_results(raw, found)
