"""The outbox: nothing from a rolled-back change, delivery once, retries with backoff, a failed state."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
import threading

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from bot.outbox import DeliveryError, OutboxWorker
from storage import outbox
from storage.db import session_scope
from storage.models import OutboxMessage, OutboxStatus, Person, Region
from tests.bot.virtual_time import VirtualTime

T0 = dtm.datetime(2026, 9, 14, 8, 0, tzinfo=dtm.UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> dtm.datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += dtm.timedelta(**kwargs)


class RecordingSender:
    """Records what it was asked to send; fails as told."""

    channel = "log"

    def __init__(self, failures: list[DeliveryError | Exception] | None = None) -> None:
        self.sent: list[outbox.Delivery] = []
        self.failures = list(failures or [])

    async def send(self, delivery: outbox.Delivery) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(delivery)


def _enqueue(engine: sa.Engine, region: Region, *, at: dtm.datetime = T0, kind: str = "notice") -> int:
    assert region.id is not None
    with session_scope(engine) as s:
        person = Person(email="ann@example.org", name="Ann", region_id=region.id)
        s.add(person)
        s.flush()
        message = outbox.enqueue(
            s, channel="log", kind=kind, payload={"text": "Hej"}, recipient_id=person.id, not_before=at
        )
        s.flush()
        assert message.id is not None
        return message.id


def _message(engine: sa.Engine, message_id: int) -> OutboxMessage:
    with Session(engine) as s:
        message = s.get(OutboxMessage, message_id)
        assert message is not None
        return message


async def test_a_message_enqueued_in_a_rolled_back_transaction_is_never_sent(engine: sa.Engine, region: Region) -> None:
    class Boom(Exception):
        pass

    with pytest.raises(Boom), session_scope(engine) as s:
        outbox.enqueue(s, channel="log", kind="notice", payload={"text": "Hej"})
        s.flush()
        raise Boom
    sender = RecordingSender()
    clock = Clock()
    clock.advance(days=1)
    assert await OutboxWorker(engine, [sender], clock=clock).run_once() == 0
    assert sender.sent == []
    with Session(engine) as s:
        assert s.exec(select(OutboxMessage)).all() == []


async def test_a_committed_message_is_delivered_once(engine: sa.Engine, region: Region) -> None:
    message_id = _enqueue(engine, region)
    sender, clock = RecordingSender(), Clock()
    worker = OutboxWorker(engine, [sender], clock=clock)
    assert await worker.run_once() == 1
    assert await worker.run_once() == 0
    assert [(d.id, d.kind, d.payload, d.recipient.email if d.recipient else None) for d in sender.sent] == [
        (message_id, "notice", {"text": "Hej"}, "ann@example.org")
    ]
    stored = _message(engine, message_id)
    assert stored.status == OutboxStatus.DELIVERED and stored.delivered_at == T0 and stored.attempts == 1


async def test_not_before_is_respected(engine: sa.Engine, region: Region) -> None:
    _enqueue(engine, region, at=T0 + dtm.timedelta(hours=1))
    sender, clock = RecordingSender(), Clock()
    worker = OutboxWorker(engine, [sender], clock=clock)
    assert await worker.run_once() == 0
    clock.advance(hours=1)
    assert await worker.run_once() == 1


async def test_retries_back_off_exponentially_then_fail_for_good(engine: sa.Engine, region: Region) -> None:
    message_id = _enqueue(engine, region)
    sender = RecordingSender([DeliveryError("nätverksfel")] * 3)
    clock = Clock()
    worker = OutboxWorker(engine, [sender], clock=clock, max_attempts=3, base_delay=30, jitter=0)

    assert await worker.run_once() == 1
    assert _message(engine, message_id).not_before == T0 + dtm.timedelta(seconds=30)
    clock.advance(seconds=29)
    assert await worker.run_once() == 0  # not yet
    clock.advance(seconds=1)
    assert await worker.run_once() == 1
    assert _message(engine, message_id).not_before == clock.now + dtm.timedelta(seconds=60)
    clock.advance(seconds=60)
    assert await worker.run_once() == 1
    failed = _message(engine, message_id)
    assert (failed.status, failed.attempts, failed.last_error) == (OutboxStatus.FAILED, 3, "nätverksfel")
    clock.advance(days=1)
    assert await worker.run_once() == 0
    assert sender.sent == []
    with Session(engine) as s:
        assert [m.id for m in outbox.messages(s, OutboxStatus.FAILED)] == [message_id]


async def test_retry_after_is_honoured_and_permanent_errors_stop_at_once(engine: sa.Engine, region: Region) -> None:
    message_id = _enqueue(engine, region)
    sender = RecordingSender(
        [DeliveryError("429", retry_after=120), DeliveryError("användaren finns inte", permanent=True)]
    )
    clock = Clock()
    worker = OutboxWorker(engine, [sender], clock=clock)
    await worker.run_once()
    assert _message(engine, message_id).not_before == T0 + dtm.timedelta(seconds=120)
    clock.advance(seconds=120)
    await worker.run_once()
    assert _message(engine, message_id).status == OutboxStatus.FAILED


async def test_a_crashing_sender_does_not_stop_the_worker(engine: sa.Engine, region: Region) -> None:
    message_id = _enqueue(engine, region)
    sender, clock = RecordingSender([RuntimeError("bugg")]), Clock()
    worker = OutboxWorker(engine, [sender], clock=clock)
    await worker.run_once()
    assert _message(engine, message_id).last_error == "RuntimeError: bugg"
    clock.advance(minutes=1)
    await worker.run_once()
    assert len(sender.sent) == 1


async def test_an_admin_can_put_a_failed_message_back(engine: sa.Engine, region: Region) -> None:
    message_id = _enqueue(engine, region)
    sender, clock = RecordingSender([DeliveryError("nej", permanent=True)]), Clock()
    worker = OutboxWorker(engine, [sender], clock=clock)
    await worker.run_once()
    with session_scope(engine) as s:
        assert outbox.retry_failed(s, message_id, clock.now)
        assert not outbox.retry_failed(s, message_id, clock.now)
    await worker.run_once()
    assert _message(engine, message_id).status == OutboxStatus.DELIVERED


async def test_a_dead_workers_lease_runs_out(engine: sa.Engine, region: Region) -> None:
    message_id = _enqueue(engine, region)
    with session_scope(engine) as s:
        assert [
            d.id for d in outbox.claim_due(s, channels={"log"}, now=T0, lease=dtm.timedelta(minutes=5), limit=10)
        ] == [message_id]
    sender, clock = RecordingSender(), Clock()
    worker = OutboxWorker(engine, [sender], clock=clock)
    assert await worker.run_once() == 0  # still leased to the worker that "died"
    clock.advance(minutes=5)
    assert await worker.run_once() == 1


async def test_messages_for_a_channel_without_sender_wait(engine: sa.Engine, region: Region) -> None:
    with session_scope(engine) as s:
        outbox.enqueue(s, channel="slack", kind="notice", payload={})
    worker = OutboxWorker(engine, [RecordingSender()], clock=Clock())
    assert await worker.run_once() == 0
    with Session(engine) as s:
        assert outbox.backlog(s)["pending"] == 1


async def test_run_until_idle_waits_for_a_batch_under_way_and_delivers_everything_due(
    engine: sa.Engine, region: Region
) -> None:
    with session_scope(engine) as s:  # six people: six conversations, so a batch can hold several
        people = [Person(email=f"p{n}@example.org", name=f"P{n}", region_id=region.id or 0) for n in range(6)]
        s.add_all(people)
        s.flush()
        due = [
            outbox.enqueue(s, channel="log", kind="notice", payload={"n": n}, recipient_id=people[n].id, not_before=T0)
            for n in range(5)
        ]
        later = T0 + dtm.timedelta(hours=1)
        outbox.enqueue(
            s, channel="log", kind="notice", payload={"n": "later"}, recipient_id=people[5].id, not_before=later
        )
        s.flush()
        due_ids = [m.id for m in due]
    entered, release = asyncio.Event(), asyncio.Event()

    class Held(RecordingSender):
        async def send(self, delivery: outbox.Delivery) -> None:
            if not entered.is_set():  # the first delivery hangs until released
                entered.set()
                await release.wait()
            await super().send(delivery)

    sender = Held([DeliveryError("nätverksfel")])  # the first message fails once, to be retried in 30 s
    worker = OutboxWorker(engine, [sender], clock=Clock(), batch_size=2, jitter=0)
    under_way = asyncio.create_task(worker.run_once())  # as the worker's own loop would
    await entered.wait()
    drained = asyncio.create_task(worker.run_until_idle())
    await asyncio.sleep(0.05)
    assert not drained.done() and sender.sent == []  # it waits for the batch under way
    release.set()
    assert await under_way == 2
    assert await drained == 3  # two batches, then nothing due
    assert sorted(d.id for d in sender.sent) == due_ids[1:]  # not the failed one (30 s away), nor the later one
    first = due_ids[0]
    assert first is not None and _message(engine, first).status == OutboxStatus.PENDING


def test_two_instances_never_claim_the_same_message(engine: sa.Engine, region: Region) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has a single writer; row locks are PostgreSQL's")
    for n in range(4):  # to four people: four conversations, each with one message to claim
        with session_scope(engine) as s:
            person = Person(email=f"p{n}@example.org", name=f"P{n}", region_id=region.id or 0)
            s.add(person)
            s.flush()
            outbox.enqueue(s, channel="log", kind="notice", payload={}, recipient_id=person.id, not_before=T0)
    claimed: list[list[int]] = []
    second_claimed_while_first_held_its_rows: list[bool] = []
    first_has_claimed, second_done = threading.Event(), threading.Event()

    def instance(wait_for: threading.Event | None, signal: threading.Event) -> None:
        with session_scope(engine) as s:
            if wait_for:
                wait_for.wait(5)
            rows = outbox.claim_due(
                s, channels={"log"}, now=T0 + dtm.timedelta(days=1), lease=dtm.timedelta(minutes=5), limit=2
            )
            claimed.append([d.id for d in rows])
            signal.set()
            if wait_for is None:  # keep the first transaction open while the second claims
                second_claimed_while_first_held_its_rows.append(second_done.wait(5))

    a = threading.Thread(target=instance, args=(None, first_has_claimed))
    b = threading.Thread(target=instance, args=(first_has_claimed, second_done))
    a.start()
    b.start()
    a.join(10)
    b.join(10)
    assert len(claimed) == 2 and all(len(ids) == 2 for ids in claimed)
    assert not set(claimed[0]) & set(claimed[1])
    assert second_claimed_while_first_held_its_rows == [True]  # skipped the locked rows, did not wait


def _to(engine: sa.Engine, conversations: int, *, per_conversation: int = 1) -> list[int]:
    """Messages to `conversations` Slack channels (`per_conversation` each, written in turn), due at T0."""
    ids = []
    with session_scope(engine) as s:
        for n in range(per_conversation):
            for c in range(conversations):
                message = outbox.enqueue(
                    s, channel="slack", kind="reply", payload={"slack_channel": f"C{c}", "n": n}, not_before=T0
                )
                s.flush()
                assert message.id is not None
                ids.append(message.id)
    return ids


class SlowSlack:
    """A Slack sender whose every post takes `seconds` of virtual time; records when each post began."""

    channel = "slack"

    def __init__(self, time: VirtualTime, seconds: float) -> None:
        self.time, self.seconds = time, seconds
        self.posts: list[int] = []
        self.in_flight = 0

    async def send(self, delivery: outbox.Delivery) -> None:
        self.posts.append(delivery.id)
        self.in_flight += 1
        try:
            await self.time.sleep(self.seconds)
        finally:
            self.in_flight -= 1


@pytest.mark.parametrize(
    ("messages", "seconds_a_post"),
    [(20, 16.0), (3, 400.0)],
    ids=["a batch of 20 at 16 s a post", "each post longer than the lease"],
)
async def test_two_workers_never_post_twice_while_slack_is_slower_than_the_lease(
    engine: sa.Engine, messages: int, seconds_a_post: float
) -> None:
    """Two instances on one database; the first claims a batch, the second polls every 2 s meanwhile.

    Before: the claim of a batch of 20 at 16 s a post ran out after 300 s and the second instance took
    the last two rows again (2 duplicates); with posts of 400 s, every one was posted twice or more.
    """
    ids = _to(engine, messages)
    time = VirtualTime(T0)
    first_slack, second_slack = SlowSlack(time, seconds_a_post), SlowSlack(time, seconds_a_post)
    first = OutboxWorker(engine, [first_slack], clock=time, sleep=time.sleep, lease_seconds=300, batch_size=20)
    second = OutboxWorker(engine, [second_slack], clock=time, sleep=time.sleep, lease_seconds=300, batch_size=20)
    batch = asyncio.create_task(first.run_once())
    await time.quiet()  # the first instance has claimed everything and is posting

    async def poll() -> None:
        while True:
            await second.run_once()
            await time.sleep(2)

    polling = asyncio.create_task(poll())

    def settled() -> bool:
        with Session(engine) as s:
            return (
                batch.done()
                and not (first_slack.in_flight or second_slack.in_flight)
                and not outbox.backlog(s)["sending"]
            )

    try:
        await time.run_until(settled, limit=dtm.timedelta(hours=2))
    finally:
        polling.cancel()
    assert sorted(first_slack.posts + second_slack.posts) == ids  # each once
    assert time.now - T0 >= dtm.timedelta(seconds=messages * seconds_a_post) > dtm.timedelta(seconds=300)
    with Session(engine) as s:
        assert outbox.backlog(s)["delivered"] == messages


def test_a_claim_taken_over_writes_nothing_more(engine: sa.Engine, region: Region) -> None:
    """A worker whose lease ran out (stalled, not dead) and whose row another claimed: its renewal, progress and
    outcome are refused, and the one holding the row now is undisturbed."""
    (message_id,) = _to(engine, 1)
    lease = dtm.timedelta(minutes=2)
    with session_scope(engine) as s:
        (stalled,) = outbox.claim_due(s, channels={"slack"}, now=T0, lease=lease, limit=1)
    with session_scope(engine) as s:
        (current,) = outbox.claim_due(s, channels={"slack"}, now=T0 + lease, lease=lease, limit=1)
    assert current.claim == stalled.claim + 1 and current.unsure_since == T0
    with session_scope(engine) as s:
        assert outbox.renew(s, [(message_id, stalled.claim)], T0 + 3 * lease) == {message_id}
        assert not outbox.save_progress(s, message_id, stalled.claim, {"slack_parts_posted": 1})
        assert not outbox.mark_delivered(s, message_id, T0, claim=stalled.claim)
        assert not outbox.mark_attempt_failed(s, message_id, "x", None, claim=stalled.claim)
        assert outbox.renew(s, [(message_id, current.claim)], T0 + 3 * lease) == set()
    stored = _message(engine, message_id)
    assert (stored.status, stored.locked_until, stored.payload.get("slack_parts_posted")) == (
        OutboxStatus.SENDING,
        T0 + 3 * lease,
        None,
    )


async def test_a_conversation_goes_one_message_at_a_time_in_order_and_a_failed_one_releases_it(
    engine: sa.Engine,
) -> None:
    ids = _to(engine, 2, per_conversation=3)  # C0: ids[0], ids[2], ids[4]; C1: ids[1], ids[3], ids[5]

    class Slack(RecordingSender):
        channel = "slack"

    sender = Slack([DeliveryError("nej", permanent=True)])  # the first message of C0 fails for good
    worker = OutboxWorker(engine, [sender], clock=Clock())
    with session_scope(engine) as s:
        claimed = outbox.claim_due(s, channels={"slack"}, now=T0, lease=dtm.timedelta(minutes=2), limit=10)
    assert [d.id for d in claimed] == ids[:2]  # one per conversation
    with session_scope(engine) as s:
        for d in claimed:
            outbox.mark_attempt_failed(s, d.id, "x", T0 + dtm.timedelta(hours=1))
    assert await worker.run_once() == 0  # each conversation waits for its first message's retry
    clock = Clock()
    clock.advance(hours=1)
    worker.clock = clock
    assert await worker.run_until_idle() == 6
    assert [d.id for d in sender.sent] == [ids[1], ids[2], ids[3], ids[4], ids[5]]
    assert _message(engine, ids[0]).status == OutboxStatus.FAILED


async def test_a_rate_limit_does_not_count_towards_giving_up(engine: sa.Engine, region: Region) -> None:
    message_id = _enqueue(engine, region)
    limited = DeliveryError("ratelimited", retry_after=1, rate_limited=True)
    sender, clock = RecordingSender([limited] * 5), Clock()
    worker = OutboxWorker(engine, [sender], clock=clock, max_attempts=2)
    for _ in range(6):
        await worker.run_once()
        clock.advance(seconds=1)
    stored = _message(engine, message_id)
    assert (stored.status, stored.attempts, len(sender.sent)) == (OutboxStatus.DELIVERED, 1, 1)


async def test_a_message_enqueued_during_a_batch_is_not_left_for_the_next_poll(
    engine: sa.Engine, region: Region
) -> None:
    """Before: the worker cleared its wake-up after the batch, so one given during it was lost (up to a poll)."""
    first = _enqueue(engine, region)
    entered, release = asyncio.Event(), asyncio.Event()

    class Held(RecordingSender):
        async def send(self, delivery: outbox.Delivery) -> None:
            if delivery.id == first:
                entered.set()
                await release.wait()
                raise DeliveryError("nätverksfel")  # nothing delivered in this batch
            await super().send(delivery)

    sender = Held()
    worker = OutboxWorker(engine, [sender], clock=Clock(), poll_seconds=3600)
    running = asyncio.create_task(worker.run_forever())
    try:
        await asyncio.wait_for(entered.wait(), 5)
        with session_scope(engine) as s:
            other = Person(email="bo@example.org", name="Bo", region_id=region.id or 0)
            s.add(other)
            s.flush()
            outbox.enqueue(s, channel="log", kind="notice", payload={}, recipient_id=other.id, not_before=T0)
        worker.wake()  # as the bot does after a turn
        release.set()
        async with asyncio.timeout(5):
            while not sender.sent:
                await asyncio.sleep(0.01)
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running


async def test_after_a_batch_that_delivered_the_worker_claims_again_at_once(engine: sa.Engine) -> None:
    """One message per conversation per claim must not mean one per poll."""
    _to(engine, 1, per_conversation=5)

    class Slack(RecordingSender):
        channel = "slack"

    sender = Slack()
    worker = OutboxWorker(engine, [sender], clock=Clock(), poll_seconds=3600)
    running = asyncio.create_task(worker.run_forever())
    try:
        async with asyncio.timeout(5):
            while len(sender.sent) < 5:
                await asyncio.sleep(0.01)
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
    assert [d.payload["n"] for d in sender.sent] == [0, 1, 2, 3, 4]


async def test_a_claim_says_whether_a_later_message_of_the_conversation_waits(engine: sa.Engine) -> None:
    _to(engine, 2, per_conversation=1)  # C0 and C1, one message each
    _to(engine, 1, per_conversation=1)  # a second message to C0

    class Slack(RecordingSender):
        channel = "slack"

    worker = OutboxWorker(engine, [Slack()], clock=Clock())
    first = await worker.run_batch()
    assert (first.attempted, first.followed) == (2, True)  # C0's first has C0's second behind it
    second = await worker.run_batch()
    assert (second.attempted, second.followed) == (1, False)


async def test_after_a_batch_nothing_waited_for_the_worker_does_not_claim_again_until_woken(
    engine: sa.Engine,
) -> None:
    """Before: every batch that delivered was followed by a claim that found nothing, a transaction per reply."""
    _to(engine, 1)

    class Slack(RecordingSender):
        channel = "slack"

    worker = OutboxWorker(engine, [Slack()], clock=Clock(), poll_seconds=3600)
    claims = 0
    claim = worker._claim

    def counted(now: dtm.datetime) -> list[outbox.Delivery]:
        nonlocal claims
        claims += 1
        return claim(now)

    worker._claim = counted  # type: ignore[method-assign]
    running = asyncio.create_task(worker.run_forever())
    try:
        async with asyncio.timeout(5):
            while _message(engine, 1).status != OutboxStatus.DELIVERED:
                await asyncio.sleep(0.01)
            await worker.run_until_idle()  # waits for the batch under way; its own claim finds nothing
        assert claims == 2  # the worker's one claim, and run_until_idle's
        _to(engine, 1)
        worker.wake()
        async with asyncio.timeout(5):
            while _message(engine, 2).status != OutboxStatus.DELIVERED:
                await asyncio.sleep(0.01)
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running


def _reply(engine: sa.Engine, channel: str) -> tuple[int, outbox.Delivery | None]:
    """A turn's reply to Slack channel `channel`, enqueued and claimed in one transaction, as a turn does."""
    with session_scope(engine) as s:
        message = outbox.enqueue(s, channel="slack", kind="reply", payload={"slack_channel": channel}, not_before=T0)
        claimed = outbox.claim_enqueued(s, message, now=T0, lease=dtm.timedelta(seconds=120))
        assert message.id is not None
        return message.id, claimed


