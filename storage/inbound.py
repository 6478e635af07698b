"""Inbound events already handled: Slack's retries and Teams' redeliveries cause nothing twice."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col

from storage.db import session_scope
from storage.models import ProcessedInbound


def first_time(engine: sa.Engine, source: str, inbound_id: str) -> bool:
    """Record an inbound id; False when it was recorded before (a retry or a concurrent duplicate)."""
    with session_scope(engine) as session:
        insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        inserted = session.execute(
            insert(ProcessedInbound)
            .values(source=source, inbound_id=inbound_id[:200])
            .on_conflict_do_nothing(index_elements=["source", "inbound_id"])
            .returning(col(ProcessedInbound.id))
        ).first()
        return inserted is not None
