"""Slack delivery through the outbox against the fake Web API, on the worker's own (virtual) clock.

Order within a conversation under a burst of 429s, a 429 that holds one conversation and no other,
a crash after a post (the retry reads the conversation back and posts nothing twice), and a sender
that fails in a way it did not foresee after part of a message was posted.
"""

from __future__ import annotations

import datetime as dtm
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from aiohttp import web
from aiohttp.test_utils import TestServer
from slack_sdk.web.async_client import AsyncWebClient
from sqlmodel import Session, col, select

from bot.outbox import OutboxWorker
from bot.slack.sender import EVENT_TYPE, SlackSender, web_client
from dialogs.invite import attachment
from dialogs.types import CardReply, TextReply, dump_replies
from storage import outbox
from storage.db import session_scope
from storage.models import OutboxMessage, OutboxStatus, Person, Region
from tests.slack.conftest import FakeSlack

T0 = dtm.datetime(2026, 11, 23, 9, 0, tzinfo=dtm.UTC)
LONG = "\n".join(f"Rad {i}: " + "x" * 90 for i in range(1700))  # about 55 sections: two messages


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> dtm.datetime:
        return self.now

    def timestamp(self) -> float:
        return self.now.timestamp()

    def advance(self, **kwargs: float) -> None:
        self.now += dtm.timedelta(**kwargs)


@dataclass
class Fake:
    api: FakeSlack
    client: AsyncWebClient
    clock: Clock


@pytest.fixture
async def fake() -> AsyncIterator[Fake]:
    """The fake Web API alone (no bot server, so no worker of its own), stamping messages on the test's clock."""
    clock = Clock()
    api = FakeSlack(clock=clock.timestamp)
    app = web.Application()
    app.router.add_route("*", "/api/{method}", api.handle)
    app.router.add_post("/upload/{file_id}", api.upload)
    async with TestServer(app) as server:
        client = web_client("xoxb-test-token", str(server.make_url("/api/")))
        yield Fake(api, client, clock)
        await client.close()


def _reply(session: Session, channel: str, text: str) -> OutboxMessage:
    """A reply in `channel` (as the bot answers someone who wrote there), due at T0."""
    payload = {"replies": dump_replies([TextReply(text=text)]), "slack_channel": channel}
    return outbox.enqueue(session, channel="slack", kind="reply", payload=payload, not_before=T0)


def _alva(engine: sa.Engine, region: Region) -> int:
    with session_scope(engine) as s:
        person = Person(email="alva@example.org", name="Alva", region_id=region.id or 0, slack_user_id="U0ALVA")
        s.add(person)
        s.flush()
        assert person.id is not None
        return person.id


def _notice(engine: sa.Engine, person_id: int, payload: dict[str, Any]) -> int:
    """A message to the person's direct chat (the sender opens it), due at T0."""
    with session_scope(engine) as s:
        message = outbox.enqueue(
            s, channel="slack", kind="meeting_notice", payload=payload, recipient_id=person_id, not_before=T0
        )
        s.flush()
        assert message.id is not None
        return message.id


def _open(engine: sa.Engine) -> int:
    with Session(engine) as s:
        return len(s.exec(select(OutboxMessage).where(col(OutboxMessage.status).in_(["pending", "sending"]))).all())


def _stored(engine: sa.Engine, message_id: int) -> OutboxMessage:
    with Session(engine) as s:
        message = s.get(OutboxMessage, message_id)
        assert message is not None
        return message


def _texts(api: FakeSlack) -> dict[str, list[str]]:
    """The texts posted, per channel, in the order Slack got them."""
    texts: dict[str, list[str]] = {}
    for args in api.of("chat.postMessage"):
        texts.setdefault(args["channel"], []).append(args["text"])
    return texts


async def test_a_burst_of_429s_keeps_every_conversations_order_and_loses_nothing(engine: sa.Engine, fake: Fake) -> None:
    """60 ordered replies to 4 conversations while Slack answers 50 posts in a row with 429 (Retry-After: 1).

    Before: all 60 arrived, but in every conversation the first replies came last (the retried ones after
    those claimed meanwhile), and the SDK slept out each 429 inside the batch.
    """
    channels = ["C0A", "C0B", "C0C", "C0D"]
    with session_scope(engine) as s:
        for n in range(15):
            for channel in channels:
                _reply(s, channel, f"{channel} svar {n}")
    fake.api.rate_limit_next = 50
    worker = OutboxWorker(engine, [SlackSender(fake.client)], clock=fake.clock, jitter=0)
    for _ in range(100):
        await worker.run_until_idle()
        if not _open(engine):
            break
        fake.clock.advance(seconds=1)
    assert [name for name, _ in fake.api.calls].count("429") == 50
    assert _texts(fake.api) == {c: [f"{c} svar {n}" for n in range(15)] for c in channels}  # in order, once each
    with Session(engine) as s:
        assert outbox.backlog(s)[OutboxStatus.DELIVERED] == 60  # a rate limit is no reason to give up
    assert fake.clock.now - T0 < dtm.timedelta(seconds=30)  # each conversation waited its Retry-After, no more


