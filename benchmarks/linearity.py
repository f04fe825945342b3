"""Linearity benchmark: every pattern that reads untrusted text, timed on hostile input at n and at 4n.

    .venv/bin/python benchmarks/linearity.py [--rounds 3] [--only TEXT]

design.md §9 forbids regular expressions with super-linear backtracking on untrusted text: a translation, a
subtitle file, a .po file, a search query. Each line below times one public function on an input shaped to make a
backtracking pattern try every split or every start position (`<a` followed by spaces, a line of `<`, `<v.`
repeated, a timing line full of spaces...), at n and at 4n, and prints the ratio. Linear work gives about 4;
quadratic about 16; cubic or exponential far more. Exits 1 when a ratio is above 5.

Each time is the best of `--rounds`, in CPU time of this process (the machines are shared and noisy: other
processes do not count, and a single slow run says little), with the inputs built beforehand; n is chosen so that
it takes a few milliseconds (the WebVTT line of `<` is 2 MB at 4n). The whole run takes about 15 s of CPU, some 30 s
on a busy two-core machine.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from catalogue.search.query import parse as parse_query
from catalogue.search.query import snippet
from catalogue.subtitles import vtt
from catalogue.subtitles.parsing import SubtitleError, parse_subtitle
from catalogue.translating.checks import check_entry
from catalogue.translating.pofile import PoSyntaxError, parse_text

GOAL = 5.0
SUBTITLE_CONFIG = {
    "CATALOGUE_MAX_SUBTITLE_BYTES": 64 * 1024 * 1024,
    "SUBTITLE_MAX_LINE_CHARS": 42,
    "SUBTITLE_MAX_LINES": 2,
    "SUBTITLE_MAX_CPS": 21.0,
    "SUBTITLE_MIN_DURATION_MS": 700,
    "SUBTITLE_MAX_DURATION_MS": 7000,
}
VTT_CUE = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n"
SRT_CUE = "1\n00:00:01,000 --> 00:00:02,000\n"
PO_HEADER = (
    'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
    '"Plural-Forms: nplurals=2; plural=(n > 1);\\n"\n\nmsgid "Sign in"\nmsgstr '
)


@dataclass(frozen=True)
class Case:
    """`make(n)` builds the hostile input (not timed); `run(input)` is the function under test."""

    name: str
    n: int
    make: Callable[[int], Any]
    run: Callable[[Any], object]


def translation(name: str, n: int, msgid: str, make: Callable[[int], str]) -> Case:
    """check_entry on a French python-format message, as a translation save runs it (under the file lock)."""
    return Case(
        name, n, make, lambda msgstr: check_entry(msgid, None, msgstr, locale="fr", python_format=True, nplurals=2)
    )


def read_subtitle(data: bytes) -> object:
    """The whole upload check (decode, detect the format, parse, plain text, quality warnings); refusals count."""
    try:
        return parse_subtitle(data, "en", SUBTITLE_CONFIG)
    except SubtitleError as error:
        return error


def subtitle(name: str, n: int, make: Callable[[int], str]) -> Case:
    return Case(name, n, lambda size: make(size).encode("utf-8"), read_subtitle)


def read_po(text: str) -> object:
    """The .po reader (our strict line scan, then Babel)."""
    try:
        return parse_text(text)
    except PoSyntaxError as error:
        return error


def po_file(name: str, n: int, make: Callable[[int], str]) -> Case:
    """A .po file whose msgstr line is hostile."""
    return Case(name, n, lambda size: PO_HEADER + make(size) + "\n", read_po)


#: A 250-word phrase that fails at its last word, against a cue of n words that it nearly matches everywhere (the
#: full-text index can return that cue: it holds every word of the phrase).
PHRASE = parse_query('"' + "a " * 249 + 'b"')
WORDS = parse_query("egalite ville villes izmir* " + " ".join(f"mot{i}" for i in range(8)))

CASES = [
    translation("translation: <a and n spaces", 200_000, '<a href="x">x</a>', lambda n: "<a" + " " * n),
    translation("translation: n × <", 200_000, "<b>x</b>", lambda n: "<" * n),
    translation("translation: n × '<a '", 50_000, "<b>x</b>", lambda n: "<a " * n),
    translation("translation: n × %(", 50_000, "%(name)s", lambda n: "%(" * n),
    translation("translation: % and n zeros", 200_000, "%d", lambda n: "%" + "0" * n),
    translation("translation: n × %% (Babel's checks)", 50_000, "100%% sure", lambda n: "%%" * n),
    translation("translation: n × {a.", 50_000, "{a}", lambda n: "{a." * n),
    translation("translation: n × 'a.' (URL)", 50_000, "x", lambda n: "a." * n),
    translation("translation: n spaces, x", 200_000, "x", lambda n: " " * n + "x"),
    translation("translation: n × &a", 50_000, "x &amp; y", lambda n: "&a" * n),
    subtitle("WebVTT cue: a line of n <", 500_000, lambda n: VTT_CUE + "<" * n + "\n"),
    subtitle("WebVTT cue: n × '<v '", 200_000, lambda n: VTT_CUE + "<v " * n + "\n"),
    subtitle("WebVTT cue: n × <v.", 200_000, lambda n: VTT_CUE + "<v." * n + "\n"),
    subtitle("WebVTT cue: <v and n × .a", 200_000, lambda n: VTT_CUE + "<v" + ".a" * n + "\n"),
    subtitle("WebVTT cue: &# and n digits", 500_000, lambda n: VTT_CUE + "&#" + "9" * n + "\n"),
    subtitle(
        "WebVTT timing: hours of n digits",
        500_000,
        lambda n: "WEBVTT\n\n" + "0" * n + "1:00:00.000 --> 01:00:01.000\nx\n",
    ),
    Case("WebVTT file: n lines of -->", 20_000, lambda n: "WEBVTT\n\n" + "-->\n" * n, vtt.parse),
    subtitle("SRT cue: n × {\\", 200_000, lambda n: SRT_CUE + "{\\" * n + "\n"),
    subtitle("SRT cue: a line of n <", 500_000, lambda n: SRT_CUE + "<" * n + "\n"),
    subtitle(
        "SRT timing line with n spaces",
        200_000,
        lambda n: "1\n00:00:01,000" + " " * n + "--> 00:00:02,000" + " " * n + "x\ntext\n",
    ),
    subtitle("format detection: n blank lines", 200_000, lambda n: "x" + " \n" * n + "y"),
    Case("search: parse a query (cut at 500 characters)", 50_000, lambda n: '"' * n + "a* " * n, parse_query),
    Case("search: snippet of a failing phrase", 20_000, lambda n: "a " * n + "c b", lambda cue: snippet(cue, PHRASE)),
    Case(
        "search: snippet of 12 words in a cue of 2n",
        5_000,
        lambda n: "égalités vi " * n + "égalité ville",
        lambda cue: snippet(cue, WORDS),
    ),
    po_file('.po: msgstr "\\"…" with n escaped quotes', 100_000, lambda n: '"' + '\\"' * n + '"'),
    po_file(".po: the same string left open", 400_000, lambda n: '"' + '\\"' * n),
]


def best_times(case: Case, rounds: int) -> tuple[float, float]:
    """The best CPU time (this process only: other processes on a shared machine do not count) at n and at 4n,
    measured in turns so that a slow spell of the machine weighs on both."""
    inputs = [case.make(case.n), case.make(4 * case.n)]
    best = [float("inf"), float("inf")]
    for _ in range(rounds):
        for index, value in enumerate(inputs):
            gc.collect()
            start = time.process_time()
            case.run(value)
            best[index] = min(best[index], time.process_time() - start)
    return best[0], best[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", default="", help="run the cases whose name holds this text")
    args = parser.parse_args()
    failed = []
    print(f"{'input':45} {'n':>8} {'time at n':>10} {'at 4n':>10} {'ratio':>6}  (goal <= {GOAL:g})")
    for case in CASES:
        if args.only.lower() not in case.name.lower():
            continue
        case.run(case.make(case.n // 16))  # warm-up: compiled patterns, imports, caches
        small, large = best_times(case, args.rounds)
        ratio = large / small
        mark = "" if ratio <= GOAL else "  <- super-linear"
        print(f"{case.name:45} {case.n:>8,} {small * 1000:>8.2f}ms {large * 1000:>8.2f}ms {ratio:>6.2f}{mark}")
        if ratio > GOAL:
            failed.append(case.name)
    if failed:
        print(f"{len(failed)} input(s) take more than {GOAL:g} times as long at 4n: {', '.join(failed)}")
        sys.exit(1)
    print("every ratio is within the goal: linear")


if __name__ == "__main__":
    main()
