"""Writes on media: keep a source file and give the recording its audio track, queue a packaging, run one (the
"package" job), and publish its folder in one step.

Every check on a file runs before anything is stored: a refused file leaves no row, no track and no file
behind, and never touches the stream being served.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import secrets
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from flask import Flask, current_app
from sqlalchemy import select

from catalogue.extensions import db
from catalogue.inputs import InvalidInput, column_length
from catalogue.jobs.models import Job
from catalogue.jobs.services import JobFailed, create_job, register_handler, submit
from catalogue.languages import display_name, normalize_language_tag, tag_from_media
from catalogue.media import fetch, ffmpeg, packaging
from catalogue.media.ffmpeg import FFmpegFailed, MediaError, Probe, check_size
from catalogue.media.models import MediaSource, Stream, StreamState
from catalogue.media.queries import floor_source, media_dir, packable_sources, picture_source, sources_for, stream_for
from catalogue.problems import N_, Problem
from catalogue.recordings.models import AudioKind, AudioTrack, Recording
from catalogue.recordings.services import add_audio_track

logger = logging.getLogger(__name__)

JOB_KIND = "package"
# A floor track carries every language spoken on the floor; more than this is no recording.
MAX_LANGUAGES = 20
CHUNK_BYTES = 1024 * 1024
SUFFIX = re.compile(r"\.[a-z0-9]{1,8}\Z")
VERSION = re.compile(r"[0-9]{8}T[0-9]{6}-[0-9a-f]{8}\Z")

_DISK_FULL = N_("The disk filled up while receiving “%(file)s”. Free some space and send the file again.")
_NO_AUDIO = N_("“%(file)s” has no audio stream: every media file gives the recording an audio track.")
_NO_SUCH_STREAM = N_("“%(file)s” has %(count)s audio streams: there is no audio stream number %(number)s.")
_LONGER = N_("“%(file)s” lasts %(difference)s seconds longer than the floor recording “%(floor)s”.")
_SHORTER = N_("“%(file)s” lasts %(difference)s seconds less than the floor recording “%(floor)s”.")
_PACKAGING_DISK_FULL = N_(
    "The disk filled up while packaging “%(recording)s”. The previous stream is still served; "
    "free some space and package it again."
)
_NO_MEDIA = N_("The recording “%(recording)s” has no media to package: add a media file first.")


# --- validating what arrives ------------------------------------------------------------------------------


def source_kind(value: object) -> AudioKind:
    if not isinstance(value, str) or value not in {k.value for k in AudioKind}:
        raise InvalidInput("kind", "bad-kind", N_("Use interpretation or original."))
    return AudioKind(value)


def source_languages(value: object) -> list[str]:
    """Language tags, comma-separated ("en,fr,tr") or as a list, each made canonical, none twice."""
    tags = value.split(",") if isinstance(value, str) else value
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise InvalidInput("languages", "missing-field", N_("Give the languages spoken, such as en or en,fr,tr."))
    tags = [t.strip() for t in tags if t.strip()]
    if not 0 < len(tags) <= MAX_LANGUAGES:
        raise InvalidInput(
            "languages", "bad-languages", N_("Give 1 to %(max)s language tags separated by commas."), max=MAX_LANGUAGES
        )
    return list(dict.fromkeys(normalize_language_tag(t, field="languages") for t in tags))


def source_label(value: object) -> str | None:
    """An optional label (None: one is made from the kind and languages)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise InvalidInput("label", "bad-type", N_("This field must be a string."))
    limit = column_length(AudioTrack.label)
    if len(value.strip()) > limit or any(not c.isprintable() for c in value.strip()):
        raise InvalidInput("label", "bad-label", N_("A label is one line of at most %(max)s characters."), max=limit)
    return value.strip()


def default_label(kind: AudioKind, languages: list[str]) -> str:
    """The label a track gets when none is given, in English like the rest of the catalogue's own texts (the
    watch page names tracks in the reader's language itself)."""
    if kind == AudioKind.INTERPRETATION:
        return f"{display_name(languages[0], 'en')} interpretation"
    return f"Original floor audio ({', '.join(t.upper() for t in languages)})"


# --- adding a source --------------------------------------------------------------------------------------


@dataclass
class Added:
    source: MediaSource
    track: AudioTrack
    job: Job
    warnings: list[Problem] = field(default_factory=list)


