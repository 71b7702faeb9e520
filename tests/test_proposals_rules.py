"""The proposals rules called directly: electorate snapshots, who may answer, reasons, history,
closing once and for good, deadlines, amended rounds and the objections' follow-up."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from planner.core.audit import AuditEvent
from planner.core.rules import RuleError
from planner.core.time import utcnow
from planner.extensions import db
from planner.meetings import rules as meeting_rules
from planner.meetings.models import AgendaItemKind
from planner.proposals import rules
from planner.proposals.models import (
    Ballot,
    BallotChange,
    Decision,
    DecisionRule,
    FollowUpStatus,
    ObjectionFollowUp,
    Outcome,
    Position,
    ProposalKind,
    Round,
    RoundElector,
    RoundStatus,
)
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


@pytest.fixture(autouse=True)
def french_request(app):
    """Rules speak the reader's language: run them as in a request."""
    with app.test_request_context():
        yield


@pytest.fixture
def three(app):
    """Three member clusters with one director each, and the secretariat."""
    directors = [make_user(), make_user(), make_user()]
    return directors, make_user(role="secretariat")


def ballots_of(round_):
    return db.session.scalar(select(func.count(Ballot.id)).where(Ballot.round_id == round_.id))


def actions():
    return [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


# --- opening --------------------------------------------------------------------------------


def test_opening_snapshots_the_active_members(three):
    directors, secretariat = three
    former = make_member(short_name="FORMER")
    former.is_active = False
    db.session.commit()
    proposal = make_proposal(actor=secretariat, open_round=True)
    round_ = current_round_of(proposal)
    electors = set(db.session.scalars(
        select(RoundElector.member_id).where(RoundElector.round_id == round_.id)))
    assert electors == {d.member_id for d in directors}
    assert round_.electorate_count == len(directors)  # what the lists show, not counted again
    assert round_.status is RoundStatus.OPEN and round_.opened_by_id == secretariat.id
    # A member joining after the opening does not vote in this round.
    late_director = make_user(member=make_member(short_name="LATE"))
    with pytest.raises(RuleError) as refused:
        rules.cast(late_director, round_, late_director.member, position=Position.AGREE)
    assert refused.value.status == 409
    # A member leaving after the opening still votes in it.
    directors[0].member.is_active = False
    db.session.commit()
    make_ballot(directors[0], proposal)
    assert ballots_of(round_) == 1


def test_vote_between_meetings_needs_a_future_closing_time(three):
    _, secretariat = three
    proposal = make_proposal(actor=secretariat)
    with pytest.raises(RuleError) as missing:
        rules.open_round(secretariat, current_round_of(proposal), None)
    assert (missing.value.status, missing.value.field) == (400, "closes_at")
    with pytest.raises(RuleError):
        rules.open_round(secretariat, current_round_of(proposal), utcnow() - timedelta(hours=1))


def test_only_the_secretariat_opens_and_closes(three):
    directors, secretariat = three
    proposal = make_proposal(actor=secretariat)
    round_ = current_round_of(proposal)
    with pytest.raises(RuleError) as refused:
        rules.open_round(directors[0], round_, utcnow() + timedelta(days=1))
    assert refused.value.status == 403
    rules.open_round(secretariat, round_, utcnow() + timedelta(days=1))
    with pytest.raises(RuleError) as refused:
        rules.close_round(directors[0], round_)
    assert refused.value.status == 403


def test_a_proposal_goes_on_a_decision_item_of_an_open_meeting(three):
    _, secretariat = three
    meeting = make_meeting(status="convened", items=1)
    discussion = make_item(meeting, kind=AgendaItemKind.DISCUSSION)
    with pytest.raises(RuleError) as refused:
        make_proposal(actor=secretariat, agenda_item_id=discussion.id)
    assert refused.value.field == "agenda_item_id"
    db.session.rollback()
    item = make_item(meeting, kind=AgendaItemKind.DECISION)
    assert make_proposal(actor=secretariat, agenda_item_id=item.id).agenda_item_id == item.id
    for step in ("open", "close"):
        meeting_rules.move_meeting(None, meeting, step)
    db.session.commit()
    with pytest.raises(RuleError) as closed:
        make_proposal(actor=secretariat, agenda_item_id=item.id)
    assert (closed.value.status, closed.value.field) == (409, "agenda_item_id")


def test_a_choice_needs_options_and_simple_majority(three):
    _, secretariat = three
    with pytest.raises(RuleError) as refused:
        make_proposal(actor=secretariat, kind="choice", rule="simple_majority", options=["One"])
    assert refused.value.field == "options"
    with pytest.raises(RuleError) as refused:
        make_proposal(actor=secretariat, kind="choice", rule="consensus", options=["A", "B"])
    assert refused.value.field == "rule"
    db.session.rollback()
    with pytest.raises(RuleError):
        make_proposal(actor=secretariat, options=["A", "B"])  # a motion has no options


# --- casting --------------------------------------------------------------------------------


def test_director_answers_for_their_cluster_and_can_change_until_closing(three):
    directors, secretariat = three
    proposal = make_proposal(actor=secretariat, open_round=True)
    round_ = current_round_of(proposal)
    make_ballot(directors[0], proposal, position="agree")
    make_ballot(directors[0], proposal, position="object", reason="The budget is missing.")
    ballot = db.session.scalar(select(Ballot).where(Ballot.round_id == round_.id))
    assert ballots_of(round_) == 1
    assert (ballot.position, ballot.reason) == (Position.OBJECT, "The budget is missing.")
    history = list(db.session.scalars(
        select(BallotChange).where(BallotChange.ballot_id == ballot.id).order_by(BallotChange.id)))
    assert [h.position for h in history] == [Position.AGREE, Position.OBJECT]
    assert actions()[-2:] == ["ballot.cast", "ballot.changed"]


def test_the_same_answer_twice_changes_nothing(three):
    directors, secretariat = three
    proposal = make_proposal(actor=secretariat, open_round=True)
    make_ballot(directors[0], proposal)
    make_ballot(directors[0], proposal)
    assert db.session.scalar(select(func.count(BallotChange.id))) == 1


def test_reasons_are_required_for_reservations_and_objections(three):
    directors, secretariat = three
    proposal = make_proposal(actor=secretariat, open_round=True)
    for position in ("reservations", "object"):
        with pytest.raises(RuleError) as refused:
            make_ballot(directors[0], proposal, position=position, reason="   ")
        assert (refused.value.status, refused.value.field) == (400, "reason")
    db.session.rollback()
    assert ballots_of(current_round_of(proposal)) == 0


@pytest.mark.parametrize("who", ["other_director", "observer", "secretariat_only"])
def test_nobody_else_answers_for_a_cluster(three, who):
    directors, secretariat = three
    proposal = make_proposal(actor=secretariat, open_round=True)
    actor = {"other_director": directors[1], "observer": make_user(role="observer"),
             "secretariat_only": secretariat}[who]
    with pytest.raises(RuleError) as refused:
        rules.cast(actor, current_round_of(proposal), directors[0].member,
                   position=Position.AGREE)
    assert refused.value.status == 403
    db.session.rollback()
    assert ballots_of(current_round_of(proposal)) == 0


def test_proxy_holder_answers_for_the_represented_member_marked_by_proxy(three):
    directors, secretariat = three
    meeting = make_meeting(status="convened", items=1)
    item = make_item(meeting, kind=AgendaItemKind.DECISION)
    holder, represented, third = (d.member for d in directors)
    make_attendance(meeting, holder, "present")
    make_attendance(meeting, represented, "represented", holder=holder)
    proposal = make_proposal(actor=secretariat, agenda_item_id=item.id, open_round=True)
    ballot = make_ballot(directors[0], proposal, member=represented, position="abstain")
    assert ballot.by_proxy is True and ballot.cast_by_id == directors[0].id
    own = make_ballot(directors[0], proposal, position="agree")
    assert own.by_proxy is False
    # The represented member's own director may still answer; the third may not.
    assert make_ballot(directors[1], proposal, position="agree").by_proxy is False
    with pytest.raises(RuleError) as refused:
        make_ballot(directors[2], proposal, member=holder)
    assert refused.value.status == 403
    assert third.id != holder.id


def test_no_answer_on_a_draft_or_closed_round_or_after_the_deadline(three):
    directors, secretariat = three
    proposal = make_proposal(actor=secretariat)
    with pytest.raises(RuleError) as draft:
        make_ballot(directors[0], proposal)
    assert draft.value.status == 409
    db.session.rollback()
    rules.open_round(secretariat, current_round_of(proposal), utcnow() + timedelta(days=1))
    db.session.commit()
    round_ = current_round_of(proposal)
    round_.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    with pytest.raises(RuleError) as late:
        make_ballot(directors[0], proposal)
    assert late.value.status == 409
    db.session.rollback()
    rules.close_due_rounds()
    db.session.commit()
    with pytest.raises(RuleError) as closed:
        make_ballot(directors[0], proposal)
    assert closed.value.status == 409


def test_a_choice_takes_one_of_its_own_options(three):
    directors, secretariat = three
    choice = make_proposal(actor=secretariat, kind="choice", rule="simple_majority",
                           options=["Association", "GIE"], open_round=True)
    other = make_proposal(actor=secretariat, kind="choice", rule="simple_majority",
                          options=["X", "Y"], open_round=True)
    from planner.proposals.queries import options_of

    foreign = options_of(other.id)[0]
    with pytest.raises(RuleError):
        make_ballot(directors[0], choice, option_id=foreign.id)
    db.session.rollback()
    with pytest.raises(RuleError):
        make_ballot(directors[0], choice, position="agree")  # a choice takes an option
    db.session.rollback()
    association = options_of(choice.id)[0]
    assert make_ballot(directors[0], choice, option_id=association.id).option_id == association.id
    assert make_ballot(directors[1], choice, position="abstain").position is Position.ABSTAIN


def test_the_database_holds_one_ballot_per_member_per_round(three):
    directors, secretariat = three
    proposal = make_proposal(actor=secretariat, open_round=True)
    round_ = current_round_of(proposal)
    make_ballot(directors[0], proposal)
    db.session.add(Ballot(round_id=round_.id, member_id=directors[0].member_id,
                          position=Position.OBJECT, reason="again", cast_by_id=directors[0].id))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    # ... and only an elector of the round has a ballot in it.
    outsider = make_member(short_name="OUT")
    db.session.add(Ballot(round_id=round_.id, member_id=outsider.id, position=Position.AGREE,
                          cast_by_id=directors[0].id))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    # ... and an objection without a reason cannot be stored, whatever the code path.
    db.session.add(Ballot(round_id=round_.id, member_id=directors[1].member_id,
                          position=Position.OBJECT, reason="", cast_by_id=directors[1].id))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    assert ballots_of(round_) == 1


def test_secret_ballots_leave_no_position_in_the_audit_log(three):
    directors, secretariat = three
    proposal = make_proposal(actor=secretariat, open_round=True, is_secret=True)
    make_ballot(directors[0], proposal, position="object", reason="Secret reason")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "ballot.cast"))
    assert "object" not in event.details and "Secret reason" not in event.details


