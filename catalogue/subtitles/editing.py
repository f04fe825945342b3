"""Edits to a revision's cues (design.md §7, §8): pure functions over cue lists, no database, no request.

An edit names cues by their 0-based index in the revision it starts from (the base), whatever the operations
before it did, so that a script or the browser editor can compute every operation from one reading of the
track. `apply_operations` runs a list of them all or nothing: a problem raises EditError and the base is
untouched (cues are never changed in place). The result is sorted by start time, as WebVTT wants.

Sync tools: `shift` moves cues by a number of milliseconds (all, or those starting from a moment); `stretch`
maps every time linearly so that two anchor cues start where they should (a track made for a different frame
rate drifts further the longer it runs: one anchor near the start and one near the end fix it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from catalogue.problems import N_, Problem
from catalogue.subtitles.parsing import ParsedCue, SubtitleError
from catalogue.subtitles.vtt import MAX_TIMESTAMP_MS


class EditError(SubtitleError):
    """An operation cannot be applied, or its result would be refused as an upload; nothing is changed."""


# --- The operations of design §8 (and stretch, for the command line) --------------------------------------


@dataclass(frozen=True, slots=True)
class Shift:
    ms: int
    from_ms: int | None = None  # Only cues starting at or after this moment move.


@dataclass(frozen=True, slots=True)
class SetText:
    cue: int
    text: str


@dataclass(frozen=True, slots=True)
class SetTiming:
    cue: int
    start_ms: int
    end_ms: int


@dataclass(frozen=True, slots=True)
class Insert:
    start_ms: int
    end_ms: int
    text: str


@dataclass(frozen=True, slots=True)
class Delete:
    cue: int


@dataclass(frozen=True, slots=True)
class Split:
    cue: int
    at_ms: int


@dataclass(frozen=True, slots=True)
class Merge:
    cue: int  # With the next cue of the base that is still there.


@dataclass(frozen=True, slots=True)
class Stretch:
    first: int
    first_ms: int  # Where cue `first` should start,
    last: int
    last_ms: int  # and where cue `last` should.


Operation = Shift | SetText | SetTiming | Insert | Delete | Split | Merge | Stretch


# --- Pure functions over a list of cues -----------------------------------------------------------------------


def shift(cues: Iterable[ParsedCue], ms: int, from_ms: int | None = None) -> list[ParsedCue]:
    """Every cue starting at or after `from_ms` (all when None) moved by `ms`, start and end together."""
    return [
        replace(cue, start_ms=cue.start_ms + ms, end_ms=cue.end_ms + ms)
        if from_ms is None or cue.start_ms >= from_ms
        else cue
        for cue in cues
    ]


def stretch_map(from_a: int, to_a: int, from_b: int, to_b: int) -> tuple[float, float]:
    """(scale, offset) of the linear map of times that takes from_a to to_a and from_b to to_b."""
    if from_a == from_b:
        raise EditError([Problem(None, "same-anchor", N_("The two anchor cues must start at different times."))])
    scale = (to_b - to_a) / (from_b - from_a)
    if scale <= 0:
        message = N_("The anchors must stay in order: the later cue must still start after the earlier one.")
        raise EditError([Problem(None, "anchors-reversed", message)])
    return scale, to_a - from_a * scale


def stretch(cues: Iterable[ParsedCue], scale: float, offset: float) -> list[ParsedCue]:
    """Every time t becomes round(t * scale + offset)."""
    return [
        replace(cue, start_ms=round(cue.start_ms * scale + offset), end_ms=round(cue.end_ms * scale + offset))
        for cue in cues
    ]


def split_text(text: str, fraction: float) -> tuple[str, str]:
    """Cue text cut where it is most likely said at `fraction` of the cue's time: between lines when it has
    several, else at the space nearest that point. A single word goes to both parts, to be corrected."""
    lines = text.split("\n")
    if len(lines) > 1:
        ends = [sum(len(line) + 1 for line in lines[: k + 1]) for k in range(len(lines) - 1)]
        cut = min(range(len(ends)), key=lambda k: abs(ends[k] - fraction * len(text))) + 1
        return "\n".join(lines[:cut]), "\n".join(lines[cut:])
    spaces = [i for i, char in enumerate(text) if char == " " and 0 < i < len(text) - 1]
    if not spaces:
        return text, text
    at = min(spaces, key=lambda i: abs(i - fraction * len(text)))
    return text[:at].rstrip(), text[at + 1 :].lstrip()


def split(cue: ParsedCue, at_ms: int) -> tuple[ParsedCue, ParsedCue]:
    """Two cues meeting at `at_ms`, which must fall strictly inside the cue; the text is shared out."""
    first_text, second_text = split_text(cue.text, (at_ms - cue.start_ms) / (cue.end_ms - cue.start_ms))
    first = replace(cue, end_ms=at_ms, text=first_text, line=None)
    second = ParsedCue(at_ms, cue.end_ms, second_text, cue.voice, None, None)
    return first, second


def merge(first: ParsedCue, second: ParsedCue) -> ParsedCue:
    """One cue from the start of the earlier to the end of the later, their texts on separate lines."""
    text = "\n".join(part for part in (first.text, second.text) if part)
    return replace(
        first,
        start_ms=min(first.start_ms, second.start_ms),
        end_ms=max(first.end_ms, second.end_ms),
        text=text,
        voice=first.voice or second.voice,
        line=None,
    )


def clean_text(text: str) -> str:
    """What a person typed, as a cue holds it: Unix line breaks, no blank lines (they would end a WebVTT cue),
    no spaces at the ends of lines."""
    lines = (line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return "\n".join(line for line in lines if line)


# --- A list of operations, all or nothing ---------------------------------------------------------------------


def _problem(number: int, code: str, text: str, **params: object) -> EditError:
    """A problem with operations[number]; the numbers are the request's own (0-based), shown as digits."""
    shown = {name: str(value) for name, value in params.items()}
    return EditError([Problem(None, code, text, {"operation": str(number), **shown})])


