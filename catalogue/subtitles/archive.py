"""The archivist's pages: coverage of every recording and language, upload with a report, history, restore."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from io import BytesIO

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.orm import load_only, selectinload

from catalogue.accounts.auth import current_account, role_required
from catalogue.accounts.models import Role
from catalogue.extensions import db
from catalogue.forms import required_text
from catalogue.i18n import language_list
from catalogue.inputs import read_paging
from catalogue.problems import problem_dict
from catalogue.recordings.models import Recording, Workshop
from catalogue.recordings.queries import recording_or_404
from catalogue.subtitles import editor as subtitle_editor
from catalogue.subtitles.forms import ConfirmForm, UploadForm
from catalogue.subtitles.models import SubtitleRevision, SubtitleTrack, SubtitleUpload
from catalogue.subtitles.parsing import SubtitleError
from catalogue.subtitles.presenting import problem_shown
from catalogue.subtitles.queries import track_or_404
from catalogue.subtitles.store import (
    bring_back_track,
    check_subtitle,
    publish_subtitle,
    restore_revision,
    retire_track,
)

bp = Blueprint("archive", __name__, url_prefix="/archive", template_folder="templates")
bp.add_app_template_filter(problem_dict, "problem")
bp.add_app_template_filter(problem_shown, "problem_shown")

# An upload waits this long for its uploader to publish it; older ones are cleared on the next upload.
PENDING_LIFETIME = timedelta(days=1)
PAGE_SIZE = 50


@bp.before_request
@role_required(Role.ARCHIVIST)
def archivists_only() -> None:
    """Every page here is for archivists (and admins)."""


@bp.get("/")
def dashboard() -> ResponseReturnValue:
    """Coverage: every recording (with its audio tracks) against every subtitle language, a page at a time."""
    total = db.session.scalar(select(func.count()).select_from(Recording)) or 0
    paging = read_paging(PAGE_SIZE).within(total)
    page, pages = paging.page, paging.pages(total)
    # Only what a cell shows: never the revisions' files.
    revision_fields = load_only(
        SubtitleRevision.number,
        SubtitleRevision.cue_count,
        SubtitleRevision.created_at,
        SubtitleRevision.uploaded_by,
        SubtitleRevision.warnings,
    )
    recordings = db.session.scalars(
        select(Recording)
        .join(Recording.workshop)
        .order_by(Workshop.event_id, Workshop.number, Recording.id)
        .limit(paging.per_page)
        .offset(paging.offset)
        .options(
            selectinload(Recording.workshop).selectinload(Workshop.event),
            selectinload(Recording.all_audio_tracks),
            selectinload(Recording.all_subtitle_tracks)
            .selectinload(SubtitleTrack.current_revision)
            .options(revision_fields),
        )
    ).all()
    # The interface languages first (every recording is expected in them), then any other subtitle language.
    languages = list(current_app.config["LANGUAGES"])
    for recording in recordings:
        languages.extend(t.language for t in recording.all_subtitle_tracks if t.language not in languages)
    # Retired tracks stay on the archivist's map, marked, so that they can be brought back.
    cells = {(r.id, t.language): t for r in recordings for t in r.all_subtitle_tracks}
    return render_template(
        "archive/dashboard.html", recordings=recordings, languages=languages, cells=cells, page=page, pages=pages
    )


@bp.route("/recordings/<slug>/subtitles/upload", methods=["GET", "POST"])
def upload(slug: str) -> ResponseReturnValue:
    """Step 1: check the file. A refused file is shown with its errors (422) and nothing is stored."""
    recording = recording_or_404(slug)
    form = UploadForm(language=request.args.get("language", ""))
    problems = None
    if form.validate_on_submit():
        data = form.file.data.read()
        filename = form.file.data.filename or ""
        try:
            parsed = check_subtitle(
                recording,
                required_text(form.language),
                data,
                filename=filename,
                # A file named .vtt without its signature is refused for that, unless it reads whole as SRT
                # (catalogue.subtitles.parsing.parse_subtitle).
                format=form.format.data or None,
                encoding=form.encoding.data or None,
            )
        except SubtitleError as error:
            problems = error.problems
            status = error.status
        else:
            db.session.execute(
                delete(SubtitleUpload).where(SubtitleUpload.created_at < datetime.now(UTC) - PENDING_LIFETIME)
            )
            pending = SubtitleUpload(
                token=secrets.token_urlsafe(24),
                recording_id=recording.id,
                language=form.language.data,
                user_id=current_account().id,
                filename=filename,
                format=parsed.format,
                encoding=form.encoding.data or None,
                data=data,
            )
            db.session.add(pending)
            db.session.commit()
            return redirect(url_for("archive.preview", token=pending.token), 303)
        return render_template("archive/upload.html", recording=recording, form=form, problems=problems), status
    status = 422 if form.is_submitted() else 200
    return render_template("archive/upload.html", recording=recording, form=form, problems=problems), status


def _pending(token: str) -> SubtitleUpload:
    pending = db.session.scalar(select(SubtitleUpload).where(SubtitleUpload.token == token))
    account = current_account()
    if pending is None or (pending.user_id != account.id and not account.has_role(Role.ADMIN)):
        abort(404)
    return pending


@bp.get("/uploads/<token>")
def preview(token: str) -> ResponseReturnValue:
    """Step 2: the report (format, encoding, cues, warnings) before anything is published."""
    pending = _pending(token)
    parsed = check_subtitle(
        pending.recording,
        pending.language,
        pending.data,
        filename=pending.filename,
        format=pending.format,
        encoding=pending.encoding,
    )
    current = db.session.scalar(
        select(SubtitleRevision)
        .join(SubtitleTrack, SubtitleTrack.current_revision_id == SubtitleRevision.id)
        .where(SubtitleTrack.recording_id == pending.recording_id, SubtitleTrack.language == pending.language)
    )
    return render_template("archive/preview.html", pending=pending, parsed=parsed, current=current, form=ConfirmForm())


@bp.post("/uploads/<token>/publish")
def publish(token: str) -> ResponseReturnValue:
    """Step 3: publish; viewers get the new revision at once."""
    pending = _pending(token)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    recording, language = pending.recording, pending.language
    revision = publish_subtitle(
        recording,
        language,
        pending.data,
        filename=pending.filename,
        format=pending.format,
        encoding=pending.encoding,
        user=current_account(),
    )
    db.session.delete(pending)
    db.session.commit()
    flash(
        _(
            "Revision %(number)s of the %(language)s subtitles is published.",
            number=revision.number,
            language=language_list([language]),
        ),
        "success",
    )
    return redirect(url_for("archive.history", slug=recording.slug, language=language), 303)


@bp.post("/uploads/<token>/discard")
def discard(token: str) -> ResponseReturnValue:
    pending = _pending(token)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    slug = pending.recording.slug
    db.session.delete(pending)
    db.session.commit()
    flash(_("The upload was discarded; nothing was published."), "info")
    return redirect(url_for("archive.upload", slug=slug), 303)


@bp.get("/recordings/<slug>/subtitles/<language>")
def history(slug: str, language: str) -> ResponseReturnValue:
    """Every revision of a track, newest first, with who, when, what file and what it held."""
    recording = recording_or_404(slug)
    track = track_or_404(recording, language)
    revisions = sorted(track.revisions, key=lambda r: r.number, reverse=True)
    return render_template(
        "archive/history.html", recording=recording, track=track, revisions=revisions, form=ConfirmForm()
    )


def _revision(track: SubtitleTrack, number: int) -> SubtitleRevision:
    revision = db.session.scalar(
        select(SubtitleRevision).where(SubtitleRevision.track_id == track.id, SubtitleRevision.number == number)
    )
    if revision is None:
        abort(404)
    return revision


@bp.get("/recordings/<slug>/subtitles/<language>/revisions/<int:number>/source")
def revision_source(slug: str, language: str, number: int) -> ResponseReturnValue:
    """The file exactly as it was uploaded. Its name is metadata, never a path."""
    revision = _revision(track_or_404(recording_or_404(slug), language), number)
    name = f"{slug}.{language}.r{number}.{revision.format}"
    return send_file(
        BytesIO(revision.source_bytes), mimetype="application/octet-stream", as_attachment=True, download_name=name
    )


@bp.get("/recordings/<slug>/subtitles/<language>/revisions/<int:number>.vtt")
def revision_vtt(slug: str, language: str, number: int) -> ResponseReturnValue:
    revision = _revision(track_or_404(recording_or_404(slug), language), number)
    return send_file(
        BytesIO(revision.vtt.encode()),
        mimetype="text/vtt",
        as_attachment=True,
        download_name=f"{slug}.{language}.r{number}.vtt",
    )


@bp.post("/recordings/<slug>/subtitles/<language>/revisions/<int:number>/restore")
def restore(slug: str, language: str, number: int) -> ResponseReturnValue:
    recording = recording_or_404(slug)
    track = track_or_404(recording, language)
    _revision(track, number)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    revision = restore_revision(track, number, user=current_account())
    flash(_("Revision %(old)s is served again, as revision %(new)s.", old=number, new=revision.number), "success")
    return redirect(url_for("archive.history", slug=slug, language=language), 303)


@bp.post("/recordings/<slug>/subtitles/<language>/retire")
def retire(slug: str, language: str) -> ResponseReturnValue:
    """Hide a track from viewers (a wrong language, a file published by mistake); its history stays."""
    return _change_visibility(
        slug,
        language,
        retire_track,
        _("These subtitles are retired: viewers no longer see them. Every revision is kept."),
    )


@bp.post("/recordings/<slug>/subtitles/<language>/bring-back")
def bring_back(slug: str, language: str) -> ResponseReturnValue:
    return _change_visibility(slug, language, bring_back_track, _("These subtitles are shown to viewers again."))


def _change_visibility(
    slug: str, language: str, change: Callable[[SubtitleTrack], None], done: str
) -> ResponseReturnValue:
    track = track_or_404(recording_or_404(slug), language)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    change(track)
    flash(done, "success")
    return redirect(url_for("archive.history", slug=slug, language=language), 303)


@bp.get("/recordings/<slug>/subtitles/<language>/edit")
def editor(slug: str, language: str) -> ResponseReturnValue:
    """The subtitle editor beside the player: the current revision's cues, edited in place, saved as a new one."""
    recording = recording_or_404(slug)
    track = track_or_404(recording, language)
    revision = track.current_revision
    if revision is None:
        abort(404)
    describe_stream = current_app.extensions.get("catalogue_stream_json")  # From media, when the app has it.
    stream = describe_stream(recording) if describe_stream else None
    return render_template(
        "archive/editor.html",
        recording=recording,
        track=track,
        revision=revision,
        audio=recording.default_audio,
        hls=stream.get("hls") if stream else None,
        data=subtitle_editor.page_data(recording, track, revision),
    )


@bp.post("/recordings/<slug>/subtitles/<language>/edits")
def save_edits(slug: str, language: str) -> ResponseReturnValue:
    """The editor's save: the edits API's body and answers, for the signed-in archivist (CSRF token in the
    X-CSRFToken header; see catalogue.subtitles.editor for why not the API itself)."""
    recording = recording_or_404(slug)
    track = track_or_404(recording, language)
    body, status = subtitle_editor.save(recording, track, current_account())
    return jsonify(body), status
