"""The decision rules of design.md, held exactly: examples per rule, then property tests that
compare decide() with an independent reading of the rules for random electorates."""

from fractions import Fraction

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from planner.members.models import Network
from planner.proposals import decision_rules as dr
from planner.proposals.decision_rules import (
    ABSOLUTE_MAJORITY,
    ABSTAIN,
    ADOPTED,
    AGREE,
    CONSENSUS,
    CONSENT,
    NO_CONSENSUS,
    NO_QUORUM,
    OBJECT,
    REJECTED,
    RESERVATIONS,
    SIMPLE_MAJORITY,
    TWO_THIRDS,
    decide,
)

FIVE = [1, 2, 3, 4, 5]


def outcome(rule, answers, electorate=FIVE, present=None, percent=50, choice=False):
    needed = dr.quorum_needed(len(electorate), percent)
    return decide(rule, electorate, answers, needed=needed, present=present, is_choice=choice)


# --- each rule, by example --------------------------------------------------------------------


def test_consensus_needs_every_member_and_no_objection():
    everyone = dict.fromkeys(FIVE, AGREE)
    assert outcome(CONSENSUS, everyone).outcome == ADOPTED
    assert outcome(CONSENSUS, {**everyone, 3: RESERVATIONS, 4: ABSTAIN}).outcome == ADOPTED


def test_objection_blocks_consensus_and_names_the_objector():
    result = outcome(CONSENSUS, {**dict.fromkeys(FIVE, AGREE), 2: OBJECT})
    assert result.outcome == NO_CONSENSUS
    assert result.objectors == [2]
    assert result.missing == []


def test_a_missing_answer_blocks_consensus_and_is_named():
    result = outcome(CONSENSUS, {1: AGREE, 2: AGREE, 3: AGREE, 4: AGREE})
    assert result.outcome == NO_CONSENSUS
    assert result.missing == [5]


def test_consensus_never_ends_in_no_quorum():
    assert outcome(CONSENSUS, {1: AGREE}).outcome == NO_CONSENSUS


def test_consent_needs_quorum_and_no_objection_among_answers():
    assert outcome(CONSENT, {1: AGREE, 2: AGREE, 3: ABSTAIN}).outcome == ADOPTED  # 3 > 50 % of 5
    assert outcome(CONSENT, {1: AGREE, 2: AGREE}).outcome == NO_QUORUM
    assert outcome(CONSENT, {1: AGREE, 2: AGREE, 3: OBJECT}).outcome == NO_CONSENSUS


def test_simple_majority_more_agree_than_object_abstentions_not_counted():
    assert outcome(SIMPLE_MAJORITY, {1: AGREE, 2: RESERVATIONS, 3: OBJECT}).outcome == ADOPTED
    assert outcome(SIMPLE_MAJORITY, {1: AGREE, 2: OBJECT, 3: ABSTAIN}).outcome == REJECTED  # tie
    assert outcome(SIMPLE_MAJORITY, {1: AGREE, 2: ABSTAIN, 3: ABSTAIN}).outcome == ADOPTED
    assert outcome(SIMPLE_MAJORITY, {1: ABSTAIN, 2: ABSTAIN, 3: ABSTAIN}).outcome == REJECTED
    assert outcome(SIMPLE_MAJORITY, {1: AGREE, 2: AGREE}).outcome == NO_QUORUM


def test_absolute_majority_counts_against_the_whole_electorate():
    assert outcome(ABSOLUTE_MAJORITY, {1: AGREE, 2: AGREE, 3: RESERVATIONS}).outcome == ADOPTED
    assert outcome(ABSOLUTE_MAJORITY, {1: AGREE, 2: AGREE}).outcome == REJECTED
    six = [1, 2, 3, 4, 5, 6]
    assert outcome(ABSOLUTE_MAJORITY, dict.fromkeys([1, 2, 3], AGREE), six).outcome == REJECTED
    assert outcome(ABSOLUTE_MAJORITY, dict.fromkeys([1, 2, 3, 4], AGREE), six).outcome == ADOPTED


def test_two_thirds_of_agree_plus_object_with_quorum():
    assert outcome(TWO_THIRDS, {1: AGREE, 2: AGREE, 3: OBJECT}).outcome == ADOPTED  # exactly 2/3
    assert outcome(TWO_THIRDS, {1: AGREE, 2: OBJECT, 3: OBJECT, 4: AGREE}).outcome == REJECTED
    assert outcome(TWO_THIRDS, {1: AGREE, 2: AGREE}).outcome == NO_QUORUM


def test_two_thirds_adopts_nothing_nobody_agreed_with():
    assert outcome(TWO_THIRDS, {1: ABSTAIN, 2: ABSTAIN, 3: ABSTAIN}).outcome == REJECTED


