"""The search page: everything said and written, grouped by recording, each hit opening the player there, with
what was said at that moment in the recording's other subtitle languages; and the API's view of the same results."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from flask import Blueprint, current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue
from markupsafe import Markup

from catalogue.extensions import db
from catalogue.i18n import collate, format_timestamp, interface_translations, language_name, locale_code
from catalogue.inputs import read_paging
from catalogue.memo import escaped, kept, template_parts
from catalogue.pagecache import cached
from catalogue.search.queries import (
    MAX_PAGE,
    PER_PAGE,
    Hit,
    Line,
    MomentLinks,
    event_choices,
    language_choices,
    parse,
    search,
)

bp = Blueprint("search", __name__, template_folder="templates")
HIT_TEMPLATE = "search/_hit.html"
CHOICES_TEMPLATE = "search/_search_parts.html"


def _grouped(hits: list[Hit], items: list[Markup]) -> list[tuple[object, list[Markup]]]:
    """Consecutive hits of one recording together (the search already orders them so), as their rendered items."""
    groups: list[tuple[object, list[Markup]]] = []
    for hit, item in zip(hits, items, strict=True):
        if groups and groups[-1][0] == hit.recording:
            groups[-1][1].append(item)
        else:
            groups.append((hit.recording, [item]))
    return groups


def _kind_names() -> dict[str, str]:
    """Where a word was found: what was said (a subtitle line), or a catalogue text of that kind."""
    translations = interface_translations()
    return {
        "cue": translations.pgettext("search hit kind", "said"),
        "title": translations.pgettext("search hit kind", "title"),
        "summary": translations.pgettext("search hit kind", "summary"),
        "chapter": translations.pgettext("search hit kind", "chapter"),
        "speaker": translations.pgettext("search hit kind", "speaker"),
        "event": translations.pgettext("search hit kind", "event"),
    }


@dataclass(frozen=True, slots=True)
class HitView:
    """A hit as search/_hit.html shows it, every text and link worked out: the key its markup is kept under."""

    kind: str
    kind_name: str
    language: str
    language_name: str
    time: str | None
    snippet: Markup
    link: str
    # (language, its name, the line, its link) of what was said at that moment in other languages.
    also: tuple[tuple[str, str, str, str], ...]
    said_elsewhere: str


def _render_hit(hit_item: Callable[[HitView], object], view: HitView) -> tuple[Markup, ...]:
    return escaped((hit_item(view),), HIT_TEMPLATE)


def hit_items(
    hits: list[Hit],
    also: dict[int, list[Line]],
    names: dict[str, str],
    kind_names: dict[str, str],
    links: MomentLinks,
) -> list[Markup]:
    """Each hit's item, kept per language and HitView (catalogue.memo.kept): a hit's markup took some fifty
    escaped pieces of the page's template, twenty times a page."""
    said_elsewhere = interface_translations().gettext("Said at the same moment in other languages")
    template = current_app.jinja_env.get_template(HIT_TEMPLATE)
    hit_item = cast(Any, template.module).hit_item  # Needs no context: the view holds every text.
    items = []
    for hit in hits:
        document = hit.document
        view = HitView(
            document.kind,
            kind_names.get(document.kind, document.kind),
            document.language,
            names[document.language],
            format_timestamp(document.start_ms) if document.start_ms is not None else None,
            hit.snippet,
            links.hit(hit),
            tuple(
                (line.language, names[line.language], line.text, links.line(hit, line)) for line in also[document.id]
            ),
            said_elsewhere,
        )
        # The template object is in the key: a reloaded template is another object, so its items are new keys.
        (item,) = kept((template, view), functools.partial(_render_hit, hit_item, view))
        items.append(item)
    return items


def _other_languages(hits: list[Hit], viewer: str) -> dict[int, list[Line]]:
    """The lines to show under each cue hit: not in a language that is itself a hit at that moment on this page,
    the viewer's language first."""
    shown = {(h.recording.id, h.document.start_ms, h.document.language) for h in hits if h.document.kind == "cue"}
    lines = {}
    for hit in hits:
        moment = (hit.recording.id, hit.document.start_ms)
        kept = [line for line in hit.also if (*moment, line.language) not in shown]
        lines[hit.document.id] = sorted(kept, key=lambda line: line.language != viewer)
    return lines


class _LanguageNames(dict[str, str]):
    """Language names as the page shows them, each worked out once: a page of results names its few languages
    a hundred times (a badge per hit and per line, the filter, the facets)."""

    def __missing__(self, code: str) -> str:
        self[code] = name = language_name(code)
        return name


def _refine(filters: dict[str, str | None]) -> Callable[[str, str], str]:
    """This search with one argument changed (a facet chosen or dropped, a suggestion), the others kept."""

    def refine(name: str, value: str) -> str:
        arguments: dict[str, Any] = {k: v for k, v in (filters | {name: value}).items() if v}
        return url_for("search.results", **arguments)

    return refine


@bp.get("/search")
@cached
def results() -> ResponseReturnValue:
    raw = request.args.get("q", "")
    language = request.args.get("lang_filter") or None
    event = request.args.get("event") or None
    kind = request.args.get("kind") or None
    paging = read_paging(PER_PAGE, max_page=MAX_PAGE)
    query = parse(raw)
    found = search(
        db.session(), query, language=language, event=event, kind=kind, page=paging.page, per_page=paging.per_page
    )
    # The filter's choices from the small tables, not a DISTINCT over every indexed cue.
    languages = language_choices(db.session()) | {code for code, _ in found.facets.get("language", [])}
    names = _LanguageNames()
    events = event_choices(db.session())
    filters = {"q": raw, "lang_filter": language, "event": event, "kind": kind}
    kind_names = _kind_names()
    items = hit_items(found.hits, _other_languages(found.hits, locale_code()), names, kind_names, MomentLinks())
    # The filter's choices in the order of their names, as by_language_name() sorts them.
    ordered_languages = tuple(collate(languages, key=names.__getitem__))
    (choices,) = kept(
        (CHOICES_TEMPLATE, ordered_languages, language, tuple(events), event, kind),
        lambda: template_parts(
            CHOICES_TEMPLATE,
            ("choices",),
            languages=ordered_languages,
            language_names=names,
            events=events,
            language=language,
            event=event,
            kind_names=kind_names,
            kind=kind,
        ),
    )
    return render_template(
        "search/results.html",
        filters={name: value or "" for name, value in filters.items()},
        refine=_refine(filters),
        raw=raw,
        query=query,
        found=found,
        groups=_grouped(found.hits, items),
        kind_names=kind_names,
        choices=choices,
        language_names=names,
        language=language,
        event=event,
        kind=kind,
        page=paging.page,
        pages=paging.pages(found.total),
    )
