"""Proposals, rounds, positions, decision rules and the frozen decisions."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the proposals pages, the decisions list and the close-due-rounds command."""
    from planner.proposals import cli, queries, views

    # The meetings' agenda lists each decision item's proposals without importing us.
    app.add_template_global(queries.proposals_by_item, "proposals_by_item")
    app.register_blueprint(views.bp)
    app.register_blueprint(views.decisions_bp)
    cli.register_cli(app)
