"""Catalogue fragments (a recording's card, a workshop's section) rendered once and reused.

A fragment is keyed by a frozen value holding exactly what it shows, loaded with only those columns, plus
what else its HTML depends on: the interface language, the compiled translations' signature (it changes
when a translator's .mo does), the template and the site's path prefix. So a write re-renders only the
fragments whose data changed, the next page after it finds the others, and no key ever needs invalidating:
stale entries are simply never asked for again and age out. The HTML is the macro's output, escaped by the
template's autoescape; nothing else is ever stored as markup.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import current_app, g
from jinja2 import Template
from markupsafe import Markup

from catalogue.memo import escaped, fragment_memo, fragment_setting, keep_fragment
from catalogue.recordings.models import AudioKind, Role

MACROS = "recordings/_macros.html"
# The roles a workshop's list of people shows, in this order (speakers are named by the watch page's chapters).
PEOPLE_ROLES = (Role.MODERATOR, Role.INTRODUCTION, Role.CONCLUSION)


@dataclass(frozen=True, slots=True)
class PersonFacts:
    """A person as a programme names them; the attributes person_name() and person_affiliation() read."""

    honorific: str
    name: str
    affiliation: str

    @property
    def display_name(self) -> str:
        return f"{self.honorific} {self.name}".strip()


@dataclass(frozen=True, slots=True)
class AudioFacts:
    kind: AudioKind
    languages: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RecordingFacts:
    """What a page shows of a recording: when, how long, what it sounds like, which subtitles are out."""

    slug: str
    recorded_at: datetime | None
    duration_ms: int | None
    is_demo_excerpt: bool
    audio_tracks: tuple[AudioFacts, ...]
    subtitle_languages: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EventFacts:
    """What a card or a section shows of its event: a link, a title in its own language, a time zone."""

    slug: str
    title: str
    original_language: str
    timezone: str


@dataclass(frozen=True, slots=True)
class EventLead:
    """An event as the catalogue's lead lines show it: title, city and dates."""

    slug: str
    title: str
    city: str
    original_language: str
    starts_on: date
    ends_on: date


@dataclass(frozen=True, slots=True)
class WorkshopFacts:
    """A workshop's number, title and people: for each of PEOPLE_ROLES, in programme order."""

    number: int
    title: str
    people: tuple[tuple[Role, tuple[PersonFacts, ...]], ...]

    def people_in(self, role: Role) -> tuple[PersonFacts, ...]:
        """As Workshop.people_in, so the `people` macro takes either."""
        return next((persons for shown, persons in self.people if shown == role), ())


@dataclass(frozen=True, slots=True)
class RecordingCard:
    """A recording's card in the catalogue."""

    recording: RecordingFacts
    workshop: WorkshopFacts
    event: EventFacts


@dataclass(frozen=True, slots=True)
class WorkshopSection:
    """A workshop's section of its event's page, with its recordings."""

    workshop: WorkshopFacts
    summary: str
    starts_at: datetime | None
    event: EventFacts
    recordings: tuple[RecordingFacts, ...]


def template_module(template: Template) -> Any:
    """The template bound to this request's template context (context processors included), as a page that
    imports it `with context` has it. Made once per request and template: its labels are translated then."""
    modules: dict[Template, Any] = g.setdefault("catalogue_fragment_modules", {})
    module = modules.get(template)
    if module is None:
        context: dict[str, object] = {}
        current_app.update_template_context(context)
        module = modules[template] = template.make_module(context)
    return module


def rendered(macro_name: str, items: Sequence[Hashable]) -> list[Markup]:
    """Each item's fragment as `macro_name` in recordings/_macros.html renders it, kept (see kept()).

    The setting is read once for the whole list, and the memo is asked once per item: a page of 24 cards is 24
    lookups, not 24 times the request's language and translations."""
    template = current_app.jinja_env.get_template(MACROS)
    memo = fragment_memo()
    # The template object is in the key: a reloaded template is another object, so its fragments are new keys.
    setting = (*fragment_setting(), template, macro_name)
    fragments = []
    for item in items:
        full_key = (*setting, item)
        found = memo.get(full_key)
        if found is None:
            found = escaped((getattr(template_module(template), macro_name)(item),), MACROS)
            keep_fragment(memo, full_key, found)
        fragments.append(found[0])
    return fragments
