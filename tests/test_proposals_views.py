"""The proposals pages as people use them: casting, refusals per role, the consensus map,
closing, amended rounds, secret votes, the decisions list, the home page, concurrency."""

import re
import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from planner.core.audit import AuditEvent
from planner.core.time import utcnow
from planner.extensions import db
from planner.members.models import Member
from planner.proposals import queries, rules
from planner.proposals.models import (
    Ballot,
    BallotChange,
    Decision,
    ObjectionFollowUp,
    Outcome,
    Position,
    Proposal,
    Round,
    RoundStatus,
)
from tests.conftest import count_queries, csrf_token, page_text, post
from tests.factories import (
    current_round_of,
    make_attendance,
    make_ballot,
    make_item,
    make_meeting,
    make_member,
    make_proposal,
    make_user,
)


def text(response) -> str:
    return page_text(response)


@pytest.fixture
def people(app):
    directors = [make_user(member=make_member(short_name=name)) for name in ("ALPHA", "BETA",
                                                                             "GAMMA")]
    return {"directors": directors, "secretariat": make_user(role="secretariat"),
            "observer": make_user(role="observer")}


def page_of(proposal) -> str:
    return f"/proposals/{proposal.id}"


def cast_url(proposal, member, number=1) -> str:
    return f"/proposals/{proposal.id}/rounds/{number}/members/{member.id}/cast"


def answer(client, proposal, member, position, reason="", number=1):
    prefix = f"m{member.id}-"
    return post(client, cast_url(proposal, member, number),
                {prefix + "position": position, prefix + "reason": reason},
                page=page_of(proposal))


def ballot_count() -> int:
    return db.session.scalar(select(func.count(Ballot.id)))


# --- casting ----------------------------------------------------------------------------------


def test_director_casts_and_sees_it_on_the_consensus_map(as_user, people):
    alpha = people["directors"][0]
    proposal = make_proposal(actor=people["secretariat"], open_round=True)
    client = as_user(alpha)
    page = text(client.get(page_of(proposal)))
    assert "Votre réponse" in page and "Pour ALPHA" in page
    response = answer(client, proposal, alpha.member, "reservations", "The budget is vague.")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{page_of(proposal)}#answer")
    page = text(client.get(page_of(proposal)))
    assert "La réponse de ALPHA est enregistrée" in page
    assert "D'accord avec réserves" in page and "The budget is vague." in page
    assert "2 membres n'ont pas encore répondu : BETA, GAMMA" in page
    ballot = db.session.scalar(select(Ballot))
    assert (ballot.position, ballot.cast_by_id, ballot.by_proxy) == (
        Position.RESERVATIONS, alpha.id, False)


def test_an_objection_without_reason_is_refused_and_the_input_kept(as_user, people):
    alpha = people["directors"][0]
    proposal = make_proposal(actor=people["secretariat"], open_round=True)
    response = answer(as_user(alpha), proposal, alpha.member, "object", "")
    assert response.status_code == 400
    page = text(response)
    assert "Une objection doit être motivée" in page
    assert 'value="object" checked' in page or "checked" in page
    assert ballot_count() == 0


def test_an_answer_naming_no_position_is_refused_and_the_reason_kept(as_user, people):
    alpha = people["directors"][0]
    motion = make_proposal(actor=people["secretariat"], open_round=True)
    client = as_user(alpha)
    for sent, message in (("", "Choisissez votre position."),
                          ("maybe", "N'est pas un choix valide."),
                          ("option-1", "Choisissez votre position.")):
        response = answer(client, motion, alpha.member, sent, "Typed before the mistake")
        assert response.status_code == 400, sent
        page = text(response)
        assert message in page and "Typed before the mistake" in page, sent
    # A choice takes one of its own options, or an abstention: not another proposal's.
    choice = make_proposal(actor=people["secretariat"], kind="choice", rule="simple_majority",
                           options=["Association", "GIE"], open_round=True)
    foreign = make_proposal(actor=people["secretariat"], kind="choice",
                            rule="simple_majority", options=["Fédération", "GIE"])
    foreign_option = queries.options_of(foreign.id)[0]
    response = answer(client, choice, alpha.member, f"option-{foreign_option.id}", "Mine")
    assert response.status_code == 400
    assert "Choisissez l'une des options." in text(response) and "Mine" in text(response)
    response = answer(client, choice, alpha.member, "agree")
    assert response.status_code == 400
    assert "Choisissez l'une des options, ou abstenez-vous." in text(response)
    assert ballot_count() == 0
    own_option = queries.options_of(choice.id)[1]
    assert answer(client, choice, alpha.member, f"option-{own_option.id}").status_code == 302
    ballot = db.session.scalar(select(Ballot))
    assert (ballot.option_id, ballot.position) == (own_option.id, None)


