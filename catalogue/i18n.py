"""Locale selection and locale-aware formatting shared by every page (design.md §6)."""

from __future__ import annotations

import gettext as stdlib_gettext
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol, TypeVar, cast
from urllib.parse import quote, urlencode

from babel import Locale
from babel.dates import format_date, format_interval, get_timezone
from babel.dates import format_datetime as babel_format_datetime
from babel.lists import format_list
from babel.numbers import format_decimal as babel_format_decimal
from babel.units import format_unit
from flask import Flask, Response, current_app, g, has_request_context, request
from flask_babel import Babel, Domain, get_locale, get_translations, gettext
from flask_babel.speaklater import LazyString
from flask_login import current_user
from markupsafe import Markup, escape

from catalogue.collation import collated
from catalogue.languages import display_name

LANG_COOKIE = "lang"
T = TypeVar("T")


def _supported(code: str | None) -> str | None:
    if code and code in current_app.config["LANGUAGES"]:
        return code
    return None


def _user_preference() -> str | None:
    """The signed-in user's preferred locale; None outside a request or in an app without Flask-Login."""
    if not has_request_context() or not hasattr(current_app, "login_manager"):
        return None
    if not getattr(current_user, "is_authenticated", False):
        return None
    return _supported(getattr(current_user, "preferred_locale", None))


def negotiate(accepted: Iterable[tuple[str, float]], supported: Sequence[str]) -> str | None:
    """The first supported locale in the reader's order of preference, matched by language (design.md §6).

    `fr-FR,en;q=0.8` is French: the region does not have to match, and a less wanted exact tag (`en`) never
    beats a more wanted one of another region. Werkzeug's best_match tries every exact tag first, so it
    answered English there. `accepted` is in order of preference, as `request.accept_languages` iterates.
    """
    exact = {tag.lower().replace("_", "-"): tag for tag in supported}
    by_language: dict[str, str] = {}
    for tag in supported:
        by_language.setdefault(tag.lower().replace("_", "-").split("-")[0], tag)
    for tag, quality in accepted:
        wanted = tag.strip().lower().replace("_", "-")
        if quality <= 0 or wanted == "*":
            continue
        found = exact.get(wanted) or by_language.get(wanted.split("-")[0])
        if found:
            return found
    return None


def _default_locale() -> str:
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def select_locale() -> str:
    """`?lang=xx` > the remembered cookie > the signed-in user's preference > Accept-Language > English.

    Unknown codes fall through; outside a request (CLI commands) it is the default locale.
    """
    if not has_request_context():
        return _default_locale()
    return (
        _supported(request.args.get("lang"))
        or _supported(request.cookies.get(LANG_COOKIE))
        or _user_preference()
        or negotiate(request.accept_languages, current_app.config["LANGUAGES"])
        or _default_locale()
    )


def visitor_locale(
    asked: str | None,
    remembered: str | None,
    accepted: Iterable[tuple[str, float]],
    supported: Sequence[str],
    default: str,
) -> str:
    """select_locale() for a visitor nobody is signed in as, from the request's parts alone: the page cache's
    middleware (catalogue.pagecache) chooses the page's language before Flask runs, and must choose the same."""
    for code in (asked, remembered):
        if code and code in supported:
            return code
    return negotiate(accepted, supported) or default


def remember_locale(response: Response) -> Response:
    """A valid `?lang=` sticks for later visits, through a cookie."""
    # Under /api, `lang` filters results (design.md §8); it is not the interface language to remember.
    chosen = None if request.path.startswith("/api/") else _supported(request.args.get("lang"))
    if chosen and request.cookies.get(LANG_COOKIE) != chosen:
        response.set_cookie(
            LANG_COOKIE,
            chosen,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            httponly=True,
            secure=bool(current_app.config.get("CATALOGUE_SECURE_COOKIES")),
        )
    response.vary.add("Cookie")
    response.vary.add("Accept-Language")
    return response


def locale_code() -> str:
    """The reader's locale as a string ("fr"), worked out once per request: a page asks for it hundreds of times
    (every date, number and content text), and Flask-Babel rebuilds the string from its Locale on each call."""
    if has_request_context():
        code = g.get("_catalogue_locale_code")
        if code is None:
            code = str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])
            g._catalogue_locale_code = code
        return str(code)
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def upper_first(text: str, locale: str) -> str:
    """Capitalise the first letter; Turkish and Azeri map i to İ, which str.upper() gets wrong."""
    if not text:
        return text
    first = text[0]
    if locale.split("_")[0] in {"tr", "az"} and first == "i":
        return "İ" + text[1:]
    return first.upper() + text[1:]


