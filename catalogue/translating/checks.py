"""Checks on one translation before it is saved (design.md §8: a PUT that fails one is refused with 422).

Errors are what would break the page: a named placeholder dropped, added or renamed (`%(name)s`, `{name}`),
unnamed `%s`/`%d` that no longer line up, a plural form left empty or missing, HTML tags that do not match, a `%`
that Python's `%` operator would choke on, a control character (a NUL cannot even be stored in a .mo file), and
whatever Babel's own checkers say. Babel's python_format checker alone is not enough: it accepts a translation that
drops a named placeholder, and it guesses the python-format flag from the msgid (so it reads the `% d` in "50 % de
remise" as a placeholder).

Warnings do not block a save: French spacing before `: ; ! ?` and inside « », whitespace at either end that differs
from the source, a translation identical to the source.

Every finding is a `Problem` (line None) whose message is an English msgid with parameters, shown in the reader's
language.

The text checked is anyone's input and the check runs while the catalogue's file lock is held, so every pattern
here runs in linear time (design.md §9): no two quantifiers that can take the same characters one after the other,
possessive quantifiers (`*+`, `++`, `?+`) where giving characters back could never help, and plain string methods
where a regex would have to try every start position (benchmarks/linearity.py measures them).
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Callable

from babel.core import UnknownLocaleError
from babel.messages.catalog import Catalog, Message, TranslationError
from babel.messages.checkers import checkers as babel_checkers
from babel.messages.plurals import get_plural

from catalogue.problems import N_, Problem
from catalogue.translating.pofile import plural_function

#: A valid %-conversion: `%%`, `%(name)s`, `%s`, `%-5.2f`... (no space flag: "50 % de" is a stray `%`).
#: Possessive: the flags keep every `0` they take (`%000…` would otherwise be split between flags and width in
#: every possible way before failing).
PERCENT = re.compile(r"%(?:\((\w++)\))?+([-#0+]*+(?:\*|\d++)?+(?:\.(?:\*|\d++))?+[hlL]?+)([diouxXeEfFgGcrsa%])")
#: `{name}`, `{0}`, `{name!r:>10}`; `{{` and `}}` are literal braces and are removed first.
BRACE = re.compile(r"\{([A-Za-z_]\w*+|\d++)(?:[.\[][^{}:!]*+)?+(?:![rsa])?+(?::[^{}]*+)?+\}")
#: An HTML start or end tag: its name, and what stands between the name and the `>` (where ATTRIBUTE finds the
#: names of its attributes; the spaces and the `/` of `<br />` hold none). One run of `[^<>]` up to the `>`:
#: `<a` followed by 3,000 spaces and no `>` is read once, not split in every way between three quantifiers.
TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*+)((?:\s[^<>]*+)?+)/?>")
ATTRIBUTE = re.compile(r"([A-Za-z_:][-\w:.]*+)\s*+(?:=\s*+(?:\"[^\"]*+\"|'[^']*+'|[^\s\"'>]++))?+")
#: Integer conversions are counts, and so are Flask-Babel's `num` and Jinja's `count`: a plural form that covers
#: one number only ("un enregistrement") may leave them out.
COUNT_NAMES = frozenset({"num", "count", "n"})
INTEGER_TYPES = frozenset("diu")
#: Python's own groups of interchangeable conversion types (as Babel has them).
COMPATIBLE = ({"d", "i", "u"}, {"x", "X"}, {"f", "F", "g", "G", "e", "E"})
#: French high punctuation, and the spaces that may stand before it.
FRENCH_BEFORE = ":;!?»"
NO_BREAK_SPACES = "\u00a0\u202f"
NBSP_ENTITY = re.compile(r"&(?:nbsp|#160|#xa0|#8239|#x202f);", re.IGNORECASE)
ENTITY = re.compile(r"&#?\w++;")
#: A URL: a scheme (a letter at the start of a word, then letters, digits, `+ . -`), `://` and what follows up to a
#: space. Tried only where a run of scheme characters starts, and only when `://` ends that run (the lookahead), so
#: that "a.a.a.a…" is not read again from each of its letters; group 1 is the part of the run before the scheme,
#: which stays (`-http://x` keeps its `-`), as it did when the pattern was `\b[a-z][a-z0-9+.-]*://\S*`.
URL = re.compile(
    r"(?<![a-z0-9+.-])(?=[a-z0-9+.-]*+://)([a-z0-9+.-]*?)\b[a-z][a-z0-9+.-]*+://\S*+",
    re.IGNORECASE,
)
#: The spaces and line breaks that check_whitespace compares at either end.
EDGE_WHITESPACE = " \t\r\n"
#: C0 control characters, which may not stand in a translation; a tab and a line break are text.
CONTROL_CHARACTER = re.compile("[\x00-\x08\x0b-\x1f]")

Findings = tuple[list[Problem], list[Problem]]


def check_entry(
    entry_msgid: str,
    msgid_plural: str | None,
    msgstr: str | list[str],
    *,
    locale: str,
    python_format: bool,
    nplurals: int,
    plural_expr: str | None = None,
) -> Findings:
    """(errors, warnings) for one translation; an empty one (not translated yet) has none.

    `plural_expr` is the catalogue's `plural=` expression (PoCatalogue.plural_expr); without it, CLDR's rule for
    the locale is used when it has `nplurals` forms, else no form is taken to cover a single number.
    """
    forms = [msgstr] if isinstance(msgstr, str) else list(msgstr)
    if not any(forms):
        return [], []
    errors: list[Problem] = []
    warnings: list[Problem] = []
    expected = nplurals if msgid_plural is not None else 1
    if len(forms) != expected:
        errors.append(
            _problem(
                "plural-count",
                N_("Expected %(expected)s forms of the translation, got %(count)s."),
                expected=expected,
                count=len(forms),
            )
        )
    empty = [index for index, form in enumerate(forms) if not form]
    if empty:
        errors.append(
            _problem(
                "plural-empty",
                N_("Fill in every plural form or none (empty: %(forms)s)."),
                forms=", ".join(map(str, empty)),
            )
        )
    names = _placeholders(entry_msgid) | _placeholders(msgid_plural or "")
    singles = _single_number_forms(locale, nplurals, plural_expr) if msgid_plural is not None else frozenset()
    for index, form in enumerate(forms):
        if not form:
            continue
        source = entry_msgid if msgid_plural is None or (index == 0 and nplurals > 1) else msgid_plural
        errors += check_placeholders(source, form, names, droppable=index in singles)
        errors += check_positional(source, form, python_format)
        errors += check_markup(source, form)
        errors += check_control_characters(source, form)
        if python_format:
            errors += check_percent(form)
        warnings += check_whitespace(source, form)
        warnings += check_same_as_source(source, form)
        if locale.split("_")[0].split("-")[0].lower() == "fr":
            warnings += check_french_spacing(form)
    if not errors:
        translation = forms if msgid_plural is not None else forms[0]
        errors += check_babel(entry_msgid, msgid_plural, translation, python_format=python_format, nplurals=nplurals)
    return _unique(errors), _unique(warnings)


def _problem(code: str, text: str, **params: object) -> Problem:
    return Problem(None, code, text, params)


def _unique(problems: list[Problem]) -> list[Problem]:
    """The same finding on several plural forms is said once."""
    seen = {(p.code, p.text, tuple(sorted(p.params.items()))): p for p in reversed(problems)}
    return list(reversed(seen.values()))


# --- placeholders ---------------------------------------------------------------------------------------------


def _named(text: str) -> dict[str, str]:
    """Named placeholders as they are written ("%(name)s", "{name}"), keyed by their identity."""
    found = {f"%({m.group(1)})": m.group(0) for m in PERCENT.finditer(text) if m.group(1)}
    found |= {f"{{{m.group(1)}}}": m.group(0) for m in BRACE.finditer(text.replace("{{", "").replace("}}", ""))}
    return found


def _placeholders(text: str) -> set[str]:
    return set(_named(text))


def _is_count(key: str, written: str) -> bool:
    name = key.strip("%(){}")
    return name in COUNT_NAMES or (key.startswith("%") and written[-1] in INTEGER_TYPES)


def check_placeholders(source: str, translation: str, allowed: set[str], *, droppable: bool) -> list[Problem]:
    """Named placeholders must all come through (a page would show "%(name)s" or raise KeyError), and no new ones
    may appear; a form that covers a single number may leave the count out."""
    wanted, got = _named(source), _named(translation)
    problems = [
        _problem("placeholder-missing", N_("The placeholder %(placeholder)s is missing."), placeholder=written)
        for key, written in wanted.items()
        if key not in got and not (droppable and _is_count(key, written))
    ]
    problems += [
        _problem(
            "placeholder-unknown", N_("The placeholder %(placeholder)s is not in the source text."), placeholder=written
        )
        for key, written in got.items()
        if key not in allowed
    ]
    return problems


def _positional(text: str) -> list[str]:
    return [m.group(3) for m in PERCENT.finditer(text) if not m.group(1) and m.group(3) != "%"]


def check_positional(source: str, translation: str, python_format: bool) -> list[Problem]:
    """Unnamed `%s`/`%d` are filled in order: their number and kinds must match or `%` raises TypeError."""
    wanted, got = _positional(source), _positional(translation)
    if not (python_format or wanted) or (not wanted and not got):
        return []
    same = len(wanted) == len(got) and all(
        a == b or any({a, b} <= g for g in COMPATIBLE) for a, b in zip(wanted, got, strict=False)
    )
    if same:
        return []
    return [
        _problem(
            "positional-mismatch",
            N_("The unnamed placeholders must match the source’s in number and kind: %(source)s, not %(translation)s."),
            source=" ".join(f"%{t}" for t in wanted) or "-",
            translation=" ".join(f"%{t}" for t in got) or "-",
        )
    ]


def check_percent(translation: str) -> list[Problem]:
    """In a python-format string every `%` starts a conversion; a lone one ("50 %") must be written `%%`."""
    rest = PERCENT.sub("", translation)
    if "%" not in rest:
        return []
    return [_problem("stray-percent", N_("Write a percent sign as %(escaped)s in this message."), escaped="%%")]


# --- plural forms -------------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=32)
def _single_number_forms(locale: str, nplurals: int, plural_expr: str | None) -> frozenset[int]:
    """The forms that only one number selects (Turkish and English "one" is n == 1; French "one" is 0 and 1)."""
    function = _plural_rule(locale, nplurals, plural_expr)
    if function is None:
        return frozenset()
    numbers = [*range(1001), 10_000, 100_000, 1_000_000, 10_000_000]
    counts = Counter(function(n) for n in numbers)
    return frozenset(form for form, count in counts.items() if count == 1)


def _plural_rule(locale: str, nplurals: int, plural_expr: str | None) -> Callable[[int], int] | None:
    if plural_expr is None:
        try:
            cldr_nplurals, plural_expr = get_plural(locale.replace("-", "_"))
        except (ValueError, UnknownLocaleError):
            return None
        if cldr_nplurals != nplurals:
            return None
    try:
        return plural_function(plural_expr)
    except ValueError:
        return None


# --- markup, typography, whitespace ---------------------------------------------------------------------------


def _tags(text: str) -> Counter[str]:
    counter: Counter[str] = Counter()
    for closing, name, attributes in TAG.findall(text):
        names = sorted({a.lower() for a in ATTRIBUTE.findall(attributes)})
        counter["<" + closing + " ".join([name.lower(), *names]) + ">"] += 1
    return counter


def check_markup(source: str, translation: str) -> list[Problem]:
    """The same tags as the source, each as often (`<b>x` alone would leave the rest of the page bold)."""
    wanted, got = _tags(source), _tags(translation)
    missing, extra = sorted((wanted - got).elements()), sorted((got - wanted).elements())
    problems = []
    if missing:
        problems.append(
            _problem("markup-mismatch", N_("HTML tags missing from the translation: %(tags)s."), tags=" ".join(missing))
        )
    if extra:
        problems.append(
            _problem("markup-mismatch", N_("HTML tags that are not in the source: %(tags)s."), tags=" ".join(extra))
        )
    return problems


def check_control_characters(source: str, translation: str) -> list[Problem]:
    """A control character is invisible in the editor and breaks what reads the catalogue (a NUL cannot be
    written to a .mo file at all); one that the source itself holds, other than NUL, may stay."""
    allowed = set(CONTROL_CHARACTER.findall(source)) - {"\0"}
    found = sorted(set(CONTROL_CHARACTER.findall(translation)) - allowed)
    return [
        _problem(
            "control-character",
            N_("Remove the control character %(character)s from the translation."),
            character=f"U+{ord(char):04X}",
        )
        for char in found
    ]


def _typography_text(text: str) -> str:
    """The text without what may hold `:` or `?` legitimately: tags, URLs, placeholders; `&nbsp;` is a no-break
    space."""
    text = URL.sub(r"\g<1> ", TAG.sub("", text))
    text = BRACE.sub("x", PERCENT.sub("x", text))
    return ENTITY.sub("x", NBSP_ENTITY.sub("\u00a0", text))


def check_french_spacing(translation: str) -> list[Problem]:
    """French puts a no-break space (U+00A0 or the narrow U+202F) before : ; ! ? » and after «, so that the mark
    never starts a line."""
    text = _typography_text(translation)
    marks: list[str] = []
    for index, char in enumerate(text):
        if char in FRENCH_BEFORE and index > 0:
            before = text[index - 1]
            if before in NO_BREAK_SPACES or before in "\n" + FRENCH_BEFORE:
                continue
            after = text[index + 1 : index + 2]
            if char == ":" and after and not before.isspace() and not after.isspace():
                continue  # 10:30, HH:MM:SS: a colon inside a word is no punctuation.
            marks.append(char)
        elif char == "«" and index + 1 < len(text) and text[index + 1] not in NO_BREAK_SPACES + "\n":
            marks.append(char)
    return [
        _problem("french-spacing", N_("In French, put a no-break space before “%(mark)s”."), mark=mark)
        if mark != "«"
        else _problem("french-spacing", N_("In French, put a no-break space after “«”."))
        for mark in dict.fromkeys(marks)
    ]


def _leading(text: str) -> str:
    return text[: len(text) - len(text.lstrip(EDGE_WHITESPACE))]


def _trailing(text: str) -> str:
    """The spaces and line breaks at the end, found from the end: a regex search for them would start again at
    each space of a long run."""
    return text[len(text.rstrip(EDGE_WHITESPACE)) :]


def check_whitespace(source: str, translation: str) -> list[Problem]:
    """Spaces and line breaks at either end are usually there for a reason (a label followed by a value)."""
    lead_s, trail_s = _leading(source), _trailing(source)
    lead_t, trail_t = _leading(translation), _trailing(translation)
    problems = []
    if lead_s != lead_t:
        problems.append(
            _problem("whitespace", N_("The translation starts with other spaces or line breaks than the source."))
        )
    if trail_s != trail_t:
        problems.append(
            _problem("whitespace", N_("The translation ends with other spaces or line breaks than the source."))
        )
    return problems


def check_same_as_source(source: str, translation: str) -> list[Problem]:
    """A translation equal to the source is often a copy left by mistake (short words like "OK" are fine)."""
    words = PERCENT.sub("", BRACE.sub("", TAG.sub("", source)))
    if translation.casefold() != source.casefold() or len(source) <= 3 or not any(c.isalpha() for c in words):
        return []
    return [_problem("same-as-source", N_("The translation is the same as the source text."))]


# --- Babel ------------------------------------------------------------------------------------------------------


def check_babel(
    msgid: str, msgid_plural: str | None, msgstr: str | list[str], *, python_format: bool, nplurals: int
) -> list[Problem]:
    """Babel's own checkers (those `pybabel compile` runs), on a one-message catalogue that has the file's number
    of plural forms (a catalogue built with a locale would expect CLDR's: 3 for French) and the file's flag."""
    catalog = Catalog(locale=None, fuzzy=False)
    catalog.mime_headers = [("Plural-Forms", f"nplurals={nplurals}; plural=(n != 1);")]
    message = Message(
        (msgid, msgid_plural) if msgid_plural is not None else msgid,
        tuple(msgstr) if not isinstance(msgstr, str) else msgstr,
    )
    # Message() guesses python-format from the msgid ("50 % off" reads as `% o`); the file's flag decides.
    message.flags = {"python-format"} if python_format else set()
    problems = []
    for checker in babel_checkers:
        try:
            checker(catalog, message)
        except TranslationError as exc:
            problems.append(_problem("babel-check", N_("Babel's check failed: %(detail)s"), detail=str(exc)))
    return problems
