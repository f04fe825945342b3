"""Reads of subtitle tracks for pages and the API, a page at a time: no answer grows with the size of a file."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import load_only

from catalogue.extensions import db
from catalogue.inputs import Paging
from catalogue.recordings.models import Recording
from catalogue.subtitles.models import Cue, SubtitleRevision, SubtitleTrack

# A listing shows this many of a revision's warnings and says how many there are in all.
WARNINGS_IN_A_LISTING = 100
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


def page_of(items: list[Any], paging: Paging) -> list[Any]:
    """The same window over a list that is already in memory (a revision's warnings)."""
    return items[paging.offset : paging.offset + paging.per_page]


def current_revision(slug: str, language: str, *, etag_only: bool = False) -> SubtitleRevision | None:
    """The revision that is served for a recording and language, or None (with etag_only, without its files:
    enough to answer a revalidation with 304)."""
    statement = (
        select(SubtitleRevision)
        .join(SubtitleTrack, SubtitleTrack.current_revision_id == SubtitleRevision.id)
        .join(Recording, Recording.id == SubtitleTrack.recording_id)
        .where(Recording.slug == slug, SubtitleTrack.language == language, SubtitleTrack.retired_at.is_(None))
    )
    if etag_only:
        statement = statement.options(load_only(SubtitleRevision.etag))
    return db.session.scalar(statement)


def track_or_404(recording: Recording, language: str) -> SubtitleTrack:
    """A recording's subtitle track in a language; a 404 that says so otherwise."""
    statement = select(SubtitleTrack).where(
        SubtitleTrack.recording_id == recording.id, SubtitleTrack.language == language
    )
    return db.first_or_404(statement, description=f"No {language} subtitles for recording “{recording.slug}”.")
