"""The strategy tree (axes, objectives, indicators) and the action items that carry it out."""

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    and_,
    case,
    text,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.core.time import utcnow
from planner.extensions import db
from planner.meetings.models import enum_column
from planner.members.models import Member, User
from planner.plan.dates import local_today
from planner.proposals.models import Decision


def _renamed(column_type: Enum, name: str) -> Enum:
    column_type.name = name
    return column_type


class Horizon(enum.Enum):
    MEDIUM = "medium"
    LONG = "long"


class ActionStatus(enum.Enum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    BLOCKED = "blocked"
    CANCELLED = "cancelled"


# Statuses after which an action no longer counts as open (neither overdue nor stale).
CLOSED_STATUSES = (ActionStatus.DONE, ActionStatus.CANCELLED)
# Statuses that need a written reason.
REASON_STATUSES = (ActionStatus.BLOCKED, ActionStatus.CANCELLED)


class FundingStatus(enum.Enum):
    PLANNED = "planned"
    REQUESTED = "requested"
    SECURED = "secured"


class FundingSource(db.Model):
    """A funder or partner the secretariat lists: ministry, donor programme, member dues."""

    __tablename__ = "funding_sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    def __str__(self) -> str:
        return self.name


class StrategicAxis(db.Model):
    __tablename__ = "strategic_axes"
    __table_args__ = (CheckConstraint("position >= 1", name="position_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(index=True)
    title: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)

    objectives: Mapped[list["Objective"]] = relationship(
        back_populates="axis", lazy="raise", order_by="Objective.position"
    )

    __mapper_args__ = {"version_id_col": version}

    def __str__(self) -> str:
        return self.title


class Objective(db.Model):
    __tablename__ = "objectives"
    __table_args__ = (
        CheckConstraint("position >= 1", name="position_positive"),
        Index("ix_objectives_axis_position", "axis_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    axis_id: Mapped[int] = mapped_column(ForeignKey("strategic_axes.id", ondelete="RESTRICT"))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    horizon: Mapped[Horizon] = mapped_column(enum_column(Horizon), index=True)
    version: Mapped[int] = mapped_column(default=1)

    axis: Mapped[StrategicAxis] = relationship(back_populates="objectives", lazy="joined")
    indicators: Mapped[list["Indicator"]] = relationship(
        back_populates="objective", lazy="raise", order_by="Indicator.id",
        cascade="all, delete-orphan",
    )

    __mapper_args__ = {"version_id_col": version}

    def __str__(self) -> str:
        return self.title


class Indicator(db.Model):
    """How an objective is measured: from a baseline towards a target by a given year."""

    __tablename__ = "indicators"
    __table_args__ = (
        CheckConstraint("target_year BETWEEN 1900 AND 2200", name="target_year_range"),
        CheckConstraint(
            "(latest_value IS NULL) = (latest_value_on IS NULL)", name="latest_value_dated"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    objective_id: Mapped[int] = mapped_column(
        ForeignKey("objectives.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(40), default="")
    baseline: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    target: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    target_year: Mapped[int | None]
    latest_value: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    latest_value_on: Mapped[date | None]
    version: Mapped[int] = mapped_column(default=1)

    objective: Mapped[Objective] = relationship(back_populates="indicators", lazy="raise")

    __mapper_args__ = {"version_id_col": version}


class ActionItem(db.Model):
    """One action of the plan: who owns it, by when, how far it is, what it costs."""

    __tablename__ = "action_items"
    __table_args__ = (
        # The owner is exactly one of: a member cluster, or the secretariat.
        CheckConstraint(
            "(owner_member_id IS NULL) = is_secretariat_owned", name="one_owner"
        ),
        CheckConstraint(
            "NOT (responsible_user_id IS NOT NULL AND responsible_name <> '')",
            name="one_responsible",
        ),
        CheckConstraint("due_on >= starts_on", name="due_after_start"),
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress_range"),
        CheckConstraint("status <> 'done' OR progress = 100", name="done_is_complete"),
        CheckConstraint(
            "status NOT IN ('blocked', 'cancelled') OR status_reason <> ''",
            name="reason_when_blocked_or_cancelled",
        ),
        CheckConstraint("estimated_cost IS NULL OR estimated_cost >= 0", name="cost_not_negative"),
        CheckConstraint(
            "funding_status IS NULL OR funding_source_id IS NOT NULL",
            name="funding_status_needs_source",
        ),
        Index("ix_action_items_status_due_on", "status", "due_on"),
        # The plan list's order within an objective (deadline, then id): its first page is
        # read in order and stops at 50 rows, instead of sorting a whole objective's actions.
        Index("ix_action_items_objective_due", "objective_id", "due_on", "id"),
        # The plan's figures (progress per objective, follow-up per owner and per funding
        # source, home counts) are counted from these indexes alone, in their order, without
        # reading the actions' rows and their text.
        Index("ix_action_items_figures", "objective_id", "status", "due_on", "progress",
              "estimated_cost"),
        Index("ix_action_items_owner_figures", "owner_member_id", "status", "due_on",
              "created_at"),
        Index("ix_action_items_funding_figures", "funding_source_id", "funding_status",
              "status", "estimated_cost"),
        Index("ix_action_items_status_figures", "status", "created_at", "due_on"),
        # Partial: most actions carry no decision, and SQLite's statistics count those NULLs
        # as one value shared by every row, so a full index looked useless next to the
        # deadline's and the minutes' "actions of these decisions" walked the whole plan.
        Index("ix_action_items_decision_id", "decision_id",
              sqlite_where=text("decision_id IS NOT NULL"),
              postgresql_where=text("decision_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    objective_id: Mapped[int] = mapped_column(ForeignKey("objectives.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    owner_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="RESTRICT"), index=True
    )
    is_secretariat_owned: Mapped[bool] = mapped_column(Boolean, default=False)
    responsible_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    responsible_name: Mapped[str] = mapped_column(String(200), default="")
    starts_on: Mapped[date]
    due_on: Mapped[date] = mapped_column(index=True)
    status: Mapped[ActionStatus] = mapped_column(
        enum_column(ActionStatus), default=ActionStatus.PLANNED
    )
    status_reason: Mapped[str] = mapped_column(Text, default="")
    progress: Mapped[int] = mapped_column(default=0)
    estimated_cost: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    funding_source_id: Mapped[int | None] = mapped_column(
        ForeignKey("funding_sources.id", ondelete="RESTRICT"), index=True
    )
    funding_status: Mapped[FundingStatus | None] = mapped_column(enum_column(FundingStatus))
    # The adopted decision the action carries out, when there is one.
    decision_id: Mapped[int | None] = mapped_column(
        ForeignKey("decisions.id", ondelete="RESTRICT")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(default=1)

    objective: Mapped[Objective] = relationship(lazy="raise")
    decision: Mapped[Decision | None] = relationship(lazy="raise")
    owner_member: Mapped[Member | None] = relationship(lazy="raise")
    responsible_user: Mapped[User | None] = relationship(
        foreign_keys=[responsible_user_id], lazy="raise"
    )
    funding_source: Mapped[FundingSource | None] = relationship(lazy="raise")
    milestones: Mapped[list["Milestone"]] = relationship(
        back_populates="action", lazy="raise", order_by="Milestone.due_on",
        cascade="all, delete-orphan",
    )
    updates: Mapped[list["ProgressUpdate"]] = relationship(
        back_populates="action", lazy="raise", order_by="ProgressUpdate.id.desc()",
        cascade="all, delete-orphan",
    )

    __mapper_args__ = {"version_id_col": version}

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_STATUSES

    # Derived, never stored: the deadline has passed and the action is neither done nor
    # cancelled. "Today" is the network's date, passed to SQL as a parameter so that
    # SQLite and PostgreSQL agree whatever the database server's clock or zone.
    @hybrid_property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_on < local_today()

    @is_overdue.inplace.expression
    @classmethod
    def _is_overdue_expression(cls):
        return case(
            (and_(cls.status.not_in(CLOSED_STATUSES), cls.due_on < local_today()), True),
            else_=False,
        )

    @property
    def owner_label(self) -> str:
        """Needs owner_member loaded (queries do it)."""
        return self.owner_member.short_name if self.owner_member_id else ""


class Milestone(db.Model):
    __tablename__ = "milestones"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(
        ForeignKey("action_items.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date]
    is_done: Mapped[bool] = mapped_column(Boolean, default=False)
    done_at: Mapped[datetime | None]

    action: Mapped[ActionItem] = relationship(back_populates="milestones", lazy="raise")

    @property
    def is_overdue(self) -> bool:
        return not self.is_done and self.due_on < local_today()


class ProgressUpdate(db.Model):
    """A dated report on an action: what happened, the new progress and status. Kept forever."""

    __tablename__ = "progress_updates"
    __table_args__ = (
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress_range"),
        Index("ix_progress_updates_action_created", "action_id", "created_at"),
        # The actions updated lately (the follow-up's "stale" counts the others).
        Index("ix_progress_updates_created_action", "created_at", "action_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action_items.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    text: Mapped[str] = mapped_column(Text, default="")
    progress: Mapped[int]
    status: Mapped[ActionStatus] = mapped_column(enum_column(ActionStatus))
    status_reason: Mapped[str] = mapped_column(Text, default="")
    previous_progress: Mapped[int]
    # Its own constraint name: two CHECKs named after one enum would clash in PostgreSQL.
    previous_status: Mapped[ActionStatus] = mapped_column(
        _renamed(enum_column(ActionStatus), "previous_actionstatus")
    )

    action: Mapped[ActionItem] = relationship(back_populates="updates", lazy="raise")
    author: Mapped[User | None] = relationship(lazy="joined")


class CalendarFeed(db.Model):
    """The secret behind one person's calendar address; a reset draws a new one."""

    __tablename__ = "calendar_feeds"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    nonce: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

class PlanRevision(db.Model):
    """One row: a counter that every change to the plan's tables moves on, in the change's
    own transaction (planner/plan/revision.py). The figures counted over every action are
    kept per process under it, so a page reuses them until the plan changes."""

    __tablename__ = "plan_revision"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    revision: Mapped[int] = mapped_column(default=1)