# --- closing --------------------------------------------------------------------------------


def test_closing_freezes_outcome_text_tally_and_names(three):
    directors, secretariat = three
    proposal = make_proposal(actor=secretariat, open_round=True, text="Adopt the **plan**.")
    make_ballot(directors[0], proposal, position="agree")
    make_ballot(directors[1], proposal, position="object", reason="Premature.")
    decision = rules.close_round(secretariat, current_round_of(proposal))
    db.session.commit()
    assert decision.outcome is Outcome.NO_CONSENSUS
    assert decision.text == "Adopt the **plan**."
    assert decision.objectors == [directors[1].member.short_name]
    assert decision.missing == [directors[2].member.short_name]
    assert decision.tally == {"agree": 1, "reservations": 0, "abstain": 0, "object": 1}
    assert decision.closed_by_id == secretariat.id
    assert [p["member"] for p in decision.positions] == sorted(
        [directors[0].member.short_name, directors[1].member.short_name])
    assert actions()[-1] == "round.closed"
    with pytest.raises(RuleError) as again:
        rules.close_round(secretariat, current_round_of(proposal))
    assert again.value.status == 409


def test_a_closed_round_its_ballots_and_decision_never_change(three):
    directors, secretariat = three
    proposal = make_proposal(actor=secretariat, open_round=True)
    ballot = make_ballot(directors[0], proposal, position="agree")
    round_ = current_round_of(proposal)
    decision = rules.close_round(secretariat, round_)
    db.session.commit()
    attempts = [
        lambda: setattr(db.session.get(Ballot, ballot.id), "position", Position.OBJECT),
        lambda: db.session.delete(db.session.get(Ballot, ballot.id)),
        lambda: setattr(db.session.get(Decision, decision.id), "outcome", Outcome.ADOPTED),
        lambda: db.session.delete(db.session.get(Decision, decision.id)),
        lambda: setattr(db.session.get(Round, round_.id), "text", "Rewritten"),
        lambda: db.session.add(RoundElector(round_id=round_.id,
                                            member_id=make_member(short_name="NEW").id)),
        lambda: db.session.delete(db.session.scalars(select(BallotChange)).first()),
    ]
    for attempt in attempts:
        attempt()
        with pytest.raises(RuntimeError):
            db.session.flush()
        db.session.rollback()
    assert db.session.get(Ballot, ballot.id).position is Position.AGREE
    assert db.session.get(Decision, decision.id).outcome is Outcome.NO_CONSENSUS


