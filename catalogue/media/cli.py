"""`flask --app catalogue media add|package` (design.md §8): the same checks as an upload through the API."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from catalogue.db import Busy
from catalogue.extensions import db
from catalogue.inputs import InvalidInput
from catalogue.media import services
from catalogue.media.ffmpeg import MediaError
from catalogue.recordings.models import Recording

media_cli = AppGroup("media", help="Media files and their packaging to HLS.")


def _recording(slug: str) -> Recording:
    recording = db.session.scalar(select(Recording).where(Recording.slug == slug))
    if recording is None:
        raise click.ClickException(f"No recording “{slug}”.")
    return recording


@media_cli.command("add")
@click.argument("recording_slug")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--kind", type=click.Choice(["original", "interpretation"]), required=True, help="Floor sound or an interpretation."
)
@click.option("--languages", required=True, help="Languages spoken, comma-separated: en, or en,fr,tr for the floor.")
@click.option("--label", help="The track's name in the player (else made from the kind and languages).")
@click.option(
    "--each-stream",
    is_flag=True,
    help="One audio track per audio stream of FILE: the first as --kind/--languages say, the others as "
    "interpretations in the languages the file names.",
)
def add_command(
    recording_slug: str, file: Path, kind: str, languages: str, label: str | None, each_stream: bool
) -> None:
    """Keep FILE as a media source of a new audio track of the recording and queue its packaging.

    A video file also gives the recording its picture. The job id is the last line printed; a worker
    (`flask --app catalogue jobs work`) does the packaging.
    """
    recording = _recording(recording_slug)
    add = services.add_each_stream if each_stream else services.add_source_as_list
    try:
        every_added = add(recording, file, kind, languages, label, filename=file.name)
    except InvalidInput as error:
        hint = "FILE" if error.field == "file" else f"--{error.field}"
        raise click.BadParameter(error.reason, param_hint=hint) from None
    except (MediaError, Busy) as error:
        raise click.ClickException(str(error)) from None
    for added in every_added:
        for warning in added.warnings:
            click.echo(f"warning: {warning.message}", err=True)
        click.echo(f"Audio track “{added.track.slug}” ({added.track.label}) added to {recording.slug}.")
    job = every_added[0].job
    click.echo(f"Packaging queued as job {job.id}; job id:")
    click.echo(job.id)


@media_cli.command("fetch")
@click.argument("recording_slug")
@click.argument("url")
@click.option(
    "--kind", type=click.Choice(["original", "interpretation"]), required=True, help="Floor sound or an interpretation."
)
@click.option("--languages", required=True, help="Languages spoken, comma-separated: en, or en,fr,tr for the floor.")
@click.option("--label", help="The track's name in the player (else made from the kind and languages).")
def fetch_command(recording_slug: str, url: str, kind: str, languages: str, label: str | None) -> None:
    """Queue the fetch of the media file at URL (public http/https addresses only); a worker downloads it, adds it
    as `media add` would and queues its packaging. Prints the fetch job's id on its last line."""
    recording = _recording(recording_slug)
    try:
        job = services.add_from_url(recording, url, kind, languages, label)
    except InvalidInput as error:
        hint = "URL" if error.field == "url" else f"--{error.field}"
        raise click.BadParameter(error.reason, param_hint=hint) from None
    except Busy as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Fetching {url} for {recording.slug} queued as job {job.id}; job id:")
    click.echo(job.id)


@media_cli.command("package")
@click.argument("recording_slug")
def package_command(recording_slug: str) -> None:
    """Queue the packaging of a recording again (after a failure, or after retiring a track). Prints the job id
    on its last line."""
    recording = _recording(recording_slug)
    try:
        job = services.queue_packaging(recording)
    except (MediaError, Busy) as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Packaging of {recording.slug} queued as job {job.id}; job id:")
    click.echo(job.id)