def test_an_answer_without_this_sessions_token_is_refused(as_user, people):
    alpha, beta, _ = people["directors"]
    proposal = make_proposal(actor=people["secretariat"], open_round=True)
    client = as_user(alpha)
    fields = {f"m{alpha.member_id}-position": "agree", f"m{alpha.member_id}-reason": ""}
    someone_elses = csrf_token(as_user(beta), page_of(proposal))
    for token in (None, "forged", someone_elses):
        data = fields if token is None else {**fields, "csrf_token": token}
        response = client.post(cast_url(proposal, alpha.member), data=data)
        assert response.status_code == 400, token
        assert "envoyé depuis ce site" in text(response)
    assert ballot_count() == 0


@pytest.mark.parametrize("role", ["other_director", "observer", "secretariat_only"])
def test_every_other_role_gets_403_and_the_tally_does_not_change(as_user, people, role):
    alpha, beta, _ = people["directors"]
    proposal = make_proposal(actor=people["secretariat"], open_round=True)
    make_ballot(alpha, proposal, position="agree")
    actor = {"other_director": beta, "observer": people["observer"],
             "secretariat_only": people["secretariat"]}[role]
    response = answer(as_user(actor), proposal, alpha.member, "object", "Hijack")
    assert response.status_code == 403
    assert "Vous n'avez pas le droit" in text(response)
    ballot = db.session.scalar(select(Ballot))
    assert ballot_count() == 1 and ballot.position is Position.AGREE
    assert db.session.scalar(select(func.count(BallotChange.id))) == 1


def test_proxy_holder_answers_separately_for_the_represented_cluster(as_user, people):
    alpha, beta, _ = people["directors"]
    meeting = make_meeting(status="convened", items=1)
    item = make_item(meeting, kind="decision")
    make_attendance(meeting, alpha.member, "present")
    make_attendance(meeting, beta.member, "represented", holder=alpha.member)
    proposal = make_proposal(actor=people["secretariat"], agenda_item_id=item.id,
                             open_round=True)
    client = as_user(alpha)
    page = text(client.get(page_of(proposal)))
    assert "Pour ALPHA" in page and "Pour BETA, par procuration" in page
    assert answer(client, proposal, beta.member, "abstain").status_code == 302
    ballot = db.session.scalar(select(Ballot).where(Ballot.member_id == beta.member_id))
    assert ballot.by_proxy and ballot.cast_by_id == alpha.id
    assert "par procuration" in text(as_user(people["observer"]).get(page_of(proposal)))


def test_no_answer_on_a_draft_round_or_a_closed_one(as_user, people):
    alpha = people["directors"][0]
    proposal = make_proposal(actor=people["secretariat"])
    response = answer(as_user(alpha), proposal, alpha.member, "agree")
    assert response.status_code == 409
    assert "Ce tour n'est pas encore ouvert" in text(response)
    rules.open_round(people["secretariat"], current_round_of(proposal),
                     utcnow() + timedelta(days=1))
    rules.close_round(people["secretariat"], current_round_of(proposal))
    db.session.commit()
    response = answer(as_user(alpha), proposal, alpha.member, "agree")
    assert response.status_code == 409
    assert "Ce tour est clos" in text(response)
    assert ballot_count() == 0


# --- closing, outcome, immutability through every route --------------------------------------


def test_secretariat_closes_and_everyone_sees_no_consensus_with_names(as_user, people):
    alpha, beta, gamma = people["directors"]
    proposal = make_proposal(actor=people["secretariat"], open_round=True)
    make_ballot(alpha, proposal, position="agree")
    make_ballot(beta, proposal, position="object", reason="Premature: critical size.")
    client = as_user(people["secretariat"])
    response = post(client, f"/proposals/{proposal.id}/rounds/1/close", page=page_of(proposal))
    assert response.status_code == 302
    page = text(client.get(page_of(proposal)))
    assert "Pas de consensus" in page
    assert "1 objection : BETA." in page
    assert "1 membre n'avait pas répondu : GAMMA." in page
    assert "Préparer le tour 2 avec un texte amendé" in page
    observer_page = text(as_user(people["observer"]).get(page_of(proposal)))
    assert "Premature: critical size." in observer_page and "Pas de consensus" in observer_page
    assert gamma.member.short_name in observer_page


