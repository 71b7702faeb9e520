"""Network, member clusters, user accounts and the login bookkeeping."""

from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.core.time import utcnow
from planner.extensions import db


class Network(db.Model):
    """The one network a deployment serves, with its decision settings."""

    __tablename__ = "networks"
    __table_args__ = (
        CheckConstraint("quorum_percent BETWEEN 1 AND 100", name="quorum_percent_range"),
        CheckConstraint("max_proxies_per_holder >= 0", name="max_proxies_not_negative"),
        # Action plan horizons (owned by the plan domain): each a span of years, long after medium.
        CheckConstraint("medium_term_end >= medium_term_start", name="medium_term_span"),
        CheckConstraint("long_term_end >= long_term_start", name="long_term_span"),
        CheckConstraint("long_term_start > medium_term_end", name="long_term_after_medium"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    founded_on: Mapped[date | None]
    timezone: Mapped[str] = mapped_column(String(64), default="Africa/Casablanca")
    default_language: Mapped[str] = mapped_column(String(8), default="fr")
    currency: Mapped[str] = mapped_column(String(3), default="MAD")
    secretariat_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", use_alter=True, ondelete="SET NULL")
    )
    # Quorum: strictly more than this share of the electorate must take part.
    quorum_percent: Mapped[int] = mapped_column(default=50)
    max_proxies_per_holder: Mapped[int] = mapped_column(default=1)
    # The action plan's horizons, in years (e.g. 2017-2019 and 2020-2025); unset until chosen.
    medium_term_start: Mapped[int | None]
    medium_term_end: Mapped[int | None]
    long_term_start: Mapped[int | None]
    long_term_end: Mapped[int | None]

    secretariat_member: Mapped["Member | None"] = relationship(
        foreign_keys=[secretariat_member_id]
    )

    def quorum_needed(self, electorate: int) -> int:
        """The smallest number of members that is strictly more than quorum_percent %."""
        return electorate * self.quorum_percent // 100 + 1 if electorate else 0


class Member(db.Model):
    """A member cluster: the voting unit of the network."""

    __tablename__ = "members"
    # Active members by short name: every list of clusters, and the electorates.
    __table_args__ = (Index("ix_members_active_short_name", "is_active", "short_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    short_name: Mapped[str] = mapped_column(String(40), unique=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    sector: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    region: Mapped[str] = mapped_column(String(100), default="")
    joined_on: Mapped[date | None]
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    version: Mapped[int] = mapped_column(default=1)

    directors: Mapped[list["User"]] = relationship(
        back_populates="member", lazy="raise", order_by="User.full_name"
    )

    __mapper_args__ = {"version_id_col": version}

    def __str__(self) -> str:
        return self.short_name


class User(UserMixin, db.Model):
    """A person's account. Roles: director of one member, secretariat, observer."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "NOT (is_observer AND (member_id IS NOT NULL OR is_secretariat))",
            name="observer_has_no_other_role",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="RESTRICT"), index=True
    )
    is_secretariat: Mapped[bool] = mapped_column(Boolean, default=False)
    is_observer: Mapped[bool] = mapped_column(Boolean, default=False)
    preferred_language: Mapped[str | None] = mapped_column(String(8))
    is_active_account: Mapped[bool] = mapped_column("is_active", Boolean, default=True)
    last_login_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Bumped at logout and password change: every cookie issued before stops working.
    session_version: Mapped[int] = mapped_column(default=1)

    member: Mapped[Member | None] = relationship(back_populates="directors", lazy="joined")

    # Flask-Login reads is_active to refuse deactivated accounts.
    @property
    def is_active(self) -> bool:
        return self.is_active_account

    def get_id(self) -> str:
        return f"{self.id}.{self.session_version}"

    @property
    def role_names(self) -> list[str]:
        roles = []
        if self.member_id is not None:
            roles.append("director")
        if self.is_secretariat:
            roles.append("secretariat")
        if self.is_observer:
            roles.append("observer")
        return roles

    def __str__(self) -> str:
        return self.full_name


class LoginAttempt(db.Model):
    """One login attempt; recent failures throttle an account and an address."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_email_at", "email", "at"),
        Index("ix_login_attempts_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    email: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(64))
    succeeded: Mapped[bool] = mapped_column(Boolean, default=False)


class SetPasswordLink(db.Model):
    """A one-time link to choose a password; only the SHA-256 of its token is stored."""

    __tablename__ = "set_password_links"
    __table_args__ = (UniqueConstraint("token_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")
