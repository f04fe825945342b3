"""Checks on one translation: what blocks a save (errors) and what is only pointed out (warnings)."""

from __future__ import annotations

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.checkers import python_format as babel_python_format

from catalogue.problems import render_message
from catalogue.translating.checks import check_entry

FR = {"locale": "fr", "python_format": True, "nplurals": 2}
TR = {"locale": "tr", "python_format": True, "nplurals": 2}


def codes(msgid, plural, msgstr, **options):
    errors, warnings = check_entry(msgid, plural, msgstr, **{**FR, **options})
    return [p.code for p in errors], [p.code for p in warnings]


def error_codes(*args, **options):
    return codes(*args, **options)[0]


def warning_codes(*args, **options):
    return codes(*args, **options)[1]


def test_babel_alone_lets_a_dropped_named_placeholder_through():
    """Why placeholder-missing exists: Babel's python_format checker accepts this."""
    catalog = Catalog(locale="fr")
    babel_python_format(catalog, Message("Welcome, %(name)s.", "Bienvenue."))  # Raises nothing.
    assert error_codes("Welcome, %(name)s.", None, "Bienvenue.") == ["placeholder-missing"]


def test_a_good_translation_passes():
    assert codes("Welcome, %(name)s.", None, "Bienvenue, %(name)s.") == ([], [])
    assert codes("Welcome, {name}.", None, "Bienvenue, {name}.", python_format=False) == ([], [])
    assert codes("%(num)d recording", "%(num)d recordings", ["%(num)d enregistrement", "%(num)d enregistrements"]) == (
        [],
        [],
    )


def test_an_untranslated_entry_is_not_an_error():
    assert codes("Welcome, %(name)s.", None, "") == ([], [])
    assert codes("%(num)d recording", "%(num)d recordings", ["", ""]) == ([], [])


@pytest.mark.parametrize(
    ("msgid", "msgstr", "expected"),
    [
        ("Welcome, %(name)s.", "Bienvenue.", ["placeholder-missing"]),
        ("Welcome, {name}.", "Bienvenue, {nom}.", ["placeholder-missing", "placeholder-unknown"]),
        ("Welcome, %(name)s.", "Bienvenue, %(name)s (%(email)s).", ["placeholder-unknown"]),
        ("Welcome, %(name)s.", "Bienvenue, {name}.", ["placeholder-missing", "placeholder-unknown"]),
        ("{{ literal }} and {name}", "{{ littéral }} et {name}", []),
    ],
)
def test_named_placeholders(msgid, msgstr, expected):
    assert error_codes(msgid, None, msgstr) == expected


def test_placeholder_messages_name_the_placeholder():
    errors, _ = check_entry("Welcome, {name}.", None, "Bienvenue, {nom}.", **FR)
    assert [render_message(p.text, p.params) for p in errors] == [
        "The placeholder {name} is missing.",
        "The placeholder {nom} is not in the source text.",
    ]
    assert all(p.line is None for p in errors)
    assert errors[0].as_dict() == {"line": None, "code": "placeholder-missing", "message": errors[0].message}


def test_a_form_for_exactly_one_number_may_leave_out_the_count():
    msgid, plural = "%(num)d recording", "%(num)d recordings"
    # Turkish (n != 1): form 0 is for 1 only, so "Bir kayıt" is right.
    assert error_codes(msgid, plural, ["Bir kayıt", "%(num)d kayıt"], **TR) == []
    assert error_codes(msgid, plural, ["Bir kayıt", "kayıtlar"], **TR) == ["placeholder-missing"]
    # French (n > 1): form 0 covers 0 and 1, so "Un enregistrement" would say "one" for zero.
    assert error_codes(msgid, plural, ["Un enregistrement", "%(num)d enregistrements"]) == ["placeholder-missing"]
    # The catalogue's own rule wins over the locale's when given.
    assert error_codes(msgid, plural, ["Bir kayıt", "%(num)d kayıt"], plural_expr="(n > 1)", **TR) == [
        "placeholder-missing"
    ]
    # Only the count may go: another placeholder is still needed.
    assert error_codes(
        "%(num)d file in %(folder)s", "%(num)d files in %(folder)s", ["Bir dosya", "%(num)d dosya %(folder)s"], **TR
    ) == ["placeholder-missing"]
    # A brace count too, but not positional %d ("Bir kayıt" % 1 raises TypeError).
    assert error_codes("{num} item", "{num} items", ["Bir öğe", "{num} öğe"], **TR) == []
    assert error_codes("%d item", "%d items", ["Bir öğe", "%d öğe"], **TR) == ["positional-mismatch"]


def test_plural_forms_all_or_none():
    msgid, plural = "%(num)d recording", "%(num)d recordings"
    assert error_codes(msgid, plural, ["%(num)d enregistrement", ""]) == ["plural-empty"]
    assert error_codes(msgid, plural, ["%(num)d enregistrement"]) == ["plural-count"]
    assert error_codes(msgid, plural, ["%(num)d a", "%(num)d b", "%(num)d c"]) == ["plural-count"]


