"""Publishing a checked file as a new revision, in one transaction that also moves the track's pointer."""

from __future__ import annotations

import hashlib

from flask import current_app
from sqlalchemy import func, select

from catalogue.extensions import db
from catalogue.recordings.models import Recording
from catalogue.subtitles.models import Cue, SubtitleRevision, SubtitleTrack
from catalogue.subtitles.parsing import parse_subtitle
from catalogue.subtitles.writing import to_vtt


def publish_subtitle(
    recording: Recording,
    language: str,
    data: bytes,
    *,
    filename: str = "",
    format: str | None = None,
    encoding: str | None = None,
    uploaded_by: str = "",
) -> SubtitleRevision:
    """Check the file, then store it as the track's new current revision.

    The checks run before anything is written, so a refused file (SubtitleError) changes nothing;
    the writes share one commit, so a failure half-way leaves the previous revision served.
    """
    parsed = parse_subtitle(
        data,
        language,
        current_app.config,
        filename=filename,
        format=format,
        encoding=encoding,
        duration_ms=recording.duration_ms,
    )
    vtt = to_vtt(parsed.cues)
    try:
        track = db.session.scalar(
            select(SubtitleTrack).where(SubtitleTrack.recording_id == recording.id, SubtitleTrack.language == language)
        )
        if track is None:
            track = SubtitleTrack(recording=recording, language=language)
            db.session.add(track)
            db.session.flush()
        last = db.session.scalar(select(func.max(SubtitleRevision.number)).where(SubtitleRevision.track_id == track.id))
        revision = SubtitleRevision(
            track=track,
            number=(last or 0) + 1,
            uploaded_by=uploaded_by,
            source_filename=filename,
            source_bytes=data,
            format=parsed.format,
            encoding=parsed.encoding,
            vtt=vtt,
            etag=hashlib.sha256(vtt.encode()).hexdigest()[:32],
            cue_count=len(parsed.cues),
            warnings=[w.as_dict() for w in parsed.warnings],
            cues=[
                Cue(
                    position=i,
                    identifier=c.identifier,
                    start_ms=c.start_ms,
                    end_ms=c.end_ms,
                    text=c.text,
                    voice=c.voice,
                )
                for i, c in enumerate(parsed.cues)
            ],
        )
        db.session.add(revision)
        db.session.flush()
        track.current_revision = revision
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return revision
