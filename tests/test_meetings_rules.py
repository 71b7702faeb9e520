"""Meeting rules called directly: lifecycle, agenda, documents, suggestions, attendance,
proxies and the live session. Messages are checked in French, as people read them."""

import io
import zipfile
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from planner.core.audit import AuditEvent
from planner.core.rules import RuleError
from planner.extensions import db
from planner.meetings import documents, rules
from planner.meetings.models import (
    AgendaDocument,
    AgendaItem,
    AgendaItemKind,
    AgendaSuggestion,
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingStatus,
    SuggestionStatus,
)
from planner.meetings.queries import quorum_state
from tests.factories import (
    PDF_BYTES,
    make_item,
    make_meeting,
    make_member,
    make_network,
    make_suggestion,
    make_user,
)

PRESENT = AttendanceStatus.PRESENT
REPRESENTED = AttendanceStatus.REPRESENTED


@pytest.fixture(autouse=True)
def french_request(app):
    """Rules speak the reader's language: run them as in a request, in French by default."""
    with app.test_request_context():
        yield


@pytest.fixture(autouse=True)
def uploads(app, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    return tmp_path / "uploads" / "meetings"


@pytest.fixture
def secretariat(app):
    return make_user(role="secretariat")


def refused(call, *args, **kwargs) -> RuleError:
    with pytest.raises(RuleError) as caught:
        call(*args, **kwargs)
    db.session.rollback()
    return caught.value


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- creating meetings ----------------------------------------------------------------------


def test_meeting_that_ends_before_it_starts_is_refused_and_nothing_saved(secretariat):
    start = datetime(2030, 5, 1, 9)
    error = refused(rules.create_meeting, secretariat, title="Board", starts_at=start,
                    ends_at=start - timedelta(hours=1))
    assert error.status == 400 and error.field == "ends_at"
    assert "La réunion doit se terminer après son début" in error.message
    assert count(Meeting) == 0


def test_meeting_that_ends_when_it_starts_is_refused(secretariat):
    start = datetime(2030, 5, 1, 9)
    error = refused(rules.create_meeting, secretariat, title="Board", starts_at=start,
                    ends_at=start)
    assert error.field == "ends_at"


def test_new_meeting_is_a_draft_and_audited(secretariat):
    meeting = rules.create_meeting(secretariat, title="Board", starts_at=datetime(2030, 5, 1, 9),
                                   ends_at=datetime(2030, 5, 1, 12), venue="Rabat")
    db.session.commit()
    assert meeting.status == MeetingStatus.DRAFT
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "meeting.created"))
    assert event.actor_id == secretariat.id and event.target_id == meeting.id


def test_director_cannot_create_a_meeting(app):
    director = make_user()
    error = refused(rules.create_meeting, director, title="Board",
                    starts_at=datetime(2030, 5, 1, 9), ends_at=datetime(2030, 5, 1, 12))
    assert error.status == 403


def test_stale_meeting_edit_is_refused(secretariat):
    meeting = make_meeting()
    error = refused(rules.update_meeting, secretariat, meeting, meeting.version - 1,
                    title="Other", starts_at=meeting.starts_at, ends_at=meeting.ends_at,
                    minutes_language="fr")
    assert error.status == 409
    assert db.session.get(Meeting, meeting.id).title != "Other"


# --- lifecycle ------------------------------------------------------------------------------


def test_meeting_goes_through_its_lifecycle_dated_and_audited(secretariat):
    meeting = make_meeting(items=2)
    for transition, status, stamp in (
        ("convene", MeetingStatus.CONVENED, "convened_at"),
        ("open", MeetingStatus.IN_SESSION, "opened_at"),
        ("close", MeetingStatus.CLOSED, "closed_at"),
    ):
        rules.move_meeting(secretariat, meeting, transition)
        db.session.commit()
        assert meeting.status == status
        assert getattr(meeting, stamp) is not None
    actions = set(db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.target_type == "meetings")))
    assert {"meeting.convene", "meeting.open", "meeting.close"} <= actions


@pytest.mark.parametrize("status,transition,words", [
    ("draft", "open", "seule une réunion convoquée peut ouvrir sa séance"),
    ("draft", "close", "seule une réunion en séance peut être clôturée"),
    ("convened", "convene", "seule une réunion en préparation peut être convoquée"),
    ("closed", "cancel", "elle ne peut plus être annulée"),
    ("cancelled", "convene", "Cette réunion est annulée"),
])
def test_illegal_moves_are_refused_with_409(secretariat, status, transition, words):
    meeting = make_meeting(status=status, items=1)
    error = refused(rules.move_meeting, secretariat, meeting, transition, "reason")
    assert error.status == 409
    assert words in error.message
    assert db.session.get(Meeting, meeting.id).status.value == status


