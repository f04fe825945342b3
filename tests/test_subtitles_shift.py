"""`flask subtitles shift SLUG LANG +1.5s [--from 12:30]` and `flask subtitles stretch SLUG LANG CUE=T CUE=T`: each
a new revision through the edit service, or nothing at all."""

from __future__ import annotations

import click
import pytest
from sqlalchemy import func, select

from catalogue.extensions import db
from catalogue.subtitles.cli import parse_moment, parse_offset
from catalogue.subtitles.models import Cue, SubtitleRevision, SubtitleTrack
from tests.factories import make_recording, make_subtitles

CUES = [(1000, 3000, "One."), (4000, 6000, "Two."), (7000, 9000, "Three."), (10000, 12000, "Four.")]


@pytest.fixture
def track(app) -> None:
    with app.app_context():
        recording = make_recording(slug="shifted", duration_ms=60_000, chapters=[(0, "Opening")])
        make_subtitles(recording, "en", CUES)


def served(app) -> tuple[int, list[tuple[int, int]], str]:
    with app.app_context():
        track = db.session.scalars(select(SubtitleTrack)).one()
        revision = track.current_revision
        assert revision is not None
        cues = db.session.scalars(select(Cue).where(Cue.revision_id == revision.id).order_by(Cue.position))
        return revision.number, [(c.start_ms, c.end_ms) for c in cues], revision.uploaded_by


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["+1.5s"], [(2500, 4500), (5500, 7500), (8500, 10500), (11500, 13500)]),
        (["-250ms"], [(750, 2750), (3750, 5750), (6750, 8750), (9750, 11750)]),
        (["-250ms", "--from", "0:07"], [(1000, 3000), (4000, 6000), (6750, 8750), (9750, 11750)]),
        (["--from", "9.5s", "2"], [(1000, 3000), (4000, 6000), (7000, 9000), (12000, 14000)]),
    ],
)
def test_shift_publishes_a_new_revision(app, runner, track, arguments, expected):
    result = runner.invoke(args=["subtitles", "shift", "shifted", "en", *arguments])
    assert result.exit_code == 0, result.output
    assert "published revision 2" in result.output
    assert served(app) == (2, expected, "command line")


def test_a_shift_before_the_start_changes_nothing(app, runner, track):
    result = runner.invoke(args=["subtitles", "shift", "shifted", "en", "-1.5s"])
    assert result.exit_code == 1
    assert "[out-of-range]" in result.output and "Cue 1" in result.output
    assert served(app)[0] == 1


def test_stretch_maps_two_anchor_cues_where_they_belong(app, runner, track):
    result = runner.invoke(args=["subtitles", "stretch", "shifted", "en", "1=0:02", "4=20s", "--by", "Zeynep"])
    assert result.exit_code == 0, result.output
    assert served(app) == (2, [(2000, 6000), (8000, 12000), (14000, 18000), (20000, 24000)], "Zeynep")


@pytest.mark.parametrize(
    ("arguments", "words"),
    [
        (["shift", "missing", "en", "+1s"], "No recording"),
        (["shift", "shifted", "fr", "+1s"], "No fr subtitles"),
        (["shift", "shifted", "en", "+1.5x"], "write an offset"),
        (["shift", "shifted", "en", "+1s", "--from", "12:75"], "up to 59"),
        (["stretch", "shifted", "en", "0=0:01", "4=0:20"], "cue number"),
        (["stretch", "shifted", "en", "1=0:05", "4=0:02"], "[anchors-reversed]"),
        (["stretch", "shifted", "en", "1=0:05", "9=0:20"], "[no-such-cue]"),
    ],
)
def test_refusals_say_why_and_change_nothing(app, runner, track, arguments, words):
    result = runner.invoke(args=["subtitles", *arguments])
    assert result.exit_code != 0
    assert words in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SubtitleRevision)) == 1


@pytest.mark.parametrize(
    ("text", "ms"), [("+1.5s", 1500), ("-250ms", -250), ("2", 2000), ("-0.05s", -50), ("+12ms", 12)]
)
def test_offsets(text, ms):
    assert parse_offset(text) == ms


@pytest.mark.parametrize(
    ("text", "ms"), [("12:30", 750_000), ("1:02:03.5", 3_723_500), ("750s", 750_000), ("0:07", 7000), ("9.25", 9250)]
)
def test_moments(text, ms):
    assert parse_moment(text) == ms


@pytest.mark.parametrize("text", ["1.5ms", "1,5s", "", "++1s", "1:2:3:4"])
def test_bad_offsets_and_moments_are_refused(text):
    with pytest.raises(click.BadParameter):
        parse_offset(text)
    with pytest.raises(click.BadParameter):
        parse_moment(text)