@pytest.mark.parametrize(
    ("msgid", "msgstr", "expected"),
    [
        ("<b>%(n)s</b> files", "<b>%(n)s</b> fichiers", []),
        ("<b>%(n)s</b> files", "<b>%(n)s fichiers", ["markup-mismatch"]),
        ("<b>x</b>", "<i>x</i>", ["markup-mismatch", "markup-mismatch"]),  # Missing <b> </b>, extra <i> </i>.
        ('<a href="%(url)s">Read</a>', '<a href="%(url)s">Lire</a>', []),
        ('<a href="%(url)s">Read</a>', '<a href="%(url)s" onclick="steal()">Lire</a>', ["markup-mismatch"] * 2),
        ("Line<br>break", "Saut<br/>de ligne", []),
        ("1 < 2 and 3 > 2", "1 < 2 et 3 > 2", []),
    ],
)
def test_markup_parity(msgid, msgstr, expected):
    assert error_codes(msgid, None, msgstr) == expected


def test_markup_message_lists_the_tags():
    errors, _ = check_entry("<b>x</b>", None, "<b>x", **FR)
    assert [render_message(p.text, p.params) for p in errors] == ["HTML tags missing from the translation: </b>."]


@pytest.mark.parametrize(
    ("msgstr", "python_format", "expected"),
    [
        ("%(pct)s de remise, soit 50 %", True, ["stray-percent"]),
        ("%(pct)s, soit 50 % de remise", True, ["stray-percent"]),  # `% d` is no placeholder here.
        ("%(pct)s de remise, soit 50 %%", True, []),
        ("%(pct)s de remise, soit 50 %", False, []),  # Not a format string: % is just a character.
    ],
)
def test_stray_percent_in_a_python_format_string(msgstr, python_format, expected):
    assert error_codes("%(pct)s off, that is 50%%", None, msgstr, python_format=python_format) == expected


def test_positional_placeholders():
    assert error_codes("%s of %d", None, "%s sur %d") == []
    assert error_codes("%s of %d", None, "%s sur %i") == []  # d and i are the same conversion.
    assert error_codes("%s of %d", None, "%s sur") == ["positional-mismatch"]
    assert error_codes("%s of %d", None, "%d sur %s") == ["positional-mismatch"]
    assert error_codes("%s of %d", None, "%s sur %d", python_format=False) == []
    assert error_codes("Hello", None, "Bonjour %s") == ["positional-mismatch"]
    assert error_codes("Hello", None, "Bonjour %s", python_format=False) == []


def test_babel_checks_are_reported_too():
    # Babel knows that %(num)d and %(num)s are not the same conversion.
    errors, _ = check_entry("%(num)d file", None, "%(num)s fichier", **FR)
    assert [p.code for p in errors] == ["babel-check"]
    assert "incompatible format for placeholder 'num'" in render_message(errors[0].text, errors[0].params)
    # Babel's python-format guess is not the file's flag: "50 % off" is no format string here.
    assert codes("50 % off", None, "50 % de remise", python_format=False) == ([], [])


@pytest.mark.parametrize(
    ("msgstr", "warned"),
    [
        ("Durée: 5 min", True),
        ("Durée : 5 min", True),
        ("Durée\u00a0: 5 min", False),
        ("Durée\u202f: 5 min", False),
        ("Durée&nbsp;: 5 min", False),
        ("Début à 10:30", False),
        ("Au format HH:MM:SS", False),
        ("Durée:", True),
        ("Voir https://example.org/a?b=1", False),
        ("Vraiment\u202f?!", False),
        ("Vraiment ?", True),
        ("«\u00a0Envoyer\u00a0»", False),
        ("« Envoyer »", True),
        ("Bonjour, %(name)s.", False),
    ],
)
def test_french_spacing(msgstr, warned):
    source = "Duration: 5 min" if msgstr.startswith("Durée") else "x"
    source = "Hello, %(name)s." if "%(name)s" in msgstr else source
    warnings = warning_codes(source, None, msgstr)
    assert ("french-spacing" in warnings) is warned
    assert "french-spacing" not in warning_codes(source, None, msgstr, locale="tr")


def test_french_spacing_message_names_the_mark():
    _, warnings = check_entry("Duration: 5 min", None, "Durée: 5 min", **FR)
    assert [render_message(p.text, p.params) for p in warnings] == ["In French, put a no-break space before “:”."]


def test_whitespace_at_either_end():
    assert warning_codes("Name: ", None, "Nom\u00a0:") == ["whitespace"]
    assert warning_codes("\nName", None, "Nom") == ["whitespace"]
    assert warning_codes("Name:\n", None, "Nom\u00a0:\n") == []
    assert warning_codes("Name:\n", None, "Nom\u00a0:\n\n") == ["whitespace"]


def test_same_as_source():
    assert warning_codes("Original", None, "original") == ["same-as-source"]
    assert warning_codes("OK", None, "OK") == []  # Short.
    assert warning_codes("%(n)s", None, "%(n)s") == []  # No words.
    assert warning_codes("Original", None, "Version originale") == []


def test_warnings_do_not_block():
    errors, warnings = check_entry("Duration: %(d)s", None, "Durée: %(d)s", **FR)
    assert errors == [] and [p.code for p in warnings] == ["french-spacing"]