def _shown_name(file: Path | IO[bytes] | Any, filename: str | None) -> str:
    name = filename or (file.name if isinstance(file, Path) else getattr(file, "filename", None)) or "upload"
    # A name for messages only: no folders, no control characters, not endless.
    name = "".join(c for c in Path(str(name).replace("\\", "/")).name if c.isprintable())
    return name[: column_length(MediaSource.original_filename)] or "upload"


def _receive(file: Path | IO[bytes] | Any, target: Path, shown: str) -> int:
    """Copy the file to `target` in chunks, refusing it once it passes CATALOGUE_MAX_MEDIA_BYTES."""
    size = 0
    reader = file.open("rb") if isinstance(file, Path) else getattr(file, "stream", file)
    try:
        with target.open("xb") as out:
            while chunk := reader.read(CHUNK_BYTES):
                size += len(chunk)
                check_size(size, shown)
                out.write(chunk)
    except OSError as error:
        if error.errno == errno.ENOSPC:
            raise MediaError("disk-full", _DISK_FULL, 507, file=shown) from None
        raise
    finally:
        if isinstance(file, Path):
            reader.close()
    return size


def inspect(path: Path, shown: str, audio_stream: int = 0) -> Probe:
    """Probe a file and decode the beginning of the streams we would use: MediaError naming the file and the
    stream when it is not media, has no audio (or not that many audio streams), or does not decode."""
    probe = ffmpeg.probe(path, shown)
    if not probe.audio:
        raise MediaError("no-audio", _NO_AUDIO, file=shown)
    if not 0 <= audio_stream < len(probe.audio):
        raise MediaError("no-such-stream", _NO_SUCH_STREAM, file=shown, count=len(probe.audio), number=audio_stream)
    used = [probe.audio[audio_stream]] + ([probe.video] if probe.video else [])
    ffmpeg.check_decodes(path, shown, used)
    return probe


def duration_warnings(
    kind: AudioKind, shown: str, duration_s: float | None, sources: list[MediaSource]
) -> list[Problem]:
    """An interpretation that lasts more than a few seconds longer or shorter than the floor: probably another
    session's file, or one cut differently. A warning with the difference, never a refusal."""
    tolerance = current_app.config["CATALOGUE_MEDIA_DURATION_TOLERANCE_S"]
    floor = floor_source(sources)
    if duration_s is None:
        return []
    # (the file compared, its seconds, the floor's name, the floor's seconds)
    if kind == AudioKind.INTERPRETATION:
        pairs = (
            [(shown, duration_s, floor.original_filename, floor.duration_ms / 1000)]
            if floor and floor.duration_ms
            else []
        )
    else:
        pairs = [
            (s.original_filename, s.duration_ms / 1000, shown, duration_s)
            for s in sources
            if s.kind == AudioKind.INTERPRETATION and s.duration_ms is not None
        ]
    problems = []
    for name, seconds, floor_name, floor_seconds in pairs:
        difference = seconds - floor_seconds
        if abs(difference) > tolerance:
            text = _LONGER if difference > 0 else _SHORTER
            params = {"file": name, "difference": round(abs(difference)), "floor": floor_name}
            problems.append(Problem(None, "duration", text, params))
    return problems


@dataclass
class _Received:
    """A file received under a temporary name in the recording's source folder, and what ffprobe said of it."""

    incoming: Path
    final: Path
    shown: str
    size: int = 0


@contextmanager
def _receiving(recording: Recording, file: Path | IO[bytes] | Any, filename: str | None) -> Iterator[_Received]:
    """Receive `file` beside its final name; on any error remove it and roll the session back, so a refused
    file leaves no row and no file behind. The caller moves it to `final` and commits."""
    shown = _shown_name(file, filename)
    if isinstance(file, Path):
        check_size(file.stat().st_size, shown)
    folder = media_dir() / "sources" / recording.slug
    folder.mkdir(parents=True, exist_ok=True)
    suffix = Path(shown).suffix.lower() if SUFFIX.search(Path(shown).suffix.lower()) else ""
    token = secrets.token_hex(12)
    received = _Received(folder / f".incoming-{token}{suffix}", folder / f"{token}{suffix}", shown)
    try:
        received.size = _receive(file, received.incoming, shown)
        yield received
    except BaseException:
        db.session.rollback()
        received.incoming.unlink(missing_ok=True)
        received.final.unlink(missing_ok=True)
        raise


