"""Browse the catalogue and watch a recording with the audio and subtitles a viewer chooses."""

from __future__ import annotations

import math
from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, request, send_from_directory
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from catalogue.extensions import db
from catalogue.i18n import content_text, language_list, language_name, locale_code
from catalogue.recordings.models import AudioKind, AudioTrack, Event, Recording, Role, Workshop

bp = Blueprint("recordings", __name__, template_folder="templates")

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


def recordings_query():
    """Every recording in catalogue order, with what a listing shows loaded in a few queries (no N+1)."""
    return (
        select(Recording)
        .join(Recording.workshop)
        .order_by(Workshop.event_id, Workshop.number, Recording.id)
        .options(
            selectinload(Recording.workshop).selectinload(Workshop.event),
            selectinload(Recording.workshop).selectinload(Workshop.participations),
            selectinload(Recording.audio_tracks),
            selectinload(Recording.subtitle_tracks),
        )
    )


def recording_or_404(slug: str) -> Recording:
    """The recording a URL names; a 404 (a page, or JSON under /api) that says so otherwise."""
    return db.first_or_404(select(Recording).where(Recording.slug == slug), description=f"No recording “{slug}”.")


@bp.app_context_processor
def recording_helpers() -> dict[str, object]:
    return {"role_label": role_label, "audio_label": audio_label, "Role": Role}


@bp.get("/")
def home() -> ResponseReturnValue:
    recordings = list(db.session.scalars(recordings_query()))
    audio_options = sorted({lang for r in recordings for lang in r.audio_languages}, key=language_name)
    subtitle_options = sorted({t.language for r in recordings for t in r.published_subtitles}, key=language_name)
    audio = request.args.get("audio", "")
    subs = request.args.get("subs", "")
    shown = [
        r
        for r in recordings
        if (not audio or audio in r.audio_languages)
        and (not subs or subs in {t.language for t in r.published_subtitles})
    ]
    events = list(db.session.scalars(select(Event).order_by(Event.starts_on.desc())))
    return render_template(
        "recordings/home.html",
        recordings=shown,
        total=len(recordings),
        events=events,
        audio_options=audio_options,
        subtitle_options=subtitle_options,
        audio=audio,
        subs=subs,
    )


@bp.get("/events/<slug>")
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


@bp.get("/recordings/<slug>")
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
    )


@bp.get("/media/<path:filename>")
def media(filename: str) -> ResponseReturnValue:
    """Local media files, with Range and conditional requests so players can seek."""
    return send_from_directory(Path(current_app.config["CATALOGUE_MEDIA_DIR"]), filename, max_age=3600)