def test_meeting_quorum_counts_present_or_represented_not_answers():
    answers = {1: AGREE, 2: AGREE, 3: AGREE}
    assert outcome(SIMPLE_MAJORITY, answers, present=[1, 2]).outcome == NO_QUORUM
    assert outcome(SIMPLE_MAJORITY, {1: AGREE}, present=[1, 2, 3]).outcome == ADOPTED
    # Attendance of members outside the electorate does not count.
    assert outcome(SIMPLE_MAJORITY, {1: AGREE}, present=[1, 2, 98, 99]).outcome == NO_QUORUM


def test_quorum_is_strictly_more_than_the_percentage():
    assert dr.quorum_needed(4, 50) == 3
    assert dr.quorum_needed(5, 50) == 3
    assert dr.quorum_needed(13, 50) == 7
    assert dr.quorum_needed(3, 66) == 2
    assert dr.quorum_needed(10, 100) == 11  # never reachable: a deliberate network setting
    for n in range(0, 40):
        for percent in (1, 33, 50, 66, 75, 100):
            assert dr.quorum_needed(n, percent) == Network(quorum_percent=percent).quorum_needed(n)


def test_choice_most_votes_wins_ties_decide_nothing():
    result = outcome(SIMPLE_MAJORITY, {1: 10, 2: 10, 3: 11, 4: ABSTAIN}, choice=True)
    assert (result.outcome, result.winner) == (ADOPTED, 10)
    tie = outcome(SIMPLE_MAJORITY, {1: 10, 2: 11, 3: ABSTAIN}, choice=True)
    assert (tie.outcome, tie.winner, tie.tied) == (NO_CONSENSUS, None, [10, 11])
    nobody = outcome(SIMPLE_MAJORITY, {1: ABSTAIN, 2: ABSTAIN, 3: ABSTAIN}, choice=True)
    assert nobody.outcome == NO_CONSENSUS
    assert outcome(SIMPLE_MAJORITY, {1: 10, 2: 10}, choice=True).outcome == NO_QUORUM


def test_a_choice_is_decided_by_simple_majority_only():
    with pytest.raises(ValueError):
        outcome(CONSENSUS, {1: 10}, choice=True)


def test_answers_of_non_electors_are_ignored():
    result = outcome(CONSENSUS, {**dict.fromkeys(FIVE, AGREE), 42: OBJECT})
    assert result.outcome == ADOPTED


# --- properties: decide() against a direct reading of design.md --------------------------------


def reading_of_design(rule, electorate, answers, present, percent):
    """design.md, read literally, written independently of decision_rules.py."""
    given = [answers[m] for m in electorate if m in answers]
    agree = sum(1 for a in given if a in (AGREE, RESERVATIONS))  # reservations count as agree
    objections = sum(1 for a in given if a == OBJECT)
    everyone_answered = all(m in answers for m in electorate)
    # "Quorum ... more than half of the electorate" (configurable percentage), counting members
    # present or represented at the meeting, or, between meetings, members that answered.
    taking_part = len(given) if present is None else len([m for m in electorate if m in present])
    quorum = Fraction(taking_part) > Fraction(percent, 100) * len(electorate)
    if rule == CONSENSUS:
        return ADOPTED if everyone_answered and objections == 0 else NO_CONSENSUS
    if rule == ABSOLUTE_MAJORITY:
        return ADOPTED if agree > Fraction(len(electorate), 2) else REJECTED
    if not quorum:
        return NO_QUORUM
    if rule == CONSENT:
        return ADOPTED if objections == 0 else NO_CONSENSUS
    if rule == SIMPLE_MAJORITY:
        return ADOPTED if agree > objections else REJECTED
    # two-thirds; with nobody agreeing nothing is adopted (see decision_rules.py)
    return ADOPTED if agree > 0 and agree >= Fraction(2, 3) * (agree + objections) else REJECTED


def reading_of_choice(electorate, answers, present, percent):
    given = [answers[m] for m in electorate if m in answers]
    taking_part = len(given) if present is None else len([m for m in electorate if m in present])
    if not Fraction(taking_part) > Fraction(percent, 100) * len(electorate):
        return NO_QUORUM, None
    votes: dict[int, int] = {}
    for answer in given:
        if answer != ABSTAIN:
            votes[answer] = votes.get(answer, 0) + 1
    ranking = sorted(votes.items(), key=lambda kv: -kv[1])
    if not ranking or (len(ranking) > 1 and ranking[0][1] == ranking[1][1]):
        return NO_CONSENSUS, None  # a tie (or no vote at all) decides nothing
    return ADOPTED, ranking[0][0]


MOTION_ANSWERS = st.sampled_from([None, AGREE, RESERVATIONS, ABSTAIN, OBJECT])