def test_a_closed_round_cannot_change_through_any_route(as_user, people):
    alpha, beta, _ = people["directors"]
    secretariat = people["secretariat"]
    proposal = make_proposal(actor=secretariat, open_round=True, kind="choice",
                             rule="simple_majority", options=["A", "B"], criteria=["Cost"])
    from planner.proposals.queries import options_of

    option = options_of(proposal.id)[0]
    make_ballot(alpha, proposal, option_id=option.id)
    make_ballot(beta, proposal, option_id=option.id)
    rules.close_round(secretariat, current_round_of(proposal))
    db.session.commit()
    before = (ballot_count(), db.session.scalar(select(func.count(BallotChange.id))),
              db.session.scalar(select(Decision.outcome)))
    director, staff = as_user(alpha), as_user(secretariat)
    base = f"/proposals/{proposal.id}"
    attempts = [
        (director, cast_url(proposal, alpha.member), {f"m{alpha.member_id}-position": "abstain"}),
        (staff, f"{base}/rounds/1/close", {}),
        (staff, f"{base}/rounds/1/open", {}),
        (staff, f"{base}/edit", {"title": "X", "text": "Y", "kind": "motion",
                                 "rule": "consensus", "version": "1"}),
        (staff, f"{base}/rounds/new", {"text": "New text"}),
        (director, f"{base}/scores", {}),
    ]
    for client, url, data in attempts:
        response = post(client, url, data, page=base)
        assert response.status_code in (400, 409), (url, response.status_code)
    after = (ballot_count(), db.session.scalar(select(func.count(BallotChange.id))),
             db.session.scalar(select(Decision.outcome)))
    assert before == after == (2, 2, Outcome.ADOPTED)
    assert current_round_of(proposal).number == 1  # an adopted choice gets no new round


def test_a_due_round_closes_when_its_page_is_read(as_user, people):
    alpha = people["directors"][0]
    proposal = make_proposal(actor=people["secretariat"], open_round=True, rule="consent")
    make_ballot(alpha, proposal)
    round_ = current_round_of(proposal)
    round_.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    page = text(as_user(people["observer"]).get(page_of(proposal)))
    assert "Pas de quorum" in page and "automatiquement à son échéance" in page
    decision = db.session.scalar(select(Decision))
    assert decision.outcome is Outcome.NO_QUORUM and decision.closed_by_id is None


# --- the next round -------------------------------------------------------------------------