def test_a_casts_own_statements_write_nothing_in_a_closed_round(three):
    """The cast writes its ballot with plain statements, each carrying the closed-round guard:
    run against a closed round (as a cast that skipped its checks would), they write nothing."""
    directors, secretariat = three
    proposal = make_proposal(actor=secretariat, open_round=True)
    ballot = make_ballot(directors[0], proposal, position="agree")
    round_ = current_round_of(proposal)
    rules.close_round(secretariat, round_)
    db.session.commit()
    values = {"the_round_id": round_.id, "new_position": Position.OBJECT, "new_option_id": None,
              "new_reason": "Too late", "new_cast_by_id": directors[0].id,
              "new_by_proxy": False, "new_updated_at": utcnow()}
    changed = db.session.execute(rules._update_ballot(), {**values, "ballot_id": ballot.id})
    assert changed.rowcount == 0
    added = db.session.execute(rules._insert_ballot(), {
        **values, "new_round_id": round_.id, "new_member_id": directors[1].member_id,
        "new_cast_at": utcnow()}).scalar()
    assert added is None
    db.session.commit()
    assert db.session.get(Ballot, ballot.id).position is Position.AGREE
    assert db.session.scalar(select(func.count(Ballot.id)).where(
        Ballot.round_id == round_.id)) == 1


