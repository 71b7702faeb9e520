"""The decision rules of design.md as a pure function of plain values (no database, no Flask).

`decide()` is called once, when a round closes; its result is frozen in the Decision. Being
pure, it is property-tested against an independent reading of the rules
(tests/test_proposals_decision_rules.py).

The rules, exactly:
- consensus: every member of the electorate has given a position and nobody objects.
- consent: quorum reached and nobody objects among the positions given.
- simple majority: quorum reached and agree > object (abstentions not counted).
- absolute majority: agree > half of the electorate.
- two-thirds: quorum reached and agree >= 2/3 of (agree + object).
- choice: quorum reached, and the option with most votes wins; a tie at the top decides nothing.
"Agree with reservations" counts as agree everywhere. Where nobody agrees and nobody objects,
the two-thirds rule adopts nothing (0 >= 2/3 of 0 would otherwise adopt a text nobody backed).
Quorum: `quorum_needed` members must take part, counted as the electors present or
represented at the meeting, or, for a round between meetings, the electors who answered.
"""

from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

AGREE = "agree"
RESERVATIONS = "reservations"
ABSTAIN = "abstain"
OBJECT = "object"
POSITIONS = (AGREE, RESERVATIONS, ABSTAIN, OBJECT)

CONSENSUS = "consensus"
CONSENT = "consent"
SIMPLE_MAJORITY = "simple_majority"
ABSOLUTE_MAJORITY = "absolute_majority"
TWO_THIRDS = "two_thirds"
RULES = (CONSENSUS, CONSENT, SIMPLE_MAJORITY, ABSOLUTE_MAJORITY, TWO_THIRDS)

ADOPTED = "adopted"
REJECTED = "rejected"
NO_CONSENSUS = "no_consensus"
NO_QUORUM = "no_quorum"

# A member's answer: a position on a motion; on a choice an option id (int) or ABSTAIN.
Answer = str | int


@dataclass(frozen=True)
class Result:
    outcome: str
    quorum_needed: int
    participants: int  # members counted for the quorum
    quorum_reached: bool
    counts: dict[str, int]  # motion: per position; choice: per option id (as str) and abstain
    objectors: list[int] = field(default_factory=list)
    missing: list[int] = field(default_factory=list)
    winner: int | None = None  # choice: the winning option id
    tied: list[int] = field(default_factory=list)  # choice: options tied at the top


def quorum_needed(electorate: int, quorum_percent: int) -> int:
    """Strictly more than quorum_percent % of the electorate (same as Network.quorum_needed)."""
    return electorate * quorum_percent // 100 + 1 if electorate else 0


def decide(
    rule: str,
    electorate: Collection[int],
    answers: Mapping[int, Answer],
    *,
    needed: int,
    present: Collection[int] | None = None,
    is_choice: bool = False,
) -> Result:
    """The outcome of a closed round.

    electorate: the member ids of the snapshot; answers: member id -> answer (answers of
    non-electors are ignored); needed: the quorum (members); present: the members present
    or represented at the meeting, or None for a round held between meetings.
    """
    electors = set(electorate)
    answers = {member: answer for member, answer in answers.items() if member in electors}
    taking_part = set(answers) if present is None else electors & set(present)
    quorum_reached = len(taking_part) >= needed
    missing = sorted(electors - set(answers))
    objectors = sorted(m for m, answer in answers.items() if answer == OBJECT)
    base = {"quorum_needed": needed, "participants": len(taking_part),
            "quorum_reached": quorum_reached, "objectors": objectors, "missing": missing}
    if is_choice:
        return _decide_choice(rule, answers, base)

    counts = Counter(answers.values())
    tally = {position: counts.get(position, 0) for position in POSITIONS}
    agree = tally[AGREE] + tally[RESERVATIONS]
    object_ = tally[OBJECT]

    if rule == CONSENSUS:
        outcome = ADOPTED if not missing and not objectors else NO_CONSENSUS
    elif rule == ABSOLUTE_MAJORITY:
        outcome = ADOPTED if 2 * agree > len(electors) else REJECTED
    elif rule not in RULES:
        raise ValueError(f"unknown decision rule {rule!r}")
    elif not quorum_reached:
        outcome = NO_QUORUM
    elif rule == CONSENT:
        outcome = ADOPTED if not objectors else NO_CONSENSUS
    elif rule == SIMPLE_MAJORITY:
        outcome = ADOPTED if agree > object_ else REJECTED
    else:  # TWO_THIRDS
        outcome = ADOPTED if agree > 0 and 3 * agree >= 2 * (agree + object_) else REJECTED
    return Result(outcome=outcome, counts=tally, **base)


def _decide_choice(rule: str, answers: Mapping[int, Answer], base: dict) -> Result:
    if rule != SIMPLE_MAJORITY:
        raise ValueError("a choice is decided by simple majority")
    votes = Counter(answer for answer in answers.values() if answer != ABSTAIN)
    counts = {str(option): n for option, n in votes.items()}
    counts[ABSTAIN] = sum(1 for answer in answers.values() if answer == ABSTAIN)
    if not base["quorum_reached"]:
        return Result(outcome=NO_QUORUM, counts=counts, **base)
    if not votes:
        return Result(outcome=NO_CONSENSUS, counts=counts, **base)
    top = max(votes.values())
    leaders = sorted(option for option, n in votes.items() if n == top)
    if len(leaders) > 1:
        return Result(outcome=NO_CONSENSUS, counts=counts, tied=leaders, **base)
    return Result(outcome=ADOPTED, counts=counts, winner=leaders[0], **base)
