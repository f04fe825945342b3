"""BCP 47 language tags: one check for every place a tag is written, and names that never fail to show.

A subtitle or audio track may be in any language people speak (design.md §9: "any BCP 47 language tag handled
wherever a language is shown"). Tags are checked once, when they are written (`normalize_language_tag`), and
named by CLDR when they are shown (`display_name`), which falls back instead of raising: a page that lists
languages must never fail because one of them has no CLDR name.
"""

from __future__ import annotations

import re
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.core import get_global

from catalogue.inputs import InvalidInput
from catalogue.problems import N_

# RFC 5646 §4.4.1: 35 characters hold any tag without extensions; a column may allow fewer.
MAX_TAG_LENGTH = 35

# RFC 5646 §2.1 `langtag` and `privateuse`, ASCII only and matched whole (never `$`, which accepts a final
# line break). Grandfathered tags such as i-klingon are refused: each has a modern form (tlh).
_ALNUM = "[A-Za-z0-9]"
LANGUAGE_TAG = re.compile(
    rf"""
    (?P<language>[A-Za-z]{{2,3}}(?:-[A-Za-z]{{3}}){{0,3}}|[A-Za-z]{{5,8}})
    (?:-(?P<script>[A-Za-z]{{4}}))?
    (?:-(?P<region>[A-Za-z]{{2}}|[0-9]{{3}}))?
    (?P<variants>(?:-(?:{_ALNUM}{{5,8}}|[0-9]{_ALNUM}{{3}}))*)
    (?:-[0-9A-WYZa-wyz](?:-{_ALNUM}{{2,8}})+)*
    (?:-[Xx](?:-{_ALNUM}{{1,8}})+)?
    |[Xx](?:-{_ALNUM}{{1,8}})+
    """,
    re.VERBOSE,
)


def _canonical_case(tag: str) -> str:
    """RFC 5646 §2.1.1: lower-case language, title-case script, upper-case region (`sr-Latn-RS`, `pt-BR`);
    after a singleton (`-x-`, `-u-`) everything is lower-case."""
    subtags = tag.lower().split("-")
    for index, subtag in enumerate(subtags[1:], start=1):
        if len(subtags[index - 1]) == 1:
            break
        if len(subtag) == 2:
            subtags[index] = subtag.upper()
        elif len(subtag) == 4 and subtag.isalpha():
            subtags[index] = subtag.title()
    return "-".join(subtags)


def normalize_language_tag(tag: object, max_length: int = MAX_TAG_LENGTH, *, field: str = "language") -> str:
    """The tag in its canonical case (`PT-br` → `pt-BR`), or InvalidInput (a ValueError) saying why.

    `max_length` is the size of the column the tag goes to, when smaller than 35.
    """
    if not isinstance(tag, str) or not tag:
        raise InvalidInput(field, "bad-language", N_("Give a language tag such as en, fr, pt-BR or zh-Hant."))
    limit = min(max_length, MAX_TAG_LENGTH)
    if len(tag) > limit:
        raise InvalidInput(field, "bad-language", N_("A language tag has at most %(max)s characters."), max=limit)
    if tag != "".join(tag.split()):
        raise InvalidInput(field, "bad-language", N_("A language tag has no spaces or line breaks."))
    if "_" in tag:
        raise InvalidInput(
            field, "bad-language", N_("Language tags use hyphens, not underscores: %(tag)s."), tag=tag.replace("_", "-")
        )
    if not LANGUAGE_TAG.fullmatch(tag):
        raise InvalidInput(
            field, "bad-language", N_("“%(tag)s” is not a language tag such as en, fr, pt-BR or zh-Hant."), tag=tag
        )
    return _canonical_case(tag)


@lru_cache(maxsize=64)
def _cldr(locale: str) -> Locale | None:
    try:
        return Locale.parse(locale, sep="-" if "-" in locale else "_")
    except (ValueError, TypeError, UnknownLocaleError):
        return None


@lru_cache(maxsize=2048)
def display_name(tag: str, locale: str) -> str:
    """CLDR's name of a tag in a locale: "portugais (Brésil)" for pt-BR in French, "klingon" for tlh.

    Never raises: a tag CLDR cannot name in full is named by its base language with the script and region it
    can name ("serbe (latin)"), and one whose language CLDR does not know (qaa, x-klingon) is shown as itself.
    Cached, as a catalogue page asks for the same few names hundreds of times.
    """
    names = _cldr(locale)
    match = LANGUAGE_TAG.fullmatch(tag) if isinstance(tag, str) and len(tag) <= MAX_TAG_LENGTH else None
    if names is None or match is None or match["language"] is None:
        return str(tag)
    # zh-yue (an extended language subtag) is Cantonese, else Chinese; then the tag itself.
    subtags = match["language"].lower().split("-")
    language = names.languages.get(subtags[-1]) or names.languages.get(subtags[0])
    if not language:
        return tag
    details = [
        names.scripts.get(match["script"].title()) if match["script"] else None,
        names.territories.get(match["region"].upper()) if match["region"] else None,
        *(names.variants.get(v.upper()) for v in match["variants"].split("-") if v),
    ]
    shown = ", ".join(d for d in details if d)
    return f"{language} ({shown})" if shown else language


def tag_from_media(code: str | None) -> str | None:
    """The BCP 47 tag for a media file's language tag: ISO 639-2 (`fra`, `fre`, `tur`) as containers write it,
    through CLDR's aliases, or a tag already in BCP 47; None when the file says nothing usable (`und`, garbage)."""
    if not code or code.lower() in ("und", "mul", "zxx", "mis"):
        return None
    code = code.strip().replace("_", "-")
    base, _, rest = code.partition("-")
    alias = get_global("language_aliases").get(base.lower())
    candidate = (alias.replace("_", "-") if alias else base) + (f"-{rest}" if rest else "")
    try:
        return normalize_language_tag(candidate)
    except InvalidInput:
        return None
