"""`flask --app catalogue demo load`: the 3rd Mayors Summit on Living Together, loaded idempotently."""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from catalogue.db import Base
from catalogue.extensions import db
from catalogue.inputs import column_length
from catalogue.jobs.services import run as run_job
from catalogue.languages import normalize_language_tag
from catalogue.media import services as media_services
from catalogue.media.ffmpeg import MediaError
from catalogue.media.models import StreamState
from catalogue.media.queries import sources_for, stream_for
from catalogue.recordings.models import (
    AudioKind,
    AudioTrack,
    Chapter,
    Event,
    Participation,
    Person,
    Recording,
    Role,
    Workshop,
)
from catalogue.subtitles.models import SubtitleTrack
from catalogue.subtitles.store import publish_subtitle

DEMO_DIR = Path(__file__).resolve().parent
# Who the demo's own subtitle revisions are by: the loader replaces only these.
DEMO_UPLOADER = "demo loader"
SUBTITLE_LANGUAGES = ("en", "fr", "tr")

demo_cli = AppGroup("demo", help="The demo summit.")


_ModelT = TypeVar("_ModelT", bound=Base)


def _get_or_add(model: type[_ModelT], **identity: Any) -> _ModelT:
    found = db.session.scalar(select(model).filter_by(**identity))
    if found is None:
        found = model(**identity)
        db.session.add(found)
    return found


def _copy_media(name: str) -> str:
    """Copy a demo file into the media folder (if it changed) and return the URL it is served at."""
    source = DEMO_DIR / name
    target = Path(current_app.config["CATALOGUE_MEDIA_DIR"]) / "demo" / source.name
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists() or target.read_bytes() != source.read_bytes():
        shutil.copyfile(source, target)
    return f"/media/demo/{source.name}"


def load_demo() -> dict[str, int]:
    """Create or update the summit; running it again changes nothing and adds no subtitle revision.

    With CATALOGUE_DEMO_VIDEO (the default), each recording also gets its floor video and interpretation file
    as media sources, packaged into one stream right here (a few seconds; tests turn it off).
    """
    summit = json.loads((DEMO_DIR / "summit.json").read_text(encoding="utf-8"))
    timeline = json.loads((DEMO_DIR / "timeline.json").read_text(encoding="utf-8"))

    data = summit["event"]
    event = _get_or_add(Event, slug=data["slug"])
    for field in ("title", "organiser", "city", "timezone", "description"):
        setattr(event, field, data[field])
    event.original_language = normalize_language_tag(data["original_language"], column_length(Event.original_language))
    event.starts_on = date.fromisoformat(data["starts_on"])
    event.ends_on = date.fromisoformat(data["ends_on"])

    people = {}
    for entry in summit["people"]:
        person = _get_or_add(Person, key=entry["key"])
        person.honorific, person.name, person.affiliation = entry["honorific"], entry["name"], entry["affiliation"]
        people[entry["key"]] = person
    db.session.flush()

    recordings = []
    for entry in summit["workshops"]:
        workshop = _get_or_add(Workshop, event_id=event.id, number=entry["number"])
        workshop.slug, workshop.title, workshop.summary = entry["slug"], entry["title"], entry["summary"]
        workshop.starts_at = datetime.fromisoformat(entry["starts_at"]) if entry["starts_at"] else None
        # Blank lines in the programme stay blank: only the people it names take part.
        wanted = [(people[p["person"]].id, Role(p["role"]), i) for i, p in enumerate(entry["participants"])]
        if [(p.person_id, p.role, p.position) for p in workshop.participations] != wanted:
            workshop.participations.clear()
            db.session.flush()  # Deletes first: (workshop, role, position) is unique.
            workshop.participations = [
                Participation(person_id=person_id, role=role, position=position) for person_id, role, position in wanted
            ]
        recordings.append(_load_recording(workshop, entry["recording"], timeline, people))
    db.session.commit()

    published = 0
    for recording in recordings:
        for language in SUBTITLE_LANGUAGES:
            path = DEMO_DIR / "subtitles" / f"{recording.slug}.{language}.vtt"
            data_bytes = path.read_bytes()
            if _subtitles_wanted(recording, language, data_bytes):
                publish_subtitle(recording, language, data_bytes, filename=path.name, uploaded_by=DEMO_UPLOADER)
                published += 1
    videos = 0
    if current_app.config.get("CATALOGUE_DEMO_VIDEO", True):
        videos = sum(package_demo_video(recording) for recording in recordings)
    return {"recordings": len(recordings), "subtitle_revisions": published, "videos": videos}


