"""The search page: everything said and written, grouped by recording, each hit opening the player there, with
what was said at that moment in the recording's other subtitle languages; and the API's view of the same results."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, render_template, request, url_for
from flask.typing import ResponseReturnValue

from catalogue.extensions import db
from catalogue.i18n import collate, language_name, locale_code
from catalogue.inputs import read_paging
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


def _grouped(hits: list[Hit]) -> list[tuple[object, list[Hit]]]:
    """Consecutive hits of one recording together (the search already orders them so)."""
    groups: list[tuple[object, list[Hit]]] = []
    for hit in hits:
        if groups and groups[-1][0] == hit.recording:
            groups[-1][1].append(hit)
        else:
            groups.append((hit.recording, [hit]))
    return groups


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
    return render_template(
        "search/results.html",
        filters={name: value or "" for name, value in filters.items()},
        refine=_refine(filters),
        raw=raw,
        query=query,
        found=found,
        groups=_grouped(found.hits),
        also=_other_languages(found.hits, locale_code()),
        links=MomentLinks(),
        # The filter's choices in the order of their names, as by_language_name() sorts them.
        languages=collate(languages, key=names.__getitem__),
        language_names=names,
        events=events,
        language=language,
        event=event,
        kind=kind,
        page=paging.page,
        pages=paging.pages(found.total),
    )
