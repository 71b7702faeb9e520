"""Reads the members pages need, each a fixed number of queries."""

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from planner.core.audit import AuditEvent
from planner.core.forms import choices
from planner.core.listing import PAGE_SIZE, Page, page_bounds
from planner.core.text_search import contains_text
from planner.extensions import db
from planner.members.models import Member, Network, User


def current_network() -> Network | None:
    return db.session.scalar(select(Network).order_by(Network.id).limit(1))


def members_directory(
    page: int, name: str = "", include_inactive: bool = False, page_size: int = PAGE_SIZE
) -> Page:
    """One page of the directory by short name, with the clusters' directors, optionally those
    whose name or short name contains `name`: three queries (the count, the page, its
    directors) whatever the size of the network."""
    criteria = [] if include_inactive else [Member.is_active.is_(True)]
    if name:
        criteria.append(contains_text(name, Member.short_name, Member.name))
    total = db.session.scalar(select(func.count(Member.id)).where(*criteria)) or 0
    page, offset = page_bounds(page, total, page_size)
    members = db.session.scalars(
        select(Member)
        .where(*criteria)
        .options(selectinload(Member.directors))
        .order_by(Member.short_name)
        .offset(offset)
        .limit(page_size)
    )
    return Page(rows=list(members), total=total, page=page, page_size=page_size)


def members_preview(limit: int = 50) -> tuple[list[Member], int]:
    """The first active member clusters by short name, and how many are active: two queries
    whatever the size of the network (the home page lists them; the directory has them all)."""
    active = Member.is_active.is_(True)
    total = db.session.scalar(select(func.count(Member.id)).where(active)) or 0
    members = db.session.scalars(
        select(Member).where(active).order_by(Member.short_name).limit(limit))
    return list(members), total


def active_members() -> list[Member]:
    return list(
        db.session.scalars(select(Member).where(Member.is_active.is_(True)).order_by(Member.name))
    )


def member_choices(blank_label: str) -> list[SelectChoice]:
    rows = db.session.execute(select(Member.id, Member.short_name).order_by(Member.short_name))
    return choices([("", blank_label), *((str(member_id), name) for member_id, name in rows)])


def accounts(page: int, name: str = "", page_size: int = PAGE_SIZE) -> Page:
    """One page of the accounts by full name, optionally those whose name or email contains
    `name`: two queries (the count, and the page with each director's cluster)."""
    criteria = [contains_text(name, User.full_name, User.email)] if name else []
    total = db.session.scalar(select(func.count(User.id)).where(*criteria)) or 0
    page, offset = page_bounds(page, total, page_size)
    # Full names may repeat: the id keeps each account on one page only.
    users = db.session.scalars(
        select(User).where(*criteria).order_by(User.full_name, User.id)
        .offset(offset).limit(page_size)
    )
    return Page(rows=list(users), total=total, page=page, page_size=page_size)


def member_with_directors(member_id: int) -> Member | None:
    return db.session.scalar(
        select(Member).options(selectinload(Member.directors)).where(Member.id == member_id)
    )


def audit_page(page: int, per_page: int = 50) -> tuple[list[tuple[AuditEvent, User | None]], bool]:
    rows = db.session.execute(
        select(AuditEvent, User)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .order_by(AuditEvent.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page + 1)
    ).all()
    return [tuple(row) for row in rows[:per_page]], len(rows) > per_page
