"""Reading, editing and compiling .po files without disturbing what Poedit and pybabel wrote."""

from __future__ import annotations

import difflib
import gettext
import os
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from catalogue.problems import render_message
from catalogue.translating.pofile import (
    PoSyntaxError,
    atomic_write,
    compile_mo,
    format_field,
    parse_text,
    read_catalogue,
    read_catalogue_file,
    update_entry,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
FIXTURE = PROJECT_ROOT / "tests" / "data" / "poedit-fr.po"
NOW = datetime(2026, 11, 27, 14, 30, tzinfo=timezone(timedelta(hours=1)))
TRANSLATOR = "Zeynep Kaya <zeynep@example.org>"
OLD_HEADER = [
    '"PO-Revision-Date: 2026-11-24 16:05+0100\\n"',
    '"Last-Translator: Camille Martin <camille.martin@example.org>\\n"',
]
NEW_HEADER = ['"PO-Revision-Date: 2026-11-27 14:30+0100\\n"', f'"Last-Translator: {TRANSLATOR}\\n"']


@pytest.fixture
def text() -> str:
    return FIXTURE.read_bytes().decode("utf-8")


def changes(old: str, new: str) -> tuple[list[str], list[str]]:
    """The lines a `git diff` would show as removed and added."""
    a, b = old.split("\n"), new.split("\n")
    removed: list[str] = []
    added: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag != "equal":
            removed += a[i1:i2]
            added += b[j1:j2]
    return removed, added


def kept(text: str) -> list[str]:
    """Lines that no edit of another entry may touch: Poedit's headers, previous msgids, obsolete entries."""
    return [line for line in text.split("\n") if line.startswith(('"X-', "#|", "#~"))]


def edit(text: str, msgid: str, context: str | None = None, **changes: object) -> str:
    changes.setdefault("fuzzy", False)
    return update_entry(text, msgid, context, translator=TRANSLATOR, now=NOW, **changes)  # type: ignore[arg-type]


# --- reading ------------------------------------------------------------------------------------------------------


def test_reads_a_poedit_file_with_its_own_headers_and_plural_rule():
    catalogue = read_catalogue_file(FIXTURE)
    assert catalogue.locale == "fr"
    assert catalogue.plural_forms == "nplurals=2; plural=(n > 1);"
    assert catalogue.nplurals == 2
    assert [catalogue.plural_index(n) for n in (0, 1, 2, 5)] == [0, 0, 1, 1]
    # Babel keeps only the headers it knows; ours are read from the header msgstr itself.
    assert catalogue.headers["X-Generator"] == "Poedit 3.4"
    assert catalogue.headers["X-Poedit-Basepath"] == "../../.."
    assert catalogue.headers["X-Poedit-SearchPath-0"] == "catalogue"
    assert catalogue.headers["X-Poedit-KeywordsList"] == "_;gettext;ngettext:1,2;pgettext:1c,2;_l;N_"
    assert catalogue.headers["Last-Translator"] == "Camille Martin <camille.martin@example.org>"
    # The header and the obsolete entries are not entries.
    assert len(catalogue.entries) == 12
    assert catalogue.find("") is None
    assert catalogue.find("Subtitles (beta)") is None


def test_entries_carry_comments_flags_and_previous_msgid():
    catalogue = read_catalogue_file(FIXTURE)
    sign_in = catalogue.find("Sign in")
    assert sign_in is not None
    assert sign_in.translator_comments == ["Keep it short: it is a button."]
    assert sign_in.locations == [
        ("catalogue/accounts/templates/accounts/login.html", 12),
        ("catalogue/templates/base.html", 40),
    ]
    assert sign_in.lineno == 28
    assert sign_in.key == (None, "Sign in")
    assert sign_in.translated and not sign_in.fuzzy and not sign_in.python_format

    welcome = catalogue.find("Signed in. Welcome, %(name)s.")
    assert welcome is not None
    assert welcome.python_format
    assert welcome.developer_comments == ["TRANSLATORS: %(name)s is the person's display name."]

    restored = catalogue.find("Revision %(number)s was restored as revision %(new)s.")
    assert restored is not None
    assert restored.fuzzy and restored.python_format
    assert restored.previous_msgid == "Revision %(number)s was restored."
    assert restored.translator_comments == []  # `#|` lines are not a translator's comments.

    long = catalogue.find("This form has expired or came from another site. Go back, reload the page and try again.")
    assert long is not None
    assert long.msgstr.startswith("Ce formulaire a expiré ou provient d’un autre site. Revenez en arrière, recharg")

    quoted = catalogue.find('The file has no "WEBVTT" signature on its first line.\nLine %(line)s: %(text)s')
    assert quoted is not None
    assert quoted.msgstr == (
        "Le fichier n’a pas de signature «\u00a0WEBVTT\u00a0» sur sa première ligne.\nLigne %(line)s\u00a0: %(text)s"
    )


def test_plural_and_context_entries():
    catalogue = read_catalogue_file(FIXTURE)
    recordings = catalogue.find("%(num)d recording")
    assert recordings is not None
    assert recordings.msgid_plural == "%(num)d recordings"
    assert recordings.msgstr == ""
    assert recordings.msgstr_plural == ["%(num)d enregistrement", "%(num)d enregistrements"]
    assert recordings.translated
    untranslated = catalogue.find("%(num)d warning")
    assert untranslated is not None and untranslated.msgstr_plural == ["", ""] and not untranslated.translated

    audio = catalogue.find("Original", "audio track")
    subtitles = catalogue.find("Original", "subtitle kind")
    assert audio is not None and subtitles is not None
    assert (audio.msgstr, subtitles.msgstr) == ("Son d’origine", "Version originale")
    assert catalogue.find("Original") is None


def test_the_real_catalogues_read():
    for locale, rule in (("fr", "(n > 1)"), ("tr", "(n != 1)")):
        catalogue = read_catalogue_file(PROJECT_ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po")
        assert catalogue.locale == locale
        assert catalogue.nplurals == 2 and catalogue.plural_expr == rule
        assert catalogue.entries


HEADER = textwrap.dedent(
    """\
    msgid ""
    msgstr ""
    "Language: fr\\n"
    "Content-Type: text/plain; charset=UTF-8\\n"
    "Plural-Forms: nplurals=2; plural=(n > 1);\\n"

    """
)


@pytest.mark.parametrize(
    ("body", "line", "words"),
    [
        # Babel itself reads this one without a word, losing the translation.
        ('msgid "Sign in"\nmsgstr "Se connecter\n\nmsgid "Sign out"\nmsgstr "x"\n', 8, "Unterminated"),
        ('msgid "a"\nmsgstr "b" c\n', 8, "after the closing quote"),
        ('msgid "a"\nmsgid_plural "as"\nmsgstr[0] "b"\nmsgstr[1] "c"\nmsgstr[2] "d"\n', 11, "nplurals=2"),
        ('msgid "a"\nmsgstr "b"\nmsgtxt "c"\n', 9, "misformatted"),
        ('msgid "a"\nmsgstr "b"\n# a comment\n"c"\n', 10, "belongs to no msgctxt"),
        ('msgid "a"\n\nmsgid "b"\nmsgstr "c"\n', 7, "no msgstr"),
        ('msgid "a"\nmsgstr "b"\n\nmsgid "a"\nmsgstr "c"\n', 10, "already on line 7"),
        ('msgid "a"\nmsgstr "b\\q"\n', 8, "escape"),
        ('msgid "a"\nmsgstr "b"\n#-#-#-#-#  fr.po  #-#-#-#-#\n', 9, "conflict"),
    ],
)
def test_a_broken_file_names_its_line(body, line, words):
    with pytest.raises(PoSyntaxError) as caught:
        read_catalogue((HEADER + body).encode())
    assert caught.value.line == line
    if words:
        assert words in str(caught.value)
    problem = caught.value.problem
    assert problem.line == line and problem.code == "po-syntax"
    assert render_message(problem.text, problem.params)


def test_a_line_that_is_not_utf8_is_named():
    data = (HEADER + 'msgid "a"\nmsgstr "é"\n').encode().replace("é".encode(), b"\xe9")
    with pytest.raises(PoSyntaxError) as caught:
        read_catalogue(data)
    assert caught.value.line == 8


# --- editing one entry --------------------------------------------------------------------------------------------


def test_editing_one_entry_changes_only_its_msgstr_and_two_header_lines(text):
    new = edit(text, "Sign in", msgstr="Connexion")
    assert changes(text, new) == ([*OLD_HEADER, 'msgstr "Se connecter"'], [*NEW_HEADER, 'msgstr "Connexion"'])
    assert kept(new) == kept(text)
    catalogue = read_catalogue(new.encode())
    assert catalogue.find("Sign in").msgstr == "Connexion"  # type: ignore[union-attr]
    assert catalogue.headers["Last-Translator"] == TRANSLATOR
    assert catalogue.headers["X-Poedit-KeywordsList"] == "_;gettext;ngettext:1,2;pgettext:1c,2;_l;N_"


def test_a_long_translation_is_wrapped_like_pybabel_and_a_short_one_stays_on_one_line(text):
    msgid = "This form has expired or came from another site. Go back, reload the page and try again."
    translation = (
        "Ce formulaire a expiré ou vient d’un autre site\u00a0: revenez en arrière, rechargez la page, puis "
        'cliquez de nouveau sur «\u00a0Envoyer\u00a0».\nMerci\u00a0! "Citation" \\ et\ttabulation.'
    )
    new = edit(text, msgid, msgstr=translation)
    removed, added = changes(text, new)
    assert removed == [  # `msgstr ""` stays: it starts the new string too.
        *OLD_HEADER,
        '"Ce formulaire a expiré ou provient d’un autre site. Revenez en arrière, "',
        '"rechargez la page et réessayez."',
    ]
    assert added[:2] == NEW_HEADER
    lines = added[2:]
    assert new.split("\n")[new.split("\n").index(lines[0]) - 1] == 'msgstr ""'
    assert all(len(line) <= 76 and line.startswith('"') and line.endswith('"') for line in lines)
    assert lines[0].endswith(' "')  # Broken after a space, the space kept at the end of the line.
    assert any(line.endswith('\\n"') for line in lines[:-1])  # ...and after the newline.
    assert read_catalogue(new.encode()).find(msgid).msgstr == translation  # type: ignore[union-attr]

    assert format_field("msgstr", "Court") == ['msgstr "Court"']
    assert format_field("msgstr", "Deux lignes\n") == ['msgstr "Deux lignes\\n"']
    assert format_field("msgstr", "Une\nDeux") == ['msgstr ""', '"Une\\n"', '"Deux"']
    assert format_field("msgstr", 'Il a dit "oui" \\ et\tnon') == ['msgstr "Il a dit \\"oui\\" \\\\ et\\tnon"']


def test_tricky_characters_survive_a_round_trip(text):
    for translation in ['"À bientôt"', "a\\b", "tab\there", "ligne\u2028séparateur", "\u202f!", "fin\n", "\r\n"]:
        new = edit(text, "Sign in", msgstr=translation)
        assert read_catalogue(new.encode()).find("Sign in").msgstr == translation  # type: ignore[union-attr]


def test_editing_a_plural_entry(text):
    new = edit(text, "%(num)d warning", msgstr_plural=["%(num)d avertissement", "%(num)d avertissements"])
    assert changes(text, new) == (
        [*OLD_HEADER, 'msgstr[0] ""', 'msgstr[1] ""'],
        [*NEW_HEADER, 'msgstr[0] "%(num)d avertissement"', 'msgstr[1] "%(num)d avertissements"'],
    )
    assert kept(new) == kept(text)
    entry = read_catalogue(new.encode()).find("%(num)d warning")
    assert entry is not None and entry.msgstr_plural == ["%(num)d avertissement", "%(num)d avertissements"]

    # Only the form that changes is rewritten.
    new = edit(text, "%(num)d recording", msgstr_plural=["%(num)d enregistrement", "%(num)d vidéos"])
    assert changes(text, new) == (
        [*OLD_HEADER, 'msgstr[1] "%(num)d enregistrements"'],
        [*NEW_HEADER, 'msgstr[1] "%(num)d vidéos"'],
    )


def test_editing_an_entry_with_a_context_leaves_its_namesake_alone(text):
    new = edit(text, "Original", "subtitle kind", msgstr="VO")
    assert changes(text, new) == ([*OLD_HEADER, 'msgstr "Version originale"'], [*NEW_HEADER, 'msgstr "VO"'])
    catalogue = read_catalogue(new.encode())
    assert catalogue.find("Original", "subtitle kind").msgstr == "VO"  # type: ignore[union-attr]
    assert catalogue.find("Original", "audio track").msgstr == "Son d’origine"  # type: ignore[union-attr]


def test_clearing_fuzzy_drops_the_flag_and_the_previous_msgid_of_that_entry_only(text):
    new = edit(text, "Download the subtitles", msgstr="Télécharger les sous-titres", fuzzy=False)
    assert changes(text, new) == ([*OLD_HEADER, "#, fuzzy", '#| msgid "Download subtitles"'], NEW_HEADER)
    # The other fuzzy entry keeps its `#|` line, the obsolete entries keep theirs.
    assert '#| msgid "Revision %(number)s was restored."' in new
    assert '#~| msgid "Thematic workshop"' in new

    msgid = "Revision %(number)s was restored as revision %(new)s."
    translation = "La révision %(number)s a été restaurée en révision %(new)s."
    new = edit(text, msgid, msgstr=translation, fuzzy=False)
    assert changes(text, new) == (
        [
            *OLD_HEADER,
            "#, fuzzy, python-format",
            '#| msgid "Revision %(number)s was restored."',
            'msgstr "La révision %(number)s a été restaurée."',
        ],
        [*NEW_HEADER, "#, python-format", f'msgstr "{translation}"'],
    )
    entry = read_catalogue(new.encode()).find(msgid)
    assert entry is not None and not entry.fuzzy and entry.python_format and entry.previous_msgid is None


def test_marking_fuzzy_adds_the_word_or_the_line(text):
    new = edit(text, "Signed in. Welcome, %(name)s.", msgstr="Connexion réussie. Bienvenue, %(name)s.", fuzzy=True)
    assert changes(text, new) == ([*OLD_HEADER, "#, python-format"], [*NEW_HEADER, "#, fuzzy, python-format"])
    new = edit(text, "Sign in", msgstr="Se connecter", fuzzy=True)
    assert changes(text, new) == (OLD_HEADER, [*NEW_HEADER, "#, fuzzy"])
    lines = new.split("\n")
    assert lines[lines.index("#, fuzzy") - 1] == "#: catalogue/templates/base.html:40"
    assert lines[lines.index("#, fuzzy") + 1] == 'msgid "Sign in"'
    assert read_catalogue(new.encode()).find("Sign in").fuzzy  # type: ignore[union-attr]


def test_a_crlf_file_stays_crlf(text):
    crlf = text.replace("\n", "\r\n")
    translation = "Ce formulaire n’est plus valable\u00a0: revenez en arrière, rechargez la page et réessayez, merci."
    msgid = "This form has expired or came from another site. Go back, reload the page and try again."
    new = edit(crlf, msgid, msgstr=translation)
    assert new.count("\n") == new.count("\r\n")
    assert new == edit(text, msgid, msgstr=translation).replace("\n", "\r\n")
    new = edit(crlf, "Sign in", msgstr="Connexion", fuzzy=True)
    assert new.count("\n") == new.count("\r\n") and "\r\n#, fuzzy\r\n" in new
    assert read_catalogue(new.encode()).find("Sign in").msgstr == "Connexion"  # type: ignore[union-attr]


def test_an_edit_that_changes_nothing_leaves_the_file_alone(text):
    assert edit(text, "Sign in", msgstr="Se connecter") == text


def test_unknown_and_obsolete_entries_are_not_edited(text):
    with pytest.raises(KeyError):
        edit(text, "Not in the file", msgstr="x")
    with pytest.raises(KeyError):
        edit(text, "Subtitles (beta)", msgstr="Sous-titres")  # Only obsolete (#~) in the file.
    with pytest.raises(KeyError):
        edit(text, "Original", msgstr="x")  # Exists only with a context.
    with pytest.raises(KeyError):
        edit(text, "", msgstr="x")  # The header is not an entry.


def test_a_translation_must_fit_its_entry(text):
    with pytest.raises(ValueError):
        edit(text, "%(num)d recording", msgstr="x")
    with pytest.raises(ValueError):
        edit(text, "%(num)d recording", msgstr_plural=["a", "b", "c"])
    with pytest.raises(ValueError):
        edit(text, "Sign in", msgstr_plural=["a", "b"])
    with pytest.raises(ValueError):
        edit(text, "Sign in", msgstr="nul\0")
    with pytest.raises(ValueError):
        update_entry(text, "Sign in", None, msgstr="x", fuzzy=False, translator="x", now=datetime(2026, 1, 1))


def test_a_translator_name_cannot_add_header_fields(text):
    new = update_entry(text, "Sign in", None, msgstr="x", fuzzy=False, translator="Eve\nLanguage: tr", now=NOW)
    headers = read_catalogue(new.encode()).headers
    assert headers["Language"] == "fr"
    assert headers["Last-Translator"] == "Eve Language: tr"


def test_a_missing_or_wrapped_header_field(text):
    # msgmerge wraps long header lines; a field over two lines is replaced as a whole.
    wrapped = text.replace(
        '"Last-Translator: Camille Martin <camille.martin@example.org>\\n"',
        '"Last-Translator: Camille Martin "\n"<camille.martin@example.org>\\n"',
    )
    new = edit(wrapped, "Sign in", msgstr="Connexion")
    assert changes(wrapped, new) == (
        [
            OLD_HEADER[0],
            '"Last-Translator: Camille Martin "',
            '"<camille.martin@example.org>\\n"',
            'msgstr "Se connecter"',
        ],
        [*NEW_HEADER, 'msgstr "Connexion"'],
    )
    # A header without Last-Translator gets one at its end.
    bare = text.replace('"Last-Translator: Camille Martin <camille.martin@example.org>\\n"\n', "")
    new = edit(bare, "Sign in", msgstr="Connexion")
    assert changes(bare, new)[1] == [*NEW_HEADER, 'msgstr "Connexion"']
    assert '"X-Poedit-SearchPath-0: catalogue\\n"\n' + NEW_HEADER[1] + "\n\n" in new
    assert read_catalogue(new.encode()).headers["Last-Translator"] == TRANSLATOR


# --- saving ---------------------------------------------------------------------------------------------------


def test_a_crash_before_the_rename_leaves_the_old_file(tmp_path):
    target = tmp_path / "messages.po"
    original = FIXTURE.read_bytes()
    target.write_bytes(original)
    script = textwrap.dedent(
        f"""
        import os, signal
        from catalogue.translating.pofile import atomic_write
        def die(tmp):
            os.kill(os.getpid(), signal.SIGKILL)
        atomic_write({str(target)!r}, b"half a new file", before_rename=die)
        """
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT, capture_output=True, check=False)
    assert result.returncode == -9, result.stderr
    assert target.read_bytes() == original
    assert read_catalogue_file(target).find("Sign in") is not None
    # The killed process leaves its complete temporary file behind, never a part of the target.
    (leftover,) = (p for p in tmp_path.iterdir() if p != target)
    assert leftover.name.startswith(".messages.po.") and leftover.name.endswith(".tmp")
    assert leftover.read_bytes() == b"half a new file"

    new = edit(original.decode(), "Sign in", msgstr="Connexion").encode()
    atomic_write(target, new)
    assert target.read_bytes() == new
    assert read_catalogue_file(target).find("Sign in").msgstr == "Connexion"  # type: ignore[union-attr]


def test_an_error_before_the_rename_removes_the_temporary_file(tmp_path):
    target = tmp_path / "messages.mo"
    target.write_bytes(b"old")
    os.chmod(target, 0o640)
    seen: list[Path] = []

    def fail(tmp: Path) -> None:
        seen.append(tmp)
        assert tmp.parent == tmp_path and tmp.name.startswith(".messages.mo.") and tmp.read_bytes() == b"new"
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic_write(target, b"new", before_rename=fail)
    assert target.read_bytes() == b"old"
    assert list(tmp_path.iterdir()) == [target]
    atomic_write(target, b"new")
    assert target.read_bytes() == b"new"
    assert target.stat().st_mode & 0o777 == 0o640  # The file keeps its permissions.
    assert seen


# --- compiling ------------------------------------------------------------------------------------------------


def test_compiled_mo_follows_the_file_and_its_plural_rule(tmp_path):
    mo = tmp_path / "messages.mo"
    compile_mo(FIXTURE.read_text(encoding="utf-8"), mo)
    with mo.open("rb") as f:
        translations = gettext.GNUTranslations(f)
    assert translations.gettext("Sign in") == "Se connecter"
    assert translations.pgettext("audio track", "Original") == "Son d’origine"
    assert translations.pgettext("subtitle kind", "Original") == "Version originale"
    assert translations.gettext('Click "Save" to keep your changes.').startswith("Cliquez sur «")
    # Fuzzy entries are left out, as `pybabel compile` leaves them.
    assert translations.gettext("Download the subtitles") == "Download the subtitles"
    # French: 0 and 1 take the singular (nplurals=2; plural=(n > 1)), not CLDR's three forms.
    assert translations.info()["plural-forms"] == "nplurals=2; plural=(n > 1);"
    forms = {n: translations.ngettext("%(num)d recording", "%(num)d recordings", n) for n in (0, 1, 2, 1_000_000)}
    assert forms == {
        0: "%(num)d enregistrement",
        1: "%(num)d enregistrement",
        2: "%(num)d enregistrements",
        1_000_000: "%(num)d enregistrements",
    }
    # An untranslated plural entry falls back to the English rule, not to English strings in French slots.
    assert translations.ngettext("%(num)d warning", "%(num)d warnings", 0) == "%(num)d warnings"


def test_compile_from_a_parsed_catalogue_or_bytes(tmp_path):
    catalogue = parse_text(edit(FIXTURE.read_text(encoding="utf-8"), "Sign in", msgstr="Connexion"))
    compile_mo(catalogue, tmp_path / "a.mo")
    compile_mo(FIXTURE.read_bytes(), tmp_path / "b.mo")
    with (tmp_path / "a.mo").open("rb") as a, (tmp_path / "b.mo").open("rb") as b:
        assert gettext.GNUTranslations(a).gettext("Sign in") == "Connexion"
        assert gettext.GNUTranslations(b).gettext("Sign in") == "Se connecter"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.mo", "b.mo"]
