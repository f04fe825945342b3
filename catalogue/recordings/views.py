"""Browse the catalogue and watch a recording with the audio and subtitles a viewer chooses."""

from __future__ import annotations

import json
import math
from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, request, send_from_directory
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import Text, and_, cast, func, select
from sqlalchemy.orm import selectinload

from catalogue.extensions import db
from catalogue.i18n import by_language_name, content_text, language_list, locale_code
from catalogue.inputs import read_paging
from catalogue.pagecache import cached
from catalogue.recordings.content import person_affiliation, person_name
from catalogue.recordings.models import AudioKind, AudioTrack, Event, Recording, Role, Workshop
from catalogue.recordings.queries import recordings_query

bp = Blueprint("recordings", __name__, template_folder="templates")
PAGE_SIZE = 24

ROLE_LABELS = {
    Role.MODERATOR: lambda: _("Moderation"),
    Role.INTRODUCTION: lambda: _("Introduction"),
    Role.SPEAKER: lambda: _("Speaker"),
    Role.CONCLUSION: lambda: _("Conclusion"),
}


def role_label(role: Role | None) -> str:
    return ROLE_LABELS[role]() if role else ""


def audio_label(track: AudioTrack) -> str:
    """The track's name in the interface language: its label as translated in the `content` domain, or else
    a name derived from what is heard on it."""
    if locale_code() != "en":
        translated = content_text(track.label, "audio track label")
        if translated.translated:
            return translated.text
    if track.kind == AudioKind.INTERPRETATION:
        return _("%(language)s interpretation", language=language_list(track.languages))
    return _("Original floor audio (%(languages)s)", languages=language_list(track.languages))


@bp.app_context_processor
def recording_helpers() -> dict[str, object]:
    return {
        "role_label": role_label,
        "audio_label": audio_label,
        "person_name": person_name,
        "person_affiliation": person_affiliation,
        "Role": Role,
    }


@bp.get("/")
@cached
def home() -> ResponseReturnValue:
    """The catalogue, filtered by audio and subtitle language, a page at a time.

    The filters and the page run in SQL; only the page's recordings are loaded in full.
    """
    # Subtitle tracks through the relationship: recordings sits below subtitles and does not import it.
    track = Recording.subtitle_tracks.property.mapper.class_
    published = and_(track.current_revision_id.is_not(None), track.retired_at.is_(None))
    # Audio languages are a JSON list per track: its few distinct spellings, not every track, are read.
    languages_json = cast(AudioTrack.languages, Text)
    live_audio = AudioTrack.retired_at.is_(None)
    spellings_by_kind = db.session.execute(select(AudioTrack.kind, languages_json).where(live_audio).distinct()).all()
    heard = {text: set(json.loads(text)) for _kind, text in spellings_by_kind}
    subtitled = db.session.scalars(select(track.language).where(published).distinct()).all()
    # On which kind of track each language is heard: French on the floor track is no French interpretation.
    heard_as: dict[str, set[str]] = {}
    for kind, text in spellings_by_kind:
        for code in heard[text]:
            heard_as.setdefault(code, set()).add(kind.value)

    audio = request.args.get("audio", "")
    subs = request.args.get("subs", "")
    filters = []
    if audio:
        spellings = [text for text, codes in heard.items() if audio in codes]
        filters.append(
            Recording.id.in_(select(AudioTrack.recording_id).where(live_audio, languages_json.in_(spellings)))
        )
    if subs:
        filters.append(Recording.id.in_(select(track.recording_id).where(track.language == subs, published)))
    total = db.session.execute(select(func.count()).select_from(Recording)).scalar_one()
    shown = (
        db.session.execute(select(func.count()).select_from(Recording).where(*filters)).scalar_one()
        if filters
        else total
    )
    paging = read_paging(PAGE_SIZE).within(shown)
    page, pages = paging.page, paging.pages(shown)
    window = db.session.scalars(
        select(Recording.id)
        .join(Recording.workshop)
        .where(*filters)
        .order_by(Workshop.event_id, Workshop.number, Recording.id)
        .limit(paging.per_page)
        .offset(paging.offset)
    ).all()
    loaded = {r.id: r for r in db.session.scalars(recordings_query().where(Recording.id.in_(window)))}
    events = list(db.session.scalars(select(Event).order_by(Event.starts_on.desc())))
    return render_template(
        "recordings/home.html",
        recordings=[loaded[i] for i in window],
        shown=shown,
        total=total,
        page=page,
        pages=pages,
        events=events,
        audio_options=by_language_name(set().union(*heard.values())),
        heard_as=heard_as,
        subtitle_options=by_language_name(subtitled),
        audio=audio,
        subs=subs,
    )