def _display_name(code: str, locale: str) -> str:
    """CLDR's name of any BCP 47 tag in a locale, never raising (see catalogue.languages); cached there."""
    return display_name(code, locale)


def language_name(code: str, in_language: str | None = None) -> str:
    """The name of a language as a menu shows it, in the interface language by default.

    Every name on a page is in the page's language (design.md §6); `in_language` names a language in itself,
    for the interface-language switcher only, whose links carry their own `lang`. It may be a tag CLDR has
    no data for: the name then falls back to the interface language's.
    """
    target = in_language or locale_code()
    name = _display_name(code, target)
    if name == code and in_language:
        target = locale_code()
        name = _display_name(code, target)
    return upper_first(name, target.replace("-", "_"))


def language_list(codes: list[str]) -> str:
    """Language names inside a sentence: "English, French and Turkish", "anglais, français et turc"."""
    locale = locale_code()
    return format_list([_display_name(c, locale) for c in codes], locale=locale)


# --- sorting for a reader (design.md §6) ---------------------------------------------------------------------


def collate(items: Iterable[T], key: Callable[[T], str] | None = None) -> list[T]:
    """Items in the order of the interface language (ICU collation): in Turkish, İngilizce between Fransızca
    and Türkçe, as a Turkish reader looks for it; by `key(item)`, or the item's text."""
    return collated(items, locale_code(), key)


def by_language_name(codes: Iterable[str]) -> list[str]:
    """Language tags in the order of their names as the page shows them (a filter's choices, table columns)."""
    return collate(codes, key=language_name)


def join_list(items: Iterable[object]) -> Markup:
    """Items inside a sentence, joined as the language joins them ("A, B and C", "A, B et C", "A, B ve C").

    Items may be markup a macro made (a person with their affiliation); anything else is escaped.
    """
    parts = [str(escape(item)) for item in items]
    if not parts:
        return Markup("")
    # Every part is escaped above, and CLDR's list patterns hold only words and punctuation.
    return Markup(format_list(parts, locale=locale_code()))


# --- numbers, durations and moments ------------------------------------------------------------------------------


def format_decimal(value: float | int) -> str:
    """A quantity as the locale writes it: "0,7" in French, "12 345" in French and "12.345" in Turkish.

    Identifiers (line, cue and revision numbers) are not quantities: they are shown as plain digits.
    """
    return str(babel_format_decimal(value, locale=locale_code()))


def format_duration(milliseconds: int | None) -> str:
    """A recording length such as "1 h 5 min 42 s", with the locale's own unit abbreviations."""
    if milliseconds is None:
        return ""
    total = round(milliseconds / 1000)
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    locale = locale_code()
    parts = []
    if hours:
        parts.append(format_unit(hours, "duration-hour", length="short", locale=locale))
    if minutes:
        parts.append(format_unit(minutes, "duration-minute", length="short", locale=locale))
    if seconds or not parts:
        parts.append(format_unit(seconds, "duration-second", length="short", locale=locale))
    return format_list(parts, style="unit-narrow", locale=locale)


