"""Command line of the proposals domain: close the rounds whose deadline has passed (cron)."""

import click
from flask import Flask

from planner.extensions import db


def register_cli(app: Flask) -> None:
    @app.cli.command("close-due-rounds")
    def close_due_rounds_command() -> None:
        """Close every open round whose closing time has passed and freeze its outcome."""
        from planner.proposals.rules import close_due_rounds

        decisions = close_due_rounds()
        db.session.commit()
        for decision in decisions:
            click.echo(f"Closed: {decision.title} (round id {decision.round_id}): "
                       f"{decision.outcome.value}")
        click.echo(f"{len(decisions)} round(s) closed.")