@dataclass(slots=True)
class _Edit:
    """The base's cues as the operations so far left them: slot i holds what base cue i became (nothing when it
    was deleted or merged away, two cues or more after a split); inserted cues have no slot."""

    slots: list[list[ParsedCue]]
    inserted: list[ParsedCue] = field(default_factory=list)
    removed_by: dict[int, int] = field(default_factory=dict)

    def cues(self) -> list[ParsedCue]:
        return [cue for slot in self.slots for cue in slot] + self.inserted

    def slot(self, number: int, index: int) -> list[ParsedCue]:
        if not 0 <= index < len(self.slots):
            message = N_("operations[%(operation)s]: there is no cue %(index)s (the revision has %(count)s cues).")
            raise _problem(number, "no-such-cue", message, index=index, count=len(self.slots))
        if not self.slots[index]:
            message = N_("operations[%(operation)s]: cue %(index)s was removed by operations[%(by)s].")
            raise _problem(number, "cue-removed", message, index=index, by=self.removed_by[index])
        return self.slots[index]

    def remove(self, number: int, index: int) -> None:
        self.slots[index] = []
        self.removed_by[index] = number

    def map_all(self, change: Shift | Stretch, number: int) -> None:
        if isinstance(change, Shift):
            self.slots = [shift(slot, change.ms, change.from_ms) for slot in self.slots]
            self.inserted = shift(self.inserted, change.ms, change.from_ms)
            return
        first = self.slot(number, change.first)[0]
        last = self.slot(number, change.last)[0]
        scale, offset = stretch_map(first.start_ms, change.first_ms, last.start_ms, change.last_ms)
        self.slots = [stretch(slot, scale, offset) for slot in self.slots]
        self.inserted = stretch(self.inserted, scale, offset)


def _apply(edit: _Edit, operation: Operation, number: int) -> None:
    """operations[number] on the working copy."""
    if isinstance(operation, Shift | Stretch):
        edit.map_all(operation, number)
    elif isinstance(operation, SetText):
        slot = edit.slot(number, operation.cue)
        slot[0] = replace(slot[0], text=operation.text)
    elif isinstance(operation, SetTiming):
        slot = edit.slot(number, operation.cue)
        slot[0] = replace(slot[0], start_ms=operation.start_ms, end_ms=operation.end_ms)
    elif isinstance(operation, Insert):
        edit.inserted.append(ParsedCue(operation.start_ms, operation.end_ms, operation.text))
    elif isinstance(operation, Delete):
        edit.slot(number, operation.cue)
        edit.remove(number, operation.cue)
    elif isinstance(operation, Split):
        _split(edit, operation, number)
    else:
        _merge(edit, operation, number)


def _split(edit: _Edit, operation: Split, number: int) -> None:
    slot = edit.slot(number, operation.cue)
    at = next((k for k, cue in enumerate(slot) if cue.start_ms < operation.at_ms < cue.end_ms), None)
    if at is None:
        message = N_("operations[%(operation)s]: the split point must fall inside cue %(index)s.")
        raise _problem(number, "split-outside", message, index=operation.cue)
    slot[at : at + 1] = split(slot[at], operation.at_ms)


def _merge(edit: _Edit, operation: Merge, number: int) -> None:
    slot = edit.slot(number, operation.cue)
    following = next((k for k in range(operation.cue + 1, len(edit.slots)) if edit.slots[k]), None)
    if following is None:
        message = N_("operations[%(operation)s]: cue %(index)s has no next cue to merge with.")
        raise _problem(number, "no-next-cue", message, index=operation.cue)
    slot[-1] = merge(slot[-1], edit.slots[following][0])
    del edit.slots[following][0]
    if not edit.slots[following]:
        edit.removed_by[following] = number


def check_cues(cues: list[ParsedCue]) -> None:
    """What an upload would refuse in the result: a time before 0 or past what a timestamp holds, an end before
    its start. Every such cue is named (counting from 1, in the order of the result)."""
    problems = []
    for number, cue in enumerate(cues, 1):
        if min(cue.start_ms, cue.end_ms) < 0 or max(cue.start_ms, cue.end_ms) > MAX_TIMESTAMP_MS:
            message = N_("Cue %(cue)s would start before the beginning of the recording or end too late.")
            problems.append(Problem(None, "out-of-range", message, {"cue": number}))
        elif cue.end_ms < cue.start_ms:
            message = N_("Cue %(cue)s would end before it starts.")
            problems.append(Problem(None, "end-before-start", message, {"cue": number}))
    if problems:
        raise EditError(problems)


def apply_operations(base: list[ParsedCue], operations: Iterable[Operation]) -> list[ParsedCue]:
    """The base's cues after every operation, in order of start time; EditError names the first operation that
    cannot be applied, or every cue of the result that an upload would refuse."""
    edit = _Edit([[cue] for cue in base])
    for number, operation in enumerate(operations):
        _apply(edit, operation, number)
    result = sorted(edit.cues(), key=lambda cue: cue.start_ms)
    check_cues(result)
    return result
