"""Slack delivery through the outbox against the fake Web API, on the worker's own (virtual) clock.

Order within a conversation under a burst of 429s, and a 429 that holds one conversation and no other.
"""

from __future__ import annotations

import datetime as dtm
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from aiohttp import web
from aiohttp.test_utils import TestServer
from slack_sdk.web.async_client import AsyncWebClient
from sqlmodel import Session, col, select

from bot.outbox import OutboxWorker
from bot.slack.sender import SlackSender, web_client
from dialogs.types import TextReply, dump_replies
from storage import outbox
from storage.db import session_scope
from storage.models import OutboxMessage, OutboxStatus
from tests.slack.conftest import FakeSlack

T0 = dtm.datetime(2026, 11, 23, 9, 0, tzinfo=dtm.UTC)


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
        yield Fake(api, web_client("xoxb-test-token", str(server.make_url("/api/"))), clock)


def _reply(session: Session, channel: str, text: str) -> OutboxMessage:
    """A reply in `channel` (as the bot answers someone who wrote there), due at T0."""
    payload = {"replies": dump_replies([TextReply(text=text)]), "slack_channel": channel}
    return outbox.enqueue(session, channel="slack", kind="reply", payload=payload, not_before=T0)


def _open(engine: sa.Engine) -> int:
    with Session(engine) as s:
        return len(s.exec(select(OutboxMessage).where(col(OutboxMessage.status).in_(["pending", "sending"]))).all())


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
