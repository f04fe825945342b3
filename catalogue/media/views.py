"""The packaged streams as files, and the archivist's media page.

Files: `/media/<slug>/hls/master.m3u8` and the content-versioned folder under it. The master playlist is read
through the recording's stream row, so it switches to a new folder exactly when the database does, and is
revalidated by players (no-cache, with an ETag). Everything else sits in a folder whose name changes with every
packaging and which is never rewritten: cached for a year, `immutable`, served with Range requests. Both are
plain files a CDN or any web server can serve as well.

The media page (`/archive/recordings/<slug>/media`): add a media file in the browser, follow its packaging,
package again after a failure. Its status endpoint is JSON for the page's own script, with the session's
sign-in (the API's `GET /jobs/<id>` wants a Bearer token, which a browser page does not hold).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from babel.numbers import format_decimal, format_percent
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.security import safe_join
from werkzeug.wrappers import Response

from catalogue.accounts.auth import csrf_exempt, role_required
from catalogue.accounts.models import Role
from catalogue.forms import TypedForm, add_error, required_text
from catalogue.i18n import locale_code
from catalogue.inputs import InvalidInput
from catalogue.jobs.models import Job
from catalogue.jobs.queries import job_json, latest_job
from catalogue.media import services
from catalogue.media.ffmpeg import MediaError
from catalogue.media.forms import MediaForm
from catalogue.media.packaging import MASTER, prefixed_master
from catalogue.media.queries import media_dir, published_stream, recording_or_404, sources_for, stream_for, stream_json
from catalogue.media.services import VERSION
from catalogue.problems import problem_dict
from catalogue.recordings.models import Recording

bp = Blueprint("media", __name__, template_folder="templates")


@bp.record_once
def _offer_stream_json(state: Any) -> None:
    """The watch page (catalogue.recordings, below media) describes a recording's stream with this function,
    found in the app's extensions: recordings never imports media."""
    state.app.extensions["catalogue_stream_json"] = stream_json


PLAYLIST = "application/vnd.apple.mpegurl"
MIME_TYPES = {
    ".m3u8": PLAYLIST,
    ".m4s": "video/mp4",
    ".mp4": "video/mp4",
    ".vtt": "text/vtt; charset=utf-8",
    ".jpg": "image/jpeg",
}
YEAR_S = 365 * 24 * 3600


def _public(response: Response) -> Response:
    # Players on other sites (design §8: "other people's players") may fetch these with hls.js.
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/media/<slug>/hls/master.m3u8")
def master(slug: str) -> ResponseReturnValue:
    """The published stream's multivariant playlist, its URIs pointing into the current folder."""
    stream = published_stream(slug)
    if stream is None or stream.folder is None:
        abort(404)
    folder = media_dir() / stream.folder
    try:
        text = prefixed_master((folder / MASTER).read_text(encoding="utf-8"), folder.name)
    except FileNotFoundError:
        abort(404)
    response = make_response(text)
    response.mimetype = PLAYLIST
    response.set_etag(hashlib.sha256(text.encode()).hexdigest()[:32])
    response.cache_control.public = True
    response.cache_control.no_cache = True
    return _public(response.make_conditional(request))


@bp.get("/media/<slug>/hls/<version>/<path:name>")
def hls_file(slug: str, version: str, name: str) -> ResponseReturnValue:
    """A file of a packaged folder (playlist, init or media segment, poster, thumbnails), never rewritten."""
    folder = safe_join(str(media_dir()), slug, "hls", version)
    if folder is None or not VERSION.match(version):
        abort(404)
    mimetype = MIME_TYPES.get(Path(name).suffix.lower())
    if mimetype is None:
        abort(404)
    response = send_from_directory(folder, name, mimetype=mimetype, max_age=YEAR_S, conditional=True)
    response.cache_control.public = True
    response.cache_control.immutable = True
    return _public(response)


# --- the archivist's media page ---------------------------------------------------------------------------

ARCHIVE = "/archive/recordings/<slug>/media"
# Room for the form's other fields and the multipart boundaries around the file.
FORM_OVERHEAD_BYTES = 1024 * 1024
ACTIVE = ("queued", "running")


def _size(size_bytes: int) -> str:
    """A file size in megabytes, written the reader's way ("12,5 Mo" is for the translators: MB here)."""
    return _("%(megabytes)s MB", megabytes=format_decimal(round(size_bytes / 1e6, 1), locale=locale_code()))


