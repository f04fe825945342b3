"""Reads of subtitle tracks for pages and the API, a page at a time: no answer grows with the size of a file."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import load_only

from catalogue.extensions import db
from catalogue.inputs import MAX_PER_PAGE, Paging
from catalogue.pagecache import kept_fact
from catalogue.problems import problem_dict
from catalogue.recordings.models import Recording
from catalogue.subtitles.models import Cue, SubtitleRevision, SubtitleTrack

# A listing shows this many of a revision's warnings and says how many there are in all.
WARNINGS_IN_A_LISTING = 100
# The served ETags a worker keeps for one catalogue version: every track of a large catalogue (1,000 recordings
# in three languages), and a bound on what unknown slugs can fill.
MAX_KEPT_ETAGS = 20_000
# What a revision listing reads: never the uploaded bytes or the WebVTT text.
LISTED_REVISION_FIELDS = load_only(
    SubtitleRevision.id,
    SubtitleRevision.number,
    SubtitleRevision.created_at,
    SubtitleRevision.uploaded_by,
    SubtitleRevision.source_filename,
    SubtitleRevision.format,
    SubtitleRevision.encoding,
    SubtitleRevision.cue_count,
    SubtitleRevision.restored_from,
    SubtitleRevision.warnings,
)


def cue_page(revision_id: int, paging: Paging) -> list[Cue]:
    """One page of a revision's cues, in their order."""
    return list(
        db.session.scalars(
            select(Cue)
            .where(Cue.revision_id == revision_id)
            .order_by(Cue.position)
            .limit(paging.per_page)
            .offset(paging.offset)
        )
    )


def revision_page(track_id: int, paging: Paging) -> tuple[list[SubtitleRevision], int]:
    """One page of a track's revisions, oldest first as the listing always was, with how many there are."""
    total = db.session.scalar(select(func.count()).where(SubtitleRevision.track_id == track_id)) or 0
    revisions = db.session.scalars(
        select(SubtitleRevision)
        .where(SubtitleRevision.track_id == track_id)
        .order_by(SubtitleRevision.number)
        .limit(paging.per_page)
        .offset(paging.offset)
        .options(LISTED_REVISION_FIELDS)
    ).all()
    return list(revisions), total


def _served(statement: Select[Any]) -> Select[Any]:
    return (
        statement.join(SubtitleTrack, SubtitleTrack.current_revision_id == SubtitleRevision.id)
        .join(Recording, Recording.id == SubtitleTrack.recording_id)
        .where(
            Recording.slug == bindparam("slug"),
            SubtitleTrack.language == bindparam("language"),
            SubtitleTrack.retired_at.is_(None),
        )
    )


# Built once: constructing the statement cost as much as running it, on a path players hit on every revalidation.
_SERVED_REVISION = _served(select(SubtitleRevision))
_SERVED_ETAG = _served(select(SubtitleRevision.etag))


def current_revision(slug: str, language: str) -> SubtitleRevision | None:
    """The revision that is served for a recording and language, or None."""
    revision: SubtitleRevision | None = db.session.scalar(_SERVED_REVISION, {"slug": slug, "language": language})
    return revision


def current_etag(slug: str, language: str) -> str | None:
    """The served revision's ETag alone, without loading the revision: enough to answer a revalidation with 304.

    Kept per catalogue version (every subtitle write bumps it): players revalidate every file they hold, again
    and again, and on PostgreSQL, where the version is pushed, a 304 then never touches the database. A value
    read after the version is never older than it, so a thread that stores a newer ETag under the old version
    only serves the new file sooner."""
    etags: dict[tuple[str, str], str | None] = kept_fact("served etags", dict)
    key = (slug, language)
    if key in etags:
        return etags[key]
    if len(etags) >= MAX_KEPT_ETAGS:
        etags.clear()  # Bounded against a crawler asking for every slug and language that does not exist.
    # On the session's connection, not through the ORM: a plain column needs none of its machinery.
    etag: str | None = db.session.connection().execute(_SERVED_ETAG, {"slug": slug, "language": language}).scalar()
    etags[key] = etag
    return etag


def track_or_404(recording: Recording, language: str) -> SubtitleTrack:
    """A recording's subtitle track in a language; a 404 that says so otherwise."""
    statement = select(SubtitleTrack).where(
        SubtitleTrack.recording_id == recording.id, SubtitleTrack.language == language
    )
    track: SubtitleTrack = db.first_or_404(
        statement, description=f"No {language} subtitles for recording “{recording.slug}”."
    )
    return track


def revision_number(revision_id: int | None) -> int | None:
    """The number of a revision (a track's current one), without loading the revision."""
    if revision_id is None:
        return None
    return db.session.scalar(select(SubtitleRevision.number).where(SubtitleRevision.id == revision_id))


def revision_cues(revision_id: int) -> list[Cue]:
    """Every cue of a revision, in order: for an edit, which needs the whole track (the editor page, a shift)."""
    return list(db.session.scalars(select(Cue).where(Cue.revision_id == revision_id).order_by(Cue.position)))


def revision_json(
    revision: SubtitleRevision, current_id: int | None, warnings_shown: int = MAX_PER_PAGE
) -> dict[str, Any]:
    """A revision as the upload, restore and history answers give it; its first warnings and their count (all of
    them, a page at a time, come with its cues)."""
    return {
        "revision": revision.number,
        "current": revision.id == current_id,
        "created_at": revision.created_at.isoformat(),
        "uploaded_by": revision.uploaded_by,
        "source_filename": revision.source_filename,
        "format": revision.format,
        "encoding": revision.encoding,
        "cue_count": revision.cue_count,
        "restored_from": revision.restored_from,
        "warning_count": len(revision.warnings),
        "warnings": [problem_dict(w) for w in revision.warnings[:warnings_shown]],
    }


# The published tracks of a list of recordings (`ids`): three columns, for the API's recording JSON.
_SUBTITLE_SUMMARIES = (
    select(SubtitleTrack.recording_id, SubtitleTrack.language, SubtitleRevision.number, SubtitleRevision.cue_count)
    .join(SubtitleRevision, SubtitleRevision.id == SubtitleTrack.current_revision_id)
    .where(SubtitleTrack.recording_id.in_(bindparam("ids", expanding=True)), SubtitleTrack.retired_at.is_(None))
    .order_by(SubtitleTrack.recording_id, SubtitleTrack.language)
)


def subtitle_summaries(recording_ids: list[int]) -> dict[int, tuple[tuple[str, int, int], ...]]:
    """(language, revision number, cue count) of each recording's published subtitles, in language order."""
    found: dict[int, list[tuple[str, int, int]]] = {}
    for recording_id, language, number, cue_count in db.session.execute(_SUBTITLE_SUMMARIES, {"ids": recording_ids}):
        found.setdefault(recording_id, []).append((language, number, cue_count))
    return {recording_id: tuple(tracks) for recording_id, tracks in found.items()}
