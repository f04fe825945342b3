"""Real `.po` files from other projects (`../shared/external/po`, listed in its manifest.json): every one that
`msgfmt --check` accepts reads, with the translations msgfmt compiles, and can be edited; one it refuses may be
read (we are more lenient about a byte-order mark or a missing `plural=`) or refused with its line named.

`msgfmt --check` is the oracle rather than plain `msgfmt` because our reader, like `--check`, holds a plural entry
to the header's nplurals (design.md §6): Django's French catalogues give three forms with nplurals=2.
msgfmt is Debian's gettext package, which .ci/services installs.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo

from catalogue.translating.po_reader import decode
from catalogue.translating.pofile import (
    PoCatalogue,
    PoSyntaxError,
    compile_mo,
    parse_text,
    read_catalogue,
    update_entry,
)
from tests.conftest import SHARED, shared_folder

EXTERNAL = SHARED / "external"
MANIFEST = EXTERNAL / "manifest.json"
PO_CASES = json.loads(MANIFEST.read_text(encoding="utf-8"))["po"] if MANIFEST.exists() else []
NOW = datetime(2026, 11, 27, 14, 30, tzinfo=UTC)


def test_the_external_corpus_is_there():
    shared_folder("external")  # Skipped without ../shared, unless in CI: there a missing corpus fails.
    assert len(PO_CASES) == 34


def msgfmt(po: Path, mo: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """msgfmt, in the C locale so that its messages are English."""
    if shutil.which("msgfmt") is None:
        pytest.fail("msgfmt is missing: install Debian's gettext package (.ci/services does).")
    env = {**os.environ, "LC_ALL": "C"}
    return subprocess.run(["msgfmt", *options, "-o", str(mo), str(po)], capture_output=True, text=True, env=env)


def compiled(mo: Path) -> dict[tuple[str | None, object], object]:
    """A .mo file's translations by (context, msgid or (msgid, msgid_plural)), the header left out."""
    with mo.open("rb") as f:
        return {(m.context, m.id if isinstance(m.id, str) else tuple(m.id)): m.string for m in read_mo(f) if m.id}


def charset(catalogue: PoCatalogue) -> str:
    match = re.search(r"charset=([-\w.:]+)", catalogue.headers.get("Content-Type", ""))
    return match.group(1) if match and match.group(1).lower() != "charset" else "utf-8"


def the_note(case: dict, pattern: str) -> int | None:
    """A number from the source project's own note on the file ("polib: 47 entries", "syntax error (line 5)")."""
    match = re.search(pattern, case["source"].get("note") or "")
    return int(match.group(1)) if match else None


@pytest.mark.parametrize("case", PO_CASES, ids=[case["file"] for case in PO_CASES])
def test_every_file_msgfmt_accepts_reads_as_msgfmt_reads_it(case, tmp_path):
    path = EXTERNAL / case["file"]
    data = path.read_bytes()
    accepted = msgfmt(path, tmp_path / "checked.mo", "--check").returncode == 0
    try:
        catalogue = read_catalogue(data)
    except PoSyntaxError as error:  # Only what msgfmt refuses too, and the line is named.
        assert not accepted, f"line {error.line}: {error}"
        assert 1 <= error.line <= data.count(b"\n") + 1
        assert the_note(case, r"line (\d+)") in (None, error.line)
        return
    assert the_note(case, r"(\d+) entries") in (None, len(catalogue.entries))

    # What we read is what msgfmt compiles (when it compiles the file at all: it refuses a byte-order mark).
    if charset(catalogue).lower().replace("_", "-") != "utf-8":  # Python reads a .mo whose header is UTF-8 only.
        converted = tmp_path / "utf-8.po"
        subprocess.run(["msgconv", "--to-code=UTF-8", "-o", str(converted), str(path)], check=True)
        path = converted
    if msgfmt(path, tmp_path / "msgfmt.mo").returncode != 0:
        assert not accepted
        return
    compile_mo(catalogue, tmp_path / "ours.mo")
    theirs = compiled(tmp_path / "msgfmt.mo") if (tmp_path / "msgfmt.mo").exists() else {}  # None: no .mo.
    ours = compiled(tmp_path / "ours.mo")
    assert ours == {key: theirs[key] for key in ours}
    # msgfmt also compiles a plural entry with an empty form; we leave it out, as pybabel does (gettext would
    # show an empty text). Anything else msgfmt compiled, we have too.
    entries = {(e.context, (e.msgid, e.msgid_plural) if e.msgid_plural else e.msgid): e for e in catalogue.entries}
    for key in theirs.keys() - ours.keys():
        assert entries[key].msgstr_plural is not None and not entries[key].translated


@pytest.mark.parametrize("case", PO_CASES, ids=[case["file"] for case in PO_CASES])
def test_an_entry_of_any_file_msgfmt_accepts_can_be_edited(case, tmp_path):
    """The first translated entry gets a new translation and the fuzzy flag; everything else reads as before, and
    msgfmt still accepts the file."""
    path = EXTERNAL / case["file"]
    if msgfmt(path, tmp_path / "before.mo", "--check").returncode != 0:
        return  # Nothing to edit: the file is not a valid catalogue to begin with.
    text = decode(path.read_bytes())
    before = parse_text(text)
    entry = next((e for e in before.entries if e.translated and not e.fuzzy), None)
    if entry is None:
        assert not any(e.translated and not e.fuzzy for e in before.entries)
        return
    if entry.msgstr_plural is not None:
        change = {"msgstr_plural": [f"{form} (edited)" for form in entry.msgstr_plural]}
    else:
        change = {"msgstr": "Une traduction « éditée » sur\ndeux lignes, assez longue pour être coupée en morceaux."}
    edited = update_entry(
        text, entry.msgid, entry.context, fuzzy=True, translator="Zeynep Kaya <z@example.org>", now=NOW, **change
    )

    after = parse_text(edited)
    changed = [
        (old, new)
        for old, new in zip(before.entries, after.entries, strict=True)
        if dataclasses.replace(old, lineno=0) != dataclasses.replace(new, lineno=0)
    ]
    assert [old.key for old, _new in changed] == [entry.key]
    new = changed[0][1]
    assert new.fuzzy and (new.msgstr_plural or new.msgstr) == (change.get("msgstr_plural") or change.get("msgstr"))
    if before.headers:  # A header that is not the first entry (msgfmt allows it) is read by Babel, not stamped.
        assert after.headers["Last-Translator"] == "Zeynep Kaya <z@example.org>"
    edited_path = tmp_path / "edited.po"
    edited_path.write_bytes(edited.encode(charset(before)))
    result = msgfmt(edited_path, tmp_path / "after.mo", "--check")
    assert result.returncode == 0, result.stderr


