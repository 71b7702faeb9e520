"""The shared minutes: assembled from the record, written live, circulated, approved, shared."""

import io
import re
from datetime import datetime, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from planner.core.time import utcnow
from planner.extensions import db
from planner.meetings import rules as meeting_rules
from planner.meetings.models import AgendaItemKind, AttendanceStatus, Meeting
from planner.minutes import rules
from planner.minutes.models import ItemNote, Minutes, MinutesStatus, ShareLink
from planner.proposals import rules as proposal_rules
from planner.proposals.models import DecisionRule, Position, ProposalKind
from tests.conftest import count_queries, executable_html, page_text, post
from tests.factories import make_meeting, make_member, make_network, make_user

XSS = [
    '<script>alert("x")</script>',
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "<style>body{display:none}</style>",
    '<a href="#" onclick="alert(1)">a</a>',
]


class Held:
    """A meeting held end to end through the domains' own rules."""

    def __init__(self, items: int = 3, members: int = 3, language: str = "fr", vote: bool = True):
        make_network()
        self.secretariat = make_user(role="secretariat")
        self.members = [make_member() for _ in range(members)]
        self.directors = [make_user(member=m) for m in self.members]
        start = datetime.combine(utcnow().date() + timedelta(days=1), datetime.min.time())
        self.meeting = meeting_rules.create_meeting(
            self.secretariat,
            title="Réunion stratégique",
            starts_at=start + timedelta(hours=9),
            ends_at=start + timedelta(hours=17),
            venue="Foire de Casablanca",
            context="En marge du MIDEST",
            minutes_language=language,
        )
        self.items = []
        for number in range(items):
            kind = AgendaItemKind.DECISION if number == 0 else AgendaItemKind.DISCUSSION
            self.items.append(
                meeting_rules.add_item(
                    self.secretariat,
                    self.meeting,
                    title=f"Point {number + 1}",
                    kind=kind,
                    duration_minutes=10,
                    presenter_member_id=None,
                    presenter_name="",
                    description="",
                )
            )
        meeting_rules.move_meeting(self.secretariat, self.meeting, "convene")
        entries = [
            meeting_rules.AttendanceEntry(m.id, AttendanceStatus.PRESENT) for m in self.members
        ]
        meeting_rules.record_attendance_sheet(self.secretariat, self.meeting, entries)
        meeting_rules.move_meeting(self.secretariat, self.meeting, "open")
        self.decision = None
        if vote:
            proposal = proposal_rules.create_proposal(
                self.secretariat,
                title="Statut juridique",
                text="Créer une **association**.",
                kind=ProposalKind.MOTION,
                rule=DecisionRule.CONSENSUS,
                agenda_item_id=self.items[0].id,
            )
            round_ = proposal.rounds[0] if hasattr(proposal, "rounds") else None
            round_ = (
                db.session.scalars(select(type(round_) if round_ else None)).first()
                if round_ is None
                else round_
            )
            proposal_rules.open_round(self.secretariat, round_)
            for director, member in zip(self.directors, self.members, strict=True):
                position = Position.OBJECT if member is self.members[-1] else Position.AGREE
                proposal_rules.cast(
                    director,
                    round_,
                    member,
                    position=position,
                    reason="Prématuré : taille critique non atteinte"
                    if position is Position.OBJECT
                    else "",
                )
            self.decision = proposal_rules.close_round(self.secretariat, round_)
        db.session.commit()

    def close(self):
        meeting_rules.move_meeting(self.secretariat, self.meeting, "close")
        db.session.commit()
        return self


@pytest.fixture
def held(app):
    return Held()


def test_minutes_are_assembled_from_the_record(as_user, held):
    note = rules.save_note(held.secretariat, held.items[1], "Le réseau **doit** grandir.", None)
    db.session.commit()
    assert note.id
    page = page_text(
        as_user(make_user(role="observer")).get(f"/meetings/{held.meeting.id}/minutes")
    )
    assert "Réunion stratégique" in page and "Foire de Casablanca" in page
    assert "En marge du MIDEST" in page
    assert "Présents (3)" in page
    assert "Quorum atteint" in page
    assert "<strong>doit</strong>" in page
    assert "Statut juridique" in page
    assert "pas de consensus" in page
    assert "Prématuré : taille critique non atteinte" in page
    assert "Brouillon" in page


def test_minutes_use_the_meeting_language_whatever_the_reader(as_user, app):
    held = Held(language="en")
    reader = as_user(make_user(role="observer"))
    page = page_text(reader.get(f"/meetings/{held.meeting.id}/minutes"))
    assert "Minutes of the meeting" in page  # the document, in English
    assert "Procès-verbaux" in page  # the interface, in the reader's French