def _packaging(recording: Recording) -> dict[str, Any]:
    """What the page and its status endpoint say about the packaging: the stream's state, whether a stream is
    published (it keeps playing whatever a newer job does), and the latest job with its progress or error."""
    stream = stream_for(recording)
    # The latest job of the recording: a fetch of a file from the web, or a packaging.
    job: Job | None = latest_job(recording.id)
    described = job_json(job) if job is not None else None
    if described is not None:
        described["percent"] = format_percent(described["progress"], locale=locale_code())
    return {
        "state": stream.state.value if stream is not None else "none",
        "published": bool(stream is not None and stream.folder),
        "published_at": stream.published_at if stream is not None else None,
        "job": described,
        # The latest job downloads a file from the web (then a packaging follows).
        "fetching": job is not None and job.kind == services.FETCH_KIND,
    }


def _fetch_media(recording: Recording, form: MediaForm) -> int:
    """No file sent: fetch the one at the address given (in the background), or say that one of them is needed."""
    url = (form.url.data or "").strip()
    if not url:
        add_error(form.file, _("Choose a media file, or give its address on the web."))
        return 422
    try:
        services.add_from_url(recording, url, form.kind.data, required_text(form.languages), form.label.data)
    except InvalidInput as error:
        add_error(getattr(form, error.field, form.url), error.reason)
        return 422
    flash(_("The file at that address is being fetched; its packaging follows."), "success")
    return 303


def _add_media(recording: Recording, form: MediaForm) -> int:
    """Keep the uploaded file and queue its packaging: 303 on success, else the status the page answers with
    (the reason is on the form's fields)."""
    upload = form.file.data
    if not upload or not upload.filename:
        return _fetch_media(recording, form)
    add = services.add_each_stream if form.each_stream.data else services.add_source_as_list
    try:
        every_added = add(
            recording, upload, form.kind.data, required_text(form.languages), form.label.data, filename=upload.filename
        )
    except InvalidInput as error:
        add_error(getattr(form, error.field, form.file), error.reason)
        return 422
    except MediaError as error:
        add_error(form.file, error.problem.message)
        return error.status
    for added in every_added:
        flash(
            _(
                "“%(file)s” is kept as the audio track “%(track)s”; its packaging is queued.",
                file=added.source.original_filename,
                track=added.track.label,
            ),
            "success",
        )
        for warning in added.warnings:
            flash(warning.message, "warning")
    return 303


@bp.route(ARCHIVE, methods=["GET", "POST"])
@csrf_exempt  # Checked by the form itself, after the request limit is lifted for the file (below).
@role_required(Role.ARCHIVIST)
def manage(slug: str) -> ResponseReturnValue:
    """The recording's media files, its stream and packaging, and the form to add a file.

    The site-wide CSRF check would read the form under the subtitle-sized request limit; this view lifts the
    limit to CATALOGUE_MAX_MEDIA_BYTES first, and MediaForm checks the CSRF token as every FlaskForm does.
    """
    recording = recording_or_404(slug)
    limit = current_app.config["CATALOGUE_MAX_MEDIA_BYTES"]
    form_status = 200
    if request.method == "POST":
        if request.content_length is not None and request.content_length > limit + FORM_OVERHEAD_BYTES:
            abort(413)
        request.max_content_length = limit + FORM_OVERHEAD_BYTES
    form = MediaForm()
    if form.validate_on_submit():
        form_status = _add_media(recording, form)
        if form_status == 303:
            return redirect(url_for("media.manage", slug=slug), 303)
    elif form.is_submitted():
        form_status = 422
    sources = [
        {
            "source": source,
            "size": _size(source.size_bytes),
            "warnings": [problem_dict(w)["message"] for w in source.warnings or []],
        }
        for source in sources_for(recording)
    ]
    return render_template(
        "media/manage.html",
        recording=recording,
        form=form,
        sources=sources,
        packaging=_packaging(recording),
        limit=_size(limit),
        active=ACTIVE,
    ), form_status


@bp.post(ARCHIVE + "/package")
@role_required(Role.ARCHIVIST)
def package(slug: str) -> ResponseReturnValue:
    """Package the recording again from its files (after a failure): the stream being served stays until the
    new one is ready."""
    recording = recording_or_404(slug)
    if not TypedForm().validate_on_submit():
        abort(400)
    try:
        services.queue_packaging(recording)
    except MediaError as error:
        flash(error.problem.message, "error")
    else:
        flash(_("The packaging is queued again. The current stream plays until the new one is ready."), "success")
    return redirect(url_for("media.manage", slug=slug), 303)


@bp.get(ARCHIVE + "/status")
@role_required(Role.ARCHIVIST)
def status(slug: str) -> ResponseReturnValue:
    """The packaging's state and progress for the media page's script (the session's sign-in; read only)."""
    packaging = _packaging(recording_or_404(slug))
    packaging.pop("published_at")
    response = make_response(packaging)
    response.cache_control.no_store = True
    return response