def test_rounds_close_at_their_deadline_when_read_or_by_the_cli(app, three):
    directors, secretariat = three
    proposal = make_proposal(actor=secretariat, open_round=True, rule="simple_majority")
    make_ballot(directors[0], proposal)
    make_ballot(directors[1], proposal)
    round_ = current_round_of(proposal)
    deadline = utcnow() - timedelta(minutes=5)
    round_.closes_at = deadline
    other = make_proposal(actor=secretariat, open_round=True)  # not due yet
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["close-due-rounds"])
    assert result.exit_code == 0, result.output
    assert "1 round(s) closed." in result.output
    db.session.expire_all()
    decision = db.session.scalar(select(Decision).where(Decision.round_id == round_.id))
    assert decision.outcome is Outcome.ADOPTED  # 2 of 3 answered: quorum; 2 agree > 0 object
    assert decision.closed_by_id is None and decision.closed_at == deadline
    assert current_round_of(other).status is RoundStatus.OPEN
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "round.closed"))
    assert json.loads(event.details)["automatic"] is True and event.actor_id is None


def test_meeting_rounds_count_the_quorum_from_attendance(three):
    directors, secretariat = three
    meeting = make_meeting(status="convened", items=1)
    item = make_item(meeting, kind=AgendaItemKind.DECISION)
    meeting_rules.move_meeting(None, meeting, "open")
    make_attendance(meeting, directors[0].member, "present")
    proposal = make_proposal(actor=secretariat, agenda_item_id=item.id, open_round=True,
                             rule="simple_majority")
    for director in directors:
        make_ballot(director, proposal)
    # Everyone answered, but only one member of three was present or represented.
    decision = rules.close_round(secretariat, current_round_of(proposal))
    assert decision.outcome is Outcome.NO_QUORUM
    assert (decision.participants_count, decision.quorum_needed) == (1, 2)
    assert decision.meeting_id == meeting.id


# --- the next round ---------------------------------------------------------------------------


def _blocked(three, text="Create the legal structure now."):
    directors, secretariat = three
    proposal = make_proposal(actor=secretariat, open_round=True, text=text)
    make_ballot(directors[0], proposal, position="agree")
    make_ballot(directors[1], proposal, position="reservations", reason="Cost.")
    make_ballot(directors[2], proposal, position="object",
                reason="Premature: the network has not reached critical size.")
    rules.close_round(secretariat, current_round_of(proposal))
    db.session.commit()
    return proposal


def test_a_blocked_proposal_goes_to_a_new_round_tracking_each_objection(three):
    directors, secretariat = three
    proposal = _blocked(three)
    round_ = rules.new_round(secretariat, proposal, "Prepare the legal structure; create it at "
                             "15 members.", {directors[2].member_id: FollowUpStatus.ANSWERED})
    db.session.commit()
    assert (round_.number, round_.status) == (2, RoundStatus.DRAFT)
    follow_up = db.session.scalar(select(ObjectionFollowUp))
    assert (follow_up.member_id, follow_up.status) == (directors[2].member_id,
                                                       FollowUpStatus.ANSWERED)
    assert follow_up.reason.startswith("Premature")
    first = db.session.scalar(select(Round).where(Round.proposal_id == proposal.id,
                                                  Round.number == 1))
    assert first.text == "Create the legal structure now."  # round 1 keeps its text
    assert actions()[-1] == "round.created"


