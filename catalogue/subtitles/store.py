"""Publishing a checked file as a new revision, in one transaction that also moves the track's pointer."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from flask import current_app
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from catalogue.extensions import db
from catalogue.recordings.models import Recording
from catalogue.subtitles.models import Cue, SubtitleRevision, SubtitleTrack
from catalogue.subtitles.parsing import ParsedCue, ParsedSubtitle, parse_subtitle
from catalogue.subtitles.writing import to_vtt

if TYPE_CHECKING:
    from catalogue.accounts.models import User

# Two uploads to one track at once both compute the next number; the loser retries with the one after.
ATTEMPTS = 5


def check_subtitle(
    recording: Recording,
    language: str,
    data: bytes,
    *,
    filename: str = "",
    format: str | None = None,
    encoding: str | None = None,
) -> ParsedSubtitle:
    """The report an uploader sees before publishing. Raises SubtitleError naming lines."""
    return parse_subtitle(
        data,
        language,
        current_app.config,
        filename=filename,
        format=format,
        encoding=encoding,
        duration_ms=recording.duration_ms,
    )


def publish_subtitle(
    recording: Recording,
    language: str,
    data: bytes,
    *,
    filename: str = "",
    format: str | None = None,
    encoding: str | None = None,
    user: User | None = None,
    uploaded_by: str = "",
) -> SubtitleRevision:
    """Check the file, then store it as the track's new current revision.

    The checks run before anything is written, so a refused file (SubtitleError) changes nothing;
    the writes share one commit, so a failure half-way leaves the previous revision served.
    """
    parsed = check_subtitle(recording, language, data, filename=filename, format=format, encoding=encoding)
    vtt = to_vtt(parsed.cues)
    fields = {
        "source_filename": filename[:255],
        "source_bytes": data,
        "format": parsed.format,
        "encoding": parsed.encoding,
        "vtt": vtt,
        "etag": hashlib.sha256(vtt.encode()).hexdigest()[:32],
        "cue_count": len(parsed.cues),
        "warnings": [w.as_record() for w in parsed.warnings],
    }
    return _store(recording.id, language, fields, user, uploaded_by, cues=parsed.cues)


def restore_revision(track: SubtitleTrack, number: int, user: User | None = None) -> SubtitleRevision:
    """Serve an earlier revision again, as a new revision that copies it (history is never rewritten)."""
    old = db.session.scalar(
        select(SubtitleRevision).where(SubtitleRevision.track_id == track.id, SubtitleRevision.number == number)
    )
    if old is None:
        raise LookupError(number)
    fields = {
        name: getattr(old, name)
        for name in ("source_filename", "source_bytes", "format", "encoding", "vtt", "etag", "cue_count", "warnings")
    }
    fields["restored_from"] = old.number
    return _store(track.recording_id, track.language, fields, user, "", copy_cues_from=old.id)


def _store(
    recording_id: int,
    language: str,
    fields: dict[str, Any],
    user: User | None,
    uploaded_by: str,
    *,
    cues: list[ParsedCue] | None = None,
    copy_cues_from: int | None = None,
) -> SubtitleRevision:
    by = uploaded_by or (user.display_name or user.email if user else "")
    for attempt in range(ATTEMPTS):
        try:
            track = db.session.scalar(
                select(SubtitleTrack).where(
                    SubtitleTrack.recording_id == recording_id, SubtitleTrack.language == language
                )
            )
            if track is None:
                track = SubtitleTrack(recording_id=recording_id, language=language)
                db.session.add(track)
                db.session.flush()
            last = db.session.scalar(
                select(func.max(SubtitleRevision.number)).where(SubtitleRevision.track_id == track.id)
            )
            revision = SubtitleRevision(
                track_id=track.id,
                number=(last or 0) + 1,
                uploaded_by=by[:200],
                uploaded_by_id=user.id if user else None,
                **fields,
            )
            db.session.add(revision)
            db.session.flush()
            _insert_cues(revision.id, cues, copy_cues_from)
            track.current_revision_id = revision.id
            db.session.commit()
            return revision
        except IntegrityError:
            db.session.rollback()
            if attempt == ATTEMPTS - 1:
                raise
        except Exception:
            db.session.rollback()
            raise
    raise AssertionError("unreachable")


def _insert_cues(revision_id: int, cues: list[ParsedCue] | None, copy_from: int | None) -> None:
    """Cues go in as one multi-row insert: 20,000 ORM objects would cost more than the parse."""
    if cues is not None:
        rows = [
            {
                "revision_id": revision_id,
                "position": i,
                "identifier": c.identifier,
                "start_ms": c.start_ms,
                "end_ms": c.end_ms,
                "text": c.text,
                "voice": c.voice,
            }
            for i, c in enumerate(cues)
        ]
        if rows:
            # Core executemany: the ORM's bulk path costs several times more for plain rows.
            db.session.connection().execute(insert(Cue.__table__), rows)
    elif copy_from is not None:
        columns = ("position", "identifier", "start_ms", "end_ms", "text", "voice")
        source = select(db.literal(revision_id), *(getattr(Cue, c) for c in columns)).where(
            Cue.revision_id == copy_from
        )
        db.session.execute(insert(Cue).from_select(["revision_id", *columns], source))
