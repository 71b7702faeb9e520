"""Command-line tasks: database set-up, demo data, accounts and backups."""

import sqlite3
from contextlib import closing
from datetime import datetime
from pathlib import Path

import click
from flask import Flask, current_app

from planner.core.database import analyze
from planner.core.rules import RuleError
from planner.extensions import db


def register_cli(app: Flask) -> None:
    @app.cli.command("init-db")
    @click.option("--demo/--no-demo", default=True, help="Load the demo network if empty.")
    def init_db(demo: bool) -> None:
        """Create or upgrade the tables through migrations; load the demo into an empty database."""
        from flask_migrate import upgrade

        from planner.demo import database_is_empty, load_demo

        upgrade(directory=current_app.extensions["migrate"].directory, revision="heads")
        if demo and database_is_empty():
            load_demo()
            db.session.commit()
            click.echo("Demo network loaded: see README for the logins.")
        else:
            click.echo("Database is up to date; existing data kept.")
        analyze(db.session.connection())
        db.session.commit()

    @app.cli.command("load-demo")
    def load_demo_command() -> None:
        """Load the demo network (Maroc Cluster) into an empty database."""
        from planner.demo import load_demo

        try:
            load_demo()
        except RuntimeError as error:
            raise click.ClickException(str(error)) from error
        db.session.commit()
        click.echo("Demo network loaded.")

    @app.cli.command("create-user")
    @click.option("--email", prompt=True)
    @click.option("--name", "full_name", prompt="Full name")
    @click.option("--secretariat", is_flag=True, help="Give the secretariat role.")
    @click.option("--observer", is_flag=True, help="Read-only observer.")
    @click.option(
        "--member", "member_short_name", default=None, help="Director of this member (short name)."
    )
    @click.password_option()
    def create_user(email, full_name, secretariat, observer, member_short_name, password) -> None:
        """Create an account; the password is asked twice and never shown."""
        from sqlalchemy import select

        from planner.members import rules
        from planner.members.models import Member

        member_id = None
        if member_short_name:
            member_id = db.session.scalar(
                select(Member.id).where(Member.short_name == member_short_name)
            )
            if member_id is None:
                raise click.ClickException(f"No member cluster named {member_short_name!r}.")
        try:
            user = rules.create_user(
                None,
                email=email,
                full_name=full_name,
                member_id=member_id,
                is_secretariat=secretariat,
                is_observer=observer,
                password=password,
            )
        except RuleError as error:
            db.session.rollback()
            raise click.ClickException(error.message) from error
        db.session.commit()
        click.echo(f"Account {user.email} created.")

    @app.cli.command("backup")
    @click.argument("destination", required=False, type=click.Path(dir_okay=False))
    def backup(destination: str | None) -> None:
        """Write a consistent copy of the SQLite database (online backup API)."""
        url = db.engine.url
        if url.get_backend_name() != "sqlite":
            raise click.ClickException(
                "This database is not SQLite: use pg_dump (see README, Backups)."
            )
        source_path = Path(url.database)
        if destination is None:
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
            destination = str(
                Path(current_app.instance_path) / "backups" / f"planner-{stamp}.sqlite3"
            )
        Path(destination).parent.mkdir(parents=True, exist_ok=True)
        with (
            closing(sqlite3.connect(source_path)) as source,
            closing(sqlite3.connect(destination)) as target,
        ):
            source.backup(target)
        click.echo(f"Backup written to {destination}")
