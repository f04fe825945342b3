"""Browse the catalogue and watch a recording with the audio and subtitles a viewer chooses."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, request, send_from_directory
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select

from catalogue.extensions import db
from catalogue.i18n import by_language_name, content_text, language_list, locale_code
from catalogue.inputs import read_paging
from catalogue.memo import Memo, kept, template_parts
from catalogue.pagecache import cached, until_next_write
from catalogue.recordings.cards import PEOPLE_ROLES, rendered
from catalogue.recordings.content import person_affiliation, person_name
from catalogue.recordings.models import AudioKind, AudioTrack, Event, Role
from catalogue.recordings.queries import (
    WATCHED_KEPT,
    AudioChoice,
    CardFilter,
    PlayedRecording,
    WatchFacts,
    audio_spellings,
    event_leads,
    event_sections,
    recording_cards,
    recording_count,
    subtitle_languages,
    watched_recording,
)

bp = Blueprint("recordings", __name__, template_folder="templates")
PAGE_SIZE = 24
HOME_PARTS = "recordings/_home_parts.html"

ROLE_LABELS = {
    Role.MODERATOR: lambda: _("Moderation"),
    Role.INTRODUCTION: lambda: _("Introduction"),
    Role.SPEAKER: lambda: _("Speaker"),
    Role.CONCLUSION: lambda: _("Conclusion"),
}


def role_label(role: Role | None) -> str:
    return ROLE_LABELS[role]() if role else ""


def role_labels() -> dict[Role, str]:
    """Every role's label at once, for a page that names many workshops' people by role."""
    return {role: role_label(role) for role in ROLE_LABELS}


def audio_label(track: AudioTrack) -> str:
    """The track's name in the interface language: its label as translated in the `content` domain, or else
    a name derived from what is heard on it."""
    if locale_code() != "en":
        translated = content_text(track.label, "audio track label")
        if translated.translated:
            return translated.text
    if track.kind == AudioKind.INTERPRETATION:
        return _("%(language)s interpretation", language=language_list(track.languages))
    return _("Original floor audio (%(languages)s)", languages=language_list(track.languages))


@bp.app_context_processor
def recording_helpers() -> dict[str, object]:
    return {
        "role_label": role_label,
        "role_labels": role_labels,
        "audio_label": audio_label,
        "person_name": person_name,
        "person_affiliation": person_affiliation,
        "Role": Role,
        "people_roles": PEOPLE_ROLES,
    }


@bp.get("/")
@cached
def home() -> ResponseReturnValue:
    """The catalogue, filtered by audio and subtitle language, a page at a time.

    The filters and the page run in SQL; the page's cards are loaded as the facts they show and rendered
    once for every language (catalogue.recordings.cards): a page after a write renders only what changed.
    """
    spellings_by_kind = audio_spellings()
    heard = {text: set(json.loads(text)) for _kind, text in spellings_by_kind}
    # On which kind of track each language is heard: French on the floor track is no French interpretation.
    heard_as: dict[str, set[str]] = {}
    for kind, text in spellings_by_kind:
        for code in heard[text]:
            heard_as.setdefault(code, set()).add(kind.value)

    audio = request.args.get("audio", "")
    subs = request.args.get("subs", "")
    heard_spelled = tuple(sorted(text for text, codes in heard.items() if audio in codes)) if audio else None
    selected = CardFilter(heard_spelled, subs)
    total = recording_count()
    shown = recording_count(selected)
    paging = read_paging(PAGE_SIZE).within(shown)
    page, pages = paging.page, paging.pages(shown)
    cards = recording_cards(selected, limit=paging.per_page, offset=paging.offset)
    return render_template(
        "recordings/home.html",
        cards=rendered("recording_card", cards),
        shown=shown,
        total=total,
        event_leads=rendered("event_lead", event_leads()),
        parts=_home_parts(
            HomeChoices(
                tuple(by_language_name(set().union(*heard.values()))),
                tuple((code, tuple(sorted(kinds))) for code, kinds in sorted(heard_as.items())),
                tuple(by_language_name(subtitle_languages())),
                audio,
                subs,
                page,
                pages,
            )
        ),
    )


@dataclass(frozen=True, slots=True)
class HomeChoices:
    """What the catalogue page's filters and page links show: the languages to choose from (and on which kind of
    track each is heard), the filters asked for, the page and the number of pages."""

    audio_options: tuple[str, ...]
    heard_as: tuple[tuple[str, tuple[str, ...]], ...]
    subtitle_options: tuple[str, ...]
    audio: str
    subs: str
    page: int
    pages: int


@dataclass(frozen=True, slots=True)
class HomeParts:
    filters: Markup
    pages: Markup


def _home_parts(choices: HomeChoices) -> HomeParts:
    """The filters form and the page links, kept per language by exactly what they show (catalogue.memo.kept):
    the same few for every page of the catalogue."""
    filters, pages = kept(
        (HOME_PARTS, choices),
        lambda: template_parts(
            HOME_PARTS,
            ("filters", "pages"),
            audio_options=choices.audio_options,
            heard_as=dict(choices.heard_as),
            subtitle_options=choices.subtitle_options,
            audio=choices.audio,
            subs=choices.subs,
            page=choices.page,
            page_count=choices.pages,
        ),
    )
    return HomeParts(filters, pages)


@bp.get("/events/<slug>")
@cached
def event(slug: str) -> ResponseReturnValue:
    """An event and its workshops; each workshop's section rendered once for every language and kept."""
    found = db.session.scalar(select(Event).where(Event.slug == slug))
    if found is None:
        abort(404)
    return render_template(
        "recordings/event.html", event=found, sections=rendered("workshop_section", event_sections(found))
    )


