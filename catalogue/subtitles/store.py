"""Publishing a checked file as a new revision, in one transaction that also moves the track's pointer."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from flask import current_app
from sqlalchemy import func, insert, select, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError, OperationalError

from catalogue.db import Busy, is_lock_timeout
from catalogue.extensions import db
from catalogue.problems import N_, Problem
from catalogue.recordings.models import Recording
from catalogue.subtitles.models import Cue, SubtitleRevision, SubtitleTrack
from catalogue.subtitles.parsing import ParsedCue, ParsedSubtitle, parse_subtitle
from catalogue.subtitles.writing import to_vtt

if TYPE_CHECKING:
    from catalogue.accounts.models import User

# Uploads to one track queue on its row lock (see _locked_track); a retry only covers writers that bypass it.
ATTEMPTS = 3


class StaleRevision(Exception):
    """An edit was made on a revision that is no longer the track's current one: someone saved first."""

    def __init__(self, current: int | None) -> None:
        super().__init__(f"The current revision is {current}.")
        self.current = current

    def problem(self, base_revision: int) -> Problem:
        """Why the edit was refused (409), in the reader's language."""
        if self.current is None:
            return Problem(None, "stale", N_("These subtitles have no revision to edit."))
        message = N_(
            "Revision %(current)s of these subtitles was saved after revision %(base)s, which these edits start "
            "from. Look at it, then edit it instead."
        )
        return Problem(None, "stale", message, {"current": str(self.current), "base": str(base_revision)})


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
    return publish_parsed(recording, language, data, parsed, filename=filename, user=user, uploaded_by=uploaded_by)


def publish_parsed(
    recording: Recording,
    language: str,
    data: bytes,
    parsed: ParsedSubtitle,
    *,
    filename: str = "",
    user: User | None = None,
    uploaded_by: str = "",
    base_revision: int | None = None,
) -> SubtitleRevision:
    """Store checked cues (and the bytes they came from) as the track's new current revision.

    With `base_revision` (an edit), StaleRevision is raised, and nothing stored, unless that revision is still
    the current one once the track is locked: two editors never overwrite each other's work unseen.
    """
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
    return _store(recording.id, language, fields, user, uploaded_by, cues=parsed.cues, base_revision=base_revision)


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
    base_revision: int | None = None,
) -> SubtitleRevision:
    by = uploaded_by or (user.display_name or user.email if user else "")
    user_id = user.id if user else None
    # End the request's read transaction first: the lock below must start a fresh one, or SQLite's WAL refuses
    # to turn a stale snapshot into a writer (SQLITE_BUSY_SNAPSHOT) instead of waiting for the lock.
    db.session.commit()
    for attempt in range(ATTEMPTS):
        try:
            track = _locked_track(recording_id, language)
            if base_revision is not None:
                _check_current(track, base_revision)
            last = db.session.scalar(
                select(func.max(SubtitleRevision.number)).where(SubtitleRevision.track_id == track.id)
            )
            revision = SubtitleRevision(
                track_id=track.id,
                number=(last or 0) + 1,
                uploaded_by=by[:200],
                uploaded_by_id=user_id,
                **fields,
            )
            db.session.add(revision)
            db.session.flush()
            _insert_cues(revision.id, cues, copy_cues_from)
            track.current_revision_id = revision.id
            # Publishing to a retired track is asking for it to be seen again.
            track.retired_at = None
            db.session.commit()
            return revision
        except IntegrityError:
            # Only a writer that bypassed the lock (a script on the database) gets here; the next try sees it.
            db.session.rollback()
            if attempt == ATTEMPTS - 1:
                raise
        except OperationalError as error:
            db.session.rollback()
            if is_lock_timeout(error):
                raise Busy(N_("Another upload to this subtitle track is being saved. Try again in a moment.")) from None
            raise
        except Exception:
            db.session.rollback()
            raise
    raise AssertionError("unreachable")


def _check_current(track: SubtitleTrack, base_revision: int) -> None:
    """Under the track's lock: StaleRevision unless `base_revision` is the one served now."""
    current = db.session.scalar(select(SubtitleRevision.number).where(SubtitleRevision.id == track.current_revision_id))
    if current != base_revision:
        raise StaleRevision(current)


def _locked_track(recording_id: int, language: str) -> SubtitleTrack:
    """The track, created if missing, locked for this transaction so that uploads to it queue one behind another.

    PostgreSQL: `INSERT ... ON CONFLICT DO NOTHING` then `SELECT ... FOR UPDATE`, waiting at most the lock timeout.
    SQLite: the insert is a write statement, so it takes the database's write lock (waiting up to busy_timeout)
    before anything is read; FOR UPDATE is not needed there.
    """
    connection = db.session.connection()
    dialect = connection.dialect.name
    if dialect == "postgresql":
        timeout_ms = int(current_app.config["CATALOGUE_LOCK_TIMEOUT_S"] * 1000)
        connection.execute(text(f"SET LOCAL lock_timeout = {timeout_ms}"))
        statement: Any = postgresql_insert(SubtitleTrack).on_conflict_do_nothing()
    else:
        statement = sqlite_insert(SubtitleTrack).on_conflict_do_nothing()
    db.session.execute(statement.values(recording_id=recording_id, language=language))
    track = db.session.scalars(
        select(SubtitleTrack)
        .where(SubtitleTrack.recording_id == recording_id, SubtitleTrack.language == language)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    return track


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
            db.session.connection().execute(insert(Cue), rows)
    elif copy_from is not None:
        columns = ("position", "identifier", "start_ms", "end_ms", "text", "voice")
        source = select(db.literal(revision_id), *(getattr(Cue, c) for c in columns)).where(
            Cue.revision_id == copy_from
        )
        db.session.execute(insert(Cue).from_select(["revision_id", *columns], source))


def retire_track(track: SubtitleTrack) -> None:
    """Hide a track from viewers, its file URLs and search; every revision stays and the track can come back."""
    if track.retired_at is None:
        track.retired_at = datetime.now(UTC)
        db.session.commit()


def bring_back_track(track: SubtitleTrack) -> None:
    """Serve a retired track again, at the revision it had."""
    if track.retired_at is not None:
        track.retired_at = None
        db.session.commit()
