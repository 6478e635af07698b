"""The outbox table's operations: enqueue in the caller's transaction; claim, deliver, retry, fail.

Enqueueing is a plain insert into the caller's session, so a change that rolls back sends nothing. Each
row carries its conversation (`storage.models.outbox_conversation`): Slack's channel or a person's direct
chat, Teams' conversation. `claim_due` takes a row only when no earlier row (smaller id) of the same
conversation is still pending or sending, so a conversation's messages go out in the order they were
written and at most one of them is under way at a time; a row that waits for a retry (a rate limit's
Retry-After, a backoff) holds its conversation and no other, and a row failed for good no longer holds it.
Rows written by concurrent transactions are ordered by id, which is their order of insertion, not of commit;
the bot runs one turn at a time per conversation, so a conversation's own replies never race.

A claim moves the row to `sending` with a lease (`locked_until`) and a new claim number (`claim`); on
PostgreSQL the candidates are locked with `FOR UPDATE SKIP LOCKED`, and on both databases the claim itself
is a compare-and-set, so two instances never claim the same row. The claiming worker renews the lease while
it holds the row (`renew`), writes the sender's progress as it goes (`save_progress`) and the outcome at the
end, each only while the row still carries its claim number. A row whose lease ran out (its worker died, or
lost the database) is due again, and its `Delivery` says since when the outcome is unknown (`unsure_since`),
so a sender that can look at what it already posted does so before it posts again.
"""

from __future__ import annotations

import datetime as dtm
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from storage.db import execute_many
from storage.models import OutboxMessage, OutboxStatus, Person, outbox_conversation, table_of, utcnow

_OPEN = (OutboxStatus.PENDING.value, OutboxStatus.SENDING.value)
ENQUEUED = "outbox_enqueued"  # `Session.info` key: how many messages the session's transactions enqueued


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
    session.info[ENQUEUED] = session.info.get(ENQUEUED, 0) + 1
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


def enqueue_many(session: Session, messages: list[dict[str, Any]], now: dtm.datetime) -> None:
    """Add many messages (each `channel`, `kind`, `payload`, `recipient_id`): one INSERT, compiled once and
    executed by the driver for all of them (`storage.db.execute_many`: a payload object given to many messages
    is serialised once)."""
    session.info[ENQUEUED] = session.info.get(ENQUEUED, 0) + len(messages)
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
    execute_many(session.connection(), sa.insert(table_of(OutboxMessage)), rows)


@dataclass(frozen=True)
class Recipient:
    id: int
    email: str
    name: str
    language: str
    slack_user_id: str | None
    teams_user_id: str | None


class Progress:
    """What one attempt got done of a message so far, such as the parts of a split Slack message posted.

    A sender calls `record` after each step it must not do twice, with the values that say so (they are
    merged into the payload, where the next attempt reads them). The values are kept here at once, so the
    worker has them however the attempt ends, an exception nobody expected included; `record` also hands
    them to the worker's `save`, which writes them into the row straight away, so that even a crash loses
    no more than the step under way.
    """

    def __init__(self, save: Callable[[dict[str, Any]], Awaitable[None]] | None = None) -> None:
        self.values: dict[str, Any] = {}
        self._save = save
        # The channel the attempt went out on, when a sender handed the message on to another (a message for "log",
        # the channel of people without a chat, sent to Teams after installing the app, or by e-mail): the row
        # then says so.
        self.via: str | None = None

    async def record(self, **values: Any) -> None:
        self.values.update(values)
        if self._save is not None:
            await self._save(dict(self.values))

    def finish(self, **values: Any) -> None:
        """Record the attempt's last step: kept here and written with the attempt's outcome, which the worker
        writes next, so a one-part message costs one write, not two. A crash between the step and that write
        leaves the row as a crash during the step would: Slack reads the conversation back, Teams may send again.
        """
        self.values.update(values)


@dataclass(frozen=True)
class Delivery:
    """A claimed message, detached from the database, as a sender gets it.

    `claim` is the claim number the worker holds the row by. `unsure_since` is set when an earlier attempt
    ended without a recorded outcome (its lease ran out): from then on something may have been posted that
    the payload does not know of. `progress` is where the sender records what it gets done.
    """

    id: int
    channel: str
    kind: str
    payload: dict[str, Any]
    attempts: int
    recipient: Recipient | None
    claim: int = 0
    conversation: str = ""
    unsure_since: dtm.datetime | None = None
    progress: Progress = field(default_factory=Progress, compare=False)
    followed: bool = False  # a later open message of its conversation waited for it when it was claimed


