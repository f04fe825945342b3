"""PostgreSQL finds a common word's first matches by blocks of ids (catalogue.search.queries.first_by_blocks, the
GIN index of migration 0010): the same documents in the same order as without blocks, whatever the blocks hold.

The catalogue here has one recording whose own texts take the lowest ids (block 0) and cues written with chosen
ids further on: 20 English "lantern" cues in block 1, none in block 2, 20 in block 3, 30 French ones in block 4,
and 100 English ones in block 6, where "ember" is too. Spans of ids ending in every block are tried, so the
blocks hold more than a page, fewer (the rest is read after them), or none; and with filters (language, kind,
event) that keep all, some or none of the word's documents.
"""

from __future__ import annotations

from sqlalchemy import event, insert, text

from catalogue.extensions import db
from catalogue.search import index, queries
from catalogue.search.queries import Filters
from catalogue.search.query import parse, tsquery_expression, tsquery_lexemes
from tests.factories import make_recording

BLOCK = index.BLOCK_IDS
LIMITS = (1, 15, 20, 21, 40, 139, 140, 141, 201)
SPANS = (0, 1, BLOCK - 1, BLOCK, 2 * BLOCK, 3 * BLOCK + 50, 5 * BLOCK, 6 * BLOCK + 99, 8 * BLOCK)


WORDS = ("lantern", "ember", "candle")


def _cue(recording_id: int, document_id: int, words: str, language: str = "en") -> dict[str, object]:
    start = (document_id % 1000) * 1000
    return index.document(recording_id, "cue", language, words, start, start + 900) | {"id": document_id}


def _rows() -> list[dict[str, object]]:
    """The cues above, written; the recording's own texts were indexed when it was made."""
    recording = make_recording()
    rows = [
        _cue(recording.id, BLOCK + i, "lantern at the gate" if i % 3 == 0 else "candle at the gate") for i in range(60)
    ]
    rows += [_cue(recording.id, 3 * BLOCK + i, "a lantern" if i % 2 == 0 else "a candle") for i in range(40)]
    rows += [_cue(recording.id, 4 * BLOCK + i, "la lantern du port", "fr") for i in range(30)]
    rows += [_cue(recording.id, 6 * BLOCK + i, "lantern and ember") for i in range(100)]
    db.session.execute(insert(index.DOCUMENTS), rows)
    db.session.commit()
    return rows


def _catalogue() -> dict[str, list[int]]:
    """The cues above; the ids holding each word, in order."""
    rows = _rows()
    return {word: [int(row["id"]) for row in rows if word in str(row["text"])] for word in WORDS}


def _filtered() -> tuple[list[dict[str, object]], list[Filters]]:
    """The cues above, and filters keeping all of them, some, or none (no title holds these words)."""
    rows = _rows()
    event = db.session.execute(
        text(
            "SELECT e.slug FROM events AS e JOIN workshops AS w ON w.event_id = e.id "
            "JOIN recordings AS r ON r.workshop_id = w.id WHERE r.id = :id"
        ),
        {"id": rows[0]["recording_id"]},
    ).scalar_one()
    filters = [
        Filters(language="fr"),
        Filters(language="en"),
        Filters(language="tr"),
        Filters(kind="title"),
        Filters(kind="cue", language="fr"),
        Filters(event=event),
        Filters(event="no-such-event"),
    ]
    return rows, filters


def _expected(rows: list[dict[str, object]], word: str, filters: Filters) -> list[int]:
    """The ids the filters keep among the cues holding the word (the event filter keeps the one recording's)."""
    return [
        int(str(row["id"]))
        for row in rows
        if word in str(row["text"])
        and filters.language in (None, row["language"])
        and filters.kind in (None, row["kind"])
        and filters.event != "no-such-event"
    ]


def _ids(found: tuple[list[queries.Document], dict[int, queries.RecordingRef]]) -> list[int]:
    documents, recordings = found
    assert all(document.recording_id in recordings for document in documents)
    return [document.id for document in documents]


def test_the_first_matches_are_the_same_on_both_databases(app):
    """What search() pages through: the first matches in id order (FTS5's rowid order, PostgreSQL's id order)."""
    with app.app_context():
        expected = _catalogue()
        for word, ids in expected.items():
            for limit in LIMITS:
                assert _ids(queries._matching(db.session, parse(word), limit)) == ids[:limit], (word, limit)


def test_every_span_of_blocks_finds_the_same_first_matches(pg_app):
    with pg_app.app_context():
        expected = _catalogue()
        for word, ids in expected.items():
            tsquery = tsquery_expression(parse(word))
            for span in SPANS:
                for limit in LIMITS:
                    found = _ids(queries.first_by_blocks(db.session, tsquery, span, limit))
                    assert found == ids[:limit], (word, span, limit)


