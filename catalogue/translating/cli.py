"""`flask --app catalogue translations extract|update|compile|check|stats` (design.md §8).

Thin wrappers over Babel's own commands, so the catalogues stay exactly as `pybabel` and Poedit write them.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from babel.messages.checkers import checkers as babel_checkers
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import PoFileError, read_po
from flask import current_app
from flask.cli import AppGroup

translations_cli = AppGroup("translations", help="Maintain the interface translations.")

DOMAIN = "messages"
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _directory() -> Path:
    return Path(current_app.config["CATALOGUE_TRANSLATIONS_DIR"])


def _pybabel(*args: str) -> None:
    """Run a pybabel command; its errors (a broken placeholder, say) make ours fail too."""
    if CommandLineInterface().run(["pybabel", "-q", *args]):
        raise click.ClickException(f"pybabel {args[0]} failed (see the errors above).")


def _catalogue_files() -> list[tuple[str, Path]]:
    return sorted((p.parent.parent.name, p) for p in _directory().glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


@translations_cli.command("extract")
def extract() -> None:
    """Collect the interface's messages into translations/messages.pot."""
    # Run from the project root so that source locations in the catalogues are relative (catalogue/...).
    previous = os.getcwd()
    os.chdir(PROJECT_ROOT)
    try:
        _pybabel(
            "extract",
            "-F",
            str(_directory() / "babel.cfg"),
            "-k",
            "_l",
            "-k",
            "N_",
            "--sort-by-file",
            "--add-comments",
            "TRANSLATORS:",
            "--project",
            "catalogue",
            "--msgid-bugs-address",
            "translators@example.org",
            "-o",
            str(_directory() / f"{DOMAIN}.pot"),
            "catalogue",
        )
    finally:
        os.chdir(previous)


@translations_cli.command("update")
def update() -> None:
    """Merge messages.pot into every language's messages.po (new entries untranslated, changed ones fuzzy)."""
    _pybabel(
        "update", "-i", str(_directory() / f"{DOMAIN}.pot"), "-d", str(_directory()), "-D", DOMAIN, "--ignore-obsolete"
    )


@translations_cli.command("compile")
def compile_catalogues() -> None:
    """Compile every messages.po into the messages.mo the application reads."""
    _pybabel("compile", "-d", str(_directory()), "-D", DOMAIN, "--statistics")


def catalogue_stats(path: Path) -> dict[str, int]:
    with path.open("rb") as f:
        catalog = read_po(f)
    counts = {"translated": 0, "fuzzy": 0, "untranslated": 0}
    for message in catalog:
        if not message.id:
            continue
        if message.fuzzy:
            counts["fuzzy"] += 1
        elif all(message.string) if isinstance(message.string, tuple) else message.string:
            counts["translated"] += 1
        else:
            counts["untranslated"] += 1
    return counts


def catalogue_errors(path: Path) -> list[str]:
    """Babel's own checks (placeholders, plural forms) on every translated entry."""
    try:
        with path.open("rb") as f:
            catalog = read_po(f, abort_invalid=True)
    except PoFileError as exc:
        return [f"{path}:{exc.lineno}: {exc}"]
    errors = []
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        for checker in babel_checkers:
            try:
                checker(catalog, message)
            except Exception as exc:  # Babel raises TranslationError for every kind of failure.
                errors.append(f"{path}:{message.lineno}: {exc}")
    return errors


@translations_cli.command("stats")
def stats() -> None:
    """How complete each language is."""
    for locale, path in _catalogue_files():
        counts = catalogue_stats(path)
        total = sum(counts.values()) or 1
        click.echo(
            f"{locale}: {counts['translated']}/{total} translated ({100 * counts['translated'] // total} %), "
            f"{counts['fuzzy']} fuzzy, {counts['untranslated']} untranslated"
        )


@translations_cli.command("check")
@click.option("--complete/--no-complete", default=True, help="Also fail on fuzzy or untranslated entries.")
def check(complete: bool) -> None:
    """Fail (exit 1) on a broken catalogue, and on an incomplete one unless --no-complete."""
    problems = []
    for locale, path in _catalogue_files():
        problems.extend(catalogue_errors(path))
        counts = catalogue_stats(path)
        if complete and (counts["fuzzy"] or counts["untranslated"]):
            problems.append(f"{locale}: {counts['fuzzy']} fuzzy and {counts['untranslated']} untranslated entries")
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        sys.exit(1)
    click.echo("Translations check out.")
