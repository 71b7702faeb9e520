"""The append-only audit log: who did what to which record, and when."""

import json
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import ForeignKey, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column

from planner.core.database import execute_write
from planner.core.time import utcnow
from planner.extensions import db


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(80), index=True)
    target_type: Mapped[str] = mapped_column(String(40))
    target_id: Mapped[int | None]
    details: Mapped[str] = mapped_column(Text, default="{}")

    @property
    def details_dict(self) -> dict[str, Any]:
        return json.loads(self.details or "{}")


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _refuse_changes(_mapper, _connection, _target) -> None:
    raise RuntimeError("The audit log is append-only.")


def record(actor, action: str, target, **details: Any) -> None:
    """Write one audit event in the current transaction (committed with the change it records).

    A plain INSERT on the table, not an object for the unit of work: nothing reads the event
    back in the transaction, and every vote and change writes one (a third of a cast's flush).
    """
    record_row(actor, action, type(target).__tablename__ if target is not None else "",
               getattr(target, "id", None), **details)


def record_row(actor, action: str, table: str, row_id: int | None, **details: Any) -> None:
    """`record`, for a row written by a plain statement: named by its table and id."""
    execute_write(_insert(), _values(actor, action, table, row_id, details))


def record_each(actor, action: str, target, each: list[dict[str, Any]]) -> None:
    """One event per entry of `each` (its details), all of one action on one target, in one
    statement: a sheet of a thousand lines is one INSERT, not a thousand flushes."""
    if each:
        table, row_id = type(target).__tablename__, target.id
        execute_write(_insert(), [_values(actor, action, table, row_id, details)
                                  for details in each])


def _values(actor, action: str, table: str, row_id: int | None, details: dict) -> dict:
    return {
        "at": utcnow(),
        "actor_id": getattr(actor, "id", None),
        "action": action,
        "target_type": table,
        "target_id": row_id,
        "details": json.dumps(details, default=str, ensure_ascii=False, sort_keys=True),
    }


@cache
def _insert():
    return AuditEvent.__table__.insert()  # built once; each event binds its own values