def add_source(
    recording: Recording,
    file: Path | IO[bytes] | Any,
    kind: AudioKind | str,
    languages: list[str] | str,
    label: str | None = None,
    *,
    filename: str | None = None,
    audio_stream: int = 0,
    track_slug: str | None = None,
    is_default: bool | None = None,
    track: AudioTrack | None = None,
) -> Added:
    """Keep `file` as received as a media source of a new audio track of `recording`, and queue the packaging.

    `file` is a path (the command line) or an upload (a werkzeug FileStorage or any binary file object).
    Raises InvalidInput (a field) or MediaError (the file: too large, not media, no audio, undecodable);
    then nothing is stored. A video file also gives the recording its picture. With `track`, an existing track
    of the recording (registered by URL, like the demo's) gets the file as its source instead of a new track.
    """
    kind = source_kind(kind.value if isinstance(kind, AudioKind) else kind)
    languages = source_languages(languages)
    label = source_label(label) or default_label(kind, languages)
    with _receiving(recording, file, filename) as received:
        probe = inspect(received.incoming, received.shown, audio_stream)
        warnings = duration_warnings(kind, received.shown, probe.duration_s, sources_for(recording))
        received.incoming.replace(received.final)
        added = _record(
            recording,
            received.final,
            received.shown,
            received.size,
            probe,
            kind,
            languages,
            label,
            audio_stream,
            track_slug,
            is_default,
            track,
        )
        added.warnings = warnings
        added.source.warnings = [w.as_record() for w in warnings]
        db.session.commit()
    submit(added.job)
    return added


FETCH_KIND = "fetch"


def add_from_url(
    recording: Recording, url: str, kind: AudioKind | str, languages: list[str] | str, label: str | None = None
) -> Job:
    """Queue the fetch of a media file from `url` (checked now: InvalidInput on `url` for an address we would not
    fetch); the worker then adds it as `add_source` does, with the same checks, and queues its packaging."""
    kind = source_kind(kind.value if isinstance(kind, AudioKind) else kind)
    payload = {
        "url": fetch.check_url(url).url,
        "kind": kind.value,
        "languages": source_languages(languages),
        "label": source_label(label),
    }
    job = create_job(FETCH_KIND, recording.id, payload)
    db.session.commit()
    submit(job)
    return job


def fetch_source(job: Job, progress: Callable[[float], None]) -> None:
    """The "fetch" job: download the file (checked again at every hop), then keep it as an upload would be kept.
    The downloaded copy is removed whatever happens; a refusal fails the job with the reason."""
    recording = db.session.get(Recording, job.recording_id) if job.recording_id else None
    if recording is None or not job.payload:
        raise JobFailed("no-recording", N_("The recording of this job no longer exists."))
    folder = media_dir() / "sources" / recording.slug
    folder.mkdir(parents=True, exist_ok=True)
    downloaded = folder / f".fetch-{secrets.token_hex(12)}"
    payload = job.payload
    try:
        name = fetch.download(payload["url"], downloaded, progress)
        add_source(recording, downloaded, payload["kind"], payload["languages"], payload["label"], filename=name)
    except MediaError as error:
        raise JobFailed(error.problem.code, error.problem.text, **error.problem.params) from error
    except InvalidInput as error:
        raise JobFailed(error.code, error.text, **error.params) from error
    finally:
        downloaded.unlink(missing_ok=True)


def add_source_as_list(
    recording: Recording,
    file: Path | IO[bytes] | Any,
    kind: AudioKind | str,
    languages: list[str] | str,
    label: str | None = None,
    *,
    filename: str | None = None,
) -> list[Added]:
    """add_source with add_each_stream's shape, for callers that offer both."""
    return [add_source(recording, file, kind, languages, label, filename=filename)]


_STREAM_WITHOUT_LANGUAGE = N_(
    "Audio stream %(number)s of “%(file)s” does not say its language: add that stream on its own and name "
    "its languages."
)


def stream_languages(probe: Probe, shown: str) -> list[str]:
    """The language each audio stream's tag names (`fra` → `fr`), or InvalidInput naming the first stream that
    has none: the track it would propose could not be labelled."""
    tags = []
    for number, stream in enumerate(probe.audio):
        tag = tag_from_media(stream.language)
        if tag is None:
            raise InvalidInput("file", "stream-without-language", _STREAM_WITHOUT_LANGUAGE, number=number, file=shown)
        tags.append(tag)
    return tags


