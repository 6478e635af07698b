"""The outbox worker: delivers what the database says must be sent, in order per conversation, with retries.

Senders register per channel ("log", and "slack", "teams", "email" when configured). A sender raises
`DeliveryError` to ask for a retry (optionally after `retry_after` seconds, as for HTTP 429) or,
with `permanent=True`, to give up at once. After `max_attempts` the message is failed for good and
shows up in `amneslag outbox --status failed`; the person whose action caused it (the payload's
`origin`, such as the leader who sent a notice) is then told who could not be reached.

Order: a claim takes only the first open message of each conversation (see `storage.outbox`), so a
conversation's messages go out one after another, and a message waiting for a retry (a 429's Retry-After
is set on that row alone) holds its own conversation while the others go on. After a batch in which
something was delivered the worker claims again at once, so a conversation's queue is not slowed to one
message per poll.

Leases: the worker claims a few rows (`batch_size`) with a lease of `lease_seconds` and renews the lease
of every row it still holds every third of it while it sends, so a slow platform never lets a claim run out
under a living worker; a renewal that finds the row claimed by someone else drops it (not sent, if not yet
begun). A sender records what it got done as it goes (`Delivery.progress`, written to the row at once), and
the worker keeps that record whatever ends the attempt, an exception it did not expect included. If the
worker dies mid-send, the lease runs out and the next claim says so (`Delivery.unsure_since`): the Slack
sender then reads the conversation back for what it already posted; Teams cannot be read back, so a Teams
message in flight at a crash may be sent once more.

People without a chat: dialogs and the sweep queue a message for someone with neither a Slack id nor a Teams
chat on the channel "log". When e-mail is configured (an "email" sender is registered) the worker hands those
to it, and the row then says "email"; otherwise the log sender writes a line and the message ends as
`unreached`, which never counts as delivered (`NotReached`). The choice is made here, at delivery, so that
dialogs and the sweep need not know the process's configuration, and a message queued before SMTP was set up
still goes out by e-mail.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dtm
import logging
import random
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import sqlalchemy as sa

from dialogs.notify import tell_undeliverable
from storage import outbox
from storage.db import session_scope, unreachable
from storage.errors import AmneslagError
from storage.models import utcnow

_LOGGER = logging.getLogger(__name__)


class DeliveryError(AmneslagError):
    """A message could not be delivered this time (or, with `permanent`, ever).

    `retry_after` is when to try again (in seconds; else the worker's backoff). `rate_limited` says the
    platform turned the message away for going too fast (HTTP 429): such an attempt does not count towards
    `max_attempts`, since the message itself is fine and a rate limit passes. `progress` is what the sender
    got done before it failed, merged into the payload like `Delivery.progress` (which a sender should prefer:
    it is kept even when the sender fails in a way it did not foresee).
    """

    def __init__(
        self,
        reason: str,
        *,
        retry_after: float | None = None,
        permanent: bool = False,
        rate_limited: bool = False,
        progress: dict[str, Any] | None = None,
    ):
        super().__init__(reason)
        self.retry_after = retry_after
        self.permanent = permanent
        self.rate_limited = rate_limited
        self.progress = progress


class NotReached(DeliveryError):
    """The message has no way to its recipient at all (only the log): it ends as `unreached`, not delivered.

    Not retried. The status lists the people the bot cannot reach; whoever caused the message is told only where
    the bot looked for the person first (`OutboxWorker.looks_up`), since otherwise their answer already said so."""

    def __init__(self, reason: str):
        super().__init__(reason, permanent=True)


LOG = "log"
EMAIL = "email"


class Sender(Protocol):
    """Delivers one message on one channel; raises `DeliveryError` when it cannot.

    What must not be done twice (each part of a message posted) it records with `delivery.progress.record`
    as soon as it is done, and it reads what earlier attempts did from the payload.
    """

    channel: str

    async def send(self, delivery: outbox.Delivery) -> None: ...


class LogSender:
    """Writes messages to the log: the channel for people without Slack or Teams when e-mail is not configured.

    It logs the message's id, kind and recipient id, never its text or e-mail address, and ends the message as
    `unreached` (`NotReached`): a line in the log reaches nobody.
    """

    channel = LOG

    async def send(self, delivery: outbox.Delivery) -> None:
        recipient = delivery.recipient.id if delivery.recipient else "-"
        _LOGGER.info("outbox %s: %s to person %s written to the log only", delivery.id, delivery.kind, recipient)
        raise NotReached("no Slack id, no Teams chat, and no e-mail configured (SMTP_HOST): written to the log only")


async def send_instead(sender: Sender, delivery: outbox.Delivery) -> None:
    """Hand a message on to `sender`, of another channel than the row's, and say so: the row gets that channel
    (`Progress.via`), unless it is the log, which is no channel of delivery."""
    if sender.channel != LOG:
        delivery.progress.via = sender.channel
    await sender.send(delivery)


@dataclasses.dataclass(frozen=True)
class Batch:
    """What one claim came to: how many messages were attempted, how many of them delivered, and whether a later
    message of one of their conversations waited for them (and may be due now)."""

    attempted: int = 0
    delivered: int = 0
    followed: bool = False


class OutboxWorker:
    """Polls the outbox and hands due messages to their senders.

    `clock` and `sleep` (the lease renewal's wait) are the worker's time; tests pass virtual ones.
    """

    def __init__(
        self,
        engine: sa.Engine,
        senders: list[Sender],
        *,
        max_attempts: int = 8,
        poll_seconds: float = 2.0,
        base_delay: float = 30.0,
        max_delay: float = 3600.0,
        lease_seconds: float = 120.0,
        batch_size: int = 10,
        jitter: float = 0.2,
        clock: Callable[[], dtm.datetime] = utcnow,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ):
        self.engine = engine
        self.senders = {sender.channel: sender for sender in senders}
        self.max_attempts = max_attempts
        self.poll_seconds = poll_seconds
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.lease = dtm.timedelta(seconds=lease_seconds)
        self.batch_size = batch_size
        self.jitter = jitter
        self.clock = clock
        self.sleep = sleep
        self._wake = asyncio.Event()
        self._running = asyncio.Lock()  # one batch at a time, so `run_until_idle` waits for one under way
        self._direct: set[asyncio.Future[Batch]] = set()  # replies claimed by their turns, being sent
        self._held: set[str] = set()  # conversations whose next reply waits for one a turn is sending

    def register(self, sender: Sender) -> None:
        """Add a channel's sender (one that needs the worker itself, as the Teams bot does)."""
        self.senders[sender.channel] = sender

    def backoff(self, attempts: int) -> dtm.timedelta:
        """Exponential backoff after the `attempts`-th failed attempt: 30 s, 60 s, 120 s, … at most 1 h.

        Each delay is spread by ±`jitter` (a share), so messages that failed together are not retried together.
        """
        delay = min(self.base_delay * 2 ** (attempts - 1), self.max_delay)
        return dtm.timedelta(seconds=delay * random.uniform(1 - self.jitter, 1 + self.jitter))

    @property
    def looks_up(self) -> bool:
        """Whether people without a chat are looked for (in Slack, or by installing the Teams app) before their
        message is given up: the answers then said "if I find them", so whoever caused such a message is told
        when it reached nobody. Otherwise the answer said at once that it reaches nobody, and nobody is told again.
        """
        return bool(getattr(self.senders.get(LOG), "looks_up", False))

    def sender_for(self, channel: str) -> Sender | None:
        """The sender of a row's channel: "log" (no chat) goes by e-mail when an e-mail sender is registered, and
        an "email" row (queued or retried while e-mail was configured) falls back to the log sender without one."""
        if channel == LOG and EMAIL in self.senders and not self.looks_up:
            return self.senders[EMAIL]  # (a sender that first looks the person up in Slack falls back to e-mail itself)
        if channel == EMAIL and EMAIL not in self.senders:
            return self.senders.get(LOG)
        return self.senders.get(channel)

    def channels(self) -> set[str]:
        """The channels whose rows this worker claims."""
        channels = set(self.senders)
        if channels & {LOG, EMAIL}:
            channels |= {LOG, EMAIL}
        return channels

    def _claim(self, now: dtm.datetime) -> list[outbox.Delivery]:
        with session_scope(self.engine) as session:
            return outbox.claim_due(session, channels=self.channels(), now=now, lease=self.lease, limit=self.batch_size)

    def _extend(self, held: list[tuple[int, int]], now: dtm.datetime) -> set[int]:
        with session_scope(self.engine) as session:
            return outbox.renew(session, held, now + self.lease)

    async def _renew(self, held: dict[int, outbox.Delivery]) -> None:
        """Every third of the lease, extend the lease of every row still held; drop those claimed by another."""
        while held:
            await self.sleep(self.lease.total_seconds() / 3)
            try:
                lost = await asyncio.to_thread(self._extend, [(d.id, d.claim) for d in held.values()], self.clock())
            except sa.exc.SQLAlchemyError as exc:
                _LOGGER.warning("outbox: renewing the leases failed (%s); trying again", type(exc).__name__)
                continue
            for message_id in lost:
                if held.pop(message_id, None) is not None:
                    _LOGGER.warning("outbox %s: claimed by another worker meanwhile; left to it", message_id)

    def _write_progress(self, delivery: outbox.Delivery, values: dict[str, Any]) -> None:
        with session_scope(self.engine) as session:
            if not outbox.save_progress(session, delivery.id, delivery.claim, values):
                _LOGGER.warning("outbox %s: progress not saved, the claim is no longer this worker's", delivery.id)

    async def _save_progress(self, delivery: outbox.Delivery, values: dict[str, Any]) -> None:
        try:
            await asyncio.to_thread(self._write_progress, delivery, values)
        except sa.exc.SQLAlchemyError as exc:  # kept in memory and written with the outcome
            _LOGGER.warning("outbox %s: saving progress failed (%s)", delivery.id, type(exc).__name__)

    def _finish(
        self,
        delivery: outbox.Delivery,
        error: DeliveryError | None,
        progress: dict[str, Any],
        channel: str | None = None,
    ) -> bool:
        """Record the attempt's outcome and progress (while the claim is still ours); True if it was delivered.

        `channel` is the channel that tried, when it is not the row's (see `sender_for`)."""
        now = self.clock()
        with session_scope(self.engine) as session:
            if error is None:
                delivered = outbox.mark_delivered(
                    session,
                    delivery.id,
                    now,
                    claim=delivery.claim,
                    progress=progress,
                    known=delivery.payload,
                    channel=channel,
                )
                if not delivered:
                    _LOGGER.warning("outbox %s: delivered, but claimed by another worker meanwhile", delivery.id)
                return True
            if isinstance(error, NotReached):
                recorded = outbox.mark_attempt_failed(
                    session,
                    delivery.id,
                    str(error),
                    None,
                    progress=progress,
                    claim=delivery.claim,
                    channel=channel,
                    unreached=True,
                )
                if not recorded:
                    _LOGGER.warning("outbox %s: unreached, but claimed by another worker meanwhile", delivery.id)
                elif self.looks_up:  # the answer said "if I find them"; now it is known: I did not
                    tell_undeliverable(session, delivery.id, refused=True)
                return False
            limited = error.rate_limited and not error.permanent
            retry_at: dtm.datetime | None
            if error.permanent or (delivery.attempts >= self.max_attempts and not limited):
                retry_at = None
            elif error.retry_after is not None:
                retry_at = now + dtm.timedelta(seconds=error.retry_after)
            else:
                retry_at = now + self.backoff(delivery.attempts)
            recorded = outbox.mark_attempt_failed(
                session,
                delivery.id,
                str(error),
                retry_at,
                progress=progress,
                claim=delivery.claim,
                counted=not limited,
                channel=channel,
            )
            if recorded and retry_at is None:
                tell_undeliverable(session, delivery.id, refused=error.permanent)
        if not recorded:
            _LOGGER.warning("outbox %s: attempt failed, but claimed by another worker meanwhile", delivery.id)
        elif retry_at is None:
            _LOGGER.error("outbox %s failed for good after %s attempt(s): %s", delivery.id, delivery.attempts, error)
        else:
            _LOGGER.warning(
                "outbox %s attempt %s failed, retry at %s: %s",
                delivery.id,
                delivery.attempts,
                retry_at,
                error,
            )
        return False

    async def _deliver(self, claimed: outbox.Delivery) -> bool:
        """One attempt at one message; True if it was delivered."""
        delivery = dataclasses.replace(
            claimed, progress=outbox.Progress(lambda values: self._save_progress(claimed, values))
        )
        error: DeliveryError | None = None
        sender = self.sender_for(delivery.channel)
        assert sender is not None, "claimed only for the channels of its senders"
        try:
            await sender.send(delivery)
        except DeliveryError as exc:
            error = exc
        except Exception as exc:  # a sender's bug must not stop the worker; the message is retried
            _LOGGER.exception("outbox %s: sender %s raised", delivery.id, sender.channel)
            error = DeliveryError(f"{type(exc).__name__}: {exc}")
        progress = {**((error.progress or {}) if error else {}), **delivery.progress.values}
        via = delivery.progress.via or sender.channel  # the sender may have handed it on (`Progress.via`)
        channel = via if via != delivery.channel else None
        return await asyncio.to_thread(self._finish, delivery, error, progress, channel)

    @staticmethod
    async def _stop(renewing: asyncio.Task[None]) -> None:
        """Stop the renewal. `asyncio.wait` rather than awaiting the task under `suppress(CancelledError)`,
        which would also swallow a cancellation of the worker itself that arrived meanwhile."""
        renewing.cancel()
        await asyncio.wait([renewing])
        if not renewing.cancelled() and renewing.exception() is not None:
            _LOGGER.error("outbox: the lease renewal failed", exc_info=renewing.exception())

    async def _deliver_all(self, deliveries: list[outbox.Delivery]) -> Batch:
        """Deliver claimed messages in turn, renewing the leases meanwhile."""
        held = {delivery.id: delivery for delivery in deliveries}
        renewing = asyncio.create_task(self._renew(held))
        delivered = 0
        try:
            for delivery in deliveries:
                if delivery.id not in held:  # claimed by another worker while this one was busy
                    continue
                delivered += await self._deliver(delivery)
                held.pop(delivery.id, None)
        finally:
            await self._stop(renewing)
        return Batch(len(deliveries), delivered, any(d.followed for d in deliveries))

    async def run_batch(self) -> Batch:
        """Claim what is due now and deliver it, renewing the leases meanwhile."""
        async with self._running:
            deliveries = await asyncio.to_thread(self._claim, self.clock())
            if not deliveries:
                return Batch()
            return await self._deliver_all(deliveries)

    async def send_claimed(self, delivery: outbox.Delivery) -> bool:
        """Deliver a message its turn claimed as it enqueued it (`storage.outbox.claim_enqueued`), at once and
        without a claim of the worker's: the reply a person waits for. True if it was delivered."""
        task = asyncio.ensure_future(self._deliver_all([delivery]))
        self._direct.add(task)
        try:
            return bool((await task).delivered)
        finally:
            self._direct.discard(task)
            if delivery.conversation in self._held:  # the next reply of the conversation is the worker's now
                self._held.discard(delivery.conversation)
                self.wake()

    def held_behind(self, conversation: str) -> None:
        """A reply its turn could not claim, because an earlier message of `conversation` was still open: the
        worker sends it, now if that one is done, else as soon as a turn's `send_claimed` of it ends."""
        self._held.add(conversation)
        self.wake()

    async def run_once(self) -> int:
        """Deliver what is due now (one claim); returns how many messages were attempted."""
        return (await self.run_batch()).attempted

    async def run_until_idle(self) -> int:
        """Deliver until nothing is due now, after any batch this worker has under way; how many were attempted.

        When it returns, nothing this worker could send is due and no batch of its own (nor a reply its turn
        claimed, `send_claimed`) is under way: what was enqueued before the call has been delivered, or failed,
        or waits for a retry later. Tests use it to see everything that was sent, rather than sleeping and hoping.
        """
        if self._direct:
            await asyncio.wait(list(self._direct))
        attempted = 0
        while done := await self.run_once():
            attempted += done
        return attempted

    def wake(self) -> None:
        """Deliver now rather than at the next poll (after a change that enqueued messages)."""
        self._wake.set()

    async def run_forever(self) -> None:
        """Deliver until cancelled, polling every `poll_seconds` or when woken.

        The wake-up is cleared before each claim, so a message enqueued while a batch is under way is claimed
        right after it rather than at the next poll. After a full batch, or one whose messages a later message
        of their conversation waited for, the worker claims again at once; otherwise a claim now would find
        nothing that was not enqueued with a wake-up (or by another instance, which its own worker sends).
        """
        while True:
            self._wake.clear()
            try:
                batch = await self.run_batch()
            except sa.exc.SQLAlchemyError as exc:
                if unreachable(exc):  # an outage: one line, not a traceback every poll
                    _LOGGER.warning("outbox worker: the database is unreachable (%s); trying again", type(exc).__name__)
                else:
                    _LOGGER.exception("outbox worker: database error; trying again shortly")
                batch = Batch()
            if batch.followed or batch.attempted >= self.batch_size:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_seconds)