def test_a_meeting_without_agenda_cannot_be_convened(secretariat):
    meeting = make_meeting()
    error = refused(rules.move_meeting, secretariat, meeting, "convene")
    assert error.status == 409 and "au moins un point" in error.message


def test_cancelling_needs_a_reason_and_keeps_it(secretariat):
    meeting = make_meeting(status="convened", items=1)
    error = refused(rules.move_meeting, secretariat, meeting, "cancel", "  ")
    assert error.field == "reason"
    assert db.session.get(Meeting, meeting.id).status == MeetingStatus.CONVENED
    rules.move_meeting(secretariat, meeting, "cancel", "Venue unavailable")
    db.session.commit()
    assert meeting.status == MeetingStatus.CANCELLED
    assert meeting.cancellation_reason == "Venue unavailable" and meeting.cancelled_at


def test_opening_starts_the_first_item(secretariat):
    meeting = make_meeting(status="convened", items=3)
    rules.move_meeting(secretariat, meeting, "open")
    db.session.commit()
    first = db.session.scalar(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)
                              .order_by(AgendaItem.position))
    assert meeting.current_item_id == first.id and first.started_at is not None


# --- the agenda -----------------------------------------------------------------------------


@pytest.mark.parametrize("minutes", [0, -5])
def test_zero_or_negative_duration_is_refused(secretariat, minutes):
    meeting = make_meeting()
    error = refused(rules.add_item, secretariat, meeting, title="Budget",
                    duration_minutes=minutes)
    assert error.field == "duration_minutes"
    assert "au moins une minute" in error.message
    assert count(AgendaItem) == 0


def test_items_are_numbered_in_the_order_added(secretariat):
    meeting = make_meeting()
    titles = ["Strategy", "Action plan", "Legal status"]
    for title in titles:
        rules.add_item(secretariat, meeting, title=title, duration_minutes=10)
    db.session.commit()
    items = db.session.scalars(select(AgendaItem).order_by(AgendaItem.position)).all()
    assert [item.title for item in items] == titles
    assert [item.position for item in items] == [1, 2, 3]


def _order(meeting) -> list[str]:
    return list(db.session.scalars(
        select(AgendaItem.title).where(AgendaItem.meeting_id == meeting.id)
        .order_by(AgendaItem.position)))


def test_moving_an_item_swaps_it_with_its_neighbour_and_keeps_its_version(secretariat):
    meeting = make_meeting(items=3)
    third = db.session.scalar(select(AgendaItem).where(AgendaItem.title == "Item 3"))
    version = third.version
    assert rules.move_item(secretariat, third, "up") == 2
    db.session.commit()
    assert _order(meeting) == ["Item 1", "Item 3", "Item 2"]
    db.session.refresh(third)
    assert third.version == version  # a move does not make an open edit form stale


def test_first_item_cannot_move_up(secretariat):
    meeting = make_meeting(items=2)
    first = db.session.scalar(select(AgendaItem).where(AgendaItem.title == "Item 1"))
    error = refused(rules.move_item, secretariat, first, "up")
    assert error.status == 409 and "déjà le premier" in error.message
    assert _order(meeting) == ["Item 1", "Item 2"]


def test_removing_an_item_closes_the_gap(secretariat, uploads):
    meeting = make_meeting(items=3)
    second = db.session.scalar(select(AgendaItem).where(AgendaItem.title == "Item 2"))
    rules.add_document(secretariat, second, "slides.pdf", PDF_BYTES)
    db.session.commit()
    stored = rules.remove_item(secretariat, second)
    db.session.commit()
    documents.discard(stored)
    positions = list(db.session.scalars(
        select(AgendaItem.position).where(AgendaItem.meeting_id == meeting.id)
        .order_by(AgendaItem.position)))
    assert positions == [1, 2]
    assert count(AgendaDocument) == 0
    assert not any(uploads.iterdir())


@pytest.mark.parametrize("status", ["in_session", "closed"])
def test_agenda_cannot_change_once_the_session_started(secretariat, status):
    meeting = make_meeting(status=status, items=2)
    item = db.session.scalar(select(AgendaItem).where(AgendaItem.title == "Item 2"))
    for call, args in (
        (rules.add_item, (meeting,)),
        (rules.move_item, (item, "up")),
        (rules.remove_item, (item,)),
        (rules.update_item, (item, item.version)),
    ):
        kwargs = {"title": "New", "duration_minutes": 5} if call in (
            rules.add_item, rules.update_item) else {}
        error = refused(call, secretariat, *args, **kwargs)
        assert error.status == 409
        assert "l'ordre du jour ne peut plus être modifié" in error.message
    assert _order(meeting) == ["Item 1", "Item 2"]


