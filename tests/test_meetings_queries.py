"""Reads of the meetings domain: timed agenda, attendance and quorum in a fixed number of
queries, whatever the number of items and members."""

from datetime import datetime, timedelta

import pytest

from planner.extensions import db
from planner.meetings import queries, rules
from planner.meetings.models import AgendaItemKind, AttendanceStatus
from tests.conftest import count_queries
from tests.factories import make_document, make_meeting, make_member, make_network, make_user


@pytest.fixture(autouse=True)
def uploads(app, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")


def test_timed_agenda_plans_each_item_after_the_ones_before(app):
    meeting = make_meeting(starts_at=datetime(2030, 3, 14, 9, 0))
    for title, minutes in (("A", 30), ("B", 90), ("C", 70)):
        rules.add_item(None, meeting, title=title, duration_minutes=minutes)
    db.session.commit()
    agenda = queries.timed_agenda(queries.meeting_with_agenda(meeting.id))
    starts = [timed.planned_start.strftime("%H:%M") for timed in agenda.items]
    assert starts == ["09:00", "09:30", "11:00"]
    assert [timed.overruns for timed in agenda.items] == [False, False, True]
    assert (agenda.total_minutes, agenda.available_minutes) == (190, 180)
    assert agenda.overrun_minutes == 10


def test_attendance_by_member_and_proxy_holder(app):
    make_network()
    holder, given = make_member(), make_member()
    meeting = make_meeting(status="convened", items=1)
    rules.record_attendance(None, meeting, holder, AttendanceStatus.PRESENT)
    rules.record_attendance(None, meeting, given, AttendanceStatus.REPRESENTED, holder)
    db.session.commit()
    meeting_id, holder_id, given_id = meeting.id, holder.id, given.id
    with count_queries() as statements:
        rows = queries.attendance_by_member(meeting_id)
    assert len(statements) == 1
    assert rows[given_id].proxy_holder_id == holder_id
    assert rows[given_id].signed_in_by is None  # loaded with the row: no lazy load
    assert queries.proxy_holder_id(meeting_id, given_id) == holder_id
    assert queries.proxy_holder_id(meeting_id, holder_id) is None
    assert queries.proxies_held_by(meeting_id, holder_id) == [given_id]


def test_quorum_follows_the_network_percentage(app):
    network = make_network()
    network.quorum_percent = 66
    db.session.commit()
    members = [make_member() for _ in range(6)]
    meeting = make_meeting(status="convened", items=1)
    for member in members[:4]:
        rules.record_attendance(None, meeting, member, AttendanceStatus.PRESENT)
    db.session.commit()
    state = queries.quorum_state(meeting, network)
    # Strictly more than 66 % of 6 members: 4 (3.96 is not enough).
    assert state.needed == network.quorum_needed(6) == 4
    assert state.reached and state.counted == 4


def test_live_session_marks_done_current_and_next(app):
    meeting = make_meeting(status="in_session", items=3)
    loaded = queries.meeting_with_agenda(meeting.id)
    first = loaded.items[0]
    rules.next_item(None, loaded, first.id)
    db.session.commit()
    session = queries.live_session(queries.meeting_with_agenda(meeting.id))
    assert [entry.state for entry in session.items] == ["done", "current", "upcoming"]
    assert session.current.number == 2 and session.next.number == 3
    assert session.items[0].used_seconds is not None


def test_meeting_index_counts_in_sql_and_reads_only_the_page_each_role_may_see(app):
    director, secretariat = make_user(), make_user(role="secretariat")
    soon = datetime(2030, 1, 7, 9)
    for n in range(3):
        make_meeting(title=f"Open {n}", status="convened", items=n + 1,
                     starts_at=soon + timedelta(weeks=n))
    make_meeting(title="Draft", starts_at=soon - timedelta(weeks=1))
    for n in range(5):
        make_meeting(title=f"Past {n}", status="cancelled",
                     starts_at=datetime(2020, 1, 6, 9) + timedelta(weeks=n))
    assert not director.is_secretariat  # the user is loaded before the count starts

    with count_queries() as statements:
        first = queries.meeting_index(director, 1, page_size=2)
    assert len(statements) == 3  # the counts, then each list's page
    assert all("LIMIT" in statement.upper() for statement in statements[1:])
    assert [row.meeting.title for row in first.upcoming.rows] == ["Open 0", "Open 1"]
    assert (first.upcoming.total, first.upcoming.pages) == (3, 2)
    assert [(row.item_count, row.total_minutes) for row in first.upcoming.rows] == [
        (1, 15), (2, 30)]
    assert [row.meeting.title for row in first.past.rows] == ["Past 4", "Past 3"]
    assert (first.past.total, first.past.pages) == (5, 3)

    # Each list pages on its own, in as many queries.
    with count_queries() as statements:
        second = queries.meeting_index(director, 2, upcoming_page=2, page_size=2)
    assert len(statements) == 3
    assert [row.meeting.title for row in second.upcoming.rows] == ["Open 2"]
    assert [row.meeting.title for row in second.past.rows] == ["Past 2", "Past 1"]
    past_only = queries.meeting_index(director, 2, page_size=2)
    assert [row.meeting.title for row in past_only.upcoming.rows] == ["Open 0", "Open 1"]
    beyond = queries.meeting_index(director, 7, upcoming_page=5, page_size=2)
    assert (beyond.past.page, beyond.upcoming.page) == (3, 2)

    office = queries.meeting_index(secretariat, 1, page_size=2)
    assert [row.meeting.title for row in office.upcoming.rows] == ["Draft", "Open 0"]
    assert office.upcoming.total == 4 and office.past.total == 5


def _fill(meeting, items: int, with_documents: bool):
    for n in range(items):
        item = rules.add_item(None, meeting, title=f"Point {n}", duration_minutes=5,
                              kind=AgendaItemKind.DECISION,
                              presenter_member_id=make_member().id if n < 3 else None)
        if with_documents and n < 3:
            db.session.commit()
            make_document(item)
    db.session.commit()


def _record_everyone(meeting):
    members = queries.active_members()
    holder = members[0]
    for member in members:
        status = AttendanceStatus.PRESENT
        proxy = None
        if member is members[1]:
            status, proxy = AttendanceStatus.REPRESENTED, holder
        rules.record_attendance(None, meeting, member, status, proxy)
    db.session.commit()


PAGES = ["/meetings/{id}", "/meetings/{id}/agenda", "/meetings/{id}/attendance",
         "/meetings/{id}/live", "/meetings/{id}/live.json", "/meetings/{id}/calendar.ics",
         "/meetings/", "/"]


def _counts(client, meeting_id):
    result = {}
    for page in PAGES:
        url = page.format(id=meeting_id)
        with count_queries() as statements:
            response = client.get(url)
        assert response.status_code == 200, url
        result[page] = len(statements)
    return result


def test_meeting_pages_do_not_grow_with_items_and_members(app, as_user):
    make_network()
    secretariat = make_user(role="secretariat")
    client = as_user(secretariat)
    small = make_meeting(status="draft")
    _fill(small, 5, with_documents=True)
    rules.move_meeting(None, small, "convene")
    rules.move_meeting(None, small, "open")
    db.session.commit()
    few = _counts(client, small.id)

    for _ in range(13 - len(queries.active_members())):
        make_member()
    large = make_meeting(status="draft", starts_at=datetime(2030, 3, 15, 9))
    _fill(large, 50, with_documents=True)
    rules.move_meeting(None, large, "convene")
    rules.move_meeting(None, large, "open")
    db.session.commit()
    _record_everyone(large)
    assert len(queries.active_members()) >= 13
    many = _counts(client, large.id)
    assert many == few