def _recipient(session: Session, person_id: int | None) -> Recipient | None:
    person = session.get(Person, person_id) if person_id else None
    if person is None or person.id is None:
        return None
    return Recipient(
        id=person.id,
        email=person.email,
        name=person.name,
        language=person.language,
        slack_user_id=person.slack_user_id,
        teams_user_id=person.teams_user_id,
    )


def claim_enqueued(
    session: Session, message: OutboxMessage, *, now: dtm.datetime, lease: dtm.timedelta
) -> Delivery | None:
    """Claim a message this transaction just enqueued, for sending right after the commit by whoever enqueued
    it (a turn's reply), with no claim of its own; None when an earlier open message of its conversation holds
    it (the worker sends it after that one).

    The row commits already leased, as `claim_due` would have leased it: if nothing sends it (a crash after
    the commit), it is due again when the lease runs out, with its outcome unsure, exactly like a claimed one.
    """
    session.flush()
    assert message.id is not None
    earlier = aliased(OutboxMessage)
    held = (
        sa.select(sa.literal(1))
        .where(
            col(earlier.conversation) == message.conversation,
            col(earlier.id) < message.id,
            col(earlier.status).in_(_OPEN),
        )
        .exists()
    )
    won = session.connection().execute(
        sa.update(OutboxMessage)
        .where(
            col(OutboxMessage.id) == message.id,
            col(OutboxMessage.claim) == 0,
            col(OutboxMessage.status) == OutboxStatus.PENDING.value,
            ~held,
        )
        .values(status=OutboxStatus.SENDING.value, locked_until=now + lease, claim=1, attempts=1, claimed_at=now)
    )
    if won.rowcount != 1:
        return None
    delivery = Delivery(
        message.id,
        message.channel,
        message.kind,
        dict(message.payload),
        1,
        _recipient(session, message.recipient_id),
        claim=1,
        conversation=message.conversation,
    )
    session.expire(message)  # its columns changed underneath the ORM
    return delivery


def claim_due(
    session: Session, *, channels: set[str], now: dtm.datetime, lease: dtm.timedelta, limit: int
) -> list[Delivery]:
    """Claim up to `limit` due messages for `channels`, each the first still open of its conversation, and lease
    them until `now + lease`.

    Due is pending with `not_before` passed, or sending with the lease run out. A row held by no earlier open
    row of its conversation is the only one of its conversation that can be due, so a claim takes at most one
    message per conversation; each says whether a later one waits for it (`Delivery.followed`).
    """
    earlier, later = aliased(OutboxMessage), aliased(OutboxMessage)
    followed = (
        sa.select(sa.literal(1))
        .where(
            col(later.conversation) == col(OutboxMessage.conversation),
            col(later.id) > col(OutboxMessage.id),
            col(later.status).in_(_OPEN),
        )
        .exists()
    )
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
        select(OutboxMessage, followed)
        .where(due, col(OutboxMessage.channel).in_(sorted(channels)), ~held)
        .order_by(col(OutboxMessage.not_before), col(OutboxMessage.id))
        .limit(limit)
        .with_for_update(skip_locked=True, of=OutboxMessage)
    )
    claimed: list[Delivery] = []
    for row, waits in session.exec(query).all():
        message_id, status, claim, attempts = row.id, row.status, row.claim, row.attempts
        assert message_id is not None
        unsure = status == OutboxStatus.SENDING.value  # the last attempt's outcome was never recorded
        began = row.claimed_at or row.created_at
        won = session.connection().execute(
            sa.update(OutboxMessage)
            .where(
                col(OutboxMessage.id) == message_id,
                col(OutboxMessage.claim) == claim,
                col(OutboxMessage.status) == status,
            )
            .values(
                status=OutboxStatus.SENDING.value,
                locked_until=now + lease,
                claim=claim + 1,
                attempts=attempts + 1,
                claimed_at=began if unsure else now,
            )
        )
        if won.rowcount != 1:  # another instance claimed it first (SQLite: no row locks)
            continue
        claimed.append(
            Delivery(
                message_id,
                row.channel,
                row.kind,
                dict(row.payload),
                attempts + 1,
                _recipient(session, row.recipient_id),
                claim=claim + 1,
                conversation=row.conversation,
                unsure_since=began if unsure else None,
                followed=bool(waits),
            )
        )
    session.expire_all()
    return claimed


def _claimed(message_id: int, claim: int | None) -> sa.ColumnElement[bool]:
    """The row, while it is still under the claim `claim` (any claim when None)."""
    condition = col(OutboxMessage.id) == message_id
    if claim is None:
        return condition
    return sa.and_(
        condition, col(OutboxMessage.claim) == claim, col(OutboxMessage.status) == OutboxStatus.SENDING.value
    )