def test_second_save_of_the_same_item_is_refused_with_409(secretariat):
    meeting = make_meeting(items=1)
    item = db.session.scalar(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id))
    seen_version = item.version
    rules.update_item(secretariat, item, seen_version, title="First edit", duration_minutes=20)
    db.session.commit()
    error = refused(rules.update_item, secretariat, item, seen_version, title="Second edit",
                    duration_minutes=25)
    assert error.status == 409 and "Quelqu'un d'autre a modifié ce point" in error.message
    assert db.session.get(AgendaItem, item.id).title == "First edit"


# --- documents ------------------------------------------------------------------------------


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
ODS = _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
            "content.xml": b"<office:document-content/>"})
OLE2 = documents.OLE2_MAGIC + b"\x00" * 500
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
GIF = b"GIF89a" + b"\x00" * 64


@pytest.mark.parametrize("name,data,content_type", [
    ("agenda.pdf", PDF_BYTES, "application/pdf"),
    ("plan.docx", DOCX,
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("budget.ods", ODS, "application/vnd.oasis.opendocument.spreadsheet"),
    ("old.xls", OLE2, "application/vnd.ms-excel"),
    ("photo.png", PNG, "image/png"),
    ("photo.JPG", JPEG, "image/jpeg"),
    ("logo.gif", GIF, "image/gif"),
])
def test_accepted_files_are_recognised_by_content(secretariat, uploads, name, data,
                                                 content_type):
    item = make_item(make_meeting())
    document = rules.add_document(secretariat, item, name, data)
    db.session.commit()
    assert document.content_type == content_type
    stored = uploads / document.stored_name
    assert stored.read_bytes() == data
    assert name not in document.stored_name and len(document.stored_name) == 32


@pytest.mark.parametrize("name,data,words", [
    ("report.pdf", b"<html><script>alert(1)</script></html>", "quoi qu'en dise son nom"),
    ("macro.docx", _zip({"evil.exe": b"MZ"}), "quoi qu'en dise son nom"),
    ("archive.zip", _zip({"a.txt": b"x"}), "quoi qu'en dise son nom"),
    ("setup.pdf", b"MZ\x90\x00" + b"\x00" * 100, "quoi qu'en dise son nom"),
    ("page.html", PDF_BYTES, "son contenu est un fichier PDF"),
    ("image.png", PDF_BYTES, "renommez-le avec la bonne extension (.pdf)"),
])
def test_disguised_files_are_refused_and_nothing_is_saved(secretariat, uploads, name, data,
                                                         words):
    item = make_item(make_meeting())
    error = refused(rules.add_document, secretariat, item, name, data)
    assert error.status == 415 and error.field == "file"
    assert words in error.message
    assert count(AgendaDocument) == 0
    assert not uploads.exists() or not any(uploads.iterdir())


def test_oversize_file_is_refused_and_nothing_is_saved(app, secretariat, uploads):
    app.config["MEETING_DOCUMENT_MAX_BYTES"] = 1_048_576
    item = make_item(make_meeting())
    data = PDF_BYTES + b"0" * (1_048_576 - len(PDF_BYTES) + 1)
    error = refused(rules.add_document, secretariat, item, "big.pdf", data)
    assert error.status == 413
    assert "Le fichier dépasse la limite de 1 Mo : il n'a pas été enregistré" in error.message
    assert count(AgendaDocument) == 0
    assert not uploads.exists() or not any(uploads.iterdir())


def test_file_names_lose_their_folders(secretariat):
    item = make_item(make_meeting())
    document = rules.add_document(secretariat, item, "..\\..\\etc/passwd.pdf", PDF_BYTES)
    assert document.original_name == "passwd.pdf"


# --- suggestions ----------------------------------------------------------------------------


def test_director_suggests_and_secretariat_accepts_into_the_agenda(secretariat):
    director = make_user()
    meeting = make_meeting(status="convened", items=1)
    suggestion = make_suggestion(director, meeting, title="Export consortium",
                                 kind=AgendaItemKind.DECISION)
    assert suggestion.member_id == director.member_id
    item = rules.accept_suggestion(secretariat, suggestion)
    db.session.commit()
    assert suggestion.status == SuggestionStatus.ACCEPTED and suggestion.agenda_item_id == item.id
    assert item.position == 2 and item.presenter_member_id == director.member_id
    assert item.kind == AgendaItemKind.DECISION


def test_declining_needs_a_reason_that_the_director_keeps(secretariat):
    director = make_user()
    meeting = make_meeting(status="convened", items=1)
    suggestion = make_suggestion(director, meeting)
    error = refused(rules.decline_suggestion, secretariat, suggestion, " ")
    assert error.field == "reason"
    rules.decline_suggestion(secretariat, suggestion, "Already item 1")
    db.session.commit()
    saved = db.session.get(AgendaSuggestion, suggestion.id)
    assert saved.status == SuggestionStatus.DECLINED and saved.decision_reason == "Already item 1"
    error = refused(rules.accept_suggestion, secretariat, saved)
    assert error.status == 409 and "déjà reçu une réponse" in error.message


def test_suggestions_are_closed_once_the_session_started(app):
    director = make_user()
    meeting = make_meeting(status="in_session", items=1)
    error = refused(rules.suggest_item, director, meeting, title="Late", duration_minutes=5)
    assert error.status == 409 and "jusqu'à l'ouverture de la séance" in error.message


def test_observer_cannot_suggest(app):
    observer = make_user(role="observer")
    meeting = make_meeting(status="convened", items=1)
    assert refused(rules.suggest_item, observer, meeting, title="X",
                   duration_minutes=5).status == 403


# --- attendance, proxies and quorum ---------------------------------------------------------


@pytest.fixture
def five(app):
    make_network()
    return [make_member(short_name=f"M{n}") for n in range(1, 6)]


def _status(meeting, member):
    row = db.session.scalar(select(Attendance).where(Attendance.meeting_id == meeting.id,
                                                     Attendance.member_id == member.id))
    return row.status if row else None


def test_attendance_records_who_recorded_it(secretariat, five):
    meeting = make_meeting(status="convened", items=1)
    row = rules.record_attendance(secretariat, meeting, five[0], PRESENT,
                                  attendee_name="Deputy director")
    db.session.commit()
    assert row.signed_in_by_id == secretariat.id and row.attendee_name == "Deputy director"


def test_proxy_to_oneself_is_refused(secretariat, five):
    meeting = make_meeting(status="convened", items=1)
    error = refused(rules.record_attendance, secretariat, meeting, five[0], REPRESENTED, five[0])
    assert "ne peut pas détenir sa propre procuration" in error.message
    assert error.field == f"holder_{five[0].id}"
    assert _status(meeting, five[0]) is None


def test_proxy_to_a_holder_at_the_maximum_is_refused(secretariat, five):
    meeting = make_meeting(status="convened", items=1)
    rules.record_attendance(secretariat, meeting, five[0], PRESENT)
    rules.record_attendance(secretariat, meeting, five[1], REPRESENTED, five[0])
    db.session.commit()
    error = refused(rules.record_attendance, secretariat, meeting, five[2], REPRESENTED, five[0])
    assert "M1 détient déjà le maximum de 1 procuration" in error.message
    assert _status(meeting, five[2]) is None


def test_a_higher_maximum_allows_more_proxies(secretariat, five):
    network = make_network()
    network.max_proxies_per_holder = 2
    db.session.commit()
    meeting = make_meeting(status="convened", items=1)
    rules.record_attendance(secretariat, meeting, five[0], PRESENT)
    rules.record_attendance(secretariat, meeting, five[1], REPRESENTED, five[0])
    rules.record_attendance(secretariat, meeting, five[2], REPRESENTED, five[0])
    db.session.commit()
    assert quorum_state(meeting).represented == 2


@pytest.mark.parametrize("holder_status", [None, AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED,
                                           REPRESENTED])
def test_proxy_only_to_a_member_present(secretariat, five, holder_status):
    meeting = make_meeting(status="convened", items=1)
    rules.record_attendance(secretariat, meeting, five[3], PRESENT)
    if holder_status is not None:
        rules.record_attendance(secretariat, meeting, five[0], holder_status,
                                five[3] if holder_status == REPRESENTED else None)
    db.session.commit()
    error = refused(rules.record_attendance, secretariat, meeting, five[1], REPRESENTED, five[0])
    assert "M1 n'est pas enregistré comme présent" in error.message


def test_holder_cannot_become_absent_while_holding_a_proxy(secretariat, five):
    meeting = make_meeting(status="convened", items=1)
    rules.record_attendance(secretariat, meeting, five[0], PRESENT)
    rules.record_attendance(secretariat, meeting, five[1], REPRESENTED, five[0])
    db.session.commit()
    error = refused(rules.record_attendance, secretariat, meeting, five[0],
                    AttendanceStatus.ABSENT)
    assert "M1 n'est pas enregistré comme présent" in error.message
    assert _status(meeting, five[0]) == PRESENT


def test_a_sheet_is_saved_whole_or_not_at_all(secretariat, five):
    meeting = make_meeting(status="convened", items=1)
    entries = [
        rules.AttendanceEntry(five[0].id, PRESENT),
        rules.AttendanceEntry(five[1].id, REPRESENTED, five[0].id),  # holder on the same sheet
        rules.AttendanceEntry(five[2].id, REPRESENTED, five[0].id),  # one too many
    ]
    error = refused(rules.record_attendance_sheet, secretariat, meeting, entries)
    assert "maximum" in error.message
    assert count(Attendance) == 0
    rules.record_attendance_sheet(secretariat, meeting, entries[:2])
    db.session.commit()
    assert count(Attendance) == 2


def test_sheet_refuses_to_overwrite_what_someone_else_recorded(secretariat, five):
    meeting = make_meeting(status="convened", items=1)
    shown = rules.fingerprint(None, None, "")
    rules.record_attendance(secretariat, meeting, five[0], AttendanceStatus.EXCUSED)
    db.session.commit()
    error = refused(rules.record_attendance_sheet, secretariat, meeting,
                    [rules.AttendanceEntry(five[0].id, PRESENT, seen=shown)])
    assert error.status == 409 and "Quelqu'un d'autre a enregistré entre-temps" in error.message
    # A line left as it was shown keeps the other person's answer.
    rules.record_attendance_sheet(secretariat, meeting,
                                  [rules.AttendanceEntry(five[0].id, None, seen=shown)])
    db.session.commit()
    assert _status(meeting, five[0]) == AttendanceStatus.EXCUSED


def test_attendance_cannot_change_before_convening_or_after_closing(secretariat, five):
    for status in ("draft", "closed"):
        meeting = make_meeting(status=status, items=1)
        error = refused(rules.record_attendance, secretariat, meeting, five[0], PRESENT)
        assert error.status == 409


def test_quorum_counts_present_and_represented_strictly_above_half(secretariat, five):
    meeting = make_meeting(status="convened", items=1)
    assert quorum_state(meeting).needed == 3  # 5 members: more than 50 % is 3
    rules.record_attendance(secretariat, meeting, five[0], PRESENT)
    rules.record_attendance(secretariat, meeting, five[1], PRESENT)
    db.session.commit()
    state = quorum_state(meeting)
    assert (state.present, state.represented, state.counted, state.reached) == (2, 0, 2, False)
    rules.record_attendance(secretariat, meeting, five[2], REPRESENTED, five[0])
    db.session.commit()
    state = quorum_state(meeting)
    assert (state.counted, state.reached, state.electorate) == (3, True, 5)


def test_inactive_members_do_not_count_for_the_quorum(secretariat, five):
    five[4].is_active = False
    db.session.commit()
    meeting = make_meeting(status="convened", items=1)
    assert quorum_state(meeting).electorate == 4


# --- the live session -----------------------------------------------------------------------


def test_next_item_ends_the_current_one_and_starts_the_following(secretariat):
    meeting = make_meeting(status="in_session", items=2)
    first, second = db.session.scalars(select(AgendaItem).order_by(AgendaItem.position)).all()
    following = rules.next_item(secretariat, meeting, first.id)
    db.session.commit()
    assert following.id == second.id == meeting.current_item_id
    assert first.ended_at is not None and second.started_at is not None
    assert rules.next_item(secretariat, meeting, second.id) is None
    db.session.commit()
    assert meeting.current_item_id is None and second.ended_at is not None


def test_a_second_click_on_next_is_refused(secretariat):
    meeting = make_meeting(status="in_session", items=3)
    first = db.session.scalar(select(AgendaItem).order_by(AgendaItem.position))
    rules.next_item(secretariat, meeting, first.id)
    db.session.commit()
    error = refused(rules.next_item, secretariat, meeting, first.id)
    assert error.status == 409 and "déjà passée à la suite" in error.message


def test_closing_ends_the_current_item(secretariat):
    meeting = make_meeting(status="in_session", items=2)
    rules.move_meeting(secretariat, meeting, "close")
    db.session.commit()
    started = db.session.scalars(select(AgendaItem).where(AgendaItem.started_at.is_not(None)))
    assert all(item.ended_at is not None for item in started)
    assert meeting.current_item_id is None
