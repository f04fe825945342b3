"""Locale selection and locale-aware formatting shared by every page (design.md §6)."""

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from urllib.parse import quote, urlencode

from babel.dates import format_date, format_interval
from babel.dates import format_datetime as babel_format_datetime
from babel.lists import format_list
from babel.units import format_unit
from flask import Flask, Response, current_app, has_request_context, request
from flask_babel import Babel, Domain, get_locale, get_translations, gettext
from flask_babel.speaklater import LazyString
from flask_login import current_user
from markupsafe import escape

from catalogue.languages import display_name

LANG_COOKIE = "lang"


def _supported(code: str | None) -> str | None:
    if code and code in current_app.config["LANGUAGES"]:
        return code
    return None


def _user_preference() -> str | None:
    """The signed-in user's preferred locale; None outside a request or in an app without Flask-Login."""
    if not has_request_context() or not hasattr(current_app, "login_manager"):
        return None
    if not current_user.is_authenticated:
        return None
    return _supported(getattr(current_user, "preferred_locale", None))


def select_locale() -> str:
    """`?lang=xx` > the remembered cookie > the signed-in user's preference > Accept-Language > English.

    Unknown codes fall through; outside a request (CLI commands) it is the default locale.
    """
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    return (
        _supported(request.args.get("lang"))
        or _supported(request.cookies.get(LANG_COOKIE))
        or _user_preference()
        or request.accept_languages.best_match(current_app.config["LANGUAGES"])
        or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


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

    `in_language` may itself be a tag CLDR has no data for (a track's own language, to name it in itself):
    the name then falls back to the interface language's.
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


def format_datetime_in(value: datetime | None, timezone: str, format: str = "medium") -> str:
    """A moment shown in the event's own time zone (Europe/Istanbul for the summit)."""
    if value is None:
        return ""
    return babel_format_datetime(value, format, tzinfo=timezone, locale=locale_code())


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


def lazy_text(string: str, **variables: object) -> LazyString:
    """A lazily translated form label or message that renders as text, never as markup.

    Flask-Babel's lazy_gettext hands Jinja the translation as trusted markup (`__html__`); translations
    are untrusted, so this one hands over the escaped translation instead.
    """
    return LazyString(lambda: escape(gettext(string, **variables)))


def _install_escaping_gettext(app: Flask) -> None:
    """Translations are untrusted text: escape the translated string itself, not only its variables.

    Jinja's new-style gettext marks whatever the catalogue returns as safe markup, so a msgstr holding
    `<script>` would run. Returning it escaped keeps Jinja's own escaping of the `%(name)s` variables.
    """
    app.jinja_env.install_gettext_callables(
        lambda string: escape(get_translations().ugettext(string)),
        lambda singular, plural, n: escape(get_translations().ungettext(singular, plural, n)),
        newstyle=True,
    )


CONTENT_DOMAIN = "content"


@dataclass(frozen=True, slots=True)
class ContentText:
    """A text of the catalogue itself (a title, a summary) in the reader's language, or the original."""

    text: str
    lang: str
    translated: bool


def content_text(text: str | None, context: str, original_lang: str = "en") -> ContentText:
    """The `content` domain's translation of `text` (msgctxt = what it is), or the original, marked as such."""
    if not text:
        return ContentText("", original_lang, False)
    locale = locale_code()
    if locale == original_lang:
        return ContentText(text, original_lang, True)
    translated = _content_domain().get_translations().upgettext(context, text)
    if translated and translated != text:
        return ContentText(translated, locale, True)
    return ContentText(text, original_lang, False)


def _content_domain() -> Domain:
    return current_app.extensions["catalogue_content_domain"]


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


def reload_changed_catalogues() -> None:
    """Flask-Babel caches compiled catalogues for the life of the process, and refresh() does not reload
    them. A few stat() calls per request notice a new .mo (an edit saved through any worker or machine
    sharing translations/) and drop the caches, so every worker shows it on its next request."""
    state = current_app.extensions["catalogue_catalogue_state"]
    signature = _signature(state["files"])
    if signature != state["signature"]:
        state["signature"] = signature
        current_app.extensions["babel"].instance.domain_instance.cache.clear()
        _content_domain().cache.clear()


def init_app(app: Flask) -> None:
    # One Babel per app, not a module-level one: Flask-Babel keeps its catalogue cache on the extension
    # object, and two apps (two translation folders) must not share it.
    Babel(app, locale_selector=select_locale)
    app.extensions["catalogue_content_domain"] = Domain(domain=CONTENT_DOMAIN)
    files = _catalogue_files(app)
    app.extensions["catalogue_catalogue_state"] = {"files": files, "signature": _signature(files)}
    app.before_request(reload_changed_catalogues)
    _install_escaping_gettext(app)
    app.after_request(remember_locale)
    app.jinja_env.globals.update(
        locale_code=locale_code,
        language_name=language_name,
        language_list=language_list,
        format_duration=format_duration,
        format_timestamp=format_timestamp,
        format_datetime_in=format_datetime_in,
        format_day=format_day,
        format_date_range=format_date_range,
        url_with_lang=url_with_lang,
        content_text=content_text,
    )