def _payload(
    session: Session, message_id: int, progress: dict[str, Any] | None, known: dict[str, Any] | None = None
) -> dict[str, Any] | None:
    """The stored payload with `progress` merged in, or None when there is nothing to merge.

    `known` is the payload as the claim found it: under a claim only its holder writes the payload, and only
    progress, so the stored payload is `known` with progress merged in, and need not be read again."""
    if not progress:
        return None
    if known is not None:
        return {**known, **progress}
    stored = session.exec(select(OutboxMessage.payload).where(col(OutboxMessage.id) == message_id)).first()
    return None if stored is None else {**stored, **progress}


def renew(session: Session, held: list[tuple[int, int]], until: dtm.datetime) -> set[int]:
    """Extend the leases of `held` (id, claim) rows to `until`; returns the ids no longer under that claim."""
    lost: set[int] = set()
    for message_id, claim in held:
        result = session.connection().execute(
            sa.update(OutboxMessage).where(_claimed(message_id, claim)).values(locked_until=until)
        )
        if result.rowcount != 1:
            lost.add(message_id)
    return lost


def save_progress(session: Session, message_id: int, claim: int, progress: dict[str, Any]) -> bool:
    """Merge what the sender got done into the payload, while the row is under `claim`; False if it is not."""
    payload = _payload(session, message_id, progress)
    if payload is None:
        return not progress  # nothing to save is saved; a row that is gone is not
    result = session.connection().execute(
        sa.update(OutboxMessage).where(_claimed(message_id, claim)).values(payload=payload)
    )
    return result.rowcount == 1


def mark_delivered(
    session: Session,
    message_id: int,
    now: dtm.datetime,
    *,
    claim: int | None = None,
    progress: dict[str, Any] | None = None,
    known: dict[str, Any] | None = None,
    channel: str | None = None,
) -> bool:
    """Record a delivery (under `claim`, when given); False when the row is no longer under it.

    With `claim`, `known` may be the payload as claimed (see `_payload`): then the row is written without being read.
    `channel`, when given, is the channel that delivered it, written to the row (a message queued for "log", the
    channel of people without a chat, that went out by e-mail).
    """
    values: dict[str, Any] = {
        "status": OutboxStatus.DELIVERED.value,
        "delivered_at": now,
        "locked_until": None,
        "last_error": None,
    }
    if channel is not None:
        values["channel"] = channel
    payload = _payload(session, message_id, progress, known if claim is not None else None)
    if payload is not None:
        values["payload"] = payload
    result = session.connection().execute(sa.update(OutboxMessage).where(_claimed(message_id, claim)).values(values))
    session.expire_all()
    return result.rowcount == 1


def mark_attempt_failed(
    session: Session,
    message_id: int,
    error: str,
    retry_at: dtm.datetime | None,
    *,
    progress: dict[str, Any] | None = None,
    claim: int | None = None,
    counted: bool = True,
    channel: str | None = None,
    unreached: bool = False,
) -> bool:
    """Record a failed attempt: due again at `retry_at`, or failed for good when it is None.

    `progress` (what the sender got done) is merged into the payload for the next attempt. An attempt that is
    not `counted` (turned away with a retry-after, as by a rate limit) is given back: it does not bring the
    message nearer to failing for good. With `claim`, nothing is written unless the row is still under that
    claim; returns whether it was written. `channel`, when given, is the channel that tried (see `mark_delivered`).
    `unreached` (with no `retry_at`) ends the message as `unreached` rather than `failed`: there was no channel
    to the person at all, only the log.
    """
    values: dict[str, Any] = {"last_error": error[:2000], "locked_until": None}
    if channel is not None:
        values["channel"] = channel
    if retry_at is None:
        values["status"] = OutboxStatus.UNREACHED.value if unreached else OutboxStatus.FAILED.value
    else:
        values["status"] = OutboxStatus.PENDING.value
        values["not_before"] = retry_at
    if not counted:
        attempts = col(OutboxMessage.attempts)
        values["attempts"] = sa.case((attempts > 0, attempts - 1), else_=0)
    payload = _payload(session, message_id, progress)
    if payload is not None:
        values["payload"] = payload
    result = session.connection().execute(sa.update(OutboxMessage).where(_claimed(message_id, claim)).values(values))
    session.expire_all()
    return result.rowcount == 1


def retry_failed(session: Session, message_id: int, now: dtm.datetime) -> bool:
    """Put a failed or unreached message back in the queue (an admin's decision, say after configuring e-mail);
    False if it is neither."""
    message = session.get(OutboxMessage, message_id)
    if message is None or message.status not in (OutboxStatus.FAILED.value, OutboxStatus.UNREACHED.value):
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