async def test_a_reply_claimed_as_it_is_enqueued_is_sent_by_its_turn_without_a_claim_of_the_worker(
    engine: sa.Engine,
) -> None:
    message_id, claimed = _reply(engine, "C1")
    assert claimed is not None and (claimed.claim, claimed.attempts, claimed.unsure_since) == (1, 1, None)
    stored = _message(engine, message_id)
    assert (stored.status, stored.claim) == (OutboxStatus.SENDING, 1)  # leased: no worker claims it meanwhile

    class Slack(RecordingSender):
        channel = "slack"

    sender, clock = Slack(), Clock()
    worker = OutboxWorker(engine, [sender], clock=clock)
    assert await worker.run_once() == 0
    assert await worker.send_claimed(claimed)
    assert [d.id for d in sender.sent] == [message_id]
    assert _message(engine, message_id).status == OutboxStatus.DELIVERED


async def test_a_reply_behind_an_earlier_open_message_of_its_conversation_is_left_to_the_worker(
    engine: sa.Engine,
) -> None:
    (first,) = _to(engine, 1)  # an open message to C0
    second, claimed = _reply(engine, "C0")
    assert claimed is None and _message(engine, second).status == OutboxStatus.PENDING

    class Slack(RecordingSender):
        channel = "slack"

    sender = Slack()
    await OutboxWorker(engine, [sender], clock=Clock()).run_until_idle()
    assert [d.id for d in sender.sent] == [first, second]  # in order