async def test_a_429_holds_its_own_conversation_and_no_other(engine: sa.Engine, fake: Fake) -> None:
    with session_scope(engine) as s:
        for n in range(5):
            for channel in ("C0A", "C0B", "C0C"):
                _reply(s, channel, f"{channel} svar {n}")
    fake.api.rate_limits["chat.postMessage C0A"] = 3
    worker = OutboxWorker(engine, [SlackSender(fake.client)], clock=fake.clock, jitter=0)
    await worker.run_until_idle()
    first = _texts(fake.api)
    assert first == {c: [f"{c} svar {n}" for n in range(5)] for c in ("C0B", "C0C")}  # C0A waits, alone
    for _ in range(3):
        fake.clock.advance(seconds=1)
        await worker.run_until_idle()
    assert _texts(fake.api)["C0A"] == [f"C0A svar {n}" for n in range(5)]
    assert _open(engine) == 0


async def test_every_post_names_its_outbox_row_and_part_in_its_metadata(
    engine: sa.Engine, region: Region, fake: Fake
) -> None:
    message_id = _notice(engine, _alva(engine, region), {"replies": dump_replies([TextReply(text=LONG)])})
    await OutboxWorker(engine, [SlackSender(fake.client)], clock=fake.clock).run_until_idle()
    assert [m["metadata"] for m in fake.api.posted["D0ALVA"]] == [
        {"event_type": EVENT_TYPE, "event_payload": {"outbox_id": message_id, "part": part}} for part in (0, 1)
    ]
    assert fake.api.of("conversations.history") == []  # nothing to check when every attempt has an outcome