def add_each_stream(
    recording: Recording,
    file: Path | IO[bytes] | Any,
    kind: AudioKind | str,
    languages: list[str] | str,
    label: str | None = None,
    *,
    filename: str | None = None,
) -> list[Added]:
    """A file with several audio streams (a broadcaster's master, a meeting tool's export): stored once, its
    first audio stream becomes the track that `kind`, `languages` and `label` describe, and every other stream
    an interpretation in the language its tag names. One packaging is queued for all of them."""
    kind = source_kind(kind.value if isinstance(kind, AudioKind) else kind)
    first_languages = source_languages(languages)
    label = source_label(label) or default_label(kind, first_languages)
    with _receiving(recording, file, filename) as received:
        probe = inspect(received.incoming, received.shown)
        proposed = stream_languages(probe, received.shown)
        ffmpeg.check_decodes(received.incoming, received.shown, probe.audio)
        received.incoming.replace(received.final)
        added = [_record(recording, received.final, received.shown, received.size, probe, kind, first_languages, label)]
        for number, language in enumerate(proposed[1:], start=1):
            kind_n, languages_n = AudioKind.INTERPRETATION, [language]
            label_n = default_label(kind_n, languages_n)
            added.append(
                _record(
                    recording, received.final, received.shown, received.size, probe, kind_n, languages_n, label_n,
                    number, job=added[0].job,
                )
            )  # fmt: skip
        db.session.commit()
    submit(added[0].job)
    return added


# What a browser plays a source as, by ffprobe's container name (the uploader's file name may say anything).
CONTAINER_TYPES = {
    "ogg": "audio/ogg",
    "mp3": "audio/mpeg",
    "wav": "audio/wav",
    "flac": "audio/flac",
    "aac": "audio/aac",
}


def _mime_type(probe: Probe) -> str:
    container = probe.format.split(",")[0]
    if container in CONTAINER_TYPES:
        return CONTAINER_TYPES[container]
    if container == "matroska":
        return "video/webm" if probe.video else "audio/webm"
    return "video/mp4" if probe.video else "audio/mp4"


def _record(
    recording: Recording,
    path: Path,
    shown: str,
    size: int,
    probe: Probe,
    kind: AudioKind,
    languages: list[str],
    label: str,
    audio_stream: int = 0,
    track_slug: str | None = None,
    is_default: bool | None = None,
    track: AudioTrack | None = None,
    *,
    job: Job | None = None,
) -> Added:
    """The rows of a new source: its audio track (played from the file itself until a stream is ready) unless
    it has one, the source, and a queued packaging job."""
    relative = path.relative_to(media_dir()).as_posix()
    if track is None:
        track = add_audio_track(
            recording,
            kind=kind,
            languages=languages,
            label=label,
            media_url=f"/media/{relative}",
            mime_type=_mime_type(probe),
            slug=track_slug,
            is_default=is_default,
        )
    source = MediaSource(
        recording_id=recording.id,
        audio_track_id=track.id,
        kind=kind,
        languages=languages,
        label=label,
        original_filename=shown,
        path=relative,
        size_bytes=size,
        audio_stream=audio_stream,
        has_video=probe.video is not None,
        duration_ms=round(probe.duration_s * 1000) if probe.duration_s is not None else None,
        probe=probe.summary(),
        warnings=[],
    )
    db.session.add(source)
    # One packaging for all the sources one file gives.
    return Added(source=source, track=track, job=job or _queue(recording))


# --- queueing and running a packaging ---------------------------------------------------------------------


def _stream_row(recording: Recording) -> Stream:
    stream = stream_for(recording)
    if stream is None:
        stream = Stream(recording_id=recording.id, state=StreamState.NONE, renditions=[])
        db.session.add(stream)
    return stream


def _queue(recording: Recording) -> Job:
    """A packaging job and the stream's state, in the current transaction (the newest job is the one that
    publishes: an older one still running finds itself superseded)."""
    job = create_job(JOB_KIND, recording.id)
    stream = _stream_row(recording)
    stream.state = StreamState.QUEUED
    stream.job_id = job.id
    db.session.flush()
    return job


