"""Subtitle files as players and download managers fetch them: WebVTT for <track>, SRT for other tools."""

from __future__ import annotations

from flask import Blueprint, Response, abort, request
from werkzeug.http import quote_etag

from catalogue.i18n import format_timestamp
from catalogue.pagecache import cached
from catalogue.subtitles.queries import current_etag, current_revision
from catalogue.subtitles.writing import to_srt

bp = Blueprint("subtitles", __name__)


def _file_response(body: str, content_type: str, etag: str, download_name: str | None) -> Response:
    response = Response(body, content_type=content_type)
    response.set_etag(etag)
    # Revalidate every time: a new revision must reach viewers at once, and a 304 costs almost nothing.
    response.cache_control.public = True
    response.cache_control.no_cache = True
    if download_name:
        response.headers["Content-Disposition"] = f'attachment; filename="{download_name}"'
    response.make_conditional(request)  # in place (it returns the response, typed as werkzeug's)
    return response


def _not_modified(etag: str) -> Response:
    """The 304 a revalidation gets, with the headers _file_response() would leave on it (werkzeug drops the body
    and entity headers of a 304; the server dates it): built directly, on the path players hit most."""
    headers = [("ETag", quote_etag(etag)), ("Cache-Control", "public, no-cache")]
    # The file's type, not Flask's default text/html, after which the cache headers would look for a signed-in
    # user to mark a page private: a fifth of a revalidation's time. Werkzeug drops it from a 304 anyway.
    return Response(status=304, headers=headers, mimetype="text/vtt")


@bp.get("/recordings/<slug>/subtitles/<language>.vtt")
@cached(by_language=False)
def vtt_file(slug: str, language: str) -> Response:
    etag = current_etag(slug, language)
    if etag is None:
        abort(404)
    if request.if_none_match.contains(etag):
        # Players revalidate often: answer without reading the file from the database.
        return _not_modified(etag)
    revision = current_revision(slug, language)
    if revision is None:
        abort(404)  # Replaced between the two reads by a retirement: as if it had come first.
    download = f"{slug}.{language}.vtt" if "download" in request.args else None
    return _file_response(revision.vtt, "text/vtt; charset=utf-8", revision.etag, download)


@bp.get("/recordings/<slug>/subtitles/<language>.srt")
@cached(by_language=False)
def srt_file(slug: str, language: str) -> Response:
    revision = current_revision(slug, language)
    if revision is None:
        abort(404)
    return _file_response(
        to_srt(revision.cues), "application/x-subrip; charset=utf-8", f"{revision.etag}-srt", f"{slug}.{language}.srt"
    )


@bp.get("/recordings/<slug>/subtitles/<language>.txt")
@cached(by_language=False)
def text_file(slug: str, language: str) -> Response:
    """The transcript to read: one line per cue, `[m:ss] Voice: text` (`[h:mm:ss]` past an hour)."""
    revision = current_revision(slug, language)
    if revision is None:
        abort(404)
    lines = []
    for cue in revision.cues:
        text = " ".join(part.strip() for part in cue.text.splitlines() if part.strip())
        said = f"{cue.voice}: {text}" if cue.voice else text
        lines.append(f"[{format_timestamp(cue.start_ms)}] {said}".rstrip())
    body = "".join(line + "\n" for line in lines)
    return _file_response(body, "text/plain; charset=utf-8", f"{revision.etag}-txt", f"{slug}.{language}.txt")