def test_filters_find_the_same_first_matches_on_both_databases(app):
    with app.app_context():
        rows, filters = _filtered()
        for word in WORDS:
            for only in filters:
                expected = _expected(rows, word, only)
                for limit in LIMITS:
                    found = _ids(queries._matching(db.session, parse(word), limit, only))
                    assert found == expected[:limit], (word, only, limit)


def test_filters_find_the_same_first_matches_by_blocks_however_many_they_keep(pg_app):
    with pg_app.app_context():
        rows, filters = _filtered()
        for word in WORDS:
            tsquery = tsquery_expression(parse(word))
            for only in filters:
                expected = _expected(rows, word, only)
                for span in (0, 1, BLOCK, 3 * BLOCK, 8 * BLOCK):
                    for limit in (1, 20, 31, 201):
                        found = _ids(queries.first_by_blocks(db.session, tsquery, span, limit, only))
                        assert found == expected[:limit], (word, only, span, limit)


def test_a_common_word_is_read_by_blocks_and_after_them_when_they_fall_short(pg_app, monkeypatch):
    """With the planner's statistics, a page of a common word costs one statement over a few blocks; where the
    statistics promised more matches than the blocks hold, a second statement reads on from the last one."""
    with pg_app.app_context():
        expected = _catalogue()
        db.session.execute(text("ANALYZE search_documents"))
        db.session.commit()
        # Statistics read by an earlier test of this database are not this catalogue's: start without them.
        monkeypatch.setattr(queries, "_statistics", {})
        statements: list[str] = []

        def remember(_connection, _cursor, statement, *_args):
            if "search_documents" in statement and "pg_stats" not in statement and "reltuples" not in statement:
                statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", remember)
        try:
            # 140 lanterns over ids 1 to 24,675: with the margin, 264 ids for each match expected. 20 matches are
            # expected in blocks 0 and 1, and block 1 holds them; 30 too, and it does not: the last 10 are read after
            # it; 10 in block 0, which holds none: all are read after it.
            for limit, reads in ((20, 1), (30, 2), (10, 2)):
                statements.clear()
                assert _ids(queries._matching(db.session, parse("lantern"), limit)) == expected["lantern"][:limit]
                assert len(statements) == reads and "generate_series" in statements[0], statements
                assert all("generate_series" not in statement for statement in statements[1:])
        finally:
            event.remove(db.engine, "before_cursor_execute", remember)
        statistics = queries._index_statistics(db.session)
        assert statistics.frequencies["lantern"] > 0.6 and 0 < statistics.ids_used < 0.01


def test_how_many_ids_a_query_reads_by_blocks():
    statistics = queries.IndexStatistics({"lantern": 0.5, "ember": 0.001}, ids_used=1.0)
    # 201 matches at one document in two: 402 ids, 603 with the margin.
    assert queries.ids_holding(parse("lantern"), statistics, 201) == 603
    # Half the ids unused: twice the ids.
    assert queries.ids_holding(parse("lantern"), queries.IndexStatistics({"lantern": 0.01}, 0.5), 201) == 60_300
    # Too rare for blocks to pay, not among the common lexemes, or not a single word: planned as before.
    assert queries.ids_holding(parse("ember"), statistics, 201) == 0
    assert queries.ids_holding(parse("candle"), statistics, 201) == 0
    for query in ('"lantern ember"', "lantern*", "lantern ember"):
        assert not tsquery_lexemes(parse(query)) and queries.ids_holding(parse(query), statistics, 201) == 0
    # Any of several words (a query none of whose documents holds every word, loosened): its commonest counts.
    assert queries.ids_holding(parse("lantern ember").loosened(), statistics, 201) == 603


def test_migration_0010_adds_the_blocks_to_the_gin_index_and_back(empty_app):
    runner = empty_app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    client = empty_app.test_client()

    def gin_indexes() -> dict[str, str]:
        with empty_app.app_context():
            if db.engine.dialect.name != "postgresql":
                return {}
            rows = db.session.execute(
                text(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                    "AND tablename = 'search_documents' AND indexdef LIKE '%USING gin%'"
                )
            ).all()
            db.session.remove()
            return dict(rows)

    def found() -> list[str]:
        response = client.get("/api/v1/search", query_string={"q": "dayanisma"})
        assert response.status_code == 200
        return [result["recording"] for result in response.get_json()["results"]]

    before = found()
    assert before
    upgraded = gin_indexes()
    down = runner.invoke(args=["db", "downgrade", "0009"])
    assert down.exit_code == 0, down.output
    downgraded = gin_indexes()
    assert found() == before
    up = runner.invoke(args=["db", "upgrade"])
    assert up.exit_code == 0, up.output
    assert gin_indexes() == upgraded
    assert found() == before
    with empty_app.app_context():
        if db.engine.dialect.name == "postgresql":
            assert list(upgraded) == [index.GIN_INDEX] and "ARRAY[(id / 4096)]" in upgraded[index.GIN_INDEX]
            assert list(downgraded) == [index.WORDS_ONLY_GIN_INDEX]
