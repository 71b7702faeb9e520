"""The network's today: every deadline comparison of the plan uses this one date."""

from datetime import date

from flask import current_app, g, has_app_context, has_request_context

from planner.core.time import to_local, utcnow


def local_today() -> date:
    """Today's date in the network's time zone (Africa/Casablanca for the demo).

    Read once per request and zone: a page compares every action's deadline with it (the
    `is_overdue` of each row), and one request sees one date."""
    zone = None
    if has_app_context():
        zone = g.get("network_timezone") or current_app.config.get("NETWORK_TIMEZONE")
    zone = zone or "Africa/Casablanca"
    if not has_request_context():
        return to_local(utcnow(), zone).date()
    found = g.get("_plan_today")
    if found is None or found[0] != zone:
        found = g._plan_today = (zone, to_local(utcnow(), zone).date())
    return found[1]
