"""Minutes of a meeting, the notes per agenda item, comments, errata and share links."""

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.core.time import utcnow
from planner.extensions import db
from planner.meetings.models import AgendaItem, Meeting, enum_column
from planner.members.models import Member, User


class MinutesStatus(enum.Enum):
    DRAFT = "draft"
    CIRCULATED = "circulated"
    APPROVED = "approved"


class ApprovalBasis(enum.Enum):
    MEETING = "meeting"  # approved as a decision of a later meeting
    SECRETARIAT = "secretariat"  # approved by the secretariat, on a stated basis


class Minutes(db.Model):
    """The state of a meeting's minutes; the text itself is assembled from the record.

    At approval the assembled document is frozen in `approved_html` and fingerprinted, so
    the approved text never changes even when the actions it lists move on.
    """

    __tablename__ = "minutes"
    __table_args__ = (
        CheckConstraint(
            "(status = 'approved') = (approved_html IS NOT NULL AND fingerprint IS NOT NULL)",
            name="approved_is_frozen",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), unique=True
    )
    status: Mapped[MinutesStatus] = mapped_column(
        enum_column(MinutesStatus), default=MinutesStatus.DRAFT, index=True
    )
    circulated_at: Mapped[datetime | None]
    circulated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None]
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_on: Mapped[date | None]
    approval_basis: Mapped[ApprovalBasis | None] = mapped_column(enum_column(ApprovalBasis))
    approval_meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meetings.id", ondelete="SET NULL")
    )
    approval_note: Mapped[str] = mapped_column(Text, default="")
    approved_html: Mapped[str | None] = mapped_column(Text)
    fingerprint: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(default=1)

    meeting: Mapped[Meeting] = relationship(foreign_keys=[meeting_id], lazy="raise")
    approval_meeting: Mapped[Meeting | None] = relationship(
        foreign_keys=[approval_meeting_id], lazy="raise"
    )
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id], lazy="raise")
    errata: Mapped[list["Erratum"]] = relationship(
        back_populates="minutes", order_by="Erratum.created_at", lazy="raise"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_locked(self) -> bool:
        return self.status is MinutesStatus.APPROVED


class ItemNote(db.Model):
    """The secretariat's notes on one agenda item (Markdown, sanitised when shown)."""

    __tablename__ = "item_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    agenda_item_id: Mapped[int] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="CASCADE"), unique=True
    )
    body: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=1)

    agenda_item: Mapped[AgendaItem] = relationship(lazy="raise")

    __mapper_args__ = {"version_id_col": version}


class MinutesComment(db.Model):
    """A director's comment on circulated minutes, on one item or on the whole."""

    __tablename__ = "minutes_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(
        ForeignKey("minutes.id", ondelete="CASCADE"), index=True
    )
    agenda_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="CASCADE")
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship(lazy="raise")
    member: Mapped[Member | None] = relationship(lazy="raise")


class Erratum(db.Model):
    """A dated correction shown under approved minutes, which themselves never change."""

    __tablename__ = "errata"

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(
        ForeignKey("minutes.id", ondelete="CASCADE"), index=True
    )
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    minutes: Mapped[Minutes] = relationship(back_populates="errata")
    created_by: Mapped[User | None] = relationship(lazy="raise")


class ShareLink(db.Model):
    """A read-only link to one meeting's minutes; only the token's SHA-256 is stored."""

    __tablename__ = "share_links"
    __table_args__ = (UniqueConstraint("token_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    created_by: Mapped[User | None] = relationship(lazy="raise")

    def is_usable(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
