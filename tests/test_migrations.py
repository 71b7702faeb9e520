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
