"""The network's today: every deadline comparison of the plan uses this one date."""

from datetime import date

from flask import current_app, g, has_app_context

from planner.core.time import to_local, utcnow


def local_today() -> date:
    """Today's date in the network's time zone (Africa/Casablanca for the demo)."""
    zone = None
    if has_app_context():
        zone = g.get("network_timezone") or current_app.config.get("NETWORK_TIMEZONE")
    return to_local(utcnow(), zone or "Africa/Casablanca").date()
