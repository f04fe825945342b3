"""The search page: everything said and written, grouped by recording, each hit opening the player there."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from catalogue.extensions import db
from catalogue.inputs import read_paging
from catalogue.pagecache import cached
from catalogue.recordings.models import Event
from catalogue.search.query import Hit, parse, search
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


@bp.get("/search")
@cached
def results() -> ResponseReturnValue:
    raw = request.args.get("q", "")
    language = request.args.get("lang_filter") or None
    event = request.args.get("event") or None
    paging = read_paging(PER_PAGE, max_page=MAX_PAGE)
    query = parse(raw)
    found = search(db.session, query, language=language, event=event, page=paging.page, per_page=paging.per_page)
    groups: list[tuple[object, list[Hit]]] = []
    for hit in found.hits:
        if groups and groups[-1][0] is hit.recording:
            groups[-1][1].append(hit)
        else:
            groups.append((hit.recording, [hit]))
    # The filter's choices from the small tables, not a DISTINCT over every indexed cue.
    languages = sorted(
        set(db.session.scalars(select(SubtitleTrack.language).where(SubtitleTrack.retired_at.is_(None)).distinct()))
        | set(db.session.scalars(select(Event.original_language).distinct()))
    )
    events = db.session.scalars(select(Event).order_by(Event.starts_on.desc())).all()
    pages = paging.pages(found.total)
    return render_template(
        "search/results.html",
        raw=raw,
        query=query,
        found=found,
        groups=groups,
        hit_url=hit_url,
        languages=languages,
        events=events,
        language=language,
        event=event,
        page=paging.page,
        pages=pages,
    )
