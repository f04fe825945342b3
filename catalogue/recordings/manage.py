"""Archivists register recordings and their audio tracks (media by URL, or uploaded and served with ranges)."""

from __future__ import annotations

import mimetypes
import secrets
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from catalogue.accounts.auth import role_required
from catalogue.accounts.models import Role
from catalogue.extensions import db
from catalogue.recordings.forms import AudioTrackForm, RecordingForm, language_tags, parse_duration_ms
from catalogue.recordings.models import AudioKind, AudioTrack, Recording, Workshop
from catalogue.recordings.queries import recording_or_404
from catalogue.recordings.services import (
    add_audio_track,
    bring_back_audio_track,
    guess_mime_type,
    retire_audio_track,
    slug_taken,
)

bp = Blueprint("manage", __name__, url_prefix="/archive/recordings", template_folder="templates")

MEDIA_SUFFIXES = {".opus", ".ogg", ".oga", ".mp3", ".m4a", ".aac", ".wav", ".flac", ".webm", ".mp4", ".mkv"}


@bp.before_request
@role_required(Role.ARCHIVIST)
def archivists_only() -> None:
    """Registering recordings is archivists' work."""


def parse_local_time(text: str | None, timezone: str) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(text.replace(" ", "T")).replace(tzinfo=ZoneInfo(timezone))


def save_media(upload) -> tuple[str, str]:
    """Store an uploaded media file under a name of our own (the uploader's name is never a path)."""
    suffix = Path(upload.filename or "").suffix.lower()
    if suffix not in MEDIA_SUFFIXES:
        raise ValueError(_("Media files must be one of: %(suffixes)s.", suffixes=", ".join(sorted(MEDIA_SUFFIXES))))
    name = secrets.token_hex(12) + suffix
    folder = Path(current_app.config["CATALOGUE_MEDIA_DIR"]) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / (name + ".part")
    upload.save(partial)
    partial.replace(folder / name)  # Atomic: a half-written file is never served.
    return f"/media/uploads/{name}", mimetypes.guess_type(name)[0] or "application/octet-stream"


@bp.route("/new", methods=["GET", "POST"])
def new_recording() -> ResponseReturnValue:
    form = RecordingForm()
    workshops = db.session.scalars(
        select(Workshop).options(selectinload(Workshop.event)).order_by(Workshop.event_id, Workshop.number)
    ).all()
    form.workshop.choices = [SelectChoice(w.id, f"{w.event.title} · {w.number}. {w.title}") for w in workshops]
    if form.validate_on_submit():
        workshop = db.session.get(Workshop, form.workshop.data)
        if db.session.scalar(select(Recording.id).where(Recording.slug == form.slug.data)):
            form.slug.errors.append(_("Another recording already uses this name."))
        else:
            recording = Recording(
                workshop=workshop,
                slug=form.slug.data,
                title=form.title.data,
                recorded_at=parse_local_time(form.recorded_at.data, workshop.event.timezone),
                duration_ms=parse_duration_ms(form.duration.data),
                poster_url=form.poster_url.data or None,
            )
            db.session.add(recording)
            db.session.commit()
            flash(_("The recording is registered. Now add its audio tracks."), "success")
            return redirect(url_for("manage.audio_tracks", slug=recording.slug), 303)
    status = 422 if form.is_submitted() else 200
    return render_template("manage/recording.html", form=form), status


@bp.route("/<slug>/audio", methods=["GET", "POST"])
def audio_tracks(slug: str) -> ResponseReturnValue:
    recording = recording_or_404(slug)
    # Media files may be far larger than subtitle files: lift the request limit for this form only.
    request.max_content_length = current_app.config["CATALOGUE_MAX_MEDIA_BYTES"]
    form = AudioTrackForm()
    if form.validate_on_submit():
        media_url, mime_type = form.media_url.data, form.mime_type.data
        try:
            if form.media_file.data:
                media_url, guessed = save_media(form.media_file.data)
                mime_type = mime_type or guessed
            elif not media_url:
                raise ValueError(_("Give a media URL or upload a file."))
        except ValueError as error:
            form.media_url.errors.append(str(error))
        else:
            if slug_taken(recording, form.slug.data):
                form.slug.errors.append(_("This recording already has a track with this name."))
            else:
                add_audio_track(
                    recording,
                    slug=form.slug.data,
                    kind=AudioKind(form.kind.data),
                    languages=language_tags(form.languages.data),
                    label=form.label.data,
                    media_url=media_url,
                    mime_type=mime_type or guess_mime_type(media_url),
                    is_default=True if form.is_default.data else None,
                )
                db.session.commit()
                flash(_("The audio track is added."), "success")
                return redirect(url_for("manage.audio_tracks", slug=slug), 303)
    status = 422 if form.is_submitted() else 200
    return render_template("manage/audio.html", recording=recording, form=form), status


def _audio_track_or_404(recording: Recording, track_slug: str) -> AudioTrack:
    track = next((t for t in recording.all_audio_tracks if t.slug == track_slug), None)
    if track is None:
        abort(404)
    return track


@bp.post("/<slug>/audio/<track_slug>/retire")
def retire_audio(slug: str, track_slug: str) -> ResponseReturnValue:
    """Hide an audio track from viewers (a wrong file, a wrong language); it stays in the archive."""
    track = _audio_track_or_404(recording_or_404(slug), track_slug)
    if not FlaskForm().validate_on_submit():
        abort(400)
    retire_audio_track(track)
    flash(_("The audio track is retired: viewers no longer see it."), "success")
    return redirect(url_for("manage.audio_tracks", slug=slug), 303)


@bp.post("/<slug>/audio/<track_slug>/bring-back")
def bring_back_audio(slug: str, track_slug: str) -> ResponseReturnValue:
    track = _audio_track_or_404(recording_or_404(slug), track_slug)
    if not FlaskForm().validate_on_submit():
        abort(400)
    bring_back_audio_track(track)
    flash(_("The audio track is offered to viewers again."), "success")
    return redirect(url_for("manage.audio_tracks", slug=slug), 303)
