"""Checks of what a subtitle upload names besides its file, shared by the form, the API and
`flask subtitles import` so that each refuses the same values with the same message; the writes themselves
are in catalogue.subtitles.store."""

from __future__ import annotations

import codecs
import re
from typing import TYPE_CHECKING, Any

from catalogue.inputs import InvalidInput, check_int, check_text, column_length, json_seconds
from catalogue.languages import normalize_language_tag
from catalogue.problems import N_, Problem
from catalogue.subtitles.editing import (
    Delete,
    Insert,
    Merge,
    Operation,
    SetText,
    SetTiming,
    Shift,
    Split,
    Stretch,
    apply_operations,
    clean_text,
)
from catalogue.subtitles.models import SubtitleRevision, SubtitleTrack
from catalogue.subtitles.parsing import ParsedCue
from catalogue.subtitles.queries import revision_cues
from catalogue.subtitles.store import StaleRevision, check_subtitle, publish_parsed
from catalogue.subtitles.vtt import MAX_TIMESTAMP_MS
from catalogue.subtitles.writing import to_vtt

if TYPE_CHECKING:
    from catalogue.accounts.models import User

# Python finds these codecs by name, but no subtitle file is saved in them: punycode and idna are for host
# names, the escapes read backslashes as code points, utf-7 hides markup from filters, `undefined` always
# fails, and charmap without a map is latin-1 under another name. (base64, rot13, zlib... are not even text
# encodings: codecs.lookup() says so.)
NOT_FILE_ENCODINGS = frozenset(
    {"idna", "punycode", "unicode-escape", "raw-unicode-escape", "utf-7", "undefined", "charmap"}
)
ENCODING_NAME = re.compile(r"[A-Za-z0-9._-]+")


def subtitle_language(tag: object) -> str:
    """A subtitle track's language tag, canonical and within its column; InvalidInput (field `language`)."""
    return normalize_language_tag(tag, column_length(SubtitleTrack.language), field="language")


def text_encoding(name: str, field: str = "encoding") -> str:
    """The name, when Python decodes text files with it (windows-1254, iso-8859-9, utf-16...); InvalidInput
    otherwise. Bytes-to-bytes codecs (base64, zlib) and the codecs above would 500 or mislead."""
    if not ENCODING_NAME.fullmatch(name) or len(name) > column_length(SubtitleRevision.encoding):
        raise InvalidInput(field, "unknown-encoding", N_("Unknown encoding “%(encoding)s”."), encoding=name[:40])
    try:
        info = codecs.lookup(name)
    except LookupError:
        raise InvalidInput(field, "unknown-encoding", N_("Unknown encoding “%(encoding)s”."), encoding=name) from None
    if not getattr(info, "_is_text_encoding", True) or info.name in NOT_FILE_ENCODINGS:
        raise InvalidInput(
            field,
            "not-a-text-encoding",
            N_("“%(encoding)s” is not a character encoding for text files; try utf-8 or windows-1252."),
            encoding=name,
        )
    return name


# --- Edits (design.md §8: POST .../edits, the browser editor, `flask subtitles shift`) ---------------------------

# One request's operations, and one cue's text: bounds on what reaches the database (design.md §9). A re-timed
# track of 20,000 cues fits; a cue never holds 2,000 characters.
MAX_OPERATIONS = 20_000
MAX_CUE_TEXT = 2_000
OPERATION_NAMES = ("shift", "text", "timing", "insert", "delete", "split", "merge")


def _field(where: str, key: str) -> str:
    return f"{where}.{key}"


def _cue_index(item: dict[str, Any], where: str) -> int:
    return check_int(item.get("cue"), _field(where, "cue"))