@st.composite
def rounds(draw, answer_strategy=MOTION_ANSWERS):
    size = draw(st.integers(min_value=1, max_value=25))
    electorate = list(range(1, size + 1))
    raw = draw(st.lists(answer_strategy, min_size=size, max_size=size))
    answers = {m: a for m, a in zip(electorate, raw, strict=True) if a is not None}
    at_meeting = draw(st.booleans())
    present = None
    if at_meeting:
        flags = draw(st.lists(st.booleans(), min_size=size, max_size=size))
        present = {m for m, here in zip(electorate, flags, strict=True) if here}
    percent = draw(st.sampled_from([50, 50, 50, 1, 33, 66, 75, 99, 100]))
    return electorate, answers, present, percent


@given(rule=st.sampled_from(dr.RULES), case=rounds())
@example(rule=SIMPLE_MAJORITY, case=([1, 2, 3, 4], {1: AGREE, 2: OBJECT, 3: ABSTAIN}, None, 50))
@example(rule=TWO_THIRDS, case=([1, 2, 3], {1: AGREE, 2: AGREE, 3: OBJECT}, None, 50))
@example(rule=TWO_THIRDS, case=([1, 2, 3], {1: ABSTAIN, 2: ABSTAIN}, None, 50))
@example(rule=CONSENT, case=([1, 2, 3, 4], {1: AGREE, 2: AGREE}, None, 50))
@example(rule=CONSENT, case=([1, 2, 3, 4], {1: AGREE}, {1, 2, 3}, 50))
@example(rule=ABSOLUTE_MAJORITY, case=([1, 2, 3, 4], {1: AGREE, 2: RESERVATIONS}, None, 50))
@example(rule=CONSENSUS, case=([1, 2], {1: AGREE}, {1, 2}, 50))
@settings(max_examples=400, deadline=None)
def test_each_rule_matches_design_md(rule, case):
    electorate, answers, present, percent = case
    needed = dr.quorum_needed(len(electorate), percent)
    result = decide(rule, electorate, answers, needed=needed, present=present)
    assert result.outcome == reading_of_design(rule, electorate, answers, present, percent)
    assert result.objectors == sorted(m for m, a in answers.items() if a == OBJECT)
    assert result.missing == [m for m in electorate if m not in answers]
    assert sum(result.counts.values()) == len(answers)


@given(case=rounds(st.sampled_from([None, ABSTAIN, 101, 102, 103])))
@example(case=([1, 2, 3, 4], {1: 101, 2: 102, 3: ABSTAIN}, None, 50))
@example(case=([1, 2, 3], {1: 101, 2: 101, 3: 102}, {1}, 50))
@settings(max_examples=300, deadline=None)
def test_choice_matches_design_md(case):
    electorate, answers, present, percent = case
    needed = dr.quorum_needed(len(electorate), percent)
    result = decide(SIMPLE_MAJORITY, electorate, answers, needed=needed, present=present,
                    is_choice=True)
    assert (result.outcome, result.winner) == reading_of_choice(electorate, answers, present,
                                                                percent)


# --- the same property through the database: ballots cast by directors, round closed ------------


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rule=st.sampled_from(dr.RULES),
       raw=st.lists(MOTION_ANSWERS, min_size=1, max_size=7),
       percent=st.sampled_from([50, 34, 66]))
def test_closed_rounds_freeze_what_the_rules_say(app, rule, raw, percent):
    with app.test_request_context():
        _cast_and_close(rule, raw, percent)


def _cast_and_close(rule, raw, percent):
    from sqlalchemy import update

    from planner.extensions import db
    from planner.members.models import Member
    from planner.proposals import rules
    from tests.factories import current_round_of, make_network, make_proposal, make_user

    network = make_network()
    network.quorum_percent = percent
    db.session.execute(update(Member).values(is_active=False))
    directors = [make_user() for _ in raw]
    secretariat = make_user(role="secretariat")
    proposal = make_proposal(actor=secretariat, rule=rule, open_round=True)
    round_ = current_round_of(proposal)
    for director, answer in zip(directors, raw, strict=True):
        if answer is not None:
            rules.cast(director, round_, director.member, position=dr_position(answer),
                       reason="Because." if answer in (RESERVATIONS, OBJECT) else "")
    decision = rules.close_round(secretariat, round_)
    db.session.commit()
    electorate = [d.member_id for d in directors]
    answers = {d.member_id: a for d, a in zip(directors, raw, strict=True) if a is not None}
    assert decision.outcome.value == reading_of_design(rule, electorate, answers, None, percent)
    assert decision.electorate_count == len(raw)
    assert decision.answered_count == len(answers)
    assert decision.tally[OBJECT] == sum(1 for a in answers.values() if a == OBJECT)


def dr_position(value):
    from planner.proposals.models import Position

    return Position(value)
