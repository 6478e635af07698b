"""The audit log: who changed what, when. Written in the same transaction as the change."""

from __future__ import annotations

import datetime as dtm
from typing import Any

from sqlmodel import Session, select

from storage.models import AuditLog


def record(
    session: Session,
    *,
    action: str,
    entity: str,
    entity_id: int | None = None,
    actor_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> AuditLog:
    """Add an audit entry to the session (committed, or rolled back, with the change itself)."""
    entry = AuditLog(action=action, entity=entity, entity_id=entity_id, actor_id=actor_id, details=details or {})
    session.add(entry)
    return entry


def entries(session: Session, since: dtm.datetime | None = None) -> list[AuditLog]:
    """Audit entries in the order they were written, optionally from an instant on."""
    query = select(AuditLog).order_by(AuditLog.at, AuditLog.id)  # type: ignore[arg-type]
    if since is not None:
        query = query.where(AuditLog.at >= since)
    return list(session.exec(query).all())
