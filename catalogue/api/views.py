"""The JSON API under /api/v1, exactly as design.md §8 promises to other people's scripts."""

from __future__ import annotations

from datetime import UTC, datetime
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
from catalogue.inputs import (
    MAX_PER_PAGE,
    YEARS,
    InvalidInput,
    column_length,
    json_body,
    json_bool,
    json_int,
    json_seconds,
    json_text,
    read_paging,
)
from catalogue.languages import normalize_language_tag
from catalogue.media.models import Stream
from catalogue.media.queries import stream_json, streams_by_recording
from catalogue.pagecache import cached
from catalogue.problems import N_, problem_dict
from catalogue.recordings.forms import MIME_TYPE, SLUG_PATTERN
from catalogue.recordings.models import AudioKind, AudioTrack, Chapter, Event, Recording, Workshop
from catalogue.recordings.queries import recording_or_404, recordings_query
from catalogue.recordings.services import add_audio_track, guess_mime_type, slug_taken
from catalogue.search.queries import parse as parse_query
from catalogue.search.queries import search as run_search
from catalogue.search.views import MAX_PAGE as SEARCH_MAX_PAGE
from catalogue.search.views import PER_PAGE as SEARCH_PER_PAGE
from catalogue.search.views import api_results as search_results
from catalogue.subtitles.forms import subtitle_language, text_encoding
from catalogue.subtitles.models import SubtitleRevision, SubtitleTrack
from catalogue.subtitles.parsing import SubtitleError
from catalogue.subtitles.queries import (
    WARNINGS_IN_A_LISTING,
    cue_page,
    current_revision,
    page_of,
    revision_page,
    track_or_404,
)
from catalogue.subtitles.store import publish_subtitle, restore_revision
from catalogue.translating import service as translation_service
from catalogue.translating.pofile import Entry

bp = Blueprint("api", __name__)
# Pages of the lists that grow with a file (design.md §8: at most 500 per page on request).
CUES_PER_PAGE = 500
REVISIONS_PER_PAGE = 50
# A floor track may carry several languages; more than this is no recording.
MAX_AUDIO_LANGUAGES = 20


def _recordings_query():
    return recordings_query().options(
        # Only the number and cue count are shown: never load the revisions' files for a listing.
        selectinload(Recording.subtitle_tracks)
        .selectinload(SubtitleTrack.current_revision)
        .load_only(SubtitleRevision.number, SubtitleRevision.cue_count),
        selectinload(Recording.chapters).selectinload(Chapter.person),
    )


def recording_json(recording: Recording, streams: dict[int, Stream] | None = None) -> dict[str, Any]:
    """Design §8's RECORDING. For a list, pass `streams_by_recording(recordings)`: one query for every stream."""
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
        "stream": stream_json(recording, streams),
    }


@bp.get("/recordings")
@cached
def recordings() -> dict[str, Any]:
    """A page of recordings: `?page=` and `per_page=` (50 by default, at most 500), or the first 500 when
    neither is given; `total` counts them all."""
    total = db.session.scalar(select(func.count()).select_from(Recording))
    asked = "page" in request.args or "per_page" in request.args
    paging = read_paging(50 if asked else MAX_PER_PAGE, adjustable=True)
    query = _recordings_query().limit(paging.per_page).offset(paging.offset)
    page = list(db.session.scalars(query))
    streams = streams_by_recording(page)
    return {"recordings": [recording_json(r, streams) for r in page], "total": total}


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
    """The current revision's cues a page at a time (`?page=`, `per_page=` up to 500; `next` links the next
    page), and the same window over its warnings: one answer never grows with the file (design.md §8)."""
    revision = current_revision(slug, language)
    if revision is None:
        abort(404, description=f"No {language} subtitles for recording “{slug}”.")
    paging = read_paging(CUES_PER_PAGE, adjustable=True).within(revision.cue_count)
    pages = paging.pages(revision.cue_count)
    return {
        "language": language,
        "revision": revision.number,
        "total": revision.cue_count,
        "page": paging.page,
        "per_page": paging.per_page,
        "pages": pages,
        "next": _page_url(paging.page + 1, paging.per_page) if paging.page < pages else None,
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
        "warnings": [problem_dict(w) for w in page_of(revision.warnings, paging)],
    }


def _page_url(page: int, per_page: int) -> str:
    """This request's URL at another page (the other query parameters kept)."""
    args = request.args.to_dict() | {"page": str(page), "per_page": str(per_page)}
    return url_for(request.endpoint or "", **(request.view_args or {}), **args, _external=True)


