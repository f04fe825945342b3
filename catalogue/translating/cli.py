"""`flask --app catalogue translations extract|update|compile|check|stats` (design.md §8).

Two gettext domains: `messages` (the interface, extracted from the code) and `content` (the catalogue's own
texts, extracted from the database). Extraction, merging and compiling are Babel's own commands, so the
catalogues stay as `pybabel` and Poedit write them.
"""

from __future__ import annotations

import io
import os
import re
import sys
from pathlib import Path

import click
from babel.messages.catalog import Catalog
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import write_po
from flask import current_app
from flask.cli import AppGroup

from catalogue.translating.po_reader import read_catalogue_file
from catalogue.translating.po_scanner import PoSyntaxError
from catalogue.translating.po_writer import atomic_write

translations_cli = AppGroup("translations", help="Maintain the interface and content translations.")

DOMAINS = ("messages", "content")
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _directory() -> Path:
    return Path(current_app.config["CATALOGUE_TRANSLATIONS_DIR"])


def _pybabel(*args: str) -> None:
    """Run a pybabel command; its errors (a broken placeholder, say) make ours fail too."""
    if CommandLineInterface().run(["pybabel", "-q", *args]):
        raise click.ClickException(f"pybabel {args[0]} failed (see the errors above).")


def catalogue_files(domain: str | None = None) -> list[tuple[str, str, Path]]:
    """(locale, domain, path) of every .po file of the translated locales."""
    found = []
    for locale in current_app.config["LANGUAGES"]:
        for name in (domain,) if domain else DOMAINS:
            path = _directory() / locale / "LC_MESSAGES" / f"{name}.po"
            if path.exists():
                found.append((locale, name, path))
    return found


def extract_messages() -> None:
    # Run from the project root so that source locations in the catalogue are relative (catalogue/...).
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
            str(_directory() / "messages.pot"),
            "catalogue",
        )
    finally:
        os.chdir(previous)


def extract_content() -> int:
    """Write content.pot from the database: titles, summaries, chapters, track labels, with their context."""
    catalog = Catalog(project="catalogue content", msgid_bugs_address="translators@example.org", fuzzy=False)
    for source in current_app.extensions["catalogue_content_sources"]:
        for context, text, where in source():
            if text and text.strip():
                catalog.add(text, context=context, locations=[(where, None)])
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=76, sort_output=True, omit_header=False)
    atomic_write(_directory() / "content.pot", buffer.getvalue())
    return len(catalog)


@translations_cli.command("extract")
def extract() -> None:
    """Refresh messages.pot from the code and content.pot from the database."""
    extract_messages()
    count = extract_content()
    click.echo(f"Extracted messages.pot and content.pot ({count} content texts).")


# Pinned plural rules (design.md §6): Babel's CLDR data would give French a third form.
PLURAL_FORMS = {"fr": "nplurals=2; plural=(n > 1);", "tr": "nplurals=2; plural=(n != 1);"}
PLURAL_HEADER = re.compile(r'"Plural-Forms: [^"]*"\n(?:"[^"]*"\n)*?(?="[A-Z])')


def _pin_plural_forms(path: Path, locale: str) -> None:
    if locale in PLURAL_FORMS:
        header = '"Plural-Forms: ' + PLURAL_FORMS[locale] + '\\n"\n'
        text = PLURAL_HEADER.sub(lambda _match: header, path.read_text("utf-8"), count=1)
        atomic_write(path, text.encode("utf-8"))


@translations_cli.command("update")
def update() -> None:
    """Merge the templates into every locale's catalogues (new entries empty, changed ones fuzzy)."""
    for locale in current_app.config["LANGUAGES"]:
        if locale == current_app.config["BABEL_DEFAULT_LOCALE"]:
            continue
        for domain in DOMAINS:
            template, folder = str(_directory() / f"{domain}.pot"), str(_directory())
            path = _directory() / locale / "LC_MESSAGES" / f"{domain}.po"
            if path.exists():
                _pybabel(
                    "update", "-i", template, "-d", folder, "-D", domain, "-l", locale, "--ignore-obsolete", "-w", "76"
                )
            else:
                _pybabel("init", "-i", template, "-d", folder, "-D", domain, "-l", locale, "-w", "76")
                _pin_plural_forms(path, locale)


@translations_cli.command("compile")
def compile_catalogues() -> None:
    """Compile every .po into the .mo the application reads (each write atomic)."""
    from catalogue.translating.po_writer import compile_mo

    for _locale, _domain, path in catalogue_files():
        if _locale == current_app.config["BABEL_DEFAULT_LOCALE"]:
            continue
        try:
            compile_mo(path.read_text(encoding="utf-8"), path.with_suffix(".mo"))
        except PoSyntaxError as error:
            raise click.ClickException(f"{path}:{error.line}: {error}") from None


def catalogue_stats(path: Path) -> dict[str, int]:
    catalogue = read_catalogue_file(path)
    counts = {"translated": 0, "fuzzy": 0, "untranslated": 0}
    for entry in catalogue.entries:
        if entry.fuzzy:
            counts["fuzzy"] += 1
        elif entry.translated:
            counts["translated"] += 1
        else:
            counts["untranslated"] += 1
    return counts


def catalogue_errors(path: Path, locale: str) -> list[str]:
    """Our checks (Babel's own and what they miss) on every translated, non-fuzzy entry."""
    from catalogue.translating.checks import check_entry

    try:
        catalogue = read_catalogue_file(path)
    except PoSyntaxError as error:
        return [f"{path}:{error.line}: {error}"]
    problems = []
    for entry in catalogue.entries:
        if entry.fuzzy or not entry.translated:
            continue
        errors, _warnings = check_entry(
            entry.msgid,
            entry.msgid_plural,
            entry.msgstr_plural if entry.msgid_plural else entry.msgstr,
            locale=locale,
            python_format=entry.python_format,
            nplurals=catalogue.nplurals,
            plural_expr=catalogue.plural_expr,
        )
        problems.extend(f"{path}:{entry.lineno}: [{p.code}] {p.message}" for p in errors)
    return problems


@translations_cli.command("stats")
def stats() -> None:
    """How complete each locale and domain is."""
    for locale, domain, path in catalogue_files():
        counts = catalogue_stats(path)
        total = sum(counts.values()) or 1
        click.echo(
            f"{locale} {domain}: {counts['translated']}/{total} translated "
            f"({100 * counts['translated'] // total} %), {counts['fuzzy']} fuzzy, {counts['untranslated']} untranslated"
        )


@translations_cli.command("check")
@click.option("--complete/--no-complete", default=True, help="Also fail on fuzzy or untranslated entries.")
def check(complete: bool) -> None:
    """Fail (exit 1) on a broken catalogue, and on an incomplete one unless --no-complete."""
    problems = []
    for locale, domain, path in catalogue_files():
        problems.extend(catalogue_errors(path, locale))
        counts = catalogue_stats(path)
        if complete and (counts["fuzzy"] or counts["untranslated"]):
            problems.append(
                f"{locale} {domain}: {counts['fuzzy']} fuzzy and {counts['untranslated']} untranslated entries"
            )
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        sys.exit(1)
    click.echo("Translations check out.")