def queue_packaging(recording: Recording) -> Job:
    """Package the recording again from its sources (after a failure, or a retired track): the job, queued."""
    if not packable_sources(recording):
        raise MediaError("no-media", _NO_MEDIA, recording=recording.slug)
    job = _queue(recording)
    db.session.commit()
    submit(job)
    return job


def _ladder() -> tuple[int, ...]:
    heights = [int(h) for h in str(current_app.config["CATALOGUE_HLS_LADDER"]).split(",") if h.strip().isdigit()]
    return tuple(sorted({h for h in heights if h > 0})) or (360, 720)


def plan_for(recording: Recording) -> packaging.Plan:
    """What to package, every input probed again (a file may have gone since it was added)."""
    pairs = packable_sources(recording)
    if not pairs:
        raise MediaError("no-media", _NO_MEDIA, recording=recording.slug)
    inputs: dict[int, packaging.Input] = {}
    for source, _track in pairs:
        path = media_dir() / source.path
        if not path.is_file():
            raise MediaError(
                "missing-source",
                N_("The media file “%(file)s” is missing from the media folder."),
                file=source.original_filename,
            )
        inputs[source.id] = packaging.Input(
            path, source.original_filename, ffmpeg.probe(path, source.original_filename)
        )
    default_id = next((t.id for _s, t in pairs if t.is_default), pairs[0][1].id)
    renditions = []
    for source, track in pairs:
        audio = inputs[source.id].probe.audio
        if source.audio_stream >= len(audio):
            raise MediaError(
                "no-such-stream",
                _NO_SUCH_STREAM,
                file=source.original_filename,
                count=len(audio),
                number=source.audio_stream,
            )
        renditions.append(
            packaging.AudioRendition(
                track_id=track.id,
                track_slug=track.slug,
                name=track.label,
                language=track.languages[0] if len(track.languages) == 1 else "mul",
                default=track.id == default_id,
                source=inputs[source.id],
                stream=audio[source.audio_stream],
            )
        )
    picture = picture_source([s for s, _t in pairs])
    picture_input = inputs[picture.id] if picture else None
    floor = floor_source([s for s, _t in pairs]) or pairs[0][0]
    duration = inputs[floor.id].probe.duration_s or max((i.probe.duration_s or 0) for i in inputs.values())
    segment_s = float(current_app.config["CATALOGUE_HLS_SEGMENT_S"])
    plan = packaging.Plan(renditions, picture_input, duration, segment_s, _ladder())
    if plan.copies_video and picture_input is not None:
        plan = replace(plan, segment_s=packaging.aligned_segment_s(picture_input, segment_s))
    return plan


def _failure(error: Exception, recording: Recording, plan: packaging.Plan | None) -> JobFailed:
    """What a failed packaging says: the file and stream, in ffmpeg's words where ffmpeg failed."""
    if isinstance(error, MediaError):
        return JobFailed(error.problem.code, error.problem.text, **error.problem.params)
    disk_full = (isinstance(error, FFmpegFailed) and error.disk_full) or (
        isinstance(error, OSError) and error.errno == errno.ENOSPC
    )
    if disk_full:
        return JobFailed(
            "disk-full",
            _PACKAGING_DISK_FULL,
            recording=recording.slug,
        )
    if isinstance(error, FFmpegFailed):
        # ffmpeg names inputs by number (#1:0 is input 1's first stream) and by path: say which file is which,
        # by the names the archivist knows.
        inputs = packaging.inputs_of(plan) if plan else []
        reason = error.reason
        for source in inputs:
            reason = reason.replace(str(source.path), source.shown_name)
        return JobFailed(
            "ffmpeg",
            N_("ffmpeg could not package “%(recording)s” (inputs: %(inputs)s): %(reason)s"),
            recording=recording.slug,
            inputs=", ".join(f"#{n} “{source.shown_name}”" for n, source in enumerate(inputs)),
            reason=reason.replace(str(media_dir()), ""),
        )
    if isinstance(error, packaging.IncompleteOutput):
        return JobFailed(
            "incomplete",
            N_("ffmpeg wrote an incomplete file while packaging “%(recording)s”: %(reason)s. Package it again."),
            recording=recording.slug,
            reason=str(error),
        )
    return JobFailed(
        "io", N_("Packaging “%(recording)s” failed: %(reason)s"), recording=recording.slug, reason=str(error)
    )