# --- the layouts msgfmt reads, written out ------------------------------------------------------------------------

HEADER = textwrap.dedent(
    """\
    msgid ""
    msgstr ""
    "Content-Type: text/plain; charset=UTF-8\\n"
    "Plural-Forms: nplurals=2; plural=(n != 1);\\n"

    """
)

LAYOUTS = {
    "indented, tabs after keywords": '\tmsgctxt\t\t "menu"\n  msgid\t"Open"\n  msgstr\t\t"Ouvrir"\n',
    "keyword alone on its line": 'msgid\n"Open"\nmsgstr\n    "Ouvrir"\n',
    "two strings on a line": 'msgid "Op" "en"\nmsgstr "Ouv" "rir"\n',
    "no blank after the keyword": 'msgid"Open"\nmsgstr"Ouvrir"\n',
    "one entry on one line": 'msgid "Open" msgstr "Ouvrir"\n',
    "spaces inside the index": 'msgid "file"\nmsgid_plural "files"\nmsgstr [ 0 ] "fichier"\nmsgstr[1]\t"fichiers"\n',
    # A comment after an entry belongs to the next one: "Shut" is fuzzy.
    "comments after an entry": (
        'msgid "Open" msgstr "Ouvrir" #, fuzzy\nmsgid "Shut" msgstr "Fermer"\n'
        'msgid "Save" msgstr "Enregistrer"\t# "x"\n'
    ),
    "obsolete entry with tabs": 'msgid "Open"\nmsgstr "Ouvrir"\n\n#~\tmsgid\t"Close"\n#~ msgstr "Fermer" "!"\n',
}


@pytest.mark.parametrize("body", LAYOUTS.values(), ids=LAYOUTS.keys())
def test_layouts_that_msgfmt_reads_are_read_the_same(body, tmp_path):
    path = tmp_path / "layout.po"
    path.write_text(HEADER + body, encoding="utf-8")
    assert msgfmt(path, tmp_path / "msgfmt.mo", "--check").returncode == 0
    catalogue = parse_text(HEADER + body)
    compile_mo(catalogue, tmp_path / "ours.mo")
    assert compiled(tmp_path / "ours.mo") == compiled(tmp_path / "msgfmt.mo") != {}
    assert catalogue.entries[0].lineno == HEADER.count("\n") + body.split("msgid")[0].count("\n") + 1


@pytest.mark.parametrize(
    ("body", "line", "words"),
    [
        ('msgid "a"\nmsgstr\n\nmsgid "b"\nmsgstr "c"\n', 7, "misformatted"),  # A keyword without its string.
        ('msgid "a" msgstr "b" c\n', 6, "after the closing quote"),
        ('msgid "a" # a comment ends the entry\nmsgstr "b"\n', 6, "no msgstr"),
        ('msgid "a" msgstr "b" "c\n', 6, "Unterminated"),
        ('msgid "a"\n\tmsgid_plural "as"\n\tmsgstr "b"\n', 8, "msgstr[0]"),
        ('#~ msgid "old"\n#~ msgstr\nmsgid "a"\nmsgstr "b"\n', 7, "misformatted"),
    ],
)
def test_what_msgfmt_refuses_in_those_layouts_is_refused_with_its_line(body, line, words, tmp_path):
    path = tmp_path / "broken.po"
    path.write_text(HEADER + body, encoding="utf-8")
    assert msgfmt(path, tmp_path / "msgfmt.mo", "--check").returncode != 0
    with pytest.raises(PoSyntaxError) as caught:
        parse_text(HEADER + body)
    assert caught.value.line == line and words in str(caught.value)


def test_an_entry_that_shares_its_line_is_edited_alone(tmp_path):
    """Poedit never writes this, but msgfmt reads it: the neighbour on the same line keeps its bytes."""
    text = HEADER + textwrap.dedent(
        """\
        msgid "a" msgstr "b" msgid "c" msgstr
           "d"
        msgid "e" msgstr "f"
        """
    )
    edited = update_entry(text, "c", None, msgstr="D", fuzzy=True, translator="Z <z@example.org>", now=NOW)
    assert edited.endswith('msgid "a" msgstr "b" \n#, fuzzy\nmsgid "c" msgstr "D"\nmsgid "e" msgstr "f"\n')
    catalogue = parse_text(edited)
    assert [(e.msgid, e.msgstr, e.fuzzy) for e in catalogue.entries] == [
        ("a", "b", False),
        ("c", "D", True),
        ("e", "f", False),
    ]
    path = tmp_path / "edited.po"
    path.write_text(edited, encoding="utf-8")
    assert msgfmt(path, tmp_path / "edited.mo", "--check").returncode == 0