def test_notes_written_during_the_session_reach_the_readers(as_user, held):
    secretariat = as_user(held.secretariat)
    item = held.items[1]
    response = post(
        secretariat,
        f"/minutes/items/{item.id}/note",
        {f"item{item.id}-body": "Tour de table : *accord* général.", f"item{item.id}-version": ""},
        page=f"/meetings/{held.meeting.id}/minutes/notes",
    )
    assert response.status_code == 302
    fragment = as_user(held.directors[0]).get(f"/meetings/{held.meeting.id}/minutes/document")
    assert "<em>accord</em>" in fragment.get_data(as_text=True)


def test_second_save_of_a_stale_note_is_refused_and_shows_the_newer_text(as_user, held):
    item = held.items[1]
    first = rules.save_note(held.secretariat, item, "Version A", None)
    db.session.commit()
    stale_version = first.version
    rules.save_note(held.secretariat, item, "Version B, saved meanwhile", stale_version)
    db.session.commit()
    client = as_user(held.secretariat)
    response = post(
        client,
        f"/minutes/items/{item.id}/note",
        {
            f"item{item.id}-body": "Version C from a stale page",
            f"item{item.id}-version": str(stale_version),
        },
        page=f"/meetings/{held.meeting.id}/minutes/notes",
    )
    page = page_text(response)
    assert response.status_code == 409
    assert "Version B, saved meanwhile" in page and "Version C from a stale page" in page
    note = db.session.scalar(select(ItemNote).where(ItemNote.agenda_item_id == item.id))
    assert note.body == "Version B, saved meanwhile"


@pytest.mark.parametrize("payload", XSS)
def test_no_script_reaches_the_minutes_from_notes_or_comments(as_user, app, payload):
    held = Held()
    rules.save_note(held.secretariat, held.items[1], payload, None)
    db.session.commit()
    held.close()
    rules.circulate(held.secretariat, held.meeting)
    minutes = db.session.scalar(select(Minutes))
    rules.add_comment(held.directors[0], minutes, held.items[1], payload)
    db.session.commit()
    client = as_user(held.secretariat)
    for url in (
        f"/meetings/{held.meeting.id}/minutes",
        f"/meetings/{held.meeting.id}/minutes/document",
        f"/meetings/{held.meeting.id}/minutes/notes",
    ):
        assert executable_html(client.get(url).get_data(as_text=True)) == [], url


def test_member_names_are_escaped_in_the_minutes(as_user, app):
    held = Held()
    held.members[0].short_name = "<img src=x onerror=alert(1)>"
    db.session.commit()
    html = (
        as_user(held.secretariat).get(f"/meetings/{held.meeting.id}/minutes").get_data(as_text=True)
    )
    assert "<img src=x onerror" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_circulation_waits_for_the_meeting_to_close(as_user, held):
    client = as_user(held.secretariat)
    url = f"/meetings/{held.meeting.id}/minutes/circulate"
    response = post(client, url, page=f"/meetings/{held.meeting.id}/minutes")
    assert response.status_code == 409
    assert "une fois la réunion clôturée" in page_text(response)
    held.close()
    assert post(client, url, page=f"/meetings/{held.meeting.id}/minutes").status_code == 302
    assert db.session.scalar(select(Minutes)).status is MinutesStatus.CIRCULATED


def test_directors_comment_on_circulated_minutes_and_are_told_on_their_home(as_user, held):
    held.close()
    rules.circulate(held.secretariat, held.meeting)
    db.session.commit()
    director = as_user(held.directors[0])
    home = page_text(director.get("/"))
    assert "Procès-verbaux ouverts à vos commentaires" in home and "Réunion stratégique" in home
    minutes_url = f"/meetings/{held.meeting.id}/minutes"
    response = post(
        director,
        f"{minutes_url}/comments",
        {"item_id": str(held.items[0].id), "body": "Ajouter la date du vote."},
        page=minutes_url,
    )
    assert response.status_code == 302
    page = page_text(as_user(held.secretariat).get(minutes_url))
    assert "Ajouter la date du vote." in page


def test_observer_cannot_comment(as_user, held):
    held.close()
    rules.circulate(held.secretariat, held.meeting)
    db.session.commit()
    observer = as_user(make_user(role="observer"))
    url = f"/meetings/{held.meeting.id}/minutes"
    response = post(observer, f"{url}/comments", {"item_id": "", "body": "Hello"}, page=url)
    assert response.status_code == 403


