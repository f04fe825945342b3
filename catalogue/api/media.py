"""The media API (design.md §8): add a media file to a recording, and follow the packaging job it queues.

Attached to the API blueprint (catalogue.api.blueprint); catalogue.api.init_app imports it before registering it.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from catalogue.accounts.auth import api_user
from catalogue.accounts.models import Role
from catalogue.api.blueprint import bp
from catalogue.errors import api_error
from catalogue.inputs import InvalidInput
from catalogue.jobs.queries import job_json, job_or_404, job_url
from catalogue.media import services
from catalogue.media.ffmpeg import MediaError
from catalogue.media.queries import recording_or_404
from catalogue.problems import N_
from catalogue.recordings.models import Recording

# Room for the form's other fields and the multipart boundaries around the file.
FORM_OVERHEAD_BYTES = 1024 * 1024


def _media_error(error: MediaError) -> ResponseReturnValue:
    return api_error(error.status, error.problem.code, error.problem.message, field="file")


def _track_json(added: services.Added) -> dict[str, Any]:
    track = added.track
    return {"id": track.id, "slug": track.slug, "label": track.label, "languages": track.languages}


def _fetch(recording: Recording) -> ResponseReturnValue:
    """`url` instead of `file`: 202 with the fetch job; once the file is in, the worker queues its packaging."""
    form = request.form
    job = services.add_from_url(
        recording, form["url"], form.get("kind", ""), form.get("languages", ""), form.get("label")
    )
    response = jsonify({"job": {"id": job.id, "state": job.state.value, "url": job_url(job)}, "warnings": []})
    response.headers["Location"] = job_url(job)
    return response, 202


@bp.post("/recordings/<slug>/media")
def add_media(slug: str) -> ResponseReturnValue:
    """Multipart `file`, `kind` (original|interpretation), `languages` (en or en,fr,tr), optional `label`:
    202 with the packaging job to poll. Every field and the file are checked before anything is stored."""
    api_user(Role.ARCHIVIST)
    recording = recording_or_404(slug)
    limit = current_app.config["CATALOGUE_MAX_MEDIA_BYTES"]
    if request.content_length is not None and request.content_length > limit + FORM_OVERHEAD_BYTES:
        message = _("Media files may be up to %(limit)s bytes.", limit=limit)
        return api_error(413, "too-large", message, field="file")
    # Media files are far larger than subtitle files: lift the app's request limit for this route only.
    request.max_content_length = limit + FORM_OVERHEAD_BYTES
    upload = request.files.get("file") if request.mimetype == "multipart/form-data" else None
    if (upload is None or not upload.filename) and request.form.get("url"):
        return _fetch(recording)
    if upload is None or not upload.filename:
        raise InvalidInput(
            "file", "missing-field", N_("Send the media file as the multipart field “file”, or its address as “url”.")
        )
    kind = services.source_kind(request.form.get("kind"))
    languages = services.source_languages(request.form.get("languages"))
    label = services.source_label(request.form.get("label"))
    each_stream = request.form.get("each_stream", "").lower() in ("1", "true", "on")
    add = services.add_each_stream if each_stream else services.add_source_as_list
    try:
        every_added = add(recording, upload, kind, languages, label, filename=upload.filename)
    except MediaError as error:
        return _media_error(error)
    added = every_added[0]
    body: dict[str, Any] = {
        "job": {"id": added.job.id, "state": added.job.state.value, "url": job_url(added.job)},
        "audio_track": _track_json(added),
        "warnings": [w.as_dict() for w in added.warnings],
    }
    if each_stream:
        # One track per audio stream of the file; `audio_track` is the first, as without each_stream.
        body["audio_tracks"] = [_track_json(a) for a in every_added]
    response = jsonify(body)
    response.headers["Location"] = job_url(added.job)
    return response, 202


@bp.get("/jobs/<int:job_id>", endpoint="job")
def job(job_id: int) -> dict[str, Any]:
    """A background job: {"id", "state", "progress", "error"} (archivists and admins)."""
    api_user(Role.ARCHIVIST)
    return job_json(job_or_404(job_id))