def _moment_ms(item: dict[str, Any], key: str, where: str) -> int | None:
    """A number of seconds (`start_s`, `at_s`...) as milliseconds, or None when absent."""
    name = _field(where, key)
    seconds = json_seconds({name: item.get(key)}, name, maximum=MAX_TIMESTAMP_MS // 1000)
    return None if seconds is None else round(seconds * 1000)


def _required_ms(item: dict[str, Any], key: str, where: str) -> int:
    moment = _moment_ms(item, key, where)
    if moment is None:
        raise InvalidInput(_field(where, key), "missing-field", N_("This field is required."))
    return moment


def _cue_text(item: dict[str, Any], where: str) -> str:
    """Plain text as a cue holds it (see editing.clean_text), never empty: delete a cue rather than blank it."""
    name = _field(where, "text")
    text = clean_text(check_text(item.get("text"), name, MAX_CUE_TEXT))
    if not text:
        raise InvalidInput(name, "missing-field", N_("This field is required."))
    return text


def _operation(item: object, where: str) -> Operation:
    """One operation of the request body, each field checked (InvalidInput names it: `operations[3].start_s`)."""
    if not isinstance(item, dict):
        raise InvalidInput(where, "bad-type", N_("Each operation must be a JSON object with an “op” field."))
    op = item.get("op")
    if op == "shift":
        ms = check_int(item.get("ms"), _field(where, "ms"), low=-MAX_TIMESTAMP_MS, high=MAX_TIMESTAMP_MS)
        return Shift(ms, _moment_ms(item, "from_s", where))
    if op == "text":
        return SetText(_cue_index(item, where), _cue_text(item, where))
    if op == "timing":
        return SetTiming(
            _cue_index(item, where), _required_ms(item, "start_s", where), _required_ms(item, "end_s", where)
        )
    if op == "insert":
        return Insert(_required_ms(item, "start_s", where), _required_ms(item, "end_s", where), _cue_text(item, where))
    if op == "delete":
        return Delete(_cue_index(item, where))
    if op == "split":
        return Split(_cue_index(item, where), _required_ms(item, "at_s", where))
    if op == "merge":
        return Merge(_cue_index(item, where))
    message = N_("Use one of: %(names)s.")
    raise InvalidInput(_field(where, "op"), "unknown-operation", message, names=", ".join(OPERATION_NAMES))


def read_edits(body: dict[str, Any]) -> tuple[int, list[Operation]]:
    """`{"base_revision": n, "operations": [...]}` as design §8 writes it: the base and the operations, checked
    before anything is read from the database."""
    base_revision = check_int(body.get("base_revision"), "base_revision", low=1)
    items = body.get("operations")
    if not isinstance(items, list) or not items:
        raise InvalidInput("operations", "bad-type", N_("Give a list of at least one operation."))
    if len(items) > MAX_OPERATIONS:
        message = N_("Give at most %(max)s operations in one request.")
        raise InvalidInput("operations", "too-many", message, max=MAX_OPERATIONS)
    return base_revision, [_operation(item, f"operations[{k}]") for k, item in enumerate(items)]


def problems_json(problems: list[Problem]) -> list[dict[str, Any]]:
    """Design §8's `errors`; a problem with one of the operations also says which (its index in `operations`)."""
    errors = []
    for problem in problems:
        error = problem.as_dict()
        if "operation" in problem.params:
            error["operation"] = int(problem.params["operation"])
        errors.append(error)
    return errors


def edit_subtitles(
    track: SubtitleTrack,
    base_revision: int,
    operations: list[Operation],
    *,
    user: User | None = None,
    uploaded_by: str = "",
) -> SubtitleRevision:
    """Apply `operations` to revision `base_revision` and publish the result as a new revision, all or nothing.

    StaleRevision when `base_revision` is not the current revision (checked again under the track's lock, so a
    save that lands in between is never overwritten); EditError (a SubtitleError) naming the operation or cue
    when an operation cannot be applied; SubtitleError when the result fails the checks of an upload: it is
    written out as WebVTT and read back through the same pipeline, which also gives its quality warnings.
    """
    current = track.current_revision
    if current is None or current.number != base_revision:
        raise StaleRevision(current.number if current else None)
    base = [
        ParsedCue(cue.start_ms, cue.end_ms, cue.text, cue.voice, cue.identifier) for cue in revision_cues(current.id)
    ]
    cues = apply_operations(base, operations)
    data = to_vtt(cues).encode("utf-8")
    recording = track.recording
    parsed = check_subtitle(recording, track.language, data, format="vtt")
    return publish_parsed(
        recording, track.language, data, parsed, user=user, uploaded_by=uploaded_by, base_revision=base_revision
    )


def current_number(track: SubtitleTrack) -> int:
    """The number of the revision served now; StaleRevision(None) when the track has none to edit."""
    if track.current_revision is None:
        raise StaleRevision(None)
    return track.current_revision.number


def shift_track(
    track: SubtitleTrack, ms: int, from_ms: int | None = None, *, user: User | None = None, uploaded_by: str = ""
) -> SubtitleRevision:
    """Every cue (or every cue from `from_ms` on) moved by `ms`, as a new revision of the current one."""
    return edit_subtitles(track, current_number(track), [Shift(ms, from_ms)], user=user, uploaded_by=uploaded_by)


def stretch_track(
    track: SubtitleTrack,
    anchors: tuple[tuple[int, int], tuple[int, int]],
    *,
    user: User | None = None,
    uploaded_by: str = "",
) -> SubtitleRevision:
    """Every time mapped linearly so that two anchor cues (0-based index, where it should start in ms) start
    where they should: a new revision of the current one."""
    (first, first_ms), (last, last_ms) = anchors
    operation = Stretch(first, first_ms, last, last_ms)
    return edit_subtitles(track, current_number(track), [operation], user=user, uploaded_by=uploaded_by)