async def test_a_one_part_reply_costs_its_claim_and_its_delivered_mark_and_no_more(
    engine: sa.Engine, fake: Fake
) -> None:
    """The part posted is written with "delivered" (one commit, no read of the payload back), and recorded there."""
    with session_scope(engine) as s:
        message = _reply(s, "C0A", "Hej")
        s.flush()
        message_id = message.id
    written: list[str] = []

    def keep(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if "outbox_message" in statement:
            written.append(statement.split()[0])

    worker = OutboxWorker(engine, [SlackSender(fake.client)], clock=fake.clock)
    sa.event.listen(engine, "before_cursor_execute", keep)
    try:
        assert await worker.run_once() == 1
    finally:
        sa.event.remove(engine, "before_cursor_execute", keep)
    assert written == ["SELECT", "UPDATE", "UPDATE"]  # the claim (find, take) and the delivered mark
    stored = _stored(engine, message_id or 0)
    assert stored.status == "delivered" and stored.payload["slack_parts_posted"] == 1


async def _crash_after(engine: sa.Engine, fake: Fake, *, posting: bool) -> None:
    """A worker claims the due message and dies: after its sender posted (`posting`) or before it could.

    Nothing of the attempt is recorded; the row stays `sending` until its lease runs out.
    """
    with session_scope(engine) as s:
        (claimed,) = outbox.claim_due(
            s, channels={"slack"}, now=fake.clock.now, lease=dtm.timedelta(minutes=2), limit=1
        )
    if posting:
        await SlackSender(fake.client).send(claimed)  # a Delivery with no saver: no progress reaches the row


async def test_after_a_crash_the_retry_reads_slack_back_and_does_not_post_again(
    engine: sa.Engine, region: Region, fake: Fake
) -> None:
    message_id = _notice(engine, _alva(engine, region), {"replies": dump_replies([TextReply(text="Kallelse")])})
    fake.clock.advance(minutes=5)  # claimed some time after it was written
    claimed_at = fake.clock.now
    await _crash_after(engine, fake, posting=True)
    assert len(fake.api.of("chat.postMessage")) == 1 and _stored(engine, message_id).status == "sending"
    worker = OutboxWorker(engine, [SlackSender(fake.client)], clock=fake.clock, lease_seconds=120)
    fake.clock.advance(seconds=119)
    assert await worker.run_once() == 0  # the dead worker's lease still holds
    fake.clock.advance(seconds=1)
    assert await worker.run_once() == 1
    assert len(fake.api.of("chat.postMessage")) == 1  # found in the conversation: not posted again
    (read,) = fake.api.of("conversations.history")
    assert read["channel"] == "D0ALVA" and read["include_all_metadata"] in ("1", "true", True)
    assert float(read["oldest"]) == (claimed_at - dtm.timedelta(minutes=1)).timestamp()  # from that attempt on
    stored = _stored(engine, message_id)
    assert stored.status == "delivered" and stored.payload["slack_parts_posted"] == 1


async def test_after_a_crash_before_the_post_the_retry_posts(engine: sa.Engine, region: Region, fake: Fake) -> None:
    message_id = _notice(engine, _alva(engine, region), {"replies": dump_replies([TextReply(text="Kallelse")])})
    await _crash_after(engine, fake, posting=False)
    fake.api.posted["D0ALVA"] = [  # the conversation holds other posts of the bot, none of this row
        {"ts": f"{fake.clock.timestamp() + 1:.6f}", "text": "x"},
        {
            "ts": f"{fake.clock.timestamp() + 2:.6f}",
            "text": "y",
            "metadata": {"event_type": EVENT_TYPE, "event_payload": {"outbox_id": message_id + 1, "part": 0}},
        },
    ]
    fake.clock.advance(minutes=3)
    assert await OutboxWorker(engine, [SlackSender(fake.client)], clock=fake.clock).run_once() == 1
    assert len(fake.api.of("conversations.history")) == 1
    (posted,) = fake.api.of("chat.postMessage")
    assert posted["text"] == "Kallelse" and _stored(engine, message_id).status == "delivered"


async def test_after_a_crash_midway_only_the_parts_slack_does_not_show_are_posted(
    engine: sa.Engine, region: Region, fake: Fake
) -> None:
    message_id = _notice(engine, _alva(engine, region), {"replies": dump_replies([TextReply(text=LONG)])})
    with session_scope(engine) as s:
        (claimed,) = outbox.claim_due(
            s, channels={"slack"}, now=fake.clock.now, lease=dtm.timedelta(minutes=2), limit=1
        )
    sender = SlackSender(fake.client)
    real_post = sender.client.chat_postMessage
    calls = 0

    async def dies_at_the_second_part(**kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise SystemExit  # stands in for the process dying: nothing after this runs
        return await real_post(**kwargs)

    sender.client.chat_postMessage = dies_at_the_second_part  # type: ignore[method-assign]
    with pytest.raises(SystemExit):
        await sender.send(claimed)
    fake.clock.advance(minutes=3)
    assert await OutboxWorker(engine, [SlackSender(fake.client)], clock=fake.clock).run_once() == 1
    parts = [m["metadata"]["event_payload"]["part"] for m in fake.api.posted["D0ALVA"]]
    assert parts == [0, 1]  # part 0 once (found), part 1 once (posted by the retry)
    assert _stored(engine, message_id).status == "delivered"


async def test_a_sender_bug_after_part_one_of_two_keeps_the_record_and_the_retry_posts_part_two(
    engine: sa.Engine, region: Region, fake: Fake
) -> None:
    """Before: the worker's `except Exception` dropped what the sender had done, and part 1 came twice."""
    message_id = _notice(engine, _alva(engine, region), {"replies": dump_replies([TextReply(text=LONG)])})
    sender = SlackSender(fake.client)
    real_post = sender.client.chat_postMessage
    calls = 0

    async def type_error_at_the_second_part(**kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise TypeError("unexpected keyword")
        return await real_post(**kwargs)

    sender.client.chat_postMessage = type_error_at_the_second_part  # type: ignore[method-assign]
    worker = OutboxWorker(engine, [sender], clock=fake.clock, jitter=0)
    assert await worker.run_once() == 1
    stored = _stored(engine, message_id)
    assert stored.status == "pending" and stored.payload["slack_parts_posted"] == 1
    assert stored.last_error == "TypeError: unexpected keyword"
    fake.clock.advance(hours=1)
    assert await worker.run_once() == 1
    posted = [json.dumps(m["blocks"]) for m in fake.api.of("chat.postMessage")]
    assert len(posted) == 2 and "Rad 0:" in posted[0] and "Rad 1699:" in posted[1]  # each part once, in order
    assert _stored(engine, message_id).status == "delivered"


async def test_a_sender_bug_in_the_invite_upload_does_not_post_the_notice_again(
    engine: sa.Engine, region: Region, fake: Fake
) -> None:
    """Before: a TypeError in the .ics upload sent every member the notice text once per attempt."""
    ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"
    payload = {
        "replies": dump_replies([CardReply(title="Kallelse")]),
        "attachments": [attachment(ics, name="kallelse.ics", description="Kalenderinbjudan till träffen")],
    }
    message_id = _notice(engine, _alva(engine, region), payload)
    sender = SlackSender(fake.client)
    real_upload = sender.client.files_upload_v2
    failures = 2

    async def upload(**kwargs: Any) -> Any:
        nonlocal failures
        if failures:
            failures -= 1
            raise TypeError("'NoneType' object is not subscriptable")
        return await real_upload(**kwargs)

    sender.client.files_upload_v2 = upload  # type: ignore[method-assign]
    worker = OutboxWorker(engine, [sender], clock=fake.clock, jitter=0)
    for _ in range(3):
        await worker.run_until_idle()
        fake.clock.advance(hours=1)
    assert len(fake.api.of("chat.postMessage")) == 1
    assert fake.api.uploads == [ics.encode()]
    assert _stored(engine, message_id).status == "delivered"
