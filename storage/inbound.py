"""The inbox: an inbound event is stored before it is acknowledged, and processed once.

A channel adapter calls `receive` with the event's id and payload before it answers the platform; only
when that commit succeeded does the platform get its 2xx, so an acknowledged event is never lost. The
event's processing (the dialog turn and the replies it puts in the outbox) ends with `finish` in the
same transaction, so either all of it happened and the event is done, or none of it and the event is
still pending. `finish` is a compare-and-set: of two instances that processed one event, only the first
to commit has any effect.

The instance that stored an event holds it for a lease; a pending event whose lease ran out (its
instance died, or the database went away mid-turn) is claimed again by `claim_stale` and processed
again. An event claimed `MAX_ATTEMPTS` times without being done is given up as failed.
"""

from __future__ import annotations

import datetime as dtm
import logging
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from storage.db import session_scope, unreachable
from storage.errors import AmneslagError, DatabaseUnavailable
from storage.models import InboxEvent, InboxStatus, utcnow

_LOGGER = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
KEEP_DONE = dtm.timedelta(days=7)  # Slack retries for about half an hour, Teams for less: a week is ample


class AlreadyDone(AmneslagError):
    """The event was finished meanwhile (by another instance): this processing must have no effect."""


@dataclass(frozen=True)
class Stored:
    """An event this instance now holds: its row id, where it came from and its payload."""

    id: int
    source: str
    payload: dict[str, Any]


def _insert(session: Session) -> Any:
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def receive(
    engine: sa.Engine, source: str, inbound_id: str, payload: dict[str, Any], *, lease: dtm.timedelta
) -> int | None:
    """Store an event (one commit) and hold it for `lease`; its row id, or None when the id was seen before.

    Raises `DatabaseUnavailable` when it cannot be stored: the platform must then not get a 2xx.
    """
    now = utcnow()
    try:
        with session_scope(engine) as session:
            return session.execute(
                _insert(session)(InboxEvent)
                .values(
                    source=source,
                    inbound_id=inbound_id[:200],
                    payload=payload,
                    status=InboxStatus.PENDING.value,
                    attempts=1,
                    received_at=now,
                    locked_until=now + lease,
                )
                .on_conflict_do_nothing(index_elements=["source", "inbound_id"])
                .returning(col(InboxEvent.id))
            ).scalar()
    except sa.exc.SQLAlchemyError as exc:
        if unreachable(exc):
            raise DatabaseUnavailable(f"the inbox could not be written: {type(exc).__name__}") from exc
        raise


def first_time(engine: sa.Engine, source: str, inbound_id: str) -> bool:
    """Record an id that needs no processing of its own (a welcome already said); False if it was recorded before."""
    now = utcnow()
    with session_scope(engine) as session:
        inserted = session.execute(
            _insert(session)(InboxEvent)
            .values(
                source=source,
                inbound_id=inbound_id[:200],
                status=InboxStatus.DONE.value,
                attempts=1,
                received_at=now,
                processed_at=now,
            )
            .on_conflict_do_nothing(index_elements=["source", "inbound_id"])
            .returning(col(InboxEvent.id))
        ).first()
        return inserted is not None


def finish(session: Session, event_id: int) -> None:
    """Mark the event done in the caller's transaction (its payload is dropped); `AlreadyDone` if it was."""
    done = session.execute(
        sa.update(InboxEvent)
        .where(col(InboxEvent.id) == event_id, col(InboxEvent.status) == InboxStatus.PENDING.value)
        .values(status=InboxStatus.DONE.value, payload=None, locked_until=None, processed_at=utcnow())
        .returning(col(InboxEvent.id))
    ).first()
    if done is None:
        raise AlreadyDone(f"inbox event {event_id} was done already")


def give_up(engine: sa.Engine, event_id: int) -> None:
    """Mark an event failed that cannot be processed (a fault of ours, not an outage): it is not tried again."""
    with session_scope(engine) as session:
        session.execute(
            sa.update(InboxEvent)
            .where(col(InboxEvent.id) == event_id, col(InboxEvent.status) == InboxStatus.PENDING.value)
            .values(status=InboxStatus.FAILED.value, payload=None, locked_until=None, processed_at=utcnow())
        )


def finish_alone(engine: sa.Engine, event_id: int) -> None:
    """Mark an event done that left nothing else to commit (nothing to answer)."""
    try:
        with session_scope(engine) as session:
            finish(session, event_id)
    except AlreadyDone:
        pass


def claim_stale(
    engine: sa.Engine, *, now: dtm.datetime, lease: dtm.timedelta, sources: set[str], limit: int = 1
) -> list[Stored]:
    """Claim pending events of `sources` whose holder's lease ran out, oldest first; give up those tried too often.

    Each claim counts as an attempt, so the recovery claims one event at a time, just before it processes
    it: a crash then costs an attempt of the event under way only, not of every event claimed with it.
    Each claim is a compare-and-set on the lease the event had, so of two instances claiming at once
    (on SQLite, where there is no `SKIP LOCKED`, too) only one gets it.
    """
    with session_scope(engine) as session:
        rows = session.exec(
            select(InboxEvent.id, InboxEvent.locked_until)
            .where(
                col(InboxEvent.status) == InboxStatus.PENDING.value,
                col(InboxEvent.locked_until) <= now,
                col(InboxEvent.source).in_(sorted(sources)),
            )
            .order_by(col(InboxEvent.id))
            .limit(limit)
        ).all()
    claimed: list[Stored] = []
    for event_id, held_until in rows:
        assert event_id is not None
        with session_scope(engine) as session:
            row = session.execute(
                sa.update(InboxEvent)
                .where(
                    col(InboxEvent.id) == event_id,
                    col(InboxEvent.status) == InboxStatus.PENDING.value,
                    col(InboxEvent.locked_until) == held_until,
                )
                .values(attempts=col(InboxEvent.attempts) + 1, locked_until=now + lease)
                .returning(col(InboxEvent.source), col(InboxEvent.payload), col(InboxEvent.attempts))
            ).first()
            if row is None:  # claimed by another instance meanwhile
                continue
            source, payload, attempts = row
            if attempts > MAX_ATTEMPTS or payload is None:
                session.execute(
                    sa.update(InboxEvent)
                    .where(col(InboxEvent.id) == event_id)
                    .values(status=InboxStatus.FAILED.value, payload=None, locked_until=None)
                )
                _LOGGER.error("inbox event %s (%s) given up after %s attempts", event_id, source, attempts - 1)
                continue
            claimed.append(Stored(event_id, source, dict(payload)))
    return claimed


def pending_count(session: Session) -> int:
    """How many events wait to be processed (for `/healthz`)."""
    return int(
        session.exec(
            select(sa.func.count()).select_from(InboxEvent).where(InboxEvent.status == InboxStatus.PENDING.value)
        ).one()
    )


def forget_done(session: Session, now: dtm.datetime, keep: dtm.timedelta = KEEP_DONE) -> int:
    """Delete done and failed events received before `now - keep`; how many."""
    result = session.execute(
        sa.delete(InboxEvent).where(
            col(InboxEvent.status) != InboxStatus.PENDING.value, col(InboxEvent.received_at) < now - keep
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)
