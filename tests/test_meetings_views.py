"""The meetings pages as each role meets them: forms, confirmations, messages (in French),
uploads, attendance, the live session and the calendar file."""

import io
import re
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from sqlalchemy import func, select

from planner import ROOT
from planner.core.time import to_utc
from planner.extensions import db
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
from tests.conftest import count_queries, executable_html, page_text, post
from tests.factories import (
    PDF_BYTES,
    make_document,
    make_item,
    make_meeting,
    make_member,
    make_network,
    make_suggestion,
    make_user,
)


@pytest.fixture(autouse=True)
def uploads(app, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    return tmp_path / "uploads" / "meetings"


@pytest.fixture
def secretariat(app):
    make_network()
    return make_user(role="secretariat", full_name="Secrétariat CE3M")


@pytest.fixture
def office(as_user, secretariat):
    """A client signed in as the secretariat."""
    return as_user(secretariat)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def titles_in_order(meeting_id: int) -> list[str]:
    return list(db.session.scalars(select(AgendaItem.title).where(
        AgendaItem.meeting_id == meeting_id).order_by(AgendaItem.position)))


# June 2026: Casablanca is at UTC+1 in every time-zone table the app uses (see README).
MEETING_FORM = {
    "title": "Réunion stratégique", "starts_at": "2026-06-10T10:00",
    "ends_at": "2026-06-10T13:30", "venue": "Parc d'exposition", "address": "Casablanca",
    "context": "En marge du MIDEST", "objectives": "Une stratégie", "minutes_language": "fr",
}


# --- list and creation ----------------------------------------------------------------------


def test_secretariat_creates_a_meeting_in_local_time(office):
    response = post(office, "/meetings/new", MEETING_FORM, page="/meetings/new")
    assert response.status_code == 302
    meeting = db.session.scalar(select(Meeting))
    # June 2026 in Casablanca is UTC+1: 10:00 local is stored as 09:00 UTC.
    assert meeting.starts_at == datetime(2026, 6, 10, 9, 0)
    assert meeting.starts_at == to_utc(datetime(2026, 6, 10, 10, 0), "Africa/Casablanca")
    page = page_text(office.get(response.headers["Location"]))
    assert "Réunion stratégique" in page and "En préparation" in page
    assert "10:00" in page and "13:30" in page  # shown back in local time


def test_meeting_ending_before_it_starts_is_refused_with_the_input_kept(office):
    data = dict(MEETING_FORM, ends_at="2026-06-10T09:00")
    response = post(office, "/meetings/new", data, page="/meetings/new")
    assert response.status_code == 400
    page = page_text(response)
    assert "La réunion doit se terminer après son début." in page
    assert 'value="Réunion stratégique"' in page
    assert count(Meeting) == 0


def test_list_separates_upcoming_and_past_and_hides_drafts_from_directors(as_user, office):
    make_meeting(title="Prochaine", status="convened", items=1)
    make_meeting(title="Ancienne", status="closed", items=1,
                 starts_at=datetime(2020, 1, 10, 9))
    make_meeting(title="Brouillon")
    director_page = page_text(as_user(make_user()).get("/meetings/"))
    upcoming, past = director_page.split("Passées et annulées")
    assert "Prochaine" in upcoming and "Ancienne" in past
    assert "Brouillon" not in director_page
    assert "Brouillon" in page_text(office.get("/meetings/"))


def _past_meetings(count: int, first: int = 1) -> None:
    """Cancelled meetings one week apart, "Passée 001" the oldest (cancelling is the rules'
    shortest way into the past list)."""
    for n in range(first, first + count):
        make_meeting(title=f"Passée {n:03d}", status="cancelled",
                     starts_at=datetime(2020, 1, 6, 9) + timedelta(weeks=n))


def test_past_meetings_come_fifty_a_page_latest_first_with_their_count(as_user):
    make_meeting(title="Prochaine", status="convened", items=1)
    _past_meetings(60)
    client = as_user(make_user())

    first = page_text(client.get("/meetings/"))
    assert "60 réunions clôturées ou annulées. Affichage de 1 à 50." in first
    assert "Prochaine" in first and "Page 1 sur 2" in first
    assert first.index("Passée 060") < first.index("Passée 011")
    assert "Passée 010" not in first
    assert 'href="/meetings/?page=2#past-title"' in client.get("/meetings/").get_data(as_text=True)

    response = client.get("/meetings/?page=2")
    assert response.status_code == 200
    second = page_text(response)
    assert "Affichage de 51 à 60." in second and "Page 2 sur 2" in second
    assert second.index("Passée 010") < second.index("Passée 001")
    assert "Passée 011" not in second
    # The meetings not yet closed are listed above every page of the past ones.
    assert second.index("Prochaine") < second.index("Passées et annulées")


def test_a_page_past_the_end_shows_the_last_and_a_page_that_is_no_number_the_first(as_user):
    _past_meetings(55)
    client = as_user(make_user())
    for address, shown, hidden in (("/meetings/?page=9", "Passée 001", "Passée 006"),
                                   ("/meetings/?page=deux", "Passée 055", "Passée 005"),
                                   ("/meetings/?page=-1", "Passée 055", "Passée 005")):
        response = client.get(address)
        assert response.status_code == 200, address
        page = page_text(response)
        assert shown in page and hidden not in page, address


def test_meetings_not_yet_closed_page_on_their_own_and_are_counted_per_role(as_user, office):
    for n in range(52):
        make_meeting(title=f"Convoquée {n:03d}", status="convened", items=1,
                     starts_at=datetime(2030, 1, 7, 9) + timedelta(weeks=n))
    make_meeting(title="Brouillon", starts_at=datetime(2040, 1, 1, 9))
    _past_meetings(55)
    client = as_user(make_user())
    response = client.get("/meetings/")
    first, text = response.get_data(as_text=True), page_text(response)
    assert "52 réunions pas encore clôturées. Affichage de 1 à 50." in text
    assert "Convoquée 049" in text and "Convoquée 050" not in text
    assert 'href="/meetings/?upcoming=2#upcoming-title"' in first

    # The next page of one list keeps the other list's page.
    response = client.get("/meetings/?upcoming=2&page=2")
    assert response.status_code == 200
    both = page_text(response)
    assert "Affichage de 51 à 52." in both and "Convoquée 051" in both
    assert "Convoquée 049" not in both
    assert "Affichage de 51 à 55." in both and "Passée 001" in both
    html = response.get_data(as_text=True)
    assert 'href="/meetings/?page=2&amp;upcoming=1#upcoming-title"' in html
    assert 'href="/meetings/?upcoming=2&amp;page=1#past-title"' in html

    # The secretariat's count includes the draft that directors do not see.
    office_page = page_text(office.get("/meetings/?upcoming=2"))
    assert "53 réunions pas encore clôturées. Affichage de 51 à 53." in office_page
    assert "Brouillon" in office_page


def test_the_meetings_list_runs_the_same_queries_with_3_meetings_and_60(as_user):
    client = as_user(make_user(role="secretariat"))
    make_meeting(title="Brouillon")
    make_meeting(status="convened", items=2)
    _past_meetings(1)

    def rendered() -> tuple[int, str]:
        # The first load after a change renders (a kept page would run a single statement).
        with count_queries() as run:
            response = client.get("/meetings/")
        assert response.status_code == 200
        return len(run), page_text(response)

    few, page = rendered()
    assert page.count("Passée 0") == 1
    for _ in range(2):
        make_meeting(status="convened", items=3)
    _past_meetings(55, first=2)
    many, page = rendered()
    assert page.count("Passée 0") == 50
    assert many == few


def test_draft_meeting_is_not_found_for_a_director(as_user):
    meeting = make_meeting(items=1)
    assert as_user(make_user()).get(f"/meetings/{meeting.id}").status_code == 404


def test_director_cannot_reach_the_secretariat_pages(as_user):
    meeting = make_meeting(status="convened", items=1)
    client = as_user(make_user())
    for url in (f"/meetings/{meeting.id}/edit", f"/meetings/{meeting.id}/agenda",
                f"/meetings/{meeting.id}/attendance", f"/meetings/{meeting.id}/open"):
        assert client.get(url).status_code == 403, url


def test_meeting_pages_carry_no_inline_script_or_style(office):
    meeting = make_meeting(status="in_session", items=2)
    for url in (f"/meetings/{meeting.id}", f"/meetings/{meeting.id}/live",
                f"/meetings/{meeting.id}/agenda", f"/meetings/{meeting.id}/attendance",
                "/meetings/", "/"):
        assert executable_html(office.get(url).get_data(as_text=True)) == [], url


# --- lifecycle with confirmation ------------------------------------------------------------


def test_convening_asks_for_confirmation_then_dates_the_move(office):
    meeting = make_meeting(items=1)
    url = f"/meetings/{meeting.id}/convene"
    page = page_text(office.get(url))
    assert "Convoquer la réunion" in page and "Je confirme" in page
    response = post(office, url, {}, page=url)
    assert response.status_code == 400
    assert "Cochez la case pour confirmer." in page_text(response)
    assert db.session.get(Meeting, meeting.id).status == MeetingStatus.DRAFT
    response = post(office, url, {"confirm": "y"}, page=url)
    assert response.status_code == 302
    saved = db.session.get(Meeting, meeting.id)
    assert saved.status == MeetingStatus.CONVENED and saved.convened_at is not None
    assert "La réunion est convoquée" in page_text(office.get(response.headers["Location"]))


def test_illegal_move_answers_409_with_the_reason(office):
    meeting = make_meeting(status="closed", items=1)
    for method in ("get", "post"):
        url = f"/meetings/{meeting.id}/open"
        response = office.get(url) if method == "get" else post(
            office, url, {"confirm": "y"}, page="/meetings/")
        assert response.status_code == 409
        assert "seule une réunion convoquée peut ouvrir sa séance" in page_text(response)
    assert db.session.get(Meeting, meeting.id).status == MeetingStatus.CLOSED


def test_cancelling_asks_a_reason_shown_on_the_meeting_page(as_user, office):
    meeting = make_meeting(status="convened", items=1)
    url = f"/meetings/{meeting.id}/cancel"
    response = post(office, url, {"confirm": "y", "reason": ""}, page=url)
    assert response.status_code == 400
    assert "Indiquez pourquoi la réunion est annulée" in page_text(response)
    post(office, url, {"confirm": "y", "reason": "Salle indisponible"}, page=url)
    page = page_text(as_user(make_user()).get(f"/meetings/{meeting.id}"))
    assert "Cette réunion a été annulée" in page and "Salle indisponible" in page


def test_editing_a_meeting_after_the_session_started_is_refused(office):
    meeting = make_meeting(status="in_session", items=1)
    response = office.get(f"/meetings/{meeting.id}/edit")
    assert response.status_code == 409
    assert "ses informations ne peuvent plus être modifiées" in page_text(response)


def test_stale_meeting_edit_shows_the_newer_values(as_user, office):
    meeting = make_meeting(title="Titre initial")
    url = f"/meetings/{meeting.id}/edit"
    other = as_user(make_user(role="secretariat"))
    form_page = office.get(url).get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', form_page).group(1)
    post(other, url, dict(MEETING_FORM, title="Titre du collègue",
                          version=str(meeting.version)), page=url)
    response = post(office, url, dict(MEETING_FORM, title="Mon titre", version=version), page=url)
    assert response.status_code == 409
    page = page_text(response)
    assert "Quelqu'un d'autre a modifié cette réunion" in page
    assert 'value="Titre du collègue"' in page
    assert db.session.get(Meeting, meeting.id).title == "Titre du collègue"


# --- the agenda -----------------------------------------------------------------------------


def test_secretariat_builds_and_reorders_the_agenda(office):
    meeting = make_meeting(starts_at=datetime(2026, 6, 10, 9, 0))  # 10:00 in Casablanca
    new_url = f"/meetings/{meeting.id}/items/new"
    for title, minutes in (("Stratégie", 60), ("Plan d'actions", 45), ("Statut juridique", 30)):
        response = post(office, new_url, {"title": title, "kind": "decision",
                                          "duration_minutes": minutes}, page=new_url)
        assert response.status_code == 302
    agenda_url = f"/meetings/{meeting.id}/agenda"
    last = db.session.scalar(select(AgendaItem).where(AgendaItem.title == "Statut juridique"))
    response = post(office, f"/meetings/items/{last.id}/move", {"direction": "up"},
                    page=agenda_url)
    assert response.status_code == 302
    assert titles_in_order(meeting.id) == ["Stratégie", "Statut juridique", "Plan d'actions"]
    page = page_text(office.get(agenda_url))
    assert "« Statut juridique » est maintenant le point 2." in page
    # Planned times follow the new order: 10:00, 11:00, 11:30.
    assert re.search(r"11:00–11:30.*Statut juridique", page, re.S)
    assert re.search(r"11:30–12:15.*Plan d'actions", page, re.S)


def test_agenda_warns_when_it_overruns_the_meeting(office):
    meeting = make_meeting()  # three hours
    make_item(meeting, title="Long", duration_minutes=150)
    make_item(meeting, title="Too long", duration_minutes=60)
    page = page_text(office.get(f"/meetings/{meeting.id}/agenda"))
    assert "L'ordre du jour dépasse la réunion de 30 min" in page
    assert "après la fin prévue" in page


@pytest.mark.parametrize("minutes", ["0", "-10", ""])
def test_bad_durations_are_refused_on_the_form(office, minutes):
    meeting = make_meeting()
    url = f"/meetings/{meeting.id}/items/new"
    response = post(office, url, {"title": "Budget", "kind": "discussion",
                                  "duration_minutes": minutes}, page=url)
    assert response.status_code == 400
    assert "La durée doit être comprise entre 1 et 1440 minutes." in page_text(response)
    assert count(AgendaItem) == 0


def test_agenda_change_after_the_session_started_is_refused(office):
    meeting = make_meeting(status="in_session", items=2)
    item = db.session.scalar(select(AgendaItem).where(AgendaItem.title == "Item 2"))
    response = post(office, f"/meetings/{meeting.id}/items/new",
                    {"title": "Late", "kind": "discussion", "duration_minutes": 5},
                    page=f"/meetings/{meeting.id}")
    assert response.status_code == 409
    assert "La séance a commencé : l'ordre du jour ne peut plus être modifié." in page_text(
        response)
    response = post(office, f"/meetings/items/{item.id}/move", {"direction": "up"},
                    page=f"/meetings/{meeting.id}")
    assert response.status_code == 409
    assert titles_in_order(meeting.id) == ["Item 1", "Item 2"]


def test_two_secretaries_editing_the_same_item_second_save_refused_with_newer_text(as_user,
                                                                                  office):
    meeting = make_meeting()
    item = make_item(meeting, title="Budget", description="Première version")
    url = f"/meetings/items/{item.id}/edit"
    colleague = as_user(make_user(role="secretariat"))
    mine = office.get(url).get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', mine).group(1)
    theirs = colleague.get(url).get_data(as_text=True)
    their_version = re.search(r'name="version" type="hidden" value="(\d+)"', theirs).group(1)
    response = post(colleague, url, {"title": "Budget 2017", "kind": "decision",
                                     "duration_minutes": 30, "description": "Texte du collègue",
                                     "version": their_version}, page=url)
    assert response.status_code == 302
    response = post(office, url, {"title": "Budget révisé", "kind": "discussion",
                                  "duration_minutes": 20, "description": "Mon texte",
                                  "version": version}, page=url)
    assert response.status_code == 409
    page = page_text(response)
    assert "Quelqu'un d'autre a modifié ce point pendant que vous le modifiiez" in page
    assert 'value="Budget 2017"' in page and "Texte du collègue" in page
    saved = db.session.get(AgendaItem, item.id)
    assert (saved.title, saved.description) == ("Budget 2017", "Texte du collègue")


def test_removing_an_item_asks_first(office):
    meeting = make_meeting(items=2)
    item = db.session.scalar(select(AgendaItem).where(AgendaItem.title == "Item 1"))
    url = f"/meetings/items/{item.id}/remove"
    assert "Retirer « Item 1 » de l'ordre du jour ?" in page_text(office.get(url))
    assert post(office, url, {}, page=url).status_code == 302
    assert titles_in_order(meeting.id) == ["Item 2"]


def test_review_item_explains_that_the_action_plan_will_fill_it(as_user):
    meeting = make_meeting(status="convened", items=1)
    make_item(meeting, title="Revue des actions", kind=AgendaItemKind.REVIEW)
    response = as_user(make_user(role="observer")).get(f"/meetings/{meeting.id}")
    assert response.status_code == 200
    page = page_text(response)
    assert "Revue des actions précédentes" in page
    if not (ROOT / "templates" / "plan" / "_review_actions.html").exists():
        assert "Le plan d'actions listera ici les actions en cours" in page


# --- documents ------------------------------------------------------------------------------


def upload(client, item, name, data):
    url = f"/meetings/items/{item.id}/documents"
    return post(client, url, {"file": (io.BytesIO(data), name)}, page=url,
                content_type="multipart/form-data")


def test_uploaded_document_is_served_only_to_signed_in_users_as_an_attachment(app, as_user,
                                                                              office, uploads):
    meeting = make_meeting(status="convened", items=1)
    item = make_item(meeting)
    response = upload(office, item, "programme.pdf", PDF_BYTES)
    assert response.status_code == 302
    document = db.session.scalar(select(AgendaDocument))
    assert (uploads / document.stored_name).read_bytes() == PDF_BYTES
    url = f"/meetings/documents/{document.id}"
    response = as_user(make_user(role="observer")).get(url)
    assert response.status_code == 200 and response.data == PDF_BYTES
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "programme.pdf" in response.headers["Content-Disposition"]
    anonymous = app.test_client().get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    # The meeting page links the document for everyone.
    assert url in as_user(make_user()).get(f"/meetings/{meeting.id}").get_data(as_text=True)


def test_disguised_upload_is_refused_with_a_message_and_nothing_saved(office, uploads):
    item = make_item(make_meeting())
    response = upload(office, item, "rapport.pdf", b"<html><script>alert(1)</script>")
    assert response.status_code == 415
    assert "quoi qu'en dise son nom : il n'a pas été enregistré" in page_text(response)
    response = upload(office, item, "photo.png", PDF_BYTES)
    assert response.status_code == 415
    assert "son contenu est un fichier PDF" in page_text(response)
    assert count(AgendaDocument) == 0
    assert not uploads.exists() or not any(uploads.iterdir())


def test_oversize_upload_is_refused_with_a_message_and_nothing_saved(app, office, uploads):
    # A quarter of a megabyte: big enough to refuse, small enough for the test client to
    # build the request in memory.
    app.config["MEETING_DOCUMENT_MAX_BYTES"] = 262_144
    item = make_item(make_meeting())
    response = upload(office, item, "gros.pdf", PDF_BYTES + b"0" * 262_144)
    assert response.status_code == 413
    assert "Le fichier dépasse la limite de 0,25 Mo" in page_text(response)
    assert count(AgendaDocument) == 0
    assert not uploads.exists() or not any(uploads.iterdir())


def test_draft_documents_are_hidden_from_directors(as_user):
    document = make_document(make_item(make_meeting()))
    assert as_user(make_user()).get(f"/meetings/documents/{document.id}").status_code == 404


def test_removing_a_document_deletes_its_file(office, uploads):
    document = make_document(make_item(make_meeting()))
    stored, item_id = uploads / document.stored_name, document.item_id
    assert stored.exists()
    response = post(office, f"/meetings/documents/{document.id}/remove", {},
                    page=f"/meetings/items/{item_id}/documents")
    assert response.status_code == 302
    assert count(AgendaDocument) == 0
    assert not stored.exists()


# --- suggestions ----------------------------------------------------------------------------


def test_director_suggests_secretariat_declines_director_reads_the_reason(as_user, office):
    meeting = make_meeting(status="convened", items=1)
    director = make_user()
    director_client = as_user(director)
    url = f"/meetings/{meeting.id}/suggest"
    response = post(director_client, url, {"title": "Consortium export", "kind": "decision",
                                            "duration_minutes": 20,
                                            "description": "Mutualiser"}, page=url)
    assert response.status_code == 302
    page = page_text(director_client.get(f"/meetings/{meeting.id}"))
    assert "Consortium export" in page and "En attente de la réponse du secrétariat" in page
    suggestion = db.session.scalar(select(AgendaSuggestion))
    other = page_text(as_user(make_user()).get(f"/meetings/{meeting.id}"))
    assert "Consortium export" not in other  # another cluster's suggestion stays private
    agenda = page_text(office.get(f"/meetings/{meeting.id}/agenda"))
    assert "Consortium export" in agenda and "Refuser avec un motif" in agenda
    decline_url = f"/meetings/suggestions/{suggestion.id}/decline"
    response = post(office, decline_url, {"reason": ""}, page=decline_url)
    assert response.status_code == 400
    response = post(office, decline_url, {"reason": "Déjà traité au point 1"}, page=decline_url)
    assert response.status_code == 302
    page = page_text(director_client.get(f"/meetings/{meeting.id}"))
    assert "Refusée" in page and "Motif : Déjà traité au point 1" in page


def test_accepted_suggestion_joins_the_agenda(as_user, office):
    meeting = make_meeting(status="convened", items=1)
    director = make_user()
    suggestion = make_suggestion(director, meeting, title="Formation")
    response = post(office, f"/meetings/suggestions/{suggestion.id}/accept", {},
                    page=f"/meetings/{meeting.id}/agenda")
    assert response.status_code == 302
    assert titles_in_order(meeting.id) == ["Item 1", "Formation"]
    assert db.session.get(AgendaSuggestion, suggestion.id).status == SuggestionStatus.ACCEPTED
    page = page_text(as_user(director).get(f"/meetings/{meeting.id}"))
    assert "Acceptée : le point est à l'ordre du jour" in page


def test_suggesting_after_the_session_opened_is_refused(as_user):
    meeting = make_meeting(status="in_session", items=1)
    response = as_user(make_user()).get(f"/meetings/{meeting.id}/suggest")
    assert response.status_code == 409
    assert "jusqu'à l'ouverture de la séance" in page_text(response)


# --- attendance and quorum ------------------------------------------------------------------


@pytest.fixture
def clusters(app):
    make_network()
    return [make_member(short_name=name) for name in ("ALPHA", "BETA", "GAMMA", "DELTA")]


def sheet(clusters, **lines):
    """Form data for the attendance sheet: lines={"ALPHA": ("present", None), ...}."""
    by_name = {member.short_name: member for member in clusters}
    data = {}
    for member in clusters:
        status, holder = lines.get(member.short_name, ("", None))
        data[f"status_{member.id}"] = status
        data[f"holder_{member.id}"] = str(by_name[holder].id) if holder else ""
        data[f"attendee_{member.id}"] = ""
    return data


def test_attendance_sheet_with_a_proxy_changes_the_quorum(office, clusters):
    meeting = make_meeting(status="convened", items=1)
    url = f"/meetings/{meeting.id}/attendance"
    page = page_text(office.get(url))
    assert "Quorum non atteint : 0 clusters membres sur 4" in page
    response = post(office, url, sheet(clusters, ALPHA=("present", None),
                                       BETA=("present", None)), page=url)
    assert response.status_code == 302
    assert "Quorum non atteint : 2 clusters membres sur 4" in page_text(office.get(url))
    response = post(office, url, sheet(clusters, ALPHA=("present", None), BETA=("present", None),
                                       GAMMA=("represented", "ALPHA")), page=url)
    assert response.status_code == 302
    page = page_text(office.get(f"/meetings/{meeting.id}"))
    assert "Quorum atteint : 3 clusters membres sur 4 présents ou représentés (3 requis)." in page
    assert "représenté par ALPHA" in page and "détient la procuration de GAMMA" in page
    assert "Secrétariat CE3M" in page  # who recorded it


def test_proxy_to_oneself_is_refused_on_the_sheet(office, clusters):
    meeting = make_meeting(status="convened", items=1)
    url = f"/meetings/{meeting.id}/attendance"
    response = post(office, url, sheet(clusters, ALPHA=("present", None),
                                       BETA=("represented", "BETA")), page=url)
    assert response.status_code == 400
    assert "BETA ne peut pas détenir sa propre procuration" in page_text(response)
    assert count(Attendance) == 0  # not even ALPHA, nothing half-way


def test_refused_sheet_shows_what_was_recorded_before(office, clusters):
    meeting = make_meeting(status="convened", items=1)
    url = f"/meetings/{meeting.id}/attendance"
    post(office, url, sheet(clusters, ALPHA=("present", None), BETA=("represented", "ALPHA")),
         page=url)
    response = post(office, url, sheet(clusters, ALPHA=("present", None),
                                       BETA=("represented", "ALPHA"),
                                       GAMMA=("represented", "ALPHA")), page=url)
    assert response.status_code == 400
    page = page_text(response)
    assert "ALPHA détient déjà le maximum de 1 procuration" in page
    assert "détient la procuration de BETA" in page and "Secrétariat CE3M" in page
    assert count(Attendance) == 2


def test_proxy_to_a_holder_at_the_maximum_is_refused_on_the_sheet(office, clusters):
    meeting = make_meeting(status="convened", items=1)
    url = f"/meetings/{meeting.id}/attendance"
    response = post(office, url, sheet(clusters, ALPHA=("present", None),
                                       BETA=("represented", "ALPHA"),
                                       GAMMA=("represented", "ALPHA")), page=url)
    assert response.status_code == 400
    assert "ALPHA détient déjà le maximum de 1 procuration" in page_text(response)
    assert count(Attendance) == 0


def test_attendance_recorded_by_someone_else_meanwhile_is_not_overwritten(as_user, office,
                                                                         clusters):
    meeting = make_meeting(status="convened", items=1)
    url = f"/meetings/{meeting.id}/attendance"
    colleague = as_user(make_user(role="secretariat"))
    mine = office.get(url).get_data(as_text=True)
    seen = dict(re.findall(r'name="(seen_\d+)" type="hidden" value="([^"]*)"', mine))
    post(colleague, url, sheet(clusters, ALPHA=("excused", None)), page=url)
    response = post(office, url, {**sheet(clusters, ALPHA=("present", None)), **seen}, page=url)
    assert response.status_code == 409
    assert "Quelqu'un d'autre a enregistré entre-temps la présence de ALPHA" in page_text(response)
    row = db.session.scalar(select(Attendance))
    assert row.status == AttendanceStatus.EXCUSED


# --- live session ---------------------------------------------------------------------------


def test_live_session_follows_the_secretariat(as_user, office):
    meeting = make_meeting(status="in_session", items=3)
    first, second, third = db.session.scalars(
        select(AgendaItem).order_by(AgendaItem.position)).all()
    observer = as_user(make_user(role="observer"))
    page = page_text(observer.get(f"/meetings/{meeting.id}/live"))
    assert "Point en cours" in page and "1. Item 1" in page and "2. Item 2" in page
    assert "Passer au point suivant" not in page  # only the secretariat moves on
    state = observer.get(f"/meetings/{meeting.id}/live.json").get_json()
    assert state["current_item_id"] == first.id and state["next_item_id"] == second.id
    assert [item["state"] for item in state["items"]] == ["current", "upcoming", "upcoming"]
    live_url = f"/meetings/{meeting.id}/live"
    response = post(office, f"/meetings/{meeting.id}/next",
                    {"current_item_id": str(first.id)}, page=live_url)
    assert response.status_code == 302
    state = observer.get(f"/meetings/{meeting.id}/live.json").get_json()
    assert state["current_item_id"] == second.id and state["next_item_id"] == third.id
    assert state["items"][0]["state"] == "done"
    assert "Quorum non atteint" in state["quorum"]["label"]
    page = page_text(observer.get(live_url))  # a reload without JavaScript shows the same
    assert re.search(r'aria-current="step"[^>]*>\s*<td>2</td>', observer.get(live_url)
                     .get_data(as_text=True))
    assert "3. Item 3" in page


def test_a_stale_next_click_is_refused_with_the_current_state(office):
    meeting = make_meeting(status="in_session", items=3)
    first = db.session.scalar(select(AgendaItem).order_by(AgendaItem.position))
    live_url = f"/meetings/{meeting.id}/live"
    post(office, f"/meetings/{meeting.id}/next", {"current_item_id": str(first.id)},
         page=live_url)
    response = post(office, f"/meetings/{meeting.id}/next", {"current_item_id": str(first.id)},
                    page=live_url)
    assert response.status_code == 409
    page = page_text(response)
    assert "La séance est déjà passée à la suite" in page and "2. Item 2" in page


def test_live_page_of_a_meeting_not_started_says_so(as_user):
    meeting = make_meeting(status="convened", items=1)
    page = page_text(as_user(make_user()).get(f"/meetings/{meeting.id}/live"))
    assert "La séance n'a pas encore commencé" in page


# --- calendar file --------------------------------------------------------------------------


def test_calendar_file_parses_back_with_the_network_time_zone(as_user):
    meeting = make_meeting(status="convened", items=2, title="Réunion de Casablanca",
                           starts_at=datetime(2026, 6, 10, 9, 0), venue="OFEC")
    response = as_user(make_user()).get(f"/meetings/{meeting.id}/calendar.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/calendar")
    assert "attachment" in response.headers["Content-Disposition"]
    calendar = icalendar.Calendar.from_ical(response.data)
    assert calendar["VERSION"] == "2.0"
    timezone = calendar.walk("VTIMEZONE")[0]
    assert timezone["TZID"] == "Africa/Casablanca"
    event = calendar.walk("VEVENT")[0]
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert event["DTSTART"].params["TZID"] == "Africa/Casablanca"
    assert (start.hour, start.minute) == (10, 0)  # local time in the file
    assert start.astimezone(UTC).replace(tzinfo=None) == meeting.starts_at
    assert end.astimezone(UTC).replace(tzinfo=None) == meeting.ends_at
    assert "Réunion de Casablanca" in str(event["SUMMARY"])
    assert str(event["LOCATION"]).startswith("OFEC")
    assert event["STATUS"] == "CONFIRMED"
    assert "Item 1" in str(event["DESCRIPTION"])
    assert str(event["UID"]).startswith(f"meeting-{meeting.id}@")


def test_calendar_file_of_a_cancelled_meeting_says_cancelled(as_user):
    meeting = make_meeting(status="cancelled", items=1)
    response = as_user(make_user()).get(f"/meetings/{meeting.id}/calendar.ics")
    event = icalendar.Calendar.from_ical(response.data).walk("VEVENT")[0]
    assert event["STATUS"] == "CANCELLED"


# --- home page and demo ---------------------------------------------------------------------


def test_home_shows_the_next_meeting_and_its_agenda(as_user, office):
    meeting = make_meeting(status="convened", items=1, title="Prochaine réunion du réseau")
    make_item(meeting, title="Statut juridique")
    page = page_text(as_user(make_user()).get("/"))
    assert "Prochaine réunion" in page and "Prochaine réunion du réseau" in page
    assert "Statut juridique" in page
    cockpit = page_text(office.get("/"))
    assert "Présence enregistrée pour 0 clusters membres" in cockpit


def test_demo_holds_the_founding_meeting_convened_with_its_agenda(demo, as_user):
    meeting = db.session.scalar(select(Meeting))
    assert meeting.status == MeetingStatus.CONVENED
    assert meeting.starts_at.date().isoformat() == "2016-12-16"
    assert "Office des foires et expositions" in meeting.venue
    assert "MIDEST 2016" in meeting.context
    titles = titles_in_order(meeting.id)
    assert titles[0] == "Revue des actions précédentes"
    for words in ("Stratégie de moyen et long termes", "Plan d'actions", "permanents",
                  "Statut juridique", "Appuis financiers et techniques"):
        assert any(words in title for title in titles), words
    assert count(Attendance) == 0
    support = db.session.scalar(select(AgendaItem).where(
        AgendaItem.title == "Appuis financiers et techniques"))
    for words in ("TAM 3", "Mobilise", "clusters suisse, espagnol et français"):
        assert words in support.description
    page = page_text(as_user(demo.user("director.menara@example.org")).get(
        f"/meetings/{meeting.id}"))
    assert "vendredi 16 décembre 2016" in page and "de 10:00 à 13:30" in page


def test_a_meeting_over_two_days_shows_both_dates(as_user):
    meeting = make_meeting(status="convened", items=1, starts_at=datetime(2026, 6, 10, 8, 0),
                           ends_at=datetime(2026, 6, 11, 16, 0))
    page = page_text(as_user(make_user()).get(f"/meetings/{meeting.id}"))
    assert "du mercredi 10 juin 2026, 09:00 au jeudi 11 juin 2026, 17:00" in page