def _approve(held, client):
    url = f"/meetings/{held.meeting.id}/minutes"
    return post(
        client,
        f"{url}/approve",
        {
            "basis": "secretariat",
            "approval_meeting_id": "",
            "approved_on": utcnow().date().isoformat(),
            "note": "Aucune objection reçue dans les 15 jours.",
        },
        page=url,
    )


def test_approved_minutes_are_locked_fingerprinted_and_corrected_by_errata(as_user, held):
    rules.save_note(held.secretariat, held.items[1], "Texte approuvé.", None)
    db.session.commit()
    held.close()
    rules.circulate(held.secretariat, held.meeting)
    db.session.commit()
    client = as_user(held.secretariat)
    assert _approve(held, client).status_code == 302
    minutes = db.session.scalar(select(Minutes))
    assert minutes.status is MinutesStatus.APPROVED
    assert minutes.fingerprint == rules.fingerprint_of(minutes.approved_html)
    assert len(minutes.fingerprint) == 64
    page = page_text(client.get(f"/meetings/{held.meeting.id}/minutes"))
    assert minutes.fingerprint in page and "Approuvé" in page

    # The text can no longer change: notes are refused, the approved text stays as approved.
    item = held.items[1]
    response = post(
        client,
        f"/minutes/items/{item.id}/note",
        {f"item{item.id}-body": "Changed after approval", f"item{item.id}-version": ""},
        page=f"/meetings/{held.meeting.id}/minutes",
    )
    assert response.status_code == 409
    assert "Changed after approval" not in db.session.get(Minutes, minutes.id).approved_html

    response = post(
        client,
        f"/meetings/{held.meeting.id}/minutes/errata",
        {"body": "Lire « 16 décembre » au lieu de « 15 décembre »."},
        page=f"/meetings/{held.meeting.id}/minutes",
    )
    assert response.status_code == 302
    page = page_text(client.get(f"/meetings/{held.meeting.id}/minutes"))
    assert "Lire « 16 décembre »" in page
    assert db.session.get(Minutes, minutes.id).fingerprint == minutes.fingerprint


def test_approval_needs_a_basis_and_refuses_a_future_date(as_user, held):
    held.close()
    rules.circulate(held.secretariat, held.meeting)
    db.session.commit()
    client = as_user(held.secretariat)
    url = f"/meetings/{held.meeting.id}/minutes"
    no_basis = post(
        client,
        f"{url}/approve",
        {
            "basis": "secretariat",
            "approval_meeting_id": "",
            "approved_on": utcnow().date().isoformat(),
            "note": "",
        },
        page=url,
    )
    assert no_basis.status_code == 400
    future = post(
        client,
        f"{url}/approve",
        {
            "basis": "secretariat",
            "approval_meeting_id": "",
            "note": "ok",
            "approved_on": (utcnow().date() + timedelta(days=3)).isoformat(),
        },
        page=url,
    )
    assert future.status_code == 400 and "futur" in page_text(future)
    assert db.session.scalar(select(Minutes)).status is MinutesStatus.CIRCULATED