def format_timestamp(milliseconds: int) -> str:
    """A player position such as 1:05:42 or 4:07: the same in every locale, like a media player shows it."""
    total = int(milliseconds // 1000)
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


# Seconds in a CLDR time pattern, with the separator before them ("h:mm:ss a" → "h:mm a"): a start time is
# given to the minute. Quoted literals are left alone by matching them first.
_SECONDS = re.compile(r"'[^']*'|[:.]?s+")
# Zones whose generic name CLDR does not have ("Unknown Region (UTC) Time"): named by their specific name.
_UNIVERSAL_ZONES = re.compile(r"(Etc/)?(UTC|UCT|GMT|Universal|Zulu|Greenwich)([+-]0)?")


@lru_cache(maxsize=32)
def _time_with_zone_pattern(locale: str, universal: bool) -> str:
    """The locale's full time pattern (which places the zone where the language does), to the minute, with
    the zone's generic name ("heure de Turquie", "Türkiye Saati") instead of standard or summer time."""
    pattern = Locale.parse(locale).time_formats["full"].pattern
    pattern = _SECONDS.sub(lambda match: match.group() if match.group().startswith("'") else "", pattern)
    return pattern if universal else pattern.replace("zzzz", "vvvv")


def format_datetime_in(value: datetime | None, timezone: str, format: str = "medium") -> str:
    """A moment in a zone's own time (Europe/Istanbul for the summit), to the minute, the zone named once in
    the reader's language: "Dec 8, 2021, 8:00 AM Türkiye Time", "8 déc. 2021, 08:00 heure de Turquie".

    `format` is the length of the date (short, medium, long, full); the time is always short.
    """
    if value is None:
        return ""
    locale = locale_code()
    zone = get_timezone(timezone)
    time_pattern = _time_with_zone_pattern(locale, bool(_UNIVERSAL_ZONES.fullmatch(timezone)))
    time_text = babel_format_datetime(value, time_pattern, tzinfo=zone, locale=locale)
    date_text = babel_format_datetime(
        value, Locale.parse(locale).date_formats[format].pattern, tzinfo=zone, locale=locale
    )
    glue = str(Locale.parse(locale).datetime_formats[format])
    return glue.replace("{1}", date_text).replace("{0}", time_text)


def format_day(value: date, format: str = "long") -> str:
    return format_date(value, format, locale=locale_code())


def format_date_range(start: date, end: date) -> str:
    if start == end:
        return format_day(start)
    return format_interval(start, end, "yMMMd", locale=locale_code())


def url_with_lang(code: str) -> str:
    """The current page in another interface language (the language switcher's links).

    The path is encoded again, so a backslash or a control character in it stays one (browsers read "/\\x" as
    "//x"), and starts with exactly one slash: the link never leaves this site, whatever a 404's address holds.
    """
    args = request.args.to_dict()
    args["lang"] = code
    path = "/" + quote(request.path, safe="/:@!$&'()*+,;=~").lstrip("/")
    return f"{request.script_root}{path}?{urlencode(args)}"


# --- translations -------------------------------------------------------------------------------------------------

# Flask-Babel 4 leaves these unannotated: typed views of the same callables.
_new_babel = cast(Callable[..., Babel], Babel)
_new_domain = cast(Callable[..., Domain], Domain)
_new_lazy_string = cast(Callable[[Callable[[], str]], LazyString], LazyString)
_babel_translations = cast(Callable[[], stdlib_gettext.NullTranslations], get_translations)


def _per_request(key: str, lookup: Callable[[], stdlib_gettext.NullTranslations]) -> stdlib_gettext.NullTranslations:
    """A catalogue looked up once per request. Flask-Babel's own lookup reads the app, the request's locale and
    its cache on every call, and a catalogue page makes some 300 calls; the locale and the catalogues (reloaded
    before the request, catalogue.i18n.reload_changed_catalogues) do not change while it runs."""
    if not has_request_context():
        return lookup()
    found = g.get(key)
    if found is None:
        found = lookup()
        setattr(g, key, found)
    return cast(stdlib_gettext.NullTranslations, found)


def interface_translations() -> stdlib_gettext.NullTranslations:
    """The interface's catalogue for this request, looked up once: for a view that translates a handful of words
    on every render (Flask-Babel's gettext() looks the catalogue up again on each call, some 6 µs)."""
    return _per_request("_catalogue_messages", _babel_translations)


class _GettextEnvironment(Protocol):
    """What jinja2.ext.i18n adds to the Jinja environment (untyped there, as it is added at run time)."""

    def install_gettext_callables(
        self,
        gettext: Callable[[str], str],
        ngettext: Callable[[str, str, int], str],
        newstyle: bool | None = None,
        pgettext: Callable[[str, str], str] | None = None,
        npgettext: Callable[[str, str, str, int], str] | None = None,
    ) -> None: ...


def lazy_text(string: str, **variables: object) -> str:
    """A lazily translated form label or message that renders as text, never as markup.

    Flask-Babel's lazy_gettext hands Jinja the translation as trusted markup (`__html__`); translations
    are untrusted, so this one hands over the escaped translation instead. Typed as the str that WTForms'
    labels and messages take: the LazyString stands in for one wherever it is rendered or formatted.
    """
    return cast(str, _new_lazy_string(lambda: escape(gettext(string, **variables))))


def _install_escaping_gettext(app: Flask) -> None:
    """Translations are untrusted text: escape the translated string itself, not only its variables.

    Jinja's new-style gettext marks whatever the catalogue returns as safe markup, so a msgstr holding
    `<script>` would run. Returning it escaped keeps Jinja's own escaping of the `%(name)s` variables.
    The context forms (`pgettext`, for one English word with two jobs) are escaped the same way.
    """
    environment = cast(_GettextEnvironment, app.jinja_env)
    environment.install_gettext_callables(
        lambda string: escape(interface_translations().gettext(string)),
        lambda singular, plural, n: escape(interface_translations().ngettext(singular, plural, n)),
        newstyle=True,
        pgettext=lambda context, string: escape(interface_translations().pgettext(context, string)),
        npgettext=lambda context, singular, plural, n: escape(
            interface_translations().npgettext(context, singular, plural, n)
        ),
    )


CONTENT_DOMAIN = "content"


@dataclass(frozen=True, slots=True)
class ContentText:
    """A text of the catalogue itself (a title, a summary) in the reader's language, or the original."""

    text: str
    lang: str
    translated: bool


def _has_message(translations: stdlib_gettext.NullTranslations | None, key: str) -> bool:
    """Whether a compiled catalogue (or one merged into it) holds a translation under `key`.

    A translation may equal its source ("Introduction" in French, "Izmir" in French): it is a translation all
    the same, and gettext's answer alone cannot tell it from a missing one.
    """
    while translations is not None:
        catalog = getattr(translations, "_catalog", None)
        if isinstance(catalog, dict) and key in catalog:
            return True
        translations = getattr(translations, "_fallback", None)
    return False


def content_text(text: str | None, context: str, original_lang: str = "en") -> ContentText:
    """The `content` domain's translation of `text` (msgctxt = what it is), or the original, marked as such.

    "Translated" means the catalogue has a msgstr for it, whether or not it differs from the source.
    """
    if not text:
        return ContentText("", original_lang, False)
    locale = locale_code()
    if locale == original_lang:
        return ContentText(text, original_lang, True)
    translations = _content_translations()
    if _has_message(translations, f"{context}\x04{text}"):
        return ContentText(translations.pgettext(context, text), locale, True)
    return ContentText(text, original_lang, False)


def _content_domain() -> Domain:
    return cast(Domain, current_app.extensions["catalogue_content_domain"])


def _content_translations() -> stdlib_gettext.NullTranslations:
    """The reader's `content` catalogue (Flask-Babel's Domain.get_translations, which it leaves unannotated)."""
    return _per_request(
        "_catalogue_content",
        lambda: cast(Callable[[], stdlib_gettext.NullTranslations], _content_domain().get_translations)(),
    )


def _catalogue_files(app: Flask) -> list[Path]:
    folder = Path(app.config["CATALOGUE_TRANSLATIONS_DIR"])
    return [
        folder / lang / "LC_MESSAGES" / f"{domain}.mo"
        for lang in app.config["LANGUAGES"]
        for domain in ("messages", CONTENT_DOMAIN)
    ]


def _signature(files: list[Path]) -> tuple[tuple[int, int, int], ...]:
    stamps = []
    for path in files:
        try:
            stat = path.stat()
        except FileNotFoundError:
            stamps.append((0, 0, 0))
        else:
            stamps.append((stat.st_mtime_ns, stat.st_size, stat.st_ino))
    return tuple(stamps)


def current_signature(app: Flask) -> tuple[tuple[int, int, int], ...]:
    """The compiled catalogues' signature now (a few stat() calls), which reload_changed_catalogues() will find."""
    return _signature(app.extensions["catalogue_catalogue_state"]["files"])


def reload_changed_catalogues() -> None:
    """Flask-Babel caches compiled catalogues for the life of the process, and refresh() does not reload
    them. A few stat() calls per request notice a new .mo (an edit saved through any worker or machine
    sharing translations/) and drop the caches, so every worker shows it on its next request."""
    state: dict[str, Any] = current_app.extensions["catalogue_catalogue_state"]
    signature = _signature(state["files"])
    if signature != state["signature"]:
        # Caches first: a request that sees the new signature must never load the old translations under it.
        current_app.extensions["babel"].instance.domain_instance.cache.clear()
        _content_domain().cache.clear()
        state["signature"] = signature


def init_app(app: Flask) -> None:
    # One Babel per app, not a module-level one: Flask-Babel keeps its catalogue cache on the extension
    # object, and two apps (two translation folders) must not share it.
    _new_babel(app, locale_selector=select_locale)
    app.extensions["catalogue_content_domain"] = _new_domain(domain=CONTENT_DOMAIN)
    files = _catalogue_files(app)
    app.extensions["catalogue_catalogue_state"] = {"files": files, "signature": _signature(files)}
    app.before_request(reload_changed_catalogues)
    _install_escaping_gettext(app)
    app.after_request(remember_locale)
    app.jinja_env.globals.update(
        locale_code=locale_code,
        language_name=language_name,
        language_list=language_list,
        by_language_name=by_language_name,
        collate=collate,
        join_list=join_list,
        format_decimal=format_decimal,
        format_duration=format_duration,
        format_timestamp=format_timestamp,
        format_datetime_in=format_datetime_in,
        format_day=format_day,
        format_date_range=format_date_range,
        url_with_lang=url_with_lang,
        content_text=content_text,
    )