def _start_seconds(raw: str | None, duration_ms: int | None) -> float:
    """A deep link's `t`, clamped into the recording: negative is 0, past the end is the end."""
    try:
        seconds = float(raw) if raw else 0.0
    except ValueError:
        seconds = 0.0
    if not math.isfinite(seconds) or seconds < 0:
        return 0.0
    if duration_ms is not None:
        seconds = min(seconds, duration_ms / 1000)
    return round(seconds, 3)


@dataclass(frozen=True, slots=True)
class StreamShown:
    """The recording's stream as the API describes it (design.md §8: hls, poster, state, audio renditions), or
    None in an app without media; and its JSON text, what the player's parts are kept by."""

    stream: dict[str, object] | None
    text: str


# The streams the watch page showed, kept until the next write (until_next_write), by host and slug.
STREAMS_KEY = "catalogue_watched_streams_this_version"


def stream_of(recording: PlayedRecording) -> StreamShown:
    """The recording's stream, from the media package: it sits above recordings and offers this function to the
    app (recordings never imports it). Kept by host and recording until the next write (a packaging's every
    step is one), as the recording itself is (watched_recording)."""
    this_version: Memo[StreamShown] = until_next_write(STREAMS_KEY, lambda: Memo(WATCHED_KEPT, size=lambda _stream: 1))
    key = (request.host_url, request.root_url, recording.slug)
    shown = this_version.get(key)
    if shown is None:
        describe = current_app.extensions.get("catalogue_stream_json")
        stream = describe(recording) if describe else None
        shown = StreamShown(stream, json.dumps(stream, sort_keys=True))
        this_version.put(key, shown)
    return shown


# The watch page's parts that show nothing the URL asks for: the heading, chapters, subtitle files and people
# (drawn from a recording's WatchFacts) and the player's controls and messages (interface text only). Each is
# rendered once per interface language and compiled translations, and kept: a shared moment (`?t=`), another
# audio or subtitle choice, or the first view after a write elsewhere renders only the player's own lines. A write
# that changes what a part shows makes new facts, so a new key: a kept part is never stale, and ages out unused.
WATCH_PARTS = "recordings/_watch_parts.html"
CONTROLS = "recordings/_controls.html"
PLAYER_MESSAGES = "recordings/_player_messages.html"
PLAYER_PARTS = "recordings/_player_parts.html"


@dataclass(frozen=True, slots=True)
class WatchParts:
    heading: Markup
    chapters_and_downloads: Markup
    about: Markup
    controls: Markup
    player_messages: Markup


