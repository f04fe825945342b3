"""`flask --app catalogue translations extract|update|compile|check|stats` (design.md §8).

Two gettext domains: `messages` (the interface, extracted from the code) and `content` (the catalogue's own
texts, extracted from the database). Extraction, merging and compiling are Babel's own commands, so the
catalogues stay as `pybabel` and Poedit write them.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import cast

import click
from babel.messages.frontend import CommandLineInterface
from flask import current_app
from flask.cli import AppGroup

from catalogue.translating import services
from catalogue.translating.glossary import glossary_errors
from catalogue.translating.pofile import PoSyntaxError
from catalogue.translating.queries import DOMAINS, catalogue_files, file_counts, file_errors, po_path, translations_dir

translations_cli = AppGroup("translations", help="Maintain the interface and content translations.")

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# What the domains register for `translations extract` (create_app): each yields (context, text, where).
ContentSource = Callable[[], Iterable[tuple[str | None, str, str]]]


def _pybabel(*args: str) -> None:
    """Run a pybabel command; its errors (a broken placeholder, say) make ours fail too."""
    # Babel's command line has no annotations: it takes argv and returns the exit status (None for success).
    run = cast("Callable[[list[str]], int | None]", CommandLineInterface().run)
    if run(["pybabel", "-q", *args]):
        raise click.ClickException(f"pybabel {args[0]} failed (see the errors above).")


def extract_messages() -> None:
    # Run from the project root so that source locations in the catalogue are relative (catalogue/...).
    previous = os.getcwd()
    os.chdir(PROJECT_ROOT)
    try:
        _pybabel(
            "extract",
            "-F",
            str(translations_dir() / "babel.cfg"),
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
            str(translations_dir() / "messages.pot"),
            "catalogue",
        )
    finally:
        os.chdir(previous)


def extract_content() -> int:
    """Write content.pot from the database: titles, summaries, chapters, track labels, with their context."""
    sources: list[ContentSource] = current_app.extensions["catalogue_content_sources"]
    texts = (text for source in sources for text in source())
    return services.write_template(translations_dir() / "content.pot", texts, project="catalogue content")


@translations_cli.command("extract")
def extract() -> None:
    """Refresh messages.pot from the code and content.pot from the database."""
    extract_messages()
    count = extract_content()
    click.echo(f"Extracted messages.pot and content.pot ({count} content texts).")


@translations_cli.command("update")
def update() -> None:
    """Merge the templates into every locale's catalogues (new entries empty, changed ones fuzzy)."""
    for locale in current_app.config["LANGUAGES"]:
        if locale == current_app.config["BABEL_DEFAULT_LOCALE"]:
            continue
        for domain in DOMAINS:
            template, folder = str(translations_dir() / f"{domain}.pot"), str(translations_dir())
            path = po_path(locale, domain)
            if path.exists():
                _pybabel(
                    "update", "-i", template, "-d", folder, "-D", domain, "-l", locale, "--ignore-obsolete", "-w", "76"
                )
            else:
                _pybabel("init", "-i", template, "-d", folder, "-D", domain, "-l", locale, "-w", "76")
                services.pin_plural_forms(path, locale)


@translations_cli.command("compile")
def compile_catalogues() -> None:
    """Compile every .po into the .mo the application reads (each write atomic)."""
    for locale, _domain, path in catalogue_files():
        if locale == current_app.config["BABEL_DEFAULT_LOCALE"]:
            continue
        try:
            services.compile_file(path)
        except PoSyntaxError as error:
            raise click.ClickException(f"{path}:{error.line}: {error}") from None


@translations_cli.command("stats")
def stats() -> None:
    """How complete each locale and domain is."""
    for locale, domain, path in catalogue_files():
        counts = file_counts(path)
        total = sum(counts.values()) or 1
        click.echo(
            f"{locale} {domain}: {counts['translated']}/{total} translated "
            f"({100 * counts['translated'] // total} %), {counts['fuzzy']} fuzzy, {counts['untranslated']} untranslated"
        )


@translations_cli.command("check")
@click.option("--complete/--no-complete", default=True, help="Also fail on fuzzy or untranslated entries.")
def check(complete: bool) -> None:
    """Fail (exit 1) on a broken catalogue, and on an incomplete one unless --no-complete."""
    problems: list[str] = []
    for locale, domain, path in catalogue_files():
        problems.extend(file_errors(path, locale))
        problems.extend(glossary_errors(path, locale))  # translations/glossary.csv: one word per key term
        counts = file_counts(path)
        if complete and (counts["fuzzy"] or counts["untranslated"]):
            problems.append(
                f"{locale} {domain}: {counts['fuzzy']} fuzzy and {counts['untranslated']} untranslated entries"
            )
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        sys.exit(1)
    click.echo("Translations check out.")
