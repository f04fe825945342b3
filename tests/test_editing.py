"""catalogue.subtitles.editing: the operations as pure functions over cue lists (no database)."""

from __future__ import annotations

import pytest

from catalogue.subtitles.editing import (
    Delete,
    EditError,
    Insert,
    Merge,
    SetText,
    SetTiming,
    Shift,
    Split,
    Stretch,
    apply_operations,
    clean_text,
    split_text,
    stretch_map,
)
from catalogue.subtitles.parsing import ParsedCue

BASE = [
    ParsedCue(1000, 3000, "One two three four", "Ana", "intro"),
    ParsedCue(4000, 6000, "Five"),
    ParsedCue(10000, 12000, "Six\nseven"),
]


def times(cues: list[ParsedCue]) -> list[tuple[int, int]]:
    return [(c.start_ms, c.end_ms) for c in cues]


@pytest.mark.parametrize(
    ("text", "fraction", "parts"),
    [
        ("One two three four", 0.5, ("One two", "three four")),
        ("One two three four", 0.1, ("One", "two three four")),
        ("First line\nsecond line\nthird", 0.8, ("First line\nsecond line", "third")),
        ("Bonjour", 0.5, ("Bonjour", "Bonjour")),
    ],
)
def test_split_text_cuts_where_the_words_are_said(text, fraction, parts):
    assert split_text(text, fraction) == parts


def test_a_split_keeps_the_voice_and_the_identifier_stays_with_the_first_part():
    first, second, *_ = apply_operations(BASE, [Split(0, 2000)])
    assert (first.identifier, first.voice, first.text, first.end_ms) == ("intro", "Ana", "One two", 2000)
    assert (second.identifier, second.voice, second.text, second.start_ms) == (None, "Ana", "three four", 2000)


def test_stretch_maps_two_anchors_and_everything_between():
    cues = apply_operations(BASE, [Stretch(0, 2000, 2, 20000)])
    assert times(cues) == [(2000, 6000), (8000, 12000), (20000, 24000)]
    with pytest.raises(EditError) as refused:
        apply_operations(BASE, [Stretch(0, 20000, 2, 2000)])
    assert refused.value.problems[0].code == "anchors-reversed"
    with pytest.raises(EditError):
        stretch_map(1000, 2000, 1000, 3000)


def test_the_result_is_in_order_of_start_and_the_base_is_untouched():
    cues = apply_operations(
        BASE, [SetTiming(2, 500, 900), Insert(3500, 3900, "Inserted"), Delete(1), Shift(100, from_ms=3000)]
    )
    assert [(c.start_ms, c.text) for c in cues] == [
        (500, "Six\nseven"),
        (1000, "One two three four"),
        (3600, "Inserted"),
    ]
    assert times(BASE) == [(1000, 3000), (4000, 6000), (10000, 12000)]


def test_merge_joins_with_the_next_cue_still_there():
    (merged,) = apply_operations(BASE, [Delete(1), Merge(0), SetText(0, "Merged")])
    assert (merged.text, merged.start_ms, merged.end_ms, merged.voice) == ("Merged", 1000, 12000, "Ana")
    (joined, _) = apply_operations(BASE, [Merge(0)])
    assert joined.text == "One two three four\nFive"


def test_clean_text():
    assert clean_text("  a  \r\n\r\n b \rc\n\n") == "  a\n b\nc"
