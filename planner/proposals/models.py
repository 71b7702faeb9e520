"""Proposals, their rounds, the members' ballots, criteria grids and the frozen decisions."""

import enum
import json
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
    UniqueConstraint,
    event,
    select,
)
from sqlalchemy import (
    text as sql_text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.core.time import utcnow
from planner.extensions import db
from planner.meetings.models import AgendaItem, Meeting, enum_column
from planner.members.models import Member, User
from planner.proposals import decision_rules as dr


class ProposalKind(enum.Enum):
    MOTION = "motion"
    CHOICE = "choice"


class DecisionRule(enum.Enum):
    CONSENSUS = dr.CONSENSUS
    CONSENT = dr.CONSENT
    SIMPLE_MAJORITY = dr.SIMPLE_MAJORITY
    ABSOLUTE_MAJORITY = dr.ABSOLUTE_MAJORITY
    TWO_THIRDS = dr.TWO_THIRDS


class RoundStatus(enum.Enum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class Position(enum.Enum):
    AGREE = dr.AGREE
    RESERVATIONS = dr.RESERVATIONS
    ABSTAIN = dr.ABSTAIN
    OBJECT = dr.OBJECT


class Outcome(enum.Enum):
    ADOPTED = dr.ADOPTED
    REJECTED = dr.REJECTED
    NO_CONSENSUS = dr.NO_CONSENSUS
    NO_QUORUM = dr.NO_QUORUM


class FollowUpStatus(enum.Enum):
    OPEN = "open"
    ANSWERED = "answered"  # answered by the amendment
    WITHDRAWN = "withdrawn"  # withdrawn by its author


class Proposal(db.Model):
    """A question put to the members: a motion, or a choice among options."""

    __tablename__ = "proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    # The working text (Markdown): copied into each round when the round is created.
    text: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[ProposalKind] = mapped_column(enum_column(ProposalKind), default=ProposalKind.MOTION)
    rule: Mapped[DecisionRule] = mapped_column(
        enum_column(DecisionRule), default=DecisionRule.CONSENSUS
    )
    is_secret: Mapped[bool] = mapped_column(Boolean, default=False)
    # A decision item of a meeting's agenda; None: a written procedure between meetings.
    agenda_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="RESTRICT"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    agenda_item: Mapped[AgendaItem | None] = relationship(lazy="raise")
    options: Mapped[list["ProposalOption"]] = relationship(
        back_populates="proposal", order_by="ProposalOption.position", lazy="raise",
        cascade="all, delete-orphan",
    )
    criteria: Mapped[list["Criterion"]] = relationship(
        back_populates="proposal", order_by="Criterion.position", lazy="raise",
        cascade="all, delete-orphan",
    )
    rounds: Mapped[list["Round"]] = relationship(
        back_populates="proposal", order_by="Round.number", lazy="raise",
        cascade="all, delete-orphan",
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_choice(self) -> bool:
        return self.kind is ProposalKind.CHOICE


class ProposalOption(db.Model):
    """One alternative of a choice (e.g. association, GIE, federation, stay informal)."""

    __tablename__ = "proposal_options"
    __table_args__ = (UniqueConstraint("proposal_id", "label", name="uq_proposal_options_label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    position: Mapped[int]
    label: Mapped[str] = mapped_column(String(200))

    proposal: Mapped[Proposal] = relationship(back_populates="options", lazy="raise")


class Criterion(db.Model):
    """One row of a choice's criteria grid; each member scores each option 1 to 5 on it."""

    __tablename__ = "criteria"
    __table_args__ = (UniqueConstraint("proposal_id", "label", name="uq_criteria_label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    position: Mapped[int]
    label: Mapped[str] = mapped_column(String(200))

    proposal: Mapped[Proposal] = relationship(back_populates="criteria", lazy="raise")


class CriterionScore(db.Model):
    __tablename__ = "criterion_scores"
    __table_args__ = (
        UniqueConstraint("criterion_id", "option_id", "member_id", name="uq_criterion_scores_cell"),
        CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id", ondelete="CASCADE"))
    option_id: Mapped[int] = mapped_column(
        ForeignKey("proposal_options.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="RESTRICT"), index=True)
    score: Mapped[int]
    scored_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    scored_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Round(db.Model):
    """One vote on one version of a proposal's text: draft, then open, then closed for good."""

    __tablename__ = "rounds"
    __table_args__ = (
        # Open rounds, closing first (home page, due closings).
        Index("ix_rounds_status_closes_at", "status", "closes_at"),
        UniqueConstraint("proposal_id", "number", name="uq_rounds_number"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint(
            "(status = 'draft') = (opened_at IS NULL)", name="opened_iff_not_draft"
        ),
        CheckConstraint(
            "(status = 'closed') = (closed_at IS NOT NULL)", name="closed_iff_closed_at"
        ),
        # At most one round of a proposal is being prepared or voted at a time.
        Index(
            "uq_rounds_one_unclosed", "proposal_id", unique=True,
            sqlite_where=sql_text("status <> 'closed'"),
            postgresql_where=sql_text("status <> 'closed'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    number: Mapped[int]
    text: Mapped[str] = mapped_column(Text, default="")  # the version voted in this round
    status: Mapped[RoundStatus] = mapped_column(
        enum_column(RoundStatus), default=RoundStatus.DRAFT, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Set at opening: the meeting whose attendance makes the quorum (None: between meetings).
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meetings.id", ondelete="RESTRICT"), index=True
    )
    quorum_percent: Mapped[int | None]
    # Set at opening with the electors (RoundElector), who never change afterwards: lists
    # show "12 of 13 answered" without counting a thousand electors per round.
    electorate_count: Mapped[int | None]
    opened_at: Mapped[datetime | None]
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closes_at: Mapped[datetime | None] = mapped_column(index=True)
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: at deadline

    proposal: Mapped[Proposal] = relationship(back_populates="rounds", lazy="raise")
    meeting: Mapped[Meeting | None] = relationship(lazy="raise")
    electors: Mapped[list["RoundElector"]] = relationship(
        back_populates="round", lazy="raise", cascade="all, delete-orphan"
    )
    ballots: Mapped[list["Ballot"]] = relationship(
        back_populates="round", lazy="raise", cascade="all, delete-orphan",
        foreign_keys="Ballot.round_id",
    )
    decision: Mapped["Decision | None"] = relationship(back_populates="round", lazy="raise")

    @property
    def is_open(self) -> bool:
        return self.status is RoundStatus.OPEN

    @property
    def is_closed(self) -> bool:
        return self.status is RoundStatus.CLOSED

    def is_due(self, now: datetime) -> bool:
        return self.is_open and self.closes_at is not None and self.closes_at <= now


class RoundElector(db.Model):
    """The electorate of a round: the active members when it opened (a snapshot)."""

    __tablename__ = "round_electors"

    round_id: Mapped[int] = mapped_column(
        ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="RESTRICT"), primary_key=True, index=True
    )

    round: Mapped[Round] = relationship(back_populates="electors", lazy="raise")
    member: Mapped[Member] = relationship(lazy="raise")


class Ballot(db.Model):
    """A member's answer in a round; one per member per round, changed in place until closing."""

    __tablename__ = "ballots"
    __table_args__ = (
        UniqueConstraint("round_id", "member_id", name="uq_ballots_round_member"),
        # Only an elector of the round has a ballot in it.
        ForeignKeyConstraint(
            ["round_id", "member_id"], ["round_electors.round_id", "round_electors.member_id"],
            name="fk_ballots_elector", ondelete="CASCADE",
        ),
        # A motion takes a position; a choice an option, or the position "abstain".
        CheckConstraint(
            "(option_id IS NULL AND position IS NOT NULL) "
            "OR (option_id IS NOT NULL AND position IS NULL)",
            name="position_or_option",
        ),
        CheckConstraint(
            "position IS NULL OR position NOT IN ('reservations', 'object') "
            "OR length(reason) > 0",
            name="reason_for_reservations_and_objections",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="RESTRICT"), index=True)
    position: Mapped[Position | None] = mapped_column(enum_column(Position))
    option_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposal_options.id", ondelete="RESTRICT"), index=True
    )
    reason: Mapped[str] = mapped_column(Text, default="")
    cast_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    by_proxy: Mapped[bool] = mapped_column(Boolean, default=False)
    cast_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    round: Mapped[Round] = relationship(back_populates="ballots", foreign_keys=[round_id],
                                        lazy="raise")
    member: Mapped[Member] = relationship(foreign_keys=[member_id], lazy="raise")
    option: Mapped[ProposalOption | None] = relationship(lazy="raise")
    cast_by: Mapped[User] = relationship(lazy="raise")

    @property
    def answer(self) -> dr.Answer:
        """The plain value decision_rules reads."""
        return self.option_id if self.option_id is not None else self.position.value


class BallotChange(db.Model):
    """The history of a ballot: every cast and every change, append-only."""

    __tablename__ = "ballot_changes"
    # The round page shows the latest changes first; the index also serves the foreign key.
    __table_args__ = (Index("ix_ballot_changes_round_at", "round_id", "at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballots.id", ondelete="CASCADE"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="RESTRICT"))
    position: Mapped[Position | None] = mapped_column(enum_column(Position))
    option_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposal_options.id", ondelete="RESTRICT")
    )
    reason: Mapped[str] = mapped_column(Text, default="")
    cast_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    by_proxy: Mapped[bool] = mapped_column(Boolean, default=False)
    at: Mapped[datetime] = mapped_column(default=utcnow)

    member: Mapped[Member] = relationship(lazy="raise")
    option: Mapped[ProposalOption | None] = relationship(lazy="raise")
    cast_by: Mapped[User] = relationship(lazy="raise")


class ObjectionFollowUp(db.Model):
    """An objection of the previous round, tracked in the round that carries the amendment."""

    __tablename__ = "objection_follow_ups"
    __table_args__ = (UniqueConstraint("round_id", "member_id", name="uq_objection_follow_ups_member"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="RESTRICT"))
    objection_ballot_id: Mapped[int] = mapped_column(
        ForeignKey("ballots.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(Text)  # the objection as written in the previous round
    status: Mapped[FollowUpStatus] = mapped_column(
        enum_column(FollowUpStatus), default=FollowUpStatus.OPEN
    )
    note: Mapped[str] = mapped_column(Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    member: Mapped[Member] = relationship(lazy="raise")


class Decision(db.Model):
    """The frozen outcome of a closed round: computed once, never changed."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="RESTRICT"), unique=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="RESTRICT"), index=True
    )
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meetings.id", ondelete="RESTRICT"), index=True
    )
    outcome: Mapped[Outcome] = mapped_column(enum_column(Outcome), index=True)
    rule: Mapped[DecisionRule] = mapped_column(enum_column(DecisionRule), index=True)
    is_secret: Mapped[bool] = mapped_column(Boolean)
    is_choice: Mapped[bool] = mapped_column(Boolean)
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    winning_option_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposal_options.id", ondelete="RESTRICT")
    )
    winning_option_label: Mapped[str] = mapped_column(String(200), default="")
    electorate_count: Mapped[int]
    answered_count: Mapped[int]
    participants_count: Mapped[int]  # counted for the quorum
    quorum_needed: Mapped[int]
    quorum_percent: Mapped[int]
    quorum_reached: Mapped[bool] = mapped_column(Boolean)
    # JSON documents, frozen at closing (see the properties below).
    tally_json: Mapped[str] = mapped_column("tally", Text)
    positions_json: Mapped[str] = mapped_column("positions", Text, default="[]")
    objectors_json: Mapped[str] = mapped_column("objectors", Text, default="[]")
    missing_json: Mapped[str] = mapped_column("missing", Text, default="[]")
    follow_ups_json: Mapped[str] = mapped_column("follow_ups", Text, default="[]")
    closed_at: Mapped[datetime] = mapped_column(index=True)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: at deadline

    round: Mapped[Round] = relationship(back_populates="decision", lazy="raise")
    proposal: Mapped[Proposal] = relationship(lazy="raise")
    meeting: Mapped[Meeting | None] = relationship(lazy="raise")
    closed_by: Mapped[User | None] = relationship(lazy="raise")

    @property
    def tally(self) -> dict[str, int]:
        return json.loads(self.tally_json)

    @property
    def positions(self) -> list[dict[str, Any]]:
        return json.loads(self.positions_json)

    @property
    def objectors(self) -> list[str]:
        return json.loads(self.objectors_json)

    @property
    def missing(self) -> list[str]:
        return json.loads(self.missing_json)

    @property
    def follow_ups(self) -> list[dict[str, Any]]:
        return json.loads(self.follow_ups_json)

    @property
    def missing_count(self) -> int:
        return self.electorate_count - self.answered_count


# --- the last line of defence: nothing of a closed round changes, whatever the code path ---


def _refuse(_mapper, _connection, target) -> None:
    raise RuntimeError(f"{type(target).__name__} is frozen: it cannot be changed or deleted.")


for _frozen in (Decision, BallotChange):
    event.listen(_frozen, "before_update", _refuse)
    event.listen(_frozen, "before_delete", _refuse)


def _round_statuses(connection) -> dict:
    """Round statuses already read in this transaction: opening a round inserts one elector
    per member, and asking the database once per row made that O(members) queries."""
    transaction = connection.get_transaction()
    cached = connection.info.get("round_statuses")
    if cached is None or cached[0] is not transaction:
        cached = connection.info["round_statuses"] = (transaction, {})
    return cached[1]


def _round_is_closed(connection, round_id: int | None) -> bool:
    statuses = _round_statuses(connection)
    if round_id not in statuses:
        table = Round.__table__
        statuses[round_id] = connection.scalar(
            select(table.c.status).where(table.c.id == round_id))
    return statuses[round_id] in (RoundStatus.CLOSED, RoundStatus.CLOSED.value)


def remember_locked_round(connection, round_: Round) -> None:
    """The round was just read under its row lock in this transaction: the guard below takes
    its status from that read instead of asking again (any change of the round forgets it)."""
    _round_statuses(connection)[round_.id] = round_.status


def _refuse_in_closed_round(_mapper, connection, target) -> None:
    if _round_is_closed(connection, target.round_id):
        raise RuntimeError("This round is closed: its ballots and electorate are frozen.")


for _part in (Ballot, RoundElector, ObjectionFollowUp):
    for _event in ("before_insert", "before_update", "before_delete"):
        event.listen(_part, _event, _refuse_in_closed_round)


@event.listens_for(Round, "before_update")
@event.listens_for(Round, "before_delete")
def _refuse_closed_round_changes(_mapper, connection, target) -> None:
    if _round_is_closed(connection, target.id):
        raise RuntimeError("This round is closed: it cannot be changed or deleted.")


@event.listens_for(Round, "after_update")
@event.listens_for(Round, "after_delete")
def _forget_round_status(_mapper, connection, target) -> None:
    # Every change of a round's status goes through here: the next check reads it again.
    _round_statuses(connection).pop(target.id, None)
