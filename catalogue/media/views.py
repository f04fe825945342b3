"""The packaged streams as files: `/media/<slug>/hls/master.m3u8` and the content-versioned folder under it.

The master playlist is read through the recording's stream row, so it switches to a new folder exactly when
the database does, and is revalidated by players (no-cache, with an ETag). Everything else sits in a folder
whose name changes with every packaging and which is never rewritten: cached for a year, `immutable`, served
with Range requests. Both are plain files a CDN or any web server can serve as well.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Blueprint, abort, make_response, request, send_from_directory
from flask.typing import ResponseReturnValue
from werkzeug.security import safe_join

from catalogue.media.packaging import MASTER, prefixed_master
from catalogue.media.queries import media_dir, published_stream
from catalogue.media.services import VERSION

bp = Blueprint("media", __name__)

PLAYLIST = "application/vnd.apple.mpegurl"
MIME_TYPES = {
    ".m3u8": PLAYLIST,
    ".m4s": "video/mp4",
    ".mp4": "video/mp4",
    ".vtt": "text/vtt; charset=utf-8",
    ".jpg": "image/jpeg",
}
YEAR_S = 365 * 24 * 3600


def _public(response):
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
