"""The migrations alone build the schema the models describe, on SQLite and PostgreSQL."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from planner import create_app, database_url
from planner.extensions import db
from tests.conftest import PG_URL, base_config


def _migrated_app(backend, tmp_path, request):
    if backend == "postgresql":
        if not PG_URL:
            pytest.skip("PostgreSQL run skipped: PLANNER_TEST_DATABASE_URL is not set")
        schema = f"planner_migrations_{tmp_path.name[-12:].replace('-', '_').lower()}"
        engine = sa.create_engine(database_url(PG_URL))
        with engine.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))

        def drop():
            with engine.begin() as connection:
                connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            engine.dispose()

        request.addfinalizer(drop)
        config = base_config(
            SQLALCHEMY_DATABASE_URI=database_url(PG_URL),
            SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"options": f"-csearch_path={schema}"}},
        )
    else:
        config = base_config(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'migrated.sqlite3'}")
    return create_app(config)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_migrations_match_the_models(backend, tmp_path, request):
    app = _migrated_app(backend, tmp_path, request)
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory, revision="heads")
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "render_as_batch": True}
            )
            differences = compare_metadata(context, db.metadata)
        db.engine.dispose()
    assert not differences, f"models and migrations differ: {differences}"


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_migrations_downgrade_to_nothing_and_up_again(backend, tmp_path, request):
    app = _migrated_app(backend, tmp_path, request)
    with app.app_context():
        directory = app.extensions["migrate"].directory
        upgrade(directory=directory, revision="heads")
        downgrade(directory=directory, revision="base")
        upgrade(directory=directory, revision="heads")
        tables = sa.inspect(db.engine).get_table_names()
        db.engine.dispose()
    assert "members" in tables and "users" in tables


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_rounds_opened_before_the_electorate_was_recorded_get_its_size(
        backend, tmp_path, request):
    """A database from before migration 0013: its opened rounds get the size of their
    electorate, counted from their electors; a draft round has none."""
    from planner.demo import load_demo
    from planner.proposals.models import Round, RoundElector, RoundStatus

    app = _migrated_app(backend, tmp_path, request)
    with app.app_context():
        directory = app.extensions["migrate"].directory
        upgrade(directory=directory, revision="heads")
        load_demo()
        db.session.commit()
        expected = dict(db.session.execute(
            sa.select(RoundElector.round_id, sa.func.count()).group_by(RoundElector.round_id)
        ).all())
        drafts = set(db.session.scalars(
            sa.select(Round.id).where(Round.status == RoundStatus.DRAFT)))
        assert expected and drafts.isdisjoint(expected)
        db.session.remove()
        downgrade(directory=directory, revision="0012_ballot_changes_round_index")
        upgrade(directory=directory, revision="heads")
        found = dict(db.session.execute(sa.select(Round.id, Round.electorate_count)).all())
        db.session.remove()
        db.engine.dispose()
    assert {round_id: found[round_id] for round_id in expected} == expected
    assert all(found[round_id] is None for round_id in drafts)
