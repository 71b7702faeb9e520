"""Proposals, rounds, positions, decision rules and the frozen decisions."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the proposals pages, the decisions list and the close-due-rounds command."""
    from planner.proposals import cli, views

    app.register_blueprint(views.bp)
    app.register_blueprint(views.decisions_bp)
    cli.register_cli(app)
