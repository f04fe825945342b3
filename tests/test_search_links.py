"""The search page links each hit and line to the player through MomentLinks, which builds the player's URL once
per recording: every link must be byte for byte the one url_for builds, under any site prefix and host."""

from __future__ import annotations

import pytest
from flask import url_for
from markupsafe import Markup

from catalogue.search.queries import Document, EventRef, Hit, Line, MomentLinks, RecordingRef

RECORDING = RecordingRef(1, "workshop-1-building-resilience", "Title", "Workshop", EventRef("summit", "Summit", "en"))
# Tags as they are, and text no tag holds (encoded all the same, should one ever reach a link).
LANGUAGES = ("en", "zh-Hant-TW", "x y/é&=?#", "")


def hit(kind: str, start_ms: int | None, language: str = "en") -> Hit:
    return Hit(Document(1, 1, kind, language, start_ms, None, "text"), RECORDING, Markup("text"))


@pytest.mark.parametrize("external", [False, True])
@pytest.mark.parametrize("script_root", ["", "/catalogue"])
def test_moment_links_are_the_links_url_for_builds(app, external, script_root):
    links = MomentLinks(external)
    slug = RECORDING.slug
    with app.test_request_context("/search", base_url=f"https://example.org{script_root}"):
        for language in LANGUAGES:
            for start_ms in (0, 999, 61_500, None):
                expected = url_for(
                    "recordings.watch", slug=slug, t=(start_ms or 0) // 1000, subs=language, _external=external
                )
                assert links.hit(hit("cue", start_ms, language)) == expected
            line = Line(language, 61_500, "said")
            assert links.line(hit("cue", 0), line) == url_for(
                "recordings.watch", slug=slug, t=61, subs=language, _external=external
            )
        assert links.hit(hit("chapter", 125_000)) == url_for("recordings.watch", slug=slug, t=125, _external=external)
        for kind, start_ms in (("chapter", None), ("title", None), ("summary", 3_000)):
            assert links.hit(hit(kind, start_ms)) == url_for("recordings.watch", slug=slug, _external=external)
        assert links.hit(hit("title", None)).startswith(("https://example.org" if external else "") + script_root)
