"""The plan's rules called directly: every refusal, the history of updates, who may do what."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from planner.core.audit import AuditEvent
from planner.core.rules import RuleError
from planner.extensions import db
from planner.plan import rules
from planner.plan.dates import local_today
from planner.plan.models import ActionItem, ActionStatus, FundingStatus, ProgressUpdate
from tests.factories import (
    current_round_of,
    make_action,
    make_ballot,
    make_funding_source,
    make_member,
    make_milestone,
    make_network,
    make_objective,
    make_proposal,
    make_update,
    make_user,
)


@pytest.fixture(autouse=True)
def french_request(app):
    """Rules translate their messages: run them in a request, as the web and CLI do."""
    with app.test_request_context():
        yield


@pytest.fixture
def people(app):
    own = make_member(short_name="OWN")
    other = make_member(short_name="OTHER")
    return {
        "own": own, "other": other,
        "director": make_user(member=own), "other_director": make_user(member=other),
        "secretariat": make_user(role="secretariat"), "observer": make_user(role="observer"),
    }


def values(objective, **changes) -> rules.ActionValues:
    today = local_today()
    base = {"objective_id": objective.id, "title": "Recruit permanent staff",
            "owner": rules.SECRETARIAT_OWNER, "starts_on": today,
            "due_on": today + timedelta(days=90)}
    base.update(changes)
    return rules.ActionValues(**base)


def refused(call, *args, **kwargs) -> RuleError:
    with pytest.raises(RuleError) as caught:
        call(*args, **kwargs)
    db.session.rollback()
    return caught.value


# --- creating and editing actions ---------------------------------------------------------


def test_secretariat_creates_an_action_owned_by_the_secretariat(people):
    objective = make_objective()
    action = rules.create_action(people["secretariat"], values(objective))
    db.session.commit()
    assert action.is_secretariat_owned and action.owner_member_id is None
    assert action.status == ActionStatus.PLANNED and action.progress == 0
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "action.created"))
    assert event.target_id == action.id


def test_action_owned_by_a_member_cluster(people):
    objective = make_objective()
    action = rules.create_action(people["secretariat"],
                                 values(objective, owner=str(people["own"].id)))
    assert action.owner_member_id == people["own"].id and not action.is_secretariat_owned


def test_a_director_cannot_create_actions(people):
    error = refused(rules.create_action, people["director"], values(make_objective()))
    assert error.status == 403


@pytest.mark.parametrize("owner", ["9999", "", "someone", "-1"])
def test_unknown_owner_is_refused(people, owner):
    error = refused(rules.create_action, people["secretariat"],
                    values(make_objective(), owner=owner))
    assert error.field == "owner" and error.status == 400
    assert "Porteur inconnu" in error.message


def test_a_former_member_cannot_own_a_new_action(people):
    former = make_member(short_name="FORMER")
    former.is_active = False
    db.session.commit()
    error = refused(rules.create_action, people["secretariat"],
                    values(make_objective(), owner=str(former.id)))
    assert error.field == "owner"


def test_deadline_before_start_is_refused(people):
    today = local_today()
    error = refused(rules.create_action, people["secretariat"],
                    values(make_objective(), starts_on=today, due_on=today - timedelta(days=1)))
    assert error.field == "due_on"
    assert "précède la date de début" in error.message


@pytest.mark.parametrize("progress", [-1, 101, 250, None])
def test_progress_outside_0_to_100_is_refused(people, progress):
    error = refused(rules.create_action, people["secretariat"],
                    values(make_objective(), progress=progress))
    assert error.field == "progress"
    assert "de 0 à 100" in error.message


def test_done_below_100_asks_for_confirmation(people):
    error = refused(rules.create_action, people["secretariat"],
                    values(make_objective(), status=ActionStatus.DONE, progress=80))
    assert error.field == "confirm_complete"
    assert "80 %" in error.message and "100" in error.message


def test_done_below_100_confirmed_is_stored_at_100(people):
    action = rules.create_action(
        people["secretariat"],
        values(make_objective(), status=ActionStatus.DONE, progress=80, confirm_complete=True),
    )
    assert action.progress == 100 and action.status == ActionStatus.DONE


def test_negative_cost_is_refused(people):
    error = refused(rules.create_action, people["secretariat"],
                    values(make_objective(), estimated_cost=Decimal("-1")))
    assert error.field == "estimated_cost" and "négatif" in error.message


@pytest.mark.parametrize("status", [ActionStatus.BLOCKED, ActionStatus.CANCELLED])
def test_blocked_or_cancelled_needs_a_reason(people, status):
    error = refused(rules.create_action, people["secretariat"],
                    values(make_objective(), status=status, status_reason="  "))
    assert error.field == "status_reason"


def test_reason_is_dropped_when_the_status_needs_none(people):
    action = rules.create_action(
        people["secretariat"],
        values(make_objective(), status=ActionStatus.IN_PROGRESS, status_reason="left over"),
    )
    assert action.status_reason == ""


def test_account_and_named_contact_are_exclusive(people):
    error = refused(rules.create_action, people["secretariat"], values(
        make_objective(), responsible_user_id=people["director"].id,
        responsible_name="Partner's manager"))
    assert error.field == "responsible_name"


def test_funding_status_needs_a_source(people):
    error = refused(rules.create_action, people["secretariat"],
                    values(make_objective(), funding_status=FundingStatus.REQUESTED))
    assert error.field == "funding_source_id"
    source = make_funding_source(name="GIZ TAM 3")
    action = rules.create_action(people["secretariat"], values(
        make_objective(), funding_source_id=source.id, funding_status=FundingStatus.SECURED,
        estimated_cost=Decimal("120000")))
    assert action.funding_status == FundingStatus.SECURED


def test_unknown_objective_is_refused(people):
    make_objective()
    error = refused(rules.create_action, people["secretariat"],
                    rules.ActionValues(objective_id=9999, title="x", owner="secretariat",
                                       starts_on=local_today(), due_on=local_today()))
    assert error.field == "objective_id"


def test_stale_edit_is_refused_with_409(people):
    objective = make_objective()
    action = make_action(objective=objective)
    stale_version = action.version
    rules.update_action(people["secretariat"], action, stale_version,
                        values(objective, title="First save"))
    db.session.commit()
    error = refused(rules.update_action, people["secretariat"], action, stale_version,
                    values(objective, title="Second save"))
    assert error.status == 409 and "Quelqu'un d'autre" in error.message
    assert db.session.get(ActionItem, action.id).title == "First save"


def test_changing_dates_must_keep_the_milestones_inside(people):
    action = make_action(starts_in=-10, due_in=30)
    make_milestone(action, due_in=20)
    objective_id = action.objective_id
    today = local_today()
    error = refused(rules.update_action, people["secretariat"], action, action.version,
                    rules.ActionValues(objective_id=objective_id, title=action.title,
                                       owner="secretariat", starts_on=today - timedelta(days=10),
                                       due_on=today + timedelta(days=10)))
    assert error.field == "due_on" and "jalon" in error.message


# --- progress updates ---------------------------------------------------------------------


def test_director_updates_their_clusters_action_and_history_is_kept(people):
    action = make_action(owner=people["own"])
    make_update(people["director"], action, text="Draft job descriptions written.",
                progress=40)
    make_update(people["director"], action, text="Blocked by the legal status.",
                progress=40, status="blocked", reason="Waiting for the legal status")
    updates = list(db.session.scalars(
        select(ProgressUpdate).where(ProgressUpdate.action_id == action.id)
        .order_by(ProgressUpdate.id)))
    assert [u.progress for u in updates] == [40, 40]
    assert [u.previous_status for u in updates] == [ActionStatus.PLANNED,
                                                    ActionStatus.IN_PROGRESS]
    assert updates[1].status_reason == "Waiting for the legal status"
    assert updates[0].author_id == people["director"].id
    action = db.session.get(ActionItem, action.id)
    assert action.status == ActionStatus.BLOCKED and action.status_reason


def test_director_cannot_update_another_clusters_action(people):
    action = make_action(owner=people["other"])
    error = refused(make_update, people["director"], action)
    assert error.status == 403


def test_observer_cannot_update_any_action(people):
    error = refused(make_update, people["observer"], make_action(owner=people["own"]))
    assert error.status == 403


def test_director_cannot_update_a_secretariat_action(people):
    error = refused(make_update, people["director"], make_action())
    assert error.status == 403


def test_secretariat_updates_every_action(people):
    update = make_update(people["secretariat"], make_action(owner=people["other"]))
    assert update.id


def test_only_the_secretariat_cancels(people):
    action = make_action(owner=people["own"])
    error = refused(make_update, people["director"], action, status="cancelled",
                    reason="No longer needed")
    assert error.status == 403 and "annuler" in error.message
    make_update(people["secretariat"], action, status="cancelled", reason="Merged with another")
    assert db.session.get(ActionItem, action.id).status == ActionStatus.CANCELLED


def test_update_needs_a_text(people):
    error = refused(make_update, people["director"], make_action(owner=people["own"]), text=" ")
    assert error.field == "text"


def test_update_done_below_100_asks_then_sets_100(people):
    action = make_action(owner=people["own"])
    error = refused(make_update, people["director"], action, progress=90, status="done")
    assert error.field == "confirm_complete"
    make_update(people["director"], action, progress=90, status="done", confirm_complete=True)
    assert db.session.get(ActionItem, action.id).progress == 100


def test_update_progress_out_of_range_is_refused(people):
    error = refused(make_update, people["director"], make_action(owner=people["own"]),
                    progress=120)
    assert error.field == "progress"


def test_concurrent_updates_the_second_is_refused(people):
    action = make_action(owner=people["own"])
    version = action.version
    rules.post_update(people["director"], action, version, text="First", progress=10,
                      status=ActionStatus.IN_PROGRESS)
    db.session.commit()
    error = refused(rules.post_update, people["secretariat"], action, version, text="Second",
                    progress=20, status=ActionStatus.IN_PROGRESS)
    assert error.status == 409
    assert db.session.get(ActionItem, action.id).progress == 10



def test_two_updates_in_one_transaction_each_move_the_version_on(people):
    action = make_action(owner=people["own"])
    version = action.version
    rules.post_update(people["director"], action, version, text="First", progress=10,
                      status=ActionStatus.IN_PROGRESS)
    with pytest.raises(RuleError) as caught:  # the version read before the first one
        rules.post_update(people["director"], action, version, text="Again", progress=20,
                          status=ActionStatus.IN_PROGRESS)
    assert caught.value.status == 409
    rules.post_update(people["director"], action, action.version, text="Second", progress=30,
                      status=ActionStatus.IN_PROGRESS)
    db.session.commit()
    stored = db.session.get(ActionItem, action.id)
    assert (stored.version, stored.progress) == (version + 2, 30)
    history = db.session.execute(
        select(ProgressUpdate.text, ProgressUpdate.previous_progress, ProgressUpdate.progress)
        .where(ProgressUpdate.action_id == action.id).order_by(ProgressUpdate.id)).all()
    assert [tuple(row) for row in history] == [("First", 0, 10), ("Second", 10, 30)]

# --- milestones ---------------------------------------------------------------------------


def test_milestone_outside_the_actions_dates_is_refused(people):
    action = make_action(starts_in=0, due_in=30)
    for offset in (-1, 31):
        error = refused(make_milestone, action, due_in=offset)
        assert error.field == "due_on" and "dans les dates de l'action" in error.message
    assert make_milestone(action, due_in=30).id


def test_owner_director_marks_a_milestone_reached_others_cannot(people):
    action = make_action(owner=people["own"])
    milestone = make_milestone(action)
    error = refused(rules.set_milestone_done, people["other_director"], milestone, action, True)
    assert error.status == 403
    rules.set_milestone_done(people["director"], milestone, action, True)
    db.session.commit()
    assert milestone.is_done and milestone.done_at is not None


def test_only_the_secretariat_adds_milestones(people):
    action = make_action(owner=people["own"])
    error = refused(rules.add_milestone, people["director"], action, title="x",
                    due_on=local_today())
    assert error.status == 403


# --- derived facts ------------------------------------------------------------------------


def test_overdue_is_derived_in_python_and_in_sql_alike(people):
    make_action(starts_in=-30, due_in=-1, title="Late")
    due_today = make_action(starts_in=-30, due_in=0, title="Due today")
    done_late = make_action(starts_in=-30, due_in=-5, title="Done late")
    make_update(people["secretariat"], done_late, progress=100, status="done")
    cancelled = make_action(starts_in=-30, due_in=-5, title="Cancelled")
    make_update(people["secretariat"], cancelled, status="cancelled", reason="Dropped")
    in_sql = set(db.session.scalars(select(ActionItem.title).where(ActionItem.is_overdue)))
    assert in_sql == {"Late"}
    by_python = {a.title for a in db.session.scalars(select(ActionItem)) if a.is_overdue}
    assert by_python == in_sql
    assert not due_today.is_overdue


def test_overdue_is_not_a_column():
    assert "is_overdue" not in ActionItem.__table__.columns


# --- strategy, horizons, funding ----------------------------------------------------------


def test_horizons_are_checked(people):
    network = make_network()
    secretariat = people["secretariat"]
    cases = [
        ({"medium_term_start": 2017, "medium_term_end": None}, "medium_term_end"),
        ({"medium_term_start": 2019, "medium_term_end": 2017}, "medium_term_end"),
        ({"medium_term_start": 2017, "medium_term_end": 2019, "long_term_start": 2019,
          "long_term_end": 2025}, "long_term_start"),
        ({"medium_term_start": 17, "medium_term_end": 19}, "medium_term_start"),
    ]
    for years, field in cases:
        error = refused(rules.set_horizons, secretariat, network, **years)
        assert error.field == field, years
    rules.set_horizons(secretariat, network, medium_term_start=2017, medium_term_end=2019,
                       long_term_start=2020, long_term_end=2025)
    db.session.commit()
    assert (network.medium_term_start, network.long_term_end) == (2017, 2025)
    assert refused(rules.set_horizons, people["director"], network).status == 403


def test_axis_with_objectives_cannot_be_deleted(people):
    objective = make_objective()
    error = refused(rules.delete_axis, people["secretariat"], objective.axis)
    assert error.status == 409


def test_objective_with_actions_cannot_be_deleted(people):
    objective = make_objective()
    make_action(objective=objective)
    error = refused(rules.delete_objective, people["secretariat"], objective)
    assert error.status == 409


def test_indicator_latest_value_needs_its_date(people):
    objective = make_objective()
    error = refused(rules.create_indicator, people["secretariat"], objective,
                    rules.IndicatorValues(name="Clusters", latest_value=Decimal(5)))
    assert error.field == "latest_value_on"


def test_funding_source_names_are_unique_whatever_the_case(people):
    make_funding_source(name="Cotisations des membres")
    error = refused(rules.create_funding_source, people["secretariat"],
                    name="cotisations des membres")
    assert error.status == 409 and error.field == "name"


# --- decisions ----------------------------------------------------------------------------


def _closed_decision(people, adopted: bool):
    from planner.proposals import rules as proposal_rules

    secretariat = people["secretariat"]
    proposal = make_proposal(actor=secretariat, open_round=True, title="Create a forum")
    make_ballot(people["director"], proposal, position="agree")
    make_ballot(people["other_director"], proposal, position="agree" if adopted else "object",
                reason="" if adopted else "Not now.")
    decision = proposal_rules.close_round(secretariat, current_round_of(proposal))
    db.session.commit()
    return decision


def test_action_from_an_adopted_decision_keeps_the_link(people):
    decision = _closed_decision(people, adopted=True)
    action = make_action(decision_id=decision.id)
    assert db.session.get(ActionItem, action.id).decision_id == decision.id


def test_no_action_from_a_decision_that_was_not_adopted(people):
    decision = _closed_decision(people, adopted=False)
    error = refused(make_action, decision_id=decision.id)
    assert error.status == 409 and error.field == "decision_id"
