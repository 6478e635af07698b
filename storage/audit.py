"""The audit log: who changed what, when. Written in the same transaction as the change."""

from __future__ import annotations

import datetime as dtm
from typing import Any

from sqlmodel import Session, SQLModel, col, select

from storage.models import AuditLog


def record(
    session: Session,
    *,
    action: str,
    entity: str,
    entity_id: int | None = None,
    actor_id: int | None = None,
    details: dict[str, Any] | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditLog:
    """Add an audit entry to the session (committed, or rolled back, with the change itself).

    `before` and `after` are the changed fields' values on either side of the change (None for a
    creation or a deletion), so the log alone says what a change did.
    """
    data = dict(details or {})
    if before is not None or after is not None:
        data["before"], data["after"] = before, after
    entry = AuditLog(action=action, entity=entity, entity_id=entity_id, actor_id=actor_id, details=data)
    session.add(entry)
    return entry


def snapshot(row: SQLModel, *fields: str) -> dict[str, Any]:
    """The named fields of a row as JSON-ready values (dates, and instants in UTC, as ISO 8601)."""
    values: dict[str, Any] = {}
    for name in fields:
        value = getattr(row, name)
        if isinstance(value, dtm.datetime):
            value = value.astimezone(dtm.UTC)
        values[name] = value.isoformat() if isinstance(value, dtm.date | dtm.time) else value
    return values


def entries(session: Session, since: dtm.datetime | None = None) -> list[AuditLog]:
    """Audit entries in the order they were written, optionally from an instant on."""
    query = select(AuditLog).order_by(col(AuditLog.at), col(AuditLog.id))
    if since is not None:
        query = query.where(col(AuditLog.at) >= since)
    return list(session.exec(query).all())