# The demo's media sources, by audio track: the floor video (picture and original sound, made by make_video.py)
# and the English interpretation channel as a separate audio file, as interpreted webinars record them.
DEMO_SOURCES = (("floor", "video/{slug}-floor.mp4"), ("interpretation", "media/{slug}-interpretation.opus"))


def package_demo_video(recording: Recording) -> int:
    """Give a demo recording its media sources and package them into one stream now, without a worker.

    Only what is missing is made: a track that has a source keeps it, and a stream that is published, or being
    packaged, is left alone (an archivist's work is never replaced). Returns 1 when a stream was published.
    """
    tracks = {t.slug: t for t in recording.all_audio_tracks if t.retired_at is None}
    sourced = {s.audio_track_id for s in sources_for(recording)}
    jobs = []
    try:
        for track_slug, pattern in DEMO_SOURCES:
            track = tracks.get(track_slug)
            if track is None or track.id in sourced:
                continue
            path = DEMO_DIR / pattern.format(slug=recording.slug)
            added = media_services.add_source(
                recording, path, track.kind, track.languages, track.label, filename=path.name, track=track
            )
            jobs.append(added.job.id)
        stream = stream_for(recording)
        waiting = stream is not None and (stream.folder or stream.state in (StreamState.QUEUED, StreamState.RUNNING))
        if not jobs and sourced and not waiting:
            jobs.append(media_services.queue_packaging(recording).id)
    except MediaError as error:
        click.echo(f"{recording.slug}: the demo video is not packaged ({error}); its audio files play.", err=True)
        return 0
    # Every job in order: the earlier ones find themselves superseded by the last, which packages everything.
    states = [run_job(job_id) for job_id in jobs]
    return 1 if states and states[-1] == "done" else 0


def _subtitles_wanted(recording: Recording, language: str, data: bytes) -> bool:
    """Whether the demo publishes its subtitle file: only where the track has no revision, or where the current
    one is the loader's own from an older demo. A revision by anyone else, or a retired track, is left alone."""
    track = db.session.scalar(
        select(SubtitleTrack).where(SubtitleTrack.recording_id == recording.id, SubtitleTrack.language == language)
    )
    if track is None:
        return True
    current = track.current_revision
    if current is None:
        return track.retired_at is None
    ours = current.uploaded_by_id is None and current.uploaded_by == DEMO_UPLOADER
    return ours and track.retired_at is None and current.source_bytes != data


def _load_recording(
    workshop: Workshop, entry: dict[str, Any], timeline: dict[str, Any], people: dict[str, Person]
) -> Recording:
    slug = entry["slug"]
    timing = timeline[slug]
    recording = _get_or_add(Recording, slug=slug)
    recording.workshop = workshop
    recording.title = entry["title"]
    recording.recorded_at = workshop.starts_at
    recording.duration_ms = timing["duration_ms"]
    recording.poster_url = _copy_media(f"posters/{slug}.svg")
    recording.is_demo_excerpt = True
    db.session.flush()

    tracks = [
        ("interpretation", AudioKind.INTERPRETATION, ["en"], "English interpretation", True),
        ("floor", AudioKind.ORIGINAL, ["en", "fr", "tr"], "Original floor audio (EN, FR, TR)", False),
    ]
    for position, (track_slug, kind, languages, label, is_default) in enumerate(tracks):
        track = _get_or_add(AudioTrack, recording_id=recording.id, slug=track_slug)
        track.kind, track.languages, track.label, track.is_default, track.position = (
            kind,
            languages,
            label,
            is_default,
            position,
        )
        track.media_url = _copy_media(f"media/{slug}-{track_slug}.opus")
        track.mime_type = "audio/ogg; codecs=opus"

    chapters = timing["chapters"]
    recording.chapters = [
        Chapter(
            # The first chapter opens the recording, lead-in silence included.
            start_ms=0 if index == 0 else c["start_ms"],
            end_ms=c["end_ms"],
            title=c["title"],
            role=Role(c["role"]) if c["role"] else None,
            person=people[c["person"]] if c["person"] else None,
        )
        for index, c in enumerate(chapters)
    ]
    return recording


@demo_cli.command("load")
def load_command() -> None:
    """Load the 3rd Mayors Summit on Living Together (safe to run again)."""
    result = load_demo()
    click.echo(
        f"Demo summit loaded: {result['recordings']} recordings, {result['subtitle_revisions']} new subtitle "
        f"revisions, {result['videos']} videos packaged."
    )
