"""Page links are built with one url_for per list (catalogue.inputs.page_link) and read exactly as url_for's."""

from __future__ import annotations

import pytest
from flask import url_for

from catalogue.inputs import page_link


@pytest.mark.parametrize(
    ("endpoint", "args"),
    [
        ("recordings.home", {}),
        ("recordings.home", {"audio": "fr", "subs": None}),
        ("search.results", {"q": "İzmir “kent” & <b>", "language": "tr", "kind": None, "event": "a b"}),
        ("translate.editor", {"locale": "tr", "domain": "messages", "state": "fuzzy", "q": "page=987654321 987654321"}),
        ("archive.dashboard", {}),
    ],
)
def test_every_page_link_is_the_url_url_for_builds(app, endpoint, args):
    with app.test_request_context("/", base_url="https://catalogue.example/prefix"):
        link = page_link(endpoint, args)
        for number in (1, 2, 9, 10, 42, 999):
            assert link(number) == url_for(endpoint, page=number, **args)