def test_pdf_opens_and_contains_the_decisions_and_the_fingerprint(as_user, held):
    held.close()
    rules.circulate(held.secretariat, held.meeting)
    db.session.commit()
    client = as_user(held.secretariat)
    _approve(held, client)
    response = client.get(f"/meetings/{held.meeting.id}/minutes.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Statut juridique" in text
    assert "pas de consensus" in text
    assert db.session.scalar(select(Minutes)).fingerprint[:16] in text.replace("\n", "")
    assert b"/JavaScript" not in response.data and b"/JS " not in response.data


def test_share_link_shows_the_minutes_and_nothing_else(app, as_user, held):
    client = as_user(held.secretariat)
    url = f"/meetings/{held.meeting.id}/minutes/share"
    response = post(client, url, {"label": "Ministère", "expires_on": ""}, page=url)
    page = response.get_data(as_text=True)
    token = page.split("/shared/")[1].split('"')[0]
    visitor = app.test_client()
    shared = visitor.get(f"/shared/{token}")
    assert shared.status_code == 200
    assert "Réunion stratégique" in page_text(shared)
    assert visitor.get(f"/shared/{token}/minutes.pdf").status_code == 200
    # The link opens nothing else.
    assert visitor.get("/members/").status_code == 302
    assert visitor.get(f"/meetings/{held.meeting.id}/minutes").status_code == 302
    assert token not in db.session.scalar(select(ShareLink)).token_hash


def test_revoked_expired_and_unknown_links_answer_404_alike(app, held):
    link, token = rules.create_share_link(held.secretariat, held.meeting)
    expired, expired_token = rules.create_share_link(
        held.secretariat, held.meeting, expires_at=utcnow() + timedelta(hours=1)
    )
    db.session.commit()
    visitor = app.test_client()
    assert visitor.get(f"/shared/{token}").status_code == 200
    rules.revoke_share_link(held.secretariat, link)
    expired.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    answers = [visitor.get(f"/shared/{t}") for t in (token, expired_token, "made-up-token")]
    assert {a.status_code for a in answers} == {404}
    bodies = {re.sub(r'value="[^"]*"', "", a.get_data(as_text=True)) for a in answers}
    assert len(bodies) == 1  # the same page whatever the reason: it reveals nothing


def test_minutes_index_is_searchable(as_user, held):
    rules.save_note(held.secretariat, held.items[1], "Discussion sur la plateforme digitale.", None)
    db.session.commit()
    client = as_user(make_user(role="observer"))
    found = page_text(client.get("/minutes/?q=PLATEFORME"))
    assert "Réunion stratégique" in found and "1 réunion." in found
    missed = page_text(client.get("/minutes/?q=introuvable"))
    assert "Réunion stratégique" not in missed and "0 réunion." in missed
    # Accents and capitals aside ("strategique", "DIGITALE"), and a sign is a sign.
    assert "1 réunion." in page_text(client.get("/minutes/?q=reunion+strategique"))
    assert "1 réunion." in page_text(client.get("/minutes/?q=DIGITALE"))
    assert "0 réunion." in page_text(client.get("/minutes/?q=plate%25forme"))


def test_an_overlong_minutes_search_is_refused_with_its_text_kept_and_every_meeting_shown(
    as_user, held
):
    typed = "plateforme " * 20  # 220 characters: longer than any search can be
    response = as_user(make_user(role="observer")).get("/minutes/?q=" + typed.replace(" ", "+"))
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'aria-invalid="true"' in html
    assert "200 caractères" in page_text(response)  # the message says what is allowed
    assert f'value="{typed.strip()}"' in html  # what was typed is kept, to be shortened
    assert "Réunion stratégique" in page_text(response)  # the list is shown, unsearched


def test_minutes_list_comes_fifty_a_page_newest_first_and_keeps_the_search(as_user, network):
    for n in range(1, 56):
        make_meeting(title=f"Conseil {n:03d}", status="closed", items=1,
                     starts_at=datetime(2020, 1, 6, 9) + timedelta(weeks=n))
    client = as_user(make_user(role="observer"))
    first = page_text(client.get("/minutes/?q=conseil"))
    assert "55 réunions. Affichage de 1 à 50." in first and "Page 1 sur 2" in first
    assert first.index("Conseil 055") < first.index("Conseil 006")
    assert "Conseil 005" not in first
    html = client.get("/minutes/?q=conseil").get_data(as_text=True)
    assert 'href="/minutes/?q=conseil&amp;page=2"' in html
    # A page past the end shows the last one; one that is no number, the first.
    last = page_text(client.get("/minutes/?q=conseil&page=9"))
    assert "Affichage de 51 à 55." in last and "Conseil 001" in last
    assert "Conseil 055" in page_text(client.get("/minutes/?page=deux"))


def test_minutes_page_queries_do_not_grow_with_items_rounds_and_ballots(as_user, app):
    small = Held(items=3, members=3)
    large = Held(items=30, members=13)
    for held in (small, large):
        for item in held.items:
            rules.save_note(held.secretariat, item, "Notes", None)
    db.session.commit()
    client = as_user(make_user(role="observer"))
    with count_queries() as few:
        client.get(f"/meetings/{small.meeting.id}/minutes")
    with count_queries() as many:
        client.get(f"/meetings/{large.meeting.id}/minutes")
    assert len(many) == len(few)


def test_draft_meeting_minutes_are_the_secretariats_only(as_user, app):
    make_network()
    secretariat = make_user(role="secretariat")
    start = utcnow() + timedelta(days=5)
    meeting = meeting_rules.create_meeting(
        secretariat, title="Brouillon", starts_at=start, ends_at=start + timedelta(hours=2)
    )
    db.session.commit()
    assert as_user(make_user()).get(f"/meetings/{meeting.id}/minutes").status_code == 404
    assert as_user(secretariat).get(f"/meetings/{meeting.id}/minutes").status_code == 200
    assert isinstance(meeting, Meeting)


def test_meeting_page_links_to_its_minutes_and_its_items_proposals(as_user, held):
    page = as_user(held.directors[0]).get(f"/meetings/{held.meeting.id}").get_data(as_text=True)
    assert f'href="/meetings/{held.meeting.id}/minutes"' in page
    assert f'href="/proposals/{held.decision.proposal_id}"' in page
