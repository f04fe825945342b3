"""`flask --app catalogue subtitles import RECORDING_SLUG LANG FILE...`: the same checks as an upload."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from catalogue.extensions import db
from catalogue.inputs import InvalidInput
from catalogue.recordings.models import Recording
from catalogue.subtitles.forms import subtitle_language, text_encoding
from catalogue.subtitles.parsing import SubtitleError
from catalogue.subtitles.store import publish_subtitle

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