async def test_a_claimed_reply_never_sent_is_sent_by_the_worker_once_its_lease_ran_out_its_outcome_unsure(
    engine: sa.Engine,
) -> None:
    """As after a crash between the turn's commit and the post."""
    message_id, claimed = _reply(engine, "C1")
    assert claimed is not None

    class Slack(RecordingSender):
        channel = "slack"

    sender, clock = Slack(), Clock()
    worker = OutboxWorker(engine, [sender], clock=clock)
    clock.advance(seconds=119)
    assert await worker.run_once() == 0
    clock.advance(seconds=2)
    assert await worker.run_once() == 1
    (sent,) = sender.sent
    assert sent.id == message_id and sent.unsure_since == T0  # read back before posting (see the Slack sender)


async def test_a_reply_held_behind_one_its_turn_is_sending_goes_out_when_that_one_is_done(engine: sa.Engine) -> None:
    """Before: the worker, woken while the first was still being sent, found the second held and then waited
    for its next poll (2 s, here an hour)."""
    first, claimed = _reply(engine, "C1")
    second, held = _reply(engine, "C1")
    assert claimed is not None and held is None
    entered, release = asyncio.Event(), asyncio.Event()

    class Slack(RecordingSender):
        channel = "slack"

        async def send(self, delivery: outbox.Delivery) -> None:
            if delivery.id == first:
                entered.set()
                await release.wait()
            await super().send(delivery)

    sender = Slack()
    worker = OutboxWorker(engine, [sender], clock=Clock(), poll_seconds=3600)
    running = asyncio.create_task(worker.run_forever())
    try:
        sending = asyncio.create_task(worker.send_claimed(claimed))
        await asyncio.wait_for(entered.wait(), 5)
        worker.held_behind(claimed.conversation)  # as the second reply's turn does
        for _ in range(20):  # the woken worker claims, and finds the second still held
            await asyncio.sleep(0)
        release.set()
        assert await sending
        async with asyncio.timeout(5):
            while len(sender.sent) < 2:
                await asyncio.sleep(0.01)
        assert [d.id for d in sender.sent] == [first, second]
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