def new_version() -> str:
    """A folder name that sorts by time and is never reused: the content-versioned part of every segment URL."""
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{secrets.token_hex(4)}"


def package_recording(job: Job, progress: Callable[[float], None]) -> None:
    """The "package" job: write a new HLS folder from the recording's sources, then publish it in one commit.

    On any failure the new folder is removed, the stream says "failed" and keeps its published folder.
    """
    recording = db.session.get(Recording, job.recording_id) if job.recording_id else None
    if recording is None:
        raise JobFailed("no-recording", N_("The recording of this job no longer exists."))
    stream = _stream_row(recording)
    if stream.job_id not in (None, job.id):
        logger.info("job %s superseded by job %s; nothing to do", job.id, stream.job_id)
        return
    stream.state, stream.job_id = StreamState.RUNNING, job.id
    db.session.commit()
    folder_name = f"{recording.slug}/hls/{new_version()}"
    folder = media_dir() / folder_name
    plan = None
    try:
        plan = plan_for(recording)
        packaged = packaging.package(plan, folder, progress)
    except (MediaError, FFmpegFailed, packaging.IncompleteOutput, OSError) as error:
        failure = _failure(error, recording, plan)
        shutil.rmtree(folder, ignore_errors=True)
        _mark_failed(recording.id, job.id)
        raise failure from error
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        _mark_failed(recording.id, job.id)
        raise
    publish(recording, job, folder_name, plan, packaged)


def _mark_failed(recording_id: int, job_id: int) -> None:
    db.session.rollback()
    stream = db.session.scalar(select(Stream).where(Stream.recording_id == recording_id))
    if stream is not None and stream.job_id == job_id:
        stream.state = StreamState.FAILED
        db.session.commit()


def publish(
    recording: Recording, job: Job, folder_name: str, plan: packaging.Plan, packaged: packaging.Packaged
) -> None:
    """Switch the recording to its new folder in one commit, unless a newer packaging was queued meanwhile.

    Then the static copy of the master playlist (for web servers that serve CATALOGUE_MEDIA_DIR themselves)
    and the folders older than the previous one go; the previous one stays for players that loaded it.
    """
    stream = db.session.scalar(
        select(Stream)
        .where(Stream.recording_id == recording.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if stream is None or stream.job_id != job.id:
        db.session.rollback()
        shutil.rmtree(media_dir() / folder_name, ignore_errors=True)
        logger.info("job %s superseded before publishing; its folder is removed", job.id)
        return
    previous = stream.folder
    stream.folder = folder_name
    stream.state = StreamState.READY
    stream.has_video = bool(packaged.video)
    stream.poster = packaged.poster
    stream.thumbnails = packaged.thumbnails
    stream.renditions = packaged.renditions
    stream.duration_ms = round(plan.duration_s * 1000)
    stream.published_at = datetime.now(UTC)
    # One duration everywhere: once there is media, the recording lasts as long as its floor recording plays
    # (a duration typed in by hand or given to the API was an estimate).
    recording.duration_ms = stream.duration_ms
    db.session.commit()
    _write_static_master(folder_name)
    _remove_old_folders(recording.slug, keep={folder_name, previous})


def _write_static_master(folder_name: str) -> None:
    folder = media_dir() / folder_name
    text = packaging.prefixed_master((folder / packaging.MASTER).read_text(encoding="utf-8"), folder.name)
    target = folder.parent / packaging.MASTER
    partial = folder.parent / f".{packaging.MASTER}.{secrets.token_hex(4)}"
    try:
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, target)  # Atomic: a web server never serves half a playlist.
    except OSError:
        partial.unlink(missing_ok=True)
        logger.exception("could not write %s (the app serves the master playlist itself)", target)


def _remove_old_folders(slug: str, keep: set[str | None]) -> None:
    """Published folders before the previous one: no player can still be reading them. Folders after the
    newest kept one belong to packagings still running and stay."""
    hls = media_dir() / slug / "hls"
    kept = sorted(Path(k).name for k in keep if k)
    for folder in hls.iterdir() if hls.is_dir() else []:
        if folder.is_dir() and VERSION.match(folder.name) and folder.name < kept[0]:
            shutil.rmtree(folder, ignore_errors=True)


def init_app(app: Flask) -> None:
    register_handler(app, JOB_KIND, package_recording)
    register_handler(app, FETCH_KIND, fetch_source)
