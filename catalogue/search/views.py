"""The search page: everything said and written, grouped by recording, each hit opening the player there, with
what was said at that moment in the recording's other subtitle languages; and the API's view of the same results."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from catalogue.extensions import db
from catalogue.i18n import locale_code
from catalogue.inputs import read_paging
from catalogue.pagecache import cached
from catalogue.recordings.models import Event
from catalogue.search.queries import Hit, Line, Results, parse, search
from catalogue.subtitles.models import SubtitleTrack

bp = Blueprint("search", __name__, template_folder="templates")
PER_PAGE = 20
# Hits are ranked in full before a page is cut from them: deeper pages than this are not offered.
MAX_PAGE = 500


def hit_url(hit: Hit, external: bool = False) -> str:
    """The player at that moment, with those subtitles (cues), or the recording (titles and texts)."""
    document = hit.document
    if document.kind == "cue":
        return url_for(
            "recordings.watch",
            slug=hit.recording.slug,
            t=(document.start_ms or 0) // 1000,
            subs=document.language,
            _external=external,
        )
    if document.kind == "chapter" and document.start_ms is not None:
        return url_for("recordings.watch", slug=hit.recording.slug, t=document.start_ms // 1000, _external=external)
    return url_for("recordings.watch", slug=hit.recording.slug, _external=external)


def line_url(hit: Hit, line: Line, external: bool = False) -> str:
    """The player at the moment of a line said in another language, with that language's subtitles."""
    return url_for(
        "recordings.watch", slug=hit.recording.slug, t=line.start_ms // 1000, subs=line.language, _external=external
    )


def api_results(raw: str, found: Results) -> dict[str, Any]:
    """The API's answer (design.md §8), with additions: each cue's `end_s` and `also` (the same moment in the
    other subtitle languages), `facets` with counts, `partial` and a `suggestion` when no document holds every
    word."""
    return {
        "query": raw,
        "total": found.total,
        "results": [
            {
                "recording": hit.recording.slug,
                "title": hit.recording.title,
                "kind": hit.document.kind,
                "language": hit.document.language,
                "start_s": hit.document.start_ms / 1000 if hit.document.start_ms is not None else None,
                "end_s": hit.document.end_ms / 1000 if hit.document.end_ms is not None else None,
                "snippet": str(hit.snippet),
                "url": hit_url(hit, external=True),
                "also": [
                    {
                        "language": line.language,
                        "start_s": line.start_ms / 1000,
                        "text": line.text,
                        "url": line_url(hit, line, external=True),
                    }
                    for line in hit.also
                ],
            }
            for hit in found.hits
        ],
        "facets": {
            name: [{"value": value, "count": count} for value, count in counts] for name, counts in found.facets.items()
        },
        # False when the query matched more than the ranked candidates: the counts are of those only.
        "facets_complete": not found.capped_facets,
        # True when no document holds every word: the results hold some of them, most first.
        "partial": found.partial,
        "suggestion": found.suggestion,
    }


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


def _refine(filters: dict[str, str | None]) -> Callable[[str, str], str]:
    """This search with one argument changed (a facet chosen or dropped, a suggestion), the others kept."""

    def refine(name: str, value: str) -> str:
        return url_for("search.results", **{k: v for k, v in (filters | {name: value}).items() if v})

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
        db.session, query, language=language, event=event, kind=kind, page=paging.page, per_page=paging.per_page
    )
    # The filter's choices from the small tables, not a DISTINCT over every indexed cue.
    languages = sorted(
        set(db.session.scalars(select(SubtitleTrack.language).where(SubtitleTrack.retired_at.is_(None)).distinct()))
        | set(db.session.scalars(select(Event.original_language).distinct()))
        | {code for code, _ in found.facets.get("language", [])}
    )
    events = db.session.scalars(select(Event).order_by(Event.starts_on.desc())).all()
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
        hit_url=hit_url,
        line_url=line_url,
        languages=languages,
        events=events,
        language=language,
        event=event,
        kind=kind,
        page=paging.page,
        pages=paging.pages(found.total),
    )
