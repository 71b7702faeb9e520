"""Meetings, their agenda items and the attendance of each member cluster."""

import enum
from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.core.time import utcnow
from planner.extensions import db
from planner.members.models import Member, User


def enum_column(enum_class: type[enum.Enum]) -> Enum:
    """Store an Enum by its value, as a plain VARCHAR with a CHECK (portable, readable)."""
    return Enum(
        enum_class,
        values_callable=lambda members: [m.value for m in members],
        native_enum=False,
        create_constraint=True,
        length=20,
        name=enum_class.__name__.lower(),
    )


class MeetingStatus(enum.Enum):
    DRAFT = "draft"
    CONVENED = "convened"
    IN_SESSION = "in_session"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class AgendaItemKind(enum.Enum):
    INFORMATION = "information"
    DISCUSSION = "discussion"
    DECISION = "decision"
    REVIEW = "review"  # review of previous actions: lists the open action items


class SuggestionStatus(enum.Enum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class AttendanceStatus(enum.Enum):
    PRESENT = "present"
    REPRESENTED = "represented"
    EXCUSED = "excused"
    ABSENT = "absent"


class Meeting(db.Model):
    __tablename__ = "meetings"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(index=True)  # UTC
    ends_at: Mapped[datetime]  # UTC
    venue: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    context: Mapped[str] = mapped_column(String(300), default="")
    objectives: Mapped[str] = mapped_column(Text, default="")
    minutes_language: Mapped[str] = mapped_column(String(8), default="fr")
    status: Mapped[MeetingStatus] = mapped_column(
        enum_column(MeetingStatus), default=MeetingStatus.DRAFT, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    convened_at: Mapped[datetime | None]
    opened_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    cancellation_reason: Mapped[str] = mapped_column(Text, default="")
    # The live session: which item is being discussed, since when.
    current_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_items.id", use_alter=True, ondelete="SET NULL")
    )
    version: Mapped[int] = mapped_column(default=1)

    items: Mapped[list["AgendaItem"]] = relationship(
        back_populates="meeting",
        foreign_keys="AgendaItem.meeting_id",
        order_by="AgendaItem.position",
        lazy="raise",
        cascade="all, delete-orphan",
    )
    attendances: Mapped[list["Attendance"]] = relationship(
        back_populates="meeting", lazy="raise", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}


class AgendaItem(db.Model):
    __tablename__ = "agenda_items"
    __table_args__ = (
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
        Index("ix_agenda_items_meeting_position", "meeting_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[AgendaItemKind] = mapped_column(
        enum_column(AgendaItemKind), default=AgendaItemKind.DISCUSSION
    )
    presenter_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    presenter_name: Mapped[str] = mapped_column(String(200), default="")
    duration_minutes: Mapped[int] = mapped_column(default=15)
    description: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[datetime | None]  # live session: when discussion of the item began
    ended_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    meeting: Mapped[Meeting] = relationship(back_populates="items", foreign_keys=[meeting_id])
    presenter_member: Mapped[Member | None] = relationship(lazy="raise")
    documents: Mapped[list["AgendaDocument"]] = relationship(
        back_populates="item",
        order_by="AgendaDocument.id",
        lazy="raise",
        cascade="all, delete-orphan",
        passive_deletes=True,  # the database removes them (ON DELETE CASCADE)
    )

    __mapper_args__ = {"version_id_col": version}


class Attendance(db.Model):
    """How one member cluster takes part in one meeting; a proxy names the holder."""

    __tablename__ = "attendances"
    __table_args__ = (
        UniqueConstraint("meeting_id", "member_id"),
        CheckConstraint(
            "(status = 'represented') = (proxy_holder_id IS NOT NULL)",
            name="proxy_holder_iff_represented",
        ),
        CheckConstraint("proxy_holder_id <> member_id", name="no_proxy_to_oneself"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="RESTRICT"))
    status: Mapped[AttendanceStatus] = mapped_column(enum_column(AttendanceStatus))
    proxy_holder_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="RESTRICT"), index=True
    )
    signed_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # who recorded it
    # The person who sat for the cluster, when it was not its director (optional).
    attendee_name: Mapped[str] = mapped_column(String(200), default="")
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    meeting: Mapped[Meeting] = relationship(back_populates="attendances")
    member: Mapped[Member] = relationship(foreign_keys=[member_id], lazy="raise")
    proxy_holder: Mapped[Member | None] = relationship(foreign_keys=[proxy_holder_id], lazy="raise")
    signed_in_by: Mapped[User | None] = relationship(lazy="raise")


class AgendaDocument(db.Model):
    """A file attached to an agenda item, stored under instance/uploads with a random name."""

    __tablename__ = "agenda_documents"
    __table_args__ = (CheckConstraint("size_bytes > 0", name="size_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="CASCADE"), index=True
    )
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(120))
    size_bytes: Mapped[int]
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    item: Mapped[AgendaItem] = relationship(back_populates="documents", lazy="raise")
    uploaded_by: Mapped[User | None] = relationship(lazy="raise")


class AgendaSuggestion(db.Model):
    """An agenda item a director asks for; the secretariat accepts it or declines with a reason."""

    __tablename__ = "agenda_suggestions"
    __table_args__ = (
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
        CheckConstraint(
            "status <> 'declined' OR decision_reason <> ''", name="decline_has_reason"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="RESTRICT"))
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[AgendaItemKind] = mapped_column(
        enum_column(AgendaItemKind), default=AgendaItemKind.DISCUSSION
    )
    duration_minutes: Mapped[int] = mapped_column(default=15)
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[SuggestionStatus] = mapped_column(
        enum_column(SuggestionStatus), default=SuggestionStatus.PENDING, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    agenda_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="SET NULL")
    )
    version: Mapped[int] = mapped_column(default=1)

    meeting: Mapped[Meeting] = relationship(lazy="raise")
    member: Mapped[Member] = relationship(lazy="raise")
    proposed_by: Mapped[User | None] = relationship(foreign_keys=[proposed_by_id], lazy="raise")
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id], lazy="raise")

    __mapper_args__ = {"version_id_col": version}
