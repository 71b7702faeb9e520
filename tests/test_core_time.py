"""A time typed in the network's zone is shown back unchanged, whatever the date."""

from datetime import datetime

import pytest
from flask_babel import format_datetime

from planner.core.time import to_local, to_utc


@pytest.mark.parametrize("local", [datetime(2016, 12, 16, 10, 0), datetime(2026, 6, 10, 10, 0),
                                   datetime(2027, 6, 10, 10, 0), datetime(2027, 12, 1, 9, 30)])
def test_typed_time_round_trips_through_storage_and_display(app, local):
    stored = to_utc(local, "Africa/Casablanca")
    assert to_local(stored, "Africa/Casablanca") == local
    with app.test_request_context():
        app.config["NETWORK_TIMEZONE"] = "Africa/Casablanca"
        shown = format_datetime(stored, "yyyy-MM-dd HH:mm")
    assert shown == local.strftime("%Y-%m-%d %H:%M")