@bp.get("/events/<slug>")
@cached
def event(slug: str) -> ResponseReturnValue:
    found = db.session.scalar(
        select(Event)
        .where(Event.slug == slug)
        .options(
            selectinload(Event.workshops).selectinload(Workshop.participations),
            selectinload(Event.workshops).selectinload(Workshop.recordings).selectinload(Recording.audio_tracks),
            selectinload(Event.workshops).selectinload(Workshop.recordings).selectinload(Recording.subtitle_tracks),
        )
    )
    if found is None:
        abort(404)
    return render_template("recordings/event.html", event=found)


def _start_seconds(raw: str | None, duration_ms: int | None) -> float:
    """A deep link's `t`, clamped into the recording: negative is 0, past the end is the end."""
    try:
        seconds = float(raw) if raw else 0.0
    except ValueError:
        seconds = 0.0
    if not math.isfinite(seconds) or seconds < 0:
        return 0.0
    if duration_ms is not None:
        seconds = min(seconds, duration_ms / 1000)
    return round(seconds, 3)


def stream_of(recording: Recording) -> dict[str, object] | None:
    """The recording's stream as the API describes it (design.md §8: hls, poster, state, audio renditions), from
    the media package: it sits above recordings and offers this function to the app (recordings never imports it).
    None in an app without media."""
    describe = current_app.extensions.get("catalogue_stream_json")
    return describe(recording) if describe else None


@bp.get("/recordings/<slug>")
@cached
def watch(slug: str) -> ResponseReturnValue:
    recording = db.session.scalar(
        select(Recording)
        .where(Recording.slug == slug)
        .options(
            selectinload(Recording.workshop).selectinload(Workshop.event),
            selectinload(Recording.workshop).selectinload(Workshop.participations),
            selectinload(Recording.audio_tracks),
            selectinload(Recording.subtitle_tracks),
            selectinload(Recording.chapters),
        )
    )
    if recording is None or not recording.audio_tracks:
        abort(404)
    subtitles = recording.published_subtitles
    subtitle_languages = [t.language for t in subtitles]

    audio = recording.default_audio
    if "audio" in request.args:
        audio = next((t for t in recording.audio_tracks if t.slug == request.args["audio"]), None)
        if audio is None:
            abort(404)

    subs = request.args.get("subs")
    if subs is None:
        # Default: subtitles in the interface language when that track exists, else none.
        subs = locale_code() if locale_code() in subtitle_languages else "off"
    elif subs != "off" and subs not in subtitle_languages:
        abort(404)

    return render_template(
        "recordings/watch.html",
        recording=recording,
        workshop=recording.workshop,
        event=recording.workshop.event,
        subtitles=subtitles,
        audio=audio,
        subs=subs,
        start=_start_seconds(request.args.get("t"), recording.duration_ms),
        step_back=current_app.config["CATALOGUE_INTERPRETATION_STEP_BACK_S"],
        stream=stream_of(recording),
    )


@bp.get("/media/<path:filename>")
def media(filename: str) -> ResponseReturnValue:
    """Local media files, with Range and conditional requests so players can seek."""
    return send_from_directory(Path(current_app.config["CATALOGUE_MEDIA_DIR"]), filename, max_age=3600)
