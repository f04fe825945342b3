"""HTTP caching where it is safe: fingerprinted static files for a year, personal pages never.

Subtitle files carry strong ETags and are revalidated (catalogue.subtitles.views); media are served with
Last-Modified and ranges. A page that shows the signed-in user is private and never stored.
"""

from __future__ import annotations

import hashlib
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, request, url_for

from catalogue.accounts.auth import signed_in_user

YEAR = 365 * 24 * 3600


@lru_cache(maxsize=256)
def _fingerprint(path: str, mtime_ns: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


# How long a static file's fingerprint is trusted before its file is looked at again: a page names half a dozen
# static files, and a stat of each on every render cost more than the rest of its URLs. A deploy restarts the
# workers anyway; an edited file in debug mode is looked at every time.
FINGERPRINT_TRUSTED_S = 1.0
_fingerprints: dict[str, tuple[float, str | None]] = {}


def _current_fingerprint(path: Path) -> str | None:
    """The file's content hash, or None if it cannot be read."""
    key = str(path)
    now = time.monotonic()
    known = _fingerprints.get(key)
    if known is not None and now - known[0] < FINGERPRINT_TRUSTED_S and not current_app.debug:
        return known[1]
    try:
        found: str | None = _fingerprint(key, path.stat().st_mtime_ns)
    except OSError:
        found = None
    _fingerprints[key] = (now, found)
    return found


def add_static_version(endpoint: str, values: dict[str, Any]) -> None:
    """url_for('static', ...) gets ?v=<content hash>: a changed file gets a new URL, so it can be cached forever."""
    if endpoint != "static" or "filename" not in values or "v" in values:
        return
    fingerprint = _current_fingerprint(Path(current_app.static_folder or "") / values["filename"])
    if fingerprint is not None:
        values["v"] = fingerprint


def static_url(filename: str) -> str:
    """url_for('static', filename=filename), its ?v=<content hash> included (add_static_version()), built by
    Flask's router once per file, fingerprint and site prefix: every page names two to six static files, and
    url_for's routing cost more than the rest of a page's head."""
    urls: dict[tuple[str, str, str | None], str] = current_app.extensions.setdefault("catalogue_static_urls", {})
    key = (request.script_root, filename, _current_fingerprint(Path(current_app.static_folder or "") / filename))
    found = urls.get(key)
    if found is None:
        found = urls[key] = url_for("static", filename=filename)
    return found


def cache_headers(response: Response) -> Response:
    # The server dates every response: gunicorn drops an app's Date for its own, but werkzeug's development server
    # (`make serve`) sends its own beside it. The Date werkzeug's conditional answer adds would be a second one
    # there, and on a page kept in the page cache, the moment it was kept.
    response.headers.remove("Date")
    if request.endpoint == "static" and request.args.get("v") and response.status_code == 200:
        response.cache_control.public = True
        response.cache_control.max_age = YEAR
        response.cache_control.immutable = True
    elif response.mimetype == "text/html" and signed_in_user() is not None:
        response.cache_control.private = True
        response.cache_control.no_store = True
    return response


def init_app(app: Flask) -> None:
    app.url_defaults(add_static_version)
    app.jinja_env.globals["static_url"] = static_url
    app.after_request(cache_headers)

    @app.get("/healthz")
    def healthz() -> Response:
        """For load balancers and the load benchmark's baseline: answers without touching the database."""
        return Response("ok\n", content_type="text/plain; charset=utf-8")