# --- Writes: Bearer token of an archivist (or admin); refused input changes nothing -------------------------


def _subtitle_errors(error: SubtitleError) -> ResponseReturnValue:
    return jsonify({"errors": [p.as_dict() for p in error.problems]}), error.status


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
    return jsonify(_revision_json(revision, revision.track.current_revision_id)), 201


def _revision_json(
    revision: SubtitleRevision, current_id: int | None, warnings_shown: int = MAX_PER_PAGE
) -> dict[str, Any]:
    """A revision as the upload, restore and history answers give it; its first warnings and their count (all of
    them, a page at a time, come with its cues)."""
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
        "warning_count": len(revision.warnings),
        "warnings": [problem_dict(w) for w in revision.warnings[:warnings_shown]],
    }


@bp.get("/recordings/<slug>/subtitles/<language>/revisions")
def revisions(slug: str, language: str) -> dict[str, Any]:
    """Every revision of a track, oldest first, a page at a time; each with at most 100 of its warnings."""
    track = track_or_404(recording_or_404(slug), language)
    paging = read_paging(REVISIONS_PER_PAGE, adjustable=True)
    page, total = revision_page(track.id, paging)
    pages = paging.pages(total)
    return {
        "language": language,
        "current": db.session.scalar(
            select(SubtitleRevision.number).where(SubtitleRevision.id == track.current_revision_id)
        ),
        "total": total,
        "page": paging.page,
        "per_page": paging.per_page,
        "pages": pages,
        "next": _page_url(paging.page + 1, paging.per_page) if paging.page < pages else None,
        "revisions": [_revision_json(r, track.current_revision_id, WARNINGS_IN_A_LISTING) for r in page],
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


def _slug(body: dict[str, Any], name: str, column: Any) -> str:
    """A slug field: lower-case letters, digits and hyphens, as long as its column allows (no final new line)."""
    value = json_text(body, name, column_length(column), strip=False)
    if not SLUG_PATTERN.match(value):
        raise InvalidInput(name, "bad-slug", N_("Lower-case letters, digits and hyphens only."))
    return value


def _moment(body: dict[str, Any], name: str) -> datetime | None:
    """An ISO 8601 moment with its offset (2021-12-08T08:00:07+03:00), or None when absent."""
    text = json_text(body, name, 64, required=False)
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
        utc_year = moment.astimezone(UTC).year if moment.tzinfo else None
    except (ValueError, OverflowError):  # Year 1 at +03:00 is before the first moment datetime holds.
        utc_year = None
    if utc_year not in YEARS:
        raise InvalidInput(name, "bad-moment", N_("Use ISO 8601 with an offset, such as 2021-12-08T08:00:07+03:00."))
    return moment


@bp.post("/recordings")
def create_recording() -> ResponseReturnValue:
    """Register a recording: {"event", "workshop" (number), "slug", "title", "recorded_at", "duration_s", ...}.

    Every field is checked before anything is stored: a bad one is a 422 naming it.
    """
    api_user(Role.ARCHIVIST)
    body = json_body()
    event_slug = json_text(body, "event", column_length(Event.slug), strip=False)
    number = json_int(body, "workshop")
    slug = _slug(body, "slug", Recording.slug)
    title = json_text(body, "title", column_length(Recording.title))
    recorded_at = _moment(body, "recorded_at")
    duration = json_seconds(body, "duration_s")
    poster_url = _url(body, "poster_url", Recording.poster_url, required=False)
    workshop = db.session.scalar(
        select(Workshop).join(Workshop.event).where(Event.slug == event_slug, Workshop.number == number)
    )
    if workshop is None:
        return api_error(422, "unknown-workshop", "No workshop with that event slug and number.", field="workshop")
    if db.session.scalar(select(Recording.id).where(Recording.slug == slug)):
        return api_error(409, "exists", f"A recording “{slug}” exists already.", field="slug")
    recording = Recording(
        workshop=workshop,
        slug=slug,
        title=title,
        recorded_at=recorded_at,
        duration_ms=round(duration * 1000) if duration is not None else None,
        poster_url=poster_url,
    )
    db.session.add(recording)
    db.session.commit()
    return jsonify(recording_json(db.session.scalar(_recordings_query().where(Recording.slug == slug)))), 201


def _audio_languages(body: dict[str, Any], name: str) -> list[str]:
    """A non-empty list of language tags, each canonical (["en"], or ["en", "fr", "tr"] for the floor)."""
    languages = body.get(name)
    if not isinstance(languages, list) or not 0 < len(languages) <= MAX_AUDIO_LANGUAGES:
        raise InvalidInput(name, "bad-type", N_("Give a list of 1 to %(max)s language tags."), max=MAX_AUDIO_LANGUAGES)
    return list(dict.fromkeys(normalize_language_tag(tag, field=name) for tag in languages))


def _url(body: dict[str, Any], name: str, column: Any, *, required: bool = True) -> str | None:
    """An http(s) URL or a path on this site, as long as its column allows, with no spaces or control characters."""
    url = json_text(body, name, column_length(column), required=required, strip=False)
    if url is None:
        return None
    if not url.startswith(("http://", "https://", "/")) or any(c.isspace() or not c.isprintable() for c in url):
        raise InvalidInput(name, "bad-url", N_("Give an http or https URL, or a path on this site."))
    return url


def _mime_type(body: dict[str, Any], name: str) -> str | None:
    mime_type = json_text(body, name, column_length(AudioTrack.mime_type), required=False, strip=False)
    if mime_type is not None and not MIME_TYPE.match(mime_type):
        raise InvalidInput(name, "bad-mime-type", N_("Use a MIME type such as audio/ogg."))
    return mime_type


@bp.post("/recordings/<slug>/audio-tracks")
def create_audio_track(slug: str) -> ResponseReturnValue:
    """Add an audio track: {"slug", "kind", "languages", "label", "url", "mime_type", "default"}."""
    api_user(Role.ARCHIVIST)
    recording = recording_or_404(slug)
    body = json_body()
    track_slug = _slug(body, "slug", AudioTrack.slug)
    kind = body.get("kind")
    if not isinstance(kind, str) or kind not in {k.value for k in AudioKind}:
        raise InvalidInput("kind", "bad-kind", N_("Use interpretation or original."))
    languages = _audio_languages(body, "languages")
    label = json_text(body, "label", column_length(AudioTrack.label))
    url = _url(body, "url", AudioTrack.media_url)
    mime_type = _mime_type(body, "mime_type")
    is_default = json_bool(body, "default")
    if slug_taken(recording, track_slug):
        return api_error(409, "exists", f"This recording already has a track “{track_slug}”.", field="slug")
    add_audio_track(
        recording,
        slug=track_slug,
        kind=AudioKind(kind),
        languages=languages,
        label=label,
        media_url=url,
        mime_type=mime_type or guess_mime_type(url),
        is_default=True if is_default else None,
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
    body = json_body()
    base_revision = json_int(body, "base_revision")
    if not isinstance(body.get("msgid"), str):
        return api_error(
            422,
            "bad-json",
            "Send a JSON object with msgid, msgstr or msgstr_plural, fuzzy and base_revision.",
            field="msgid",
        )
    plural = body.get("msgstr_plural")
    if plural is not None and not (isinstance(plural, list) and all(isinstance(x, str) for x in plural)):
        return api_error(422, "bad-json", "msgstr_plural must be a list of strings.", field="msgstr_plural")
    if body.get("msgstr") is not None and not isinstance(body["msgstr"], str):
        return api_error(422, "bad-json", "msgstr must be a string.", field="msgstr")
    if any("\x00" in text for text in [body.get("msgstr") or "", *(plural or [])]):
        return api_error(422, "bad-text", "msgstr: a translation may not hold NUL characters.", field="msgstr")
    try:
        result = translation_service.save_entry(
            locale,
            domain,
            user,
            msgid=body["msgid"],
            context=body.get("context"),
            msgstr=body.get("msgstr"),
            msgstr_plural=plural,
            fuzzy=json_bool(body, "fuzzy"),
            base_revision=base_revision,
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
    """`snippet` is escaped HTML in which only <mark> is markup; `url` opens the player there; each cue's `also`
    holds what was said at that moment in the recording's other subtitle languages."""
    raw = request.args.get("q", "")
    paging = read_paging(SEARCH_PER_PAGE, max_page=SEARCH_MAX_PAGE)
    query = parse_query(raw)
    found = run_search(
        db.session,
        query,
        language=request.args.get("lang") or None,
        event=request.args.get("event") or None,
        kind=request.args.get("kind") or None,
        page=paging.page,
        per_page=paging.per_page,
    )
    return search_results(raw, found)
