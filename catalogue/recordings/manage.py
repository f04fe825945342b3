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
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import FileStorage
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3; stubs are 3.2

from catalogue.accounts.auth import role_required
from catalogue.accounts.models import Role
from catalogue.extensions import db
from catalogue.forms import TypedForm, add_error, required_text
from catalogue.i18n import content_text
from catalogue.inputs import InvalidInput
from catalogue.recordings.forms import AudioTrackForm, RecordingForm, language_tags, parse_duration_ms
from catalogue.recordings.models import AudioTrack, Recording, Workshop
from catalogue.recordings.queries import recording_or_404
from catalogue.recordings.services import (
    bring_back_audio_track,
    create_audio_track,
    register_recording,
    retire_audio_track,
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


def save_media(upload: FileStorage) -> tuple[str, str]:
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


def workshop_choice(workshop: Workshop) -> str:
    """A workshop as a whole sentence in the reader's language, its event and title from the `content` domain."""
    event = workshop.event
    return _(
        "%(event)s · Thematic workshop %(number)s: %(title)s",
        event=content_text(event.title, "event title", event.original_language).text,
        number=workshop.number,
        title=content_text(workshop.title, "workshop title", event.original_language).text,
    )


@bp.route("/new", methods=["GET", "POST"])
def new_recording() -> ResponseReturnValue:
    form = RecordingForm()
    workshops = db.session.scalars(
        select(Workshop).options(selectinload(Workshop.event)).order_by(Workshop.event_id, Workshop.number)
    ).all()
    form.workshop.choices = [SelectChoice(w.id, workshop_choice(w)) for w in workshops]
    if form.validate_on_submit():
        workshop = db.session.get(Workshop, form.workshop.data)
        if workshop is None:  # deleted since the list was read: refused like any other value (422)
            add_error(form.workshop, _("This workshop no longer exists. Choose another one."))
        else:
            try:
                recording = register_recording(
                    workshop,
                    slug=form.slug.data,
                    title=form.title.data,
                    recorded_at=parse_local_time(form.recorded_at.data, workshop.event.timezone),
                    duration_ms=parse_duration_ms(form.duration.data),
                    poster_url=form.poster_url.data,
                )
            except InvalidInput as refused:  # A slug taken, or a check only the whole recording can make.
                add_error(form[refused.field], refused.reason)
            else:
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
            add_error(form.media_url, str(error))
        else:
            try:
                create_audio_track(
                    recording,
                    slug=form.slug.data,
                    kind=form.kind.data,
                    languages=language_tags(required_text(form.languages)),
                    label=form.label.data,
                    media_url=media_url,
                    mime_type=mime_type,
                    is_default=bool(form.is_default.data),
                )
            except InvalidInput as refused:  # The API's field names: `url` is this form's media_url.
                add_error(form["media_url" if refused.field == "url" else refused.field], refused.reason)
            else:
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
    if not TypedForm().validate_on_submit():
        abort(400)
    retire_audio_track(track)
    flash(_("The audio track is retired: viewers no longer see it."), "success")
    return redirect(url_for("manage.audio_tracks", slug=slug), 303)


@bp.post("/<slug>/audio/<track_slug>/bring-back")
def bring_back_audio(slug: str, track_slug: str) -> ResponseReturnValue:
    track = _audio_track_or_404(recording_or_404(slug), track_slug)
    if not TypedForm().validate_on_submit():
        abort(400)
    bring_back_audio_track(track)
    flash(_("The audio track is offered to viewers again."), "success")
    return redirect(url_for("manage.audio_tracks", slug=slug), 303)
