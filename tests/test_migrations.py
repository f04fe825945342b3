from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from catalogue.extensions import db
from catalogue.search.index import modelled


def test_upgrade_on_an_empty_database_then_no_drift(empty_app):
    runner = empty_app.test_cli_runner()
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with empty_app.app_context():
        tables = set(inspect(db.engine).get_table_names())
        assert {"events", "workshops", "recordings", "audio_tracks", "subtitle_revisions", "cues"} <= tables
        # What `flask db check` does, with the differences in hand: the models and the migrations agree.
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"include_object": modelled})
            diffs = compare_metadata(context, db.metadata)
        assert diffs == []
    check = runner.invoke(args=["db", "check"])
    assert check.exit_code == 0, check.output


def test_downgrade_to_nothing_and_back(empty_app):
    runner = empty_app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    down = runner.invoke(args=["db", "downgrade", "base"])
    assert down.exit_code == 0, down.output
    with empty_app.app_context():
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
