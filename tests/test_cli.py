"""Command-line tasks: set up the database, load the demo, create accounts, back up."""

import sqlite3

import pytest
from sqlalchemy import func, select

from planner import create_app
from planner.extensions import db
from planner.members.models import Member, User
from tests.conftest import base_config, post


@pytest.fixture
def fresh_app(tmp_path):
    """An app on an empty SQLite file: no tables until a command creates them."""
    app = create_app(base_config(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'cli.sqlite3'}"))
    yield app
    with app.app_context():
        db.engine.dispose()


def _count(app, model):
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(model))
        db.session.remove()
        return count


def test_init_db_migrates_and_loads_the_demo_then_keeps_data(fresh_app):
    runner = fresh_app.test_cli_runner()
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert "Demo network loaded" in result.output
    assert _count(fresh_app, Member) == 13
    with fresh_app.app_context():
        db.session.add(Member(name="Added later", short_name="Later", slug="later"))
        db.session.commit()
        db.session.remove()
    again = runner.invoke(args=["init-db"])
    assert again.exit_code == 0 and "existing data kept" in again.output
    assert _count(fresh_app, Member) == 14


def test_load_demo_refuses_a_database_that_holds_a_network(fresh_app):
    runner = fresh_app.test_cli_runner()
    runner.invoke(args=["init-db"])
    result = runner.invoke(args=["load-demo"])
    assert result.exit_code != 0
    assert "empty" in result.output
    assert _count(fresh_app, Member) == 13


def test_create_user_prompts_for_the_password_and_it_works(fresh_app):
    runner = fresh_app.test_cli_runner()
    runner.invoke(args=["init-db", "--no-demo"])
    result = runner.invoke(
        args=["create-user", "--email", "admin@example.org", "--name", "Admin", "--secretariat"],
        input="a long enough password\na long enough password\n",
    )
    assert result.exit_code == 0, result.output
    assert "a long enough password" not in result.output
    with fresh_app.app_context():
        user = db.session.scalar(select(User).where(User.email == "admin@example.org"))
        assert user.is_secretariat and user.password_hash.startswith("scrypt:32768:8:3$")
        db.session.remove()


def test_create_user_refuses_a_short_password(fresh_app):
    runner = fresh_app.test_cli_runner()
    runner.invoke(args=["init-db", "--no-demo"])
    result = runner.invoke(
        args=["create-user", "--email", "a@example.org", "--name", "A", "--observer"],
        input="short\nshort\n",
    )
    assert result.exit_code != 0
    assert _count(fresh_app, User) == 0


def test_backup_writes_a_consistent_copy(fresh_app, tmp_path):
    runner = fresh_app.test_cli_runner()
    runner.invoke(args=["init-db"])
    target = tmp_path / "copy.sqlite3"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    with sqlite3.connect(target) as copy:
        assert copy.execute("SELECT count(*) FROM members").fetchone()[0] == 13
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_backup_explains_pg_dump_for_postgresql():
    app = create_app(base_config(SQLALCHEMY_DATABASE_URI="postgresql+psycopg://x@127.0.0.1:1/none"))
    result = app.test_cli_runner().invoke(args=["backup"])
    assert result.exit_code != 0 and "pg_dump" in result.output


def test_demo_network_is_maroc_cluster_with_its_13_members(client, demo):
    members = db.session.scalars(select(Member).order_by(Member.short_name)).all()
    assert len(members) == 13
    assert {"CE3M", "MNC", "Menara", "Haliopôlis", "Océanopôle"} <= {m.short_name for m in members}
    ce3m_director = demo.user("director.ce3m@example.org")
    assert ce3m_director.is_secretariat and ce3m_director.member.short_name == "CE3M"
    for member in members:
        assert demo.user(f"director.{member.slug}@example.org") is not None
    assert demo.user("observer@example.org").is_observer
    assert demo.user("secretariat@example.org").is_secretariat
    response = post(
        client, "/login", {"email": "director.menara@example.org", "password": "demo-password-2016"}
    )
    assert response.status_code == 302