def _watch_parts(facts: WatchFacts) -> WatchParts:
    """The page's parts that show only `facts` or interface text, kept (catalogue.memo.kept). Called
    before the page translates anything (see kept())."""
    names = ("heading", "chapters_and_downloads", "about")
    heading, chapters_and_downloads, about = kept(
        (WATCH_PARTS, facts), lambda: template_parts(WATCH_PARTS, names, page=facts)
    )
    # Autoescaped template output: markup by construction, as an {% include %} of it would be.
    (controls,) = kept((CONTROLS,), lambda: (Markup(render_template(CONTROLS)),))
    (messages,) = kept((PLAYER_MESSAGES,), lambda: (Markup(render_template(PLAYER_MESSAGES)),))
    return WatchParts(heading, chapters_and_downloads, about, controls, messages)


@dataclass(frozen=True, slots=True)
class PlayerParts:
    player: Markup
    transcript: Markup


def _player_parts(
    recording: PlayedRecording,
    facts: WatchFacts,
    audio_tracks: tuple[AudioChoice, ...],
    audio: AudioChoice,
    subs: str,
    stream: StreamShown,
    parts: WatchParts,
) -> PlayerParts:
    """The player (picture, tracks, audio and subtitle choices) and the transcript's frame: they show the
    recording, the audio track and the subtitles asked for, never the moment (`t`) or the URL, so they are kept
    per language by exactly those (catalogue.memo.kept) and a shared moment renders only the page's own lines.
    The stream is a dict (media's JSON): its text is in the key."""
    key = (
        PLAYER_PARTS,
        recording.slug,
        recording.poster_url,
        facts.workshop.title,
        facts.event.original_language,
        audio_tracks,
        audio,
        subs,
        facts.subtitle_languages,
        stream.text,
    )
    player, transcript = kept(
        key,
        lambda: template_parts(
            PLAYER_PARTS,
            ("player", "transcript"),
            recording=recording,
            workshop=facts.workshop,
            event=facts.event,
            audio_tracks=audio_tracks,
            subtitle_languages=facts.subtitle_languages,
            audio=audio,
            subs=subs,
            stream=stream.stream,
            parts=parts,
        ),
    )
    return PlayerParts(player, transcript)


@bp.get("/recordings/<slug>")
@cached
def watch(slug: str) -> ResponseReturnValue:
    """A recording's player, with the audio track and subtitles asked for (or the defaults).

    Read in four small statements whatever the number of tracks, chapters and people (recordings.queries),
    the stream's included, and kept until the next write (a new URL of the same recording reads nothing); what
    does not depend on the URL is rendered once per language (_watch_parts, _player_parts).
    """
    watched = watched_recording(slug)
    if watched is None or not watched.audio_tracks:
        abort(404)
    recording, facts = watched.recording, watched.facts
    published = facts.subtitle_languages

    audio = watched.default_audio
    if "audio" in request.args:
        audio = next((t for t in watched.audio_tracks if t.slug == request.args["audio"]), None)
    if audio is None:
        abort(404)  # No such track asked for (a recording with no live track was refused above).

    subs = request.args.get("subs")
    if subs is None:
        # Default: subtitles in the interface language when that track exists, else none.
        subs = locale_code() if locale_code() in published else "off"
    elif subs != "off" and subs not in published:
        abort(404)

    stream = stream_of(recording)
    parts = _watch_parts(facts)
    player = _player_parts(recording, facts, watched.audio_tracks, audio, subs, stream, parts)
    return render_template(
        "recordings/watch.html",
        parts=parts,
        player=player,
        recording=recording,
        workshop=facts.workshop,
        event=facts.event,
        audio_tracks=watched.audio_tracks,
        subtitle_languages=published,
        audio=audio,
        subs=subs,
        start=_start_seconds(request.args.get("t"), recording.duration_ms),
        step_back=current_app.config["CATALOGUE_INTERPRETATION_STEP_BACK_S"],
        stream=stream.stream,
    )


@bp.get("/media/<path:filename>")
def media(filename: str) -> ResponseReturnValue:
    """Local media files, with Range and conditional requests so players can seek."""
    return send_from_directory(Path(current_app.config["CATALOGUE_MEDIA_DIR"]), filename, max_age=3600)