def test_an_adopted_or_rejected_proposal_gets_no_new_round(three):
    directors, secretariat = three
    proposal = make_proposal(actor=secretariat, open_round=True, rule="absolute_majority")
    for director in directors:
        make_ballot(director, proposal)
    rules.close_round(secretariat, current_round_of(proposal))
    db.session.commit()
    with pytest.raises(RuleError) as refused:
        rules.new_round(secretariat, proposal, "Again")
    assert refused.value.status == 409


def test_only_the_objector_withdraws_and_only_the_secretariat_marks_answered(three):
    directors, secretariat = three
    proposal = _blocked(three)
    rules.new_round(secretariat, proposal, "Amended.")
    db.session.commit()
    follow_up = db.session.scalar(select(ObjectionFollowUp))
    with pytest.raises(RuleError) as other:
        rules.update_follow_up(directors[0], follow_up, FollowUpStatus.WITHDRAWN)
    assert other.value.status == 403
    with pytest.raises(RuleError) as answered:
        rules.update_follow_up(directors[2], follow_up, FollowUpStatus.ANSWERED)
    assert answered.value.status == 403
    rules.update_follow_up(directors[2], follow_up, FollowUpStatus.WITHDRAWN, "Convinced.")
    db.session.commit()
    assert db.session.get(ObjectionFollowUp, follow_up.id).status is FollowUpStatus.WITHDRAWN
    rules.update_follow_up(secretariat, follow_up, FollowUpStatus.ANSWERED)
    assert actions()[-1] == "objection.updated"


def test_the_follow_up_freezes_with_the_round(three):
    directors, secretariat = three
    proposal = _blocked(three)
    round_ = rules.new_round(secretariat, proposal, "Amended.")
    rules.open_round(secretariat, round_, utcnow() + timedelta(days=2))
    db.session.commit()
    decision = rules.close_round(secretariat, round_)
    db.session.commit()
    assert decision.follow_ups[0]["status"] == "open"
    follow_up = db.session.scalar(select(ObjectionFollowUp))
    with pytest.raises(RuleError) as refused:
        rules.update_follow_up(directors[2], follow_up, FollowUpStatus.WITHDRAWN)
    assert refused.value.status == 409


# --- editing and the criteria grid ----------------------------------------------------------


def test_the_text_can_change_only_before_the_round_opens(three):
    _, secretariat = three
    proposal = make_proposal(actor=secretariat)
    values = {"title": "New title", "text": "New text", "kind": ProposalKind.MOTION,
              "rule": DecisionRule.CONSENT, "is_secret": False, "agenda_item_id": None,
              "options": [], "criteria": []}
    with pytest.raises(RuleError) as stale:
        rules.update_proposal(secretariat, proposal, proposal.version + 1, **values)
    assert stale.value.status == 409
    rules.update_proposal(secretariat, proposal, proposal.version, **values)
    db.session.commit()
    assert (proposal.title, proposal.rule) == ("New title", DecisionRule.CONSENT)
    rules.open_round(secretariat, current_round_of(proposal), utcnow() + timedelta(days=1))
    db.session.commit()
    assert current_round_of(proposal).text == "New text"
    with pytest.raises(RuleError) as opened:
        rules.update_proposal(secretariat, proposal, proposal.version, **values)
    assert opened.value.status == 409


def test_members_score_the_options_of_a_choice_from_1_to_5(three):
    directors, secretariat = three
    proposal = make_proposal(actor=secretariat, kind="choice", rule="simple_majority",
                             options=["Association", "GIE"], criteria=["Cost", "Speed"])
    from planner.proposals.queries import criteria_of, grid, options_of

    cost, speed = criteria_of(proposal.id)
    association, gie = options_of(proposal.id)
    rules.score_options(directors[0], proposal, directors[0].member,
                        {(cost.id, association.id): 5, (cost.id, gie.id): 2,
                         (speed.id, association.id): 4, (speed.id, gie.id): None})
    rules.score_options(directors[1], proposal, directors[1].member,
                        {(cost.id, association.id): 3})
    db.session.commit()
    table = grid(proposal.id, directors[0].member_id)
    assert table.cells[(cost.id, association.id)] == (4.0, 2)
    assert table.total(association.id) == 8.0 and table.total(gie.id) == 2.0
    assert table.scorers == 2 and table.mine[(cost.id, gie.id)] == 2
    with pytest.raises(RuleError):
        rules.score_options(directors[0], proposal, directors[0].member,
                            {(cost.id, association.id): 6})
    db.session.rollback()
    with pytest.raises(RuleError) as other:
        rules.score_options(directors[0], proposal, directors[1].member,
                            {(cost.id, association.id): 1})
    assert other.value.status == 403

