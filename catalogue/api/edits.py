"""Edits to a subtitle track (design.md §8): `POST /recordings/<slug>/subtitles/<lang>/edits` with
`{"base_revision": n, "operations": [...]}`, applied all or nothing as a new revision.

Attached to the API blueprint (catalogue.api.blueprint); create_app imports this module before registering it.
Bearer tokens only, like every API write: the browser editor saves through its own CSRF-protected route
(catalogue.subtitles.archive), which calls the same service.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask.typing import ResponseReturnValue

from catalogue.accounts.auth import api_user
from catalogue.accounts.models import Role
from catalogue.api.blueprint import bp
from catalogue.inputs import json_body
from catalogue.recordings.queries import recording_or_404
from catalogue.subtitles.parsing import SubtitleError
from catalogue.subtitles.queries import revision_json, track_or_404
from catalogue.subtitles.services import edit_subtitles, problems_json, read_edits, subtitle_language
from catalogue.subtitles.store import StaleRevision


@bp.post("/recordings/<slug>/subtitles/<language>/edits")
def edit_track(slug: str, language: str) -> ResponseReturnValue:
    """201 with the new revision, as an upload answers; 409 (with the current `revision`) when `base_revision` is
    not the current one; 422 with `errors` when an operation or the result fails the checks of an upload."""
    user = api_user(Role.ARCHIVIST)
    track = track_or_404(recording_or_404(slug), subtitle_language(language))
    base_revision, operations = read_edits(json_body())
    try:
        revision = edit_subtitles(track, base_revision, operations, user=user)
    except StaleRevision as stale:
        current = track.current_revision
        body: dict[str, Any] = {
            "errors": problems_json([stale.problem(base_revision)]),
            "revision": stale.current,
            "current": revision_json(current, current.id) if current else None,
        }
        return jsonify(body), 409
    except SubtitleError as error:
        return jsonify({"errors": problems_json(error.problems)}), error.status
    return jsonify(revision_json(revision, revision.id)), 201