def test_amended_round_shows_the_diff_and_the_objection_is_withdrawn(as_user, people):
    alpha, beta, gamma = people["directors"]
    secretariat = people["secretariat"]
    proposal = make_proposal(actor=secretariat, open_round=True,
                             text="Create the legal structure now.")
    make_ballot(alpha, proposal, position="agree")
    make_ballot(beta, proposal, position="object", reason="Premature.")
    make_ballot(gamma, proposal, position="agree")
    rules.close_round(secretariat, current_round_of(proposal))
    db.session.commit()
    staff = as_user(secretariat)
    form = text(staff.get(f"/proposals/{proposal.id}/rounds/new"))
    assert "Objection de BETA" in form and "Premature." in form
    response = post(staff, f"/proposals/{proposal.id}/rounds/new",
                    {"text": "Prepare the legal structure now; create it at 15 members.",
                     f"objection_{beta.member_id}": "open"},
                    page=f"/proposals/{proposal.id}/rounds/new")
    assert response.status_code == 302
    response = post(staff, f"/proposals/{proposal.id}/rounds/2/open", {},
                    page=page_of(proposal))
    assert response.status_code == 400  # a vote between meetings needs its closing time
    response = post(staff, f"/proposals/{proposal.id}/rounds/2/open",
                    {"closes_at": (utcnow() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")},
                    page=page_of(proposal))
    assert response.status_code == 302
    # An answer in the second round goes back to the proposal's page, which shows that round.
    alpha_client = as_user(alpha)
    response = answer(alpha_client, proposal, alpha.member, "agree", number=2)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{page_of(proposal)}#answer")
    assert "La réponse de ALPHA est enregistrée" in text(alpha_client.get(page_of(proposal)))
    page = text(as_user(beta).get(page_of(proposal)))
    assert "<del>Create</del><ins>Prepare</ins>" in page
    assert "<ins>; create it at 15 members.</ins>" in page or "15 members" in page
    assert "Objections du tour 1" in page and "Toujours ouverte" in page
    follow_up = db.session.scalar(select(ObjectionFollowUp))
    response = post(as_user(beta),
                    f"/proposals/{proposal.id}/rounds/2/objections/{follow_up.id}",
                    {f"f{follow_up.id}-status": "withdrawn", f"f{follow_up.id}-note": "Fine now."},
                    page=page_of(proposal))
    assert response.status_code == 302
    assert "Retirée par son auteur" in text(as_user(alpha).get(page_of(proposal)))
    # Round 1 stays visible, frozen, one click away.
    first = text(as_user(alpha).get(f"/proposals/{proposal.id}/rounds/1"))
    assert "Create the legal structure now." in first and "Pas de consensus" in first


# --- secret votes ---------------------------------------------------------------------------


def test_a_secret_round_shows_counts_only_even_to_the_secretariat(as_user, people):
    alpha, beta, _ = people["directors"]
    proposal = make_proposal(actor=people["secretariat"], open_round=True, is_secret=True,
                             rule="simple_majority")
    make_ballot(alpha, proposal, position="object", reason="Hidden reason")
    make_ballot(beta, proposal, position="agree")
    for viewer in (people["secretariat"], people["observer"], beta):
        page = text(as_user(viewer).get(page_of(proposal)))
        assert "Hidden reason" not in page
        assert "Vote secret" in page
        assert "consensus-map" not in page
        assert "2 membres sur 3 ont répondu :" in page
    # The director sees their own cluster's answer, to change it.
    own = text(as_user(alpha).get(page_of(proposal)))
    assert "Hidden reason" in own
    rules.close_round(people["secretariat"], current_round_of(proposal))
    db.session.commit()
    decision = db.session.scalar(select(Decision))
    assert decision.positions == [] and decision.objectors == []
    assert "Hidden reason" not in text(as_user(people["secretariat"]).get(page_of(proposal)))
    audit = text(as_user(people["secretariat"]).get("/network/audit"))
    assert "Hidden reason" not in audit


# --- the consensus map's cost does not grow with members ----------------------------------------


def _map_queries(as_user, members: int) -> int:
    secretariat = make_user(role="secretariat")
    directors = [make_user() for _ in range(members)]
    meeting = make_meeting(status="convened", items=1)
    item = make_item(meeting, kind="decision")
    for director in directors[: members // 2]:
        make_attendance(meeting, director.member, "present")
    proposal = make_proposal(actor=secretariat, agenda_item_id=item.id, open_round=True)
    for n, director in enumerate(directors[: members - 3]):
        make_ballot(director, proposal, position=["agree", "abstain", "object"][n % 3],
                    reason="Why" if n % 3 == 2 else "")
    client = as_user(directors[0])
    client.get(page_of(proposal))
    with count_queries() as statements:
        response = client.get(page_of(proposal))
    assert response.status_code == 200
    return len(statements)


def test_consensus_map_queries_do_not_grow_with_members(app, as_user):
    small = _map_queries(as_user, 13)
    db.session.execute(Ballot.__table__.delete())  # keep the database small for the second run
    db.session.commit()
    large = _map_queries(as_user, 60)
    assert small == large, (small, large)
    assert small < 30


# --- lists ----------------------------------------------------------------------------------


def test_decisions_list_filters_by_meeting_rule_and_outcome(as_user, people):
    alpha, beta, gamma = people["directors"]
    secretariat = people["secretariat"]
    meeting = make_meeting(status="convened", items=1, title="Founding meeting")
    item = make_item(meeting, kind="decision")
    adopted = make_proposal(actor=secretariat, open_round=True, title="Adopted one",
                            rule="absolute_majority", agenda_item_id=item.id)
    for director in (alpha, beta):
        make_ballot(director, adopted)
    blocked = make_proposal(actor=secretariat, open_round=True, title="Blocked one")
    make_ballot(gamma, blocked, position="object", reason="No.")
    for proposal in (adopted, blocked):
        rules.close_round(secretariat, current_round_of(proposal))
    db.session.commit()
    client = as_user(people["observer"])
    page = text(client.get("/decisions/"))
    assert "2 décisions." in page and "Adopted one" in page and "Blocked one" in page
    page = text(client.get("/decisions/?outcome=no_consensus"))
    assert "Blocked one" in page and "Adopted one" not in page
    page = text(client.get(f"/decisions/?meeting={meeting.id}"))
    assert "Adopted one" in page and "Blocked one" not in page
    page = text(client.get("/decisions/?rule=absolute_majority&outcome=adopted"))
    assert "Adopted one" in page and "Founding meeting" in page
    page = text(client.get("/decisions/?meeting=written"))
    assert "Blocked one" in page and "Adopted one" not in page
    assert f'/proposals/{adopted.id}/rounds/1"' in page or "Blocked one" in page
    assert client.get("/decisions/?rule=nonsense&outcome=").status_code == 200


def test_each_decision_row_names_its_round_meeting_and_answers(as_user, people):
    alpha, beta, gamma = people["directors"]
    secretariat = people["secretariat"]
    meeting = make_meeting(status="convened", items=1, title="Founding meeting")
    held = make_proposal(actor=secretariat, open_round=True, title="Held at the meeting",
                         agenda_item_id=make_item(meeting, kind="decision").id)
    written = make_proposal(actor=secretariat, open_round=True, title="Decided in writing")
    for director in (alpha, beta):
        make_ballot(director, held)
    make_ballot(gamma, written)
    for proposal in (held, written):
        rules.close_round(secretariat, current_round_of(proposal))
    db.session.commit()
    html = as_user(people["observer"]).get("/decisions/").get_data(as_text=True)
    rows = {title: re.sub(r"<[^>]+>|\s+", " ", row)
            for row in re.findall(r"<tr>(.*?)</tr>", html, re.S)
            for title in ("Held at the meeting", "Decided in writing") if title in row}
    assert "Founding meeting" in rows["Held at the meeting"]
    assert "Tour 1" in rows["Held at the meeting"] and "2 sur 3" in rows["Held at the meeting"]
    assert f'href="/proposals/{held.id}/rounds/1"' in html
    assert "Entre deux réunions" in rows["Decided in writing"]
    assert "1 sur 3" in rows["Decided in writing"]


def test_a_long_history_lists_the_latest_meetings_and_the_chosen_one(as_user, people,
                                                                      monkeypatch):
    """Past MEETINGS_LISTED meetings with decisions, the filter offers the latest ones, says
    so, and still offers (and applies) an earlier meeting chosen from that meeting's page."""
    monkeypatch.setattr(queries, "MEETINGS_LISTED", 2)
    secretariat = people["secretariat"]
    meetings = []
    for n in range(4):
        meeting = make_meeting(status="convened", items=1, title=f"Meeting {n}",
                               starts_at=datetime(2030, 3, 1 + 7 * n, 9, 0))
        proposal = make_proposal(actor=secretariat, open_round=True, title=f"Decided {n}",
                                 agenda_item_id=make_item(meeting, kind="decision").id)
        make_ballot(people["directors"][0], proposal)
        rules.close_round(secretariat, current_round_of(proposal))
        meetings.append(meeting)
    db.session.commit()
    client = as_user(people["directors"][1])

    response = client.get("/decisions/")
    offered = re.findall(r'<option (?:selected )?value="(\d+)"', response.get_data(as_text=True))
    assert offered == [str(meetings[3].id), str(meetings[2].id)]  # the latest two
    assert "Les 2 dernières réunions ayant des décisions sont proposées." in text(response)

    earliest = meetings[0]
    page = client.get(f"/decisions/?meeting={earliest.id}").get_data(as_text=True)
    offered = re.findall(r'<option (?:selected )?value="(\d+)"', page)
    assert offered == [str(meetings[3].id), str(meetings[2].id), str(earliest.id)]
    assert f'<option selected value="{earliest.id}"' in page
    assert "Decided 0" in page and "Decided 3" not in page

    from planner.meetings import rules as meeting_rules

    meeting_rules.move_meeting(secretariat, earliest, "open")
    db.session.commit()
    meeting_page = client.get(f"/meetings/{earliest.id}").get_data(as_text=True)
    assert f'href="/decisions/?meeting={earliest.id}"' in meeting_page


def test_proposals_index_groups_by_state(as_user, people):
    secretariat = people["secretariat"]
    make_proposal(actor=secretariat, title="Still a draft")
    make_proposal(actor=secretariat, title="Open one", open_round=True)
    page = text(as_user(people["observer"]).get("/proposals/"))
    assert page.index("Ouvertes aux réponses") < page.index("Open one")
    assert page.index("En préparation") < page.index("Still a draft")
    assert "Rédiger une proposition" not in page
    assert "Rédiger une proposition" in text(as_user(secretariat).get("/proposals/"))


def test_secretariat_drafts_a_choice_with_a_criteria_grid(as_user, people):
    client = as_user(people["secretariat"])
    response = post(client, "/proposals/new", {
        "title": "Legal status", "text": "Which status?", "kind": "choice",
        "rule": "simple_majority", "agenda_item_id": "",
        "options": "Association\nGIE\n\nFédération", "criteria": "Cost\nSpeed",
    }, page="/proposals/new")
    assert response.status_code == 302
    proposal = db.session.scalar(select(Proposal))
    page = text(client.get(page_of(proposal)))
    assert "Grille de critères" in page and "Fédération" in page
    # A choice under consensus is refused with the reason, the input kept.
    response = post(client, "/proposals/new", {
        "title": "Bad", "text": "x", "kind": "choice", "rule": "consensus",
        "options": "A\nB"}, page="/proposals/new")
    assert response.status_code == 400
    assert "majorité simple" in text(response) and 'value="Bad"' in text(response)


def test_markdown_is_rendered_and_nothing_executable_survives(as_user, people):
    proposal = make_proposal(
        actor=people["secretariat"],
        text="**Bold** <script>alert(1)</script> [x](javascript:alert(1)) "
             '<img src=x onerror="alert(1)"> [ok](https://example.org)',
    )
    page = as_user(people["observer"]).get(page_of(proposal)).get_data(as_text=True)
    body = page[page.index("proposal-text"):]
    assert "<strong>Bold</strong>" in body
    assert 'href="https://example.org"' in body
    assert executable_parts(page) == []


def executable_parts(page: str) -> list[str]:
    """What a browser would run: script elements, on* attributes, javascript: links."""
    from html.parser import HTMLParser

    found: list[str] = []

    class Finder(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag in ("script", "style", "iframe", "object", "embed", "img"):
                found.append(tag)
            for name, value in attrs:
                if name.startswith("on") or name == "style":
                    found.append(f"{tag} {name}")
                if name in ("href", "src") and (value or "").lower().startswith("javascript:"):
                    found.append(f"{tag} {name}={value}")

    Finder().feed(page)
    return found


# --- home pages -------------------------------------------------------------------------------


def test_each_group_of_the_proposals_list_pages_on_its_own(as_user, people, monkeypatch):
    """A long history: each group shows a page of its proposals, newest first, says how many
    it has, and pages on its own (the other groups stay where they were); an amended
    proposal is listed once, by its latest round."""
    monkeypatch.setattr(queries, "PROPOSALS_PER_PAGE", 2)
    secretariat, director = people["secretariat"], people["directors"][0]
    for n in range(5):
        decided = make_proposal(actor=secretariat, open_round=True, title=f"Decided {n}")
        make_ballot(director, decided)
        rules.close_round(secretariat, current_round_of(decided))
    amended = make_proposal(actor=secretariat, open_round=True, title="Amended twice")
    make_ballot(director, amended, position="object", reason="Not yet.")
    rules.close_round(secretariat, current_round_of(amended))
    rules.new_round(secretariat, amended, "The amended text.")
    for n in range(3):
        make_proposal(actor=secretariat, open_round=True, title=f"Open {n}")
    db.session.commit()
    client = as_user(people["observer"])

    def group(page, key):
        start = page.index(f'id="group-{key}"')
        return page[start:page.find("<section", start)]

    page = client.get("/proposals/").get_data(as_text=True)
    closed = group(page, "closed")
    assert "5 propositions." in closed and "Affichage de 1 à 2." in closed
    assert "Decided 4" in closed and "Decided 3" in closed and "Decided 2" not in closed
    assert "Amended twice" in group(page, "preparing") and "Amended twice" not in closed
    assert "3 propositions." in group(page, "open")
    assert 'href="/proposals/?closed=2#group-closed"' in closed

    page = client.get("/proposals/?closed=3&open=2").get_data(as_text=True)
    closed, opened = group(page, "closed"), group(page, "open")
    assert "Decided 0" in closed and "Decided 1" not in closed  # the third page: the last
    assert "Open 0" in opened and "Open 2" not in opened  # the open group's second page
    assert 'href="/proposals/?open=2&amp;closed=2#group-closed"' in closed
    page = client.get("/proposals/?closed=99").get_data(as_text=True)
    assert "Decided 0" in group(page, "closed")  # past the end: the last page


def test_the_proposals_list_runs_the_same_queries_for_a_long_history(as_user, people):
    secretariat, director = people["secretariat"], people["directors"][0]
    client = as_user(people["observer"])

    def queries_of_the_list() -> int:
        client.get("/proposals/")
        with count_queries() as statements:
            assert client.get("/proposals/").status_code == 200
        return len(statements)

    make_proposal(actor=secretariat, open_round=True)
    short = queries_of_the_list()
    for n in range(queries.PROPOSALS_PER_PAGE + 3):
        decided = make_proposal(actor=secretariat, open_round=True, title=f"Decided {n}")
        make_ballot(director, decided)
        rules.close_round(secretariat, current_round_of(decided))
        make_proposal(actor=secretariat, title=f"Draft {n}")
    db.session.commit()
    assert queries_of_the_list() == short


def test_directors_home_lists_the_answers_awaited(as_user, people):
    alpha, beta, _ = people["directors"]
    proposal = make_proposal(actor=people["secretariat"], open_round=True, title="Staffing")
    client = as_user(alpha)
    page = text(client.get("/"))
    assert "Votre réponse est attendue" in page and "Staffing" in page and "Pour ALPHA" in page
    make_ballot(alpha, proposal)
    page = text(client.get("/"))
    assert "Staffing" not in page and "Rien à répondre" in page
    staff = text(as_user(people["secretariat"]).get("/"))
    assert "Tours ouverts" in staff and "1 membre sur 3 a répondu" in staff


# --- one ballot per member, whatever arrives at once -------------------------------------------


def test_two_directors_of_one_cluster_answering_at_once_make_one_ballot(app, as_user, people):
    alpha = people["directors"][0]
    colleague = make_user(member=alpha.member, full_name="Second director")
    proposal = make_proposal(actor=people["secretariat"], open_round=True)
    clients = [as_user(alpha), as_user(colleague)]
    tokens = [csrf_token(client, page_of(proposal)) for client in clients]
    url = cast_url(proposal, alpha.member)
    prefix = f"m{alpha.member_id}-"
    payloads = [{prefix + "position": "agree"},
                {prefix + "position": "reservations", prefix + "reason": "Cost."}]
    statuses = _at_once(app, [
        lambda c=c, t=t, p=p: c.post(url, data={**p, "csrf_token": t}).status_code
        for c, t, p in zip(clients, tokens, payloads, strict=True)
    ])
    assert all(status in (302, 409) for status in statuses), statuses
    assert 302 in statuses
    assert ballot_count() == 1
    changes = db.session.scalar(select(func.count(BallotChange.id)))
    assert changes == statuses.count(302)


def test_the_same_request_twice_at_once_makes_one_ballot(app, as_user, people):
    alpha = people["directors"][0]
    proposal = make_proposal(actor=people["secretariat"], open_round=True)
    clients = [as_user(alpha) for _ in range(4)]
    tokens = [csrf_token(client, page_of(proposal)) for client in clients]
    url = cast_url(proposal, alpha.member)
    data = {f"m{alpha.member_id}-position": "agree"}
    statuses = _at_once(app, [
        lambda c=c, t=t: c.post(url, data={**data, "csrf_token": t}).status_code
        for c, t in zip(clients, tokens, strict=True)
    ])
    assert all(status in (302, 409) for status in statuses), statuses
    assert ballot_count() == 1
    assert db.session.scalar(select(func.count(BallotChange.id))) == 1


def _at_once(app, calls):
    """Run the calls in threads released together; each request has its own session."""
    db.session.commit()
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)
    errors: list = []

    def run(index, call):
        try:
            with app.app_context():
                barrier.wait(timeout=10)
                results[index] = call()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    db.session.expire_all()
    return results


# --- the audit log ------------------------------------------------------------------------------


def test_every_cast_change_opening_and_closing_is_in_the_audit_log(as_user, people):
    alpha = people["directors"][0]
    secretariat = people["secretariat"]
    proposal = make_proposal(actor=secretariat)
    staff = as_user(secretariat)
    post(staff, f"/proposals/{proposal.id}/rounds/1/open",
         {"closes_at": (utcnow() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")},
         page=page_of(proposal))
    director = as_user(alpha)
    answer(director, proposal, alpha.member, "agree")
    answer(director, proposal, alpha.member, "object", "Changed my mind.")
    post(staff, f"/proposals/{proposal.id}/rounds/1/close", page=page_of(proposal))
    events = list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    actions = [e.action for e in events if e.action.startswith(("round.", "ballot."))]
    assert actions == ["round.opened", "ballot.cast", "ballot.changed", "round.closed"]
    assert {e.actor_id for e in events if e.action.startswith("ballot.")} == {alpha.id}
    log = text(staff.get("/network/audit"))
    assert "ballot.changed" in log and "round.closed" in log
    assert as_user(alpha).get("/network/audit").status_code == 403


def test_round_page_404s(as_user, people):
    proposal = make_proposal(actor=people["secretariat"])
    client = as_user(people["observer"])
    assert client.get(f"/proposals/{proposal.id}/rounds/9").status_code == 404
    assert client.get("/proposals/999").status_code == 404
    assert re.search(r"Tour 1", text(client.get(f"/proposals/{proposal.id}/rounds/1")))
    assert db.session.scalar(select(func.count(Round.id))) == 1
    assert current_round_of(proposal).status is RoundStatus.DRAFT
    assert db.session.scalar(select(func.count(Member.id))) == 3


# --- the demo -----------------------------------------------------------------------------------


def test_demo_holds_the_legal_status_and_staffing_questions(demo, as_user):
    from planner.proposals.queries import proposals_index

    rows = {row.proposal.title: row for page in proposals_index().values() for row in page.rows}
    choice = rows["Statut juridique : quelle forme pour Maroc Cluster ?"]
    motion = rows["Doter Maroc Cluster d'une structure juridique"]
    staffing = rows["Recruter des permanents dès maintenant"]
    assert choice.proposal.is_choice and choice.state == "open"
    assert (motion.round.number, motion.state) == (2, "open")
    assert staffing.proposal.rule.value == "simple_majority" and staffing.state == "open"
    first = db.session.scalar(select(Decision).where(Decision.proposal_id == motion.proposal.id))
    assert first.outcome is Outcome.NO_CONSENSUS and first.objectors == ["Solaire"]
    assert "15 clusters" in first.positions[[p["member"] for p in first.positions]
                                             .index("Solaire")]["reason"]
    client = as_user(demo.user("director.solaire@example.org"))
    page = text(client.get(f"/proposals/{motion.proposal.id}"))
    assert "Levée par l'amendement" in page and "France Clusters" in page
    assert "Point de l'ordre du jour :" in page and "Réunion stratégique de Maroc Cluster" in page
    home = text(client.get("/"))
    assert "Recruter des permanents dès maintenant" in home
    grid = text(client.get(f"/proposals/{choice.proposal.id}"))
    assert "Grille de critères" in grid and "3 clusters membres ont noté" in grid
    assert "Rester informel pour l'instant" in grid


# --- editing and scoring through the pages ----------------------------------------------------


def test_secretariat_edits_a_draft_and_a_stale_form_is_refused(as_user, people):
    proposal = make_proposal(actor=people["secretariat"], kind="choice", rule="simple_majority",
                             options=["Association", "GIE"])
    client = as_user(people["secretariat"])
    url = f"/proposals/{proposal.id}/edit"
    form = text(client.get(url))
    assert "Association\nGIE" in form
    values = {"title": "Renamed", "text": "New text", "kind": "choice",
              "rule": "simple_majority", "options": "Association\nGIE\nFédération",
              "version": str(proposal.version)}
    assert post(client, url, values, page=url).status_code == 302
    response = post(client, url, {**values, "title": "Stale"}, page=url)  # the old version
    assert response.status_code == 409
    page = text(response)
    assert "Quelqu'un d'autre a modifié cette proposition" in page and 'value="Renamed"' in page
    assert db.session.get(Proposal, proposal.id).title == "Renamed"


def test_a_director_scores_the_grid_for_their_cluster(as_user, people):
    alpha = people["directors"][0]
    proposal = make_proposal(actor=people["secretariat"], kind="choice", rule="simple_majority",
                             options=["Association", "GIE"], criteria=["Cost"])
    from planner.proposals.queries import criteria_of, options_of

    cost = criteria_of(proposal.id)[0]
    association, gie = options_of(proposal.id)
    client = as_user(alpha)
    response = post(client, f"/proposals/{proposal.id}/scores",
                    {f"score_{cost.id}_{association.id}": "5",
                     f"score_{cost.id}_{gie.id}": "2"}, page=page_of(proposal))
    assert response.status_code == 302
    page = text(client.get(page_of(proposal)))
    assert "1 cluster membre a noté" in page and "la plus haute" in page
    response = post(client, f"/proposals/{proposal.id}/scores",
                    {f"score_{cost.id}_{association.id}": "9"}, page=page_of(proposal))
    assert response.status_code == 400
    observer = post(as_user(people["observer"]), f"/proposals/{proposal.id}/scores",
                    {f"score_{cost.id}_{association.id}": "1"}, page=page_of(proposal))
    assert observer.status_code == 403
