"""`flask --app catalogue subtitles import RECORDING_SLUG LANG FILE...`: the same checks as an upload.
`subtitles shift` and `subtitles stretch` re-time the current revision, as a new revision."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from catalogue.extensions import db
from catalogue.inputs import InvalidInput
from catalogue.recordings.models import Recording
from catalogue.subtitles.models import SubtitleRevision, SubtitleTrack
from catalogue.subtitles.parsing import SubtitleError
from catalogue.subtitles.services import shift_track, stretch_track, subtitle_language, text_encoding
from catalogue.subtitles.store import StaleRevision, publish_subtitle

subtitles_cli = AppGroup("subtitles", help="Subtitle files.")


@subtitles_cli.command("import")
@click.argument("recording_slug")
@click.argument("language")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["vtt", "srt", "sbv"]), help="Skip format detection.")
@click.option("--encoding", help="The files' encoding (else: byte-order mark, UTF-8, the language's code page).")
@click.option("--by", "uploaded_by", default="command line", show_default=True, help="Recorded as the uploader.")
def import_command(
    recording_slug: str, language: str, files: tuple[Path, ...], fmt: str | None, encoding: str | None, uploaded_by: str
) -> None:
    """Publish FILES, in order, as new revisions of the LANGUAGE subtitles of a recording.

    Each file is checked like an upload; a refused file is reported with its line numbers and
    changes nothing. The exit status is 1 when any file was refused.
    """
    recording = db.session.scalar(select(Recording).where(Recording.slug == recording_slug))
    if recording is None:
        raise click.ClickException(f"No recording “{recording_slug}”.")
    try:  # The same checks as an upload's form and the API.
        language = subtitle_language(language)
        if encoding:
            text_encoding(encoding)
    except InvalidInput as error:
        raise click.BadParameter(error.reason, param_hint=error.field) from None
    published, refused, lines = 0, 0, []
    with click.progressbar(
        files, label=f"Importing {language} subtitles", file=sys.stderr, item_show_func=lambda p: p.name if p else ""
    ) as bar:
        for path in bar:
            try:
                revision = publish_subtitle(
                    recording,
                    language,
                    path.read_bytes(),
                    filename=path.name,
                    format=fmt,
                    encoding=encoding,
                    uploaded_by=uploaded_by,
                )
            except SubtitleError as error:
                refused += 1
                lines.append(f"REFUSED {path}:")
                lines.extend(f"  line {p.line or '-'}: [{p.code}] {p.message}" for p in error.problems)
            else:
                published += 1
                lines.append(
                    f"published {path} as revision {revision.number}: {revision.cue_count} cues, "
                    f"{revision.format}, {revision.encoding}, {len(revision.warnings)} warnings"
                )
    for line in lines:
        click.echo(line)
    click.echo(f"Summary: {published} published, {refused} refused.")
    if refused:
        sys.exit(1)


# --- Sync tools: `subtitles shift` and `subtitles stretch`, each a new revision through the edit service ---------

# `+1.5s`, `-250ms`, `2` (seconds): a sign, a number, a unit.
OFFSET = re.compile(r"([+-]?)(\d{1,10})(?:\.(\d{1,3}))?(ms|s)?")
# `12:30`, `1:02:03.5`, `750s` or `750`: a moment in the recording.
MOMENT = re.compile(r"(?:(\d{1,6}):)?(\d{1,2}):(\d{1,2})(?:\.(\d{1,3}))?|(\d{1,10})(?:\.(\d{1,3}))?s?")


def parse_offset(text: str) -> int:
    """An offset such as `+1.5s` or `-250ms`, in milliseconds."""
    match = OFFSET.fullmatch(text.strip())
    if match is None or (match.group(4) == "ms" and match.group(3)):
        raise click.BadParameter(f"“{text}”: write an offset such as +1.5s, -250ms or 2s.")
    sign, whole, fraction, unit = match.groups()
    ms = int(whole) if unit == "ms" else int(whole) * 1000 + int((fraction or "").ljust(3, "0"))
    return -ms if sign == "-" else ms


def parse_moment(text: str) -> int:
    """A moment such as `12:30`, `1:02:03.5` or `750s`, in milliseconds from the start of the recording."""
    match = MOMENT.fullmatch(text.strip())
    if match is None:
        raise click.BadParameter(f"“{text}”: write a moment such as 12:30, 1:02:03.5 or 750s.")
    hours, minutes, seconds, fraction, plain, plain_fraction = match.groups()
    if plain is not None:
        return int(plain) * 1000 + int((plain_fraction or "").ljust(3, "0"))
    if int(seconds) > 59 or (hours is not None and int(minutes) > 59):
        raise click.BadParameter(f"“{text}”: minutes and seconds go up to 59.")
    total_s = (int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)
    return total_s * 1000 + int((fraction or "").ljust(3, "0"))


def _track(recording_slug: str, language: str) -> SubtitleTrack:
    recording = db.session.scalar(select(Recording).where(Recording.slug == recording_slug))
    if recording is None:
        raise click.ClickException(f"No recording “{recording_slug}”.")
    try:
        language = subtitle_language(language)
    except InvalidInput as error:
        raise click.BadParameter(error.reason, param_hint=error.field) from None
    track = db.session.scalar(
        select(SubtitleTrack).where(SubtitleTrack.recording_id == recording.id, SubtitleTrack.language == language)
    )
    if track is None or track.current_revision is None:
        raise click.ClickException(f"No {language} subtitles for recording “{recording_slug}”.")
    return track


def _publish_edit(edit: Callable[[], SubtitleRevision], what: str) -> None:
    """Run one edit; report the new revision, or every problem (exit status 1, nothing changed)."""
    try:
        revision = edit()
    except StaleRevision as stale:
        click.echo(f"REFUSED: revision {stale.current} was saved meanwhile; nothing changed. Run the command again.")
        sys.exit(1)
    except SubtitleError as error:
        click.echo("REFUSED (nothing changed):")
        for problem in error.problems:
            click.echo(f"  [{problem.code}] {problem.message}")
        sys.exit(1)
    click.echo(
        f"published revision {revision.number}: {what}; {revision.cue_count} cues, {len(revision.warnings)} warnings"
    )


@subtitles_cli.command("shift", context_settings={"ignore_unknown_options": True})
@click.argument("recording_slug")
@click.argument("language")
@click.argument("offset")
@click.option("--from", "from_moment", help="Only cues starting at or after this moment (12:30, 1:02:03.5, 750s).")
@click.option("--by", "uploaded_by", default="command line", show_default=True, help="Recorded as the author.")
def shift_command(recording_slug: str, language: str, offset: str, from_moment: str | None, uploaded_by: str) -> None:
    """Move the LANGUAGE subtitles of a recording by OFFSET (+1.5s, -250ms): a new revision of the current one.

    A cue that would start before 0 refuses the shift, and nothing changes.
    """
    ms = parse_offset(offset)
    from_ms = parse_moment(from_moment) if from_moment else None
    track = _track(recording_slug, language)
    scope = "every cue" if from_ms is None else f"every cue from {from_moment}"
    _publish_edit(lambda: shift_track(track, ms, from_ms, uploaded_by=uploaded_by), f"{scope} moved by {ms:+d} ms")


@subtitles_cli.command("stretch")
@click.argument("recording_slug")
@click.argument("language")
@click.argument("anchors", nargs=2, metavar="CUE=MOMENT CUE=MOMENT")
@click.option("--by", "uploaded_by", default="command line", show_default=True, help="Recorded as the author.")
def stretch_command(recording_slug: str, language: str, anchors: tuple[str, str], uploaded_by: str) -> None:
    """Re-time the LANGUAGE subtitles so that two cues (numbered from 1) start at the given moments, every other
    time mapped linearly: `12=0:41.2 845=1:02:10.5` fixes a track made for another frame rate."""
    pairs = []
    for anchor in anchors:
        number, _sep, moment = anchor.partition("=")
        if not number.strip().isdigit() or int(number) < 1 or not moment:
            raise click.BadParameter(f"“{anchor}”: write a cue number and a moment, such as 12=0:41.2.")
        pairs.append((int(number) - 1, parse_moment(moment)))
    track = _track(recording_slug, language)
    (first, first_ms), (last, last_ms) = pairs
    _publish_edit(
        lambda: stretch_track(track, ((first, first_ms), (last, last_ms)), uploaded_by=uploaded_by),
        f"cue {first + 1} starts at {first_ms} ms, cue {last + 1} at {last_ms} ms",
    )
