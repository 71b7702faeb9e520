"""The action plan: strategy axes and objectives, action items, progress, funding, follow-up."""


def init_app(app) -> None:
    """Register the blueprint and the template globals other domains' pages call
    (the meetings' "review of previous actions" item renders plan/_review_actions.html)."""
    from planner.plan import revision  # noqa: F401 - its session events move the revision on
    from planner.plan.views import bp, register_template_globals

    app.register_blueprint(bp)
    register_template_globals(app)
