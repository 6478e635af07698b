"""The outbox table's operations: enqueue in the caller's transaction; claim, deliver, retry, fail.

Enqueueing is a plain insert into the caller's session, so a change that rolls back sends nothing.
Each row is stamped with its conversation (`storage.models.outbox_conversation`): Slack's channel or a
person's direct chat, Teams' conversation. `claim_due` takes a row only when no earlier row (smaller id)
of the same conversation is still pending or sending, so a conversation's messages go out in the order
they were written and at most one of them is under way at a time; a row that waits for a retry (a rate
limit's Retry-After, a backoff) holds its conversation and no other, and a row failed for good no longer
holds it. Rows written by concurrent transactions are ordered by id, which is their order of insertion,
not of commit; the bot runs one turn at a time per conversation, so a conversation's own replies never race.

Claiming takes due rows with `FOR UPDATE SKIP LOCKED` on PostgreSQL, so several instances never
deliver the same row at once; a claimed row carries a lease, and a row whose lease ran out (its
worker died) is due again.
"""

from __future__ import annotations

import datetime as dtm
from collections import Counter
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from storage.models import OutboxMessage, OutboxStatus, Person, outbox_conversation, utcnow

_OPEN = (OutboxStatus.PENDING.value, OutboxStatus.SENDING.value)


def enqueue(
    session: Session,
    *,
    channel: str,
    kind: str,
    payload: dict[str, Any],
    recipient_id: int | None = None,
    not_before: dtm.datetime | None = None,
) -> OutboxMessage:
    """Add a message to the outbox as part of the caller's transaction (nothing is sent before commit)."""
    message = OutboxMessage(
        channel=channel,
        kind=kind,
        payload=payload,
        recipient_id=recipient_id,
        conversation=outbox_conversation(channel, payload, recipient_id),
        not_before=not_before or utcnow(),
    )
    session.add(message)
    return message


def enqueue_many(session: Session, messages: list[dict[str, Any]], now: dtm.datetime) -> dict[tuple[int, str], int]:
    """Add many messages (each `channel`, `kind`, `payload`, `recipient_id`) in a few multi-row INSERTs.

    Returns each message's id by (recipient_id, kind), which must be unique within the call.
    """
    ids: dict[tuple[int, str], int] = {}
    rows = [
        {
            **m,
            "conversation": outbox_conversation(m["channel"], m["payload"], m.get("recipient_id")),
            "status": OutboxStatus.PENDING.value,
            "attempts": 0,
            "claim": 0,
            "not_before": now,
            "created_at": now,
        }
        for m in messages
    ]
    for start in range(0, len(rows), 1000):
        statement = (
            sa.insert(OutboxMessage)
            .values(rows[start : start + 1000])
            .returning(col(OutboxMessage.id), col(OutboxMessage.recipient_id), col(OutboxMessage.kind))
        )
        for message_id, recipient_id, kind in session.execute(statement).all():
            ids[(recipient_id, kind)] = message_id
    return ids


@dataclass(frozen=True)
class Recipient:
    id: int
    email: str
    name: str
    language: str
    slack_user_id: str | None
    teams_user_id: str | None


@dataclass(frozen=True)
class Delivery:
    """A claimed message, detached from the database, as a sender gets it."""

    id: int
    channel: str
    kind: str
    payload: dict[str, Any]
    attempts: int
    recipient: Recipient | None


def claim_due(
    session: Session, *, channels: set[str], now: dtm.datetime, lease: dtm.timedelta, limit: int
) -> list[Delivery]:
    """Claim up to `limit` due messages for `channels`, each the first still open of its conversation, and lease
    them until `now + lease`.

    Due is pending with `not_before` passed, or sending with the lease run out. A row held by no earlier open
    row of its conversation is the only one of its conversation that can be due, so a claim takes at most one
    message per conversation.
    """
    earlier = aliased(OutboxMessage)
    held = (
        sa.select(sa.literal(1))
        .where(
            col(earlier.conversation) == col(OutboxMessage.conversation),
            col(earlier.id) < col(OutboxMessage.id),
            col(earlier.status).in_(_OPEN),
        )
        .exists()
    )
    due = sa.or_(
        sa.and_(col(OutboxMessage.status) == OutboxStatus.PENDING.value, col(OutboxMessage.not_before) <= now),
        sa.and_(col(OutboxMessage.status) == OutboxStatus.SENDING.value, col(OutboxMessage.locked_until) <= now),
    )
    query = (
        select(OutboxMessage)
        .where(due, col(OutboxMessage.channel).in_(sorted(channels)), ~held)
        .order_by(col(OutboxMessage.not_before), col(OutboxMessage.id))
        .limit(limit)
        .with_for_update(skip_locked=True, of=OutboxMessage)
    )
    claimed: list[Delivery] = []
    for message in session.exec(query).all():
        message.status = OutboxStatus.SENDING.value
        message.locked_until = now + lease
        message.attempts += 1
        person = session.get(Person, message.recipient_id) if message.recipient_id else None
        recipient = (
            Recipient(
                id=person.id,
                email=person.email,
                name=person.name,
                language=person.language,
                slack_user_id=person.slack_user_id,
                teams_user_id=person.teams_user_id,
            )
            if person and person.id is not None
            else None
        )
        assert message.id is not None
        claimed.append(
            Delivery(message.id, message.channel, message.kind, dict(message.payload), message.attempts, recipient)
        )
    session.flush()
    return claimed


def mark_delivered(session: Session, message_id: int, now: dtm.datetime) -> None:
    message = session.get(OutboxMessage, message_id)
    if message is not None:
        message.status = OutboxStatus.DELIVERED.value
        message.delivered_at = now
        message.locked_until = None
        message.last_error = None


def mark_attempt_failed(
    session: Session,
    message_id: int,
    error: str,
    retry_at: dtm.datetime | None,
    *,
    progress: dict[str, Any] | None = None,
    counted: bool = True,
) -> None:
    """Record a failed attempt: due again at `retry_at`, or failed for good when it is None.

    `progress` (what the sender got done) is merged into the payload for the next attempt. An attempt that is
    not `counted` (turned away with a retry-after, as by a rate limit) is given back: it does not bring the
    message nearer to failing for good.
    """
    message = session.get(OutboxMessage, message_id)
    if message is None:
        return
    if progress:
        message.payload = {**message.payload, **progress}
    message.last_error = error[:2000]
    message.locked_until = None
    if not counted:
        message.attempts = max(message.attempts - 1, 0)
    if retry_at is None:
        message.status = OutboxStatus.FAILED.value
    else:
        message.status = OutboxStatus.PENDING.value
        message.not_before = retry_at


def retry_failed(session: Session, message_id: int, now: dtm.datetime) -> bool:
    """Put a failed message back in the queue (an admin's decision); False if it is not failed."""
    message = session.get(OutboxMessage, message_id)
    if message is None or message.status != OutboxStatus.FAILED.value:
        return False
    message.status = OutboxStatus.PENDING.value
    message.attempts = 0
    message.not_before = now
    return True


def backlog(session: Session) -> dict[str, int]:
    """How many messages are in each state."""
    rows = session.exec(select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)).all()
    counts = Counter({status.value: 0 for status in OutboxStatus})
    counts.update({status: count for status, count in rows})
    return dict(counts)


def messages(session: Session, status: str | None = None, limit: int = 100) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(col(OutboxMessage.id).desc()).limit(limit)
    if status:
        query = query.where(OutboxMessage.status == status)
    return list(session.exec(query).all())
