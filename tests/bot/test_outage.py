"""PostgreSQL goes away while Slack sends direct messages, and comes back: nothing acknowledged is lost.

The database is a cluster of the test's own, stopped with an immediate shutdown mid-stream. Slack is
emulated as Slack behaves: an event not answered 2xx is sent again later with `X-Slack-Retry-Num`, and
an event answered 2xx is never sent again. Each direct message goes to a conversation of its own, so
the replies at the fake Slack API can be counted per message: exactly one each.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import logging
import time
from collections.abc import AsyncIterator, Iterator

import aiohttp
import pytest
import sqlalchemy as sa
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.outbox import LogSender, OutboxWorker
from bot.server import RECOVERY, create_app
from bot.slack.app import SlackBot
from bot.slack.sender import SlackSender, web_client
from dialogs.app import build_dialogs
from storage.db import open_database, session_scope
from storage.demo import load_demo
from storage.models import utcnow
from tests.dialogs.conftest import NOW
from tests.pg_cluster import Cluster, own_cluster
from tests.slack.conftest import SECRET, FakeSlack, Listeners, dm_body, signed

LEASE = dtm.timedelta(seconds=1)


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    yield from own_cluster()


@pytest.fixture
def engine(cluster: Cluster) -> Iterator[sa.Engine]:
    engine = open_database(cluster.url)
    with session_scope(engine) as session:
        load_demo(session, "2026/27")
    yield engine
    engine.dispose()


class Emulated:
    """Slack's side: sends each event until it is answered 2xx, as Slack retries (here: after the outage)."""

    def __init__(self, http: TestClient) -> None:
        self.http = http
        self.statuses: list[int] = []
        self.unanswered: list[tuple[str, str]] = []  # (event id, body) to send again

    async def send(self, event_id: str, body: str, retry: int | None = None) -> None:
        headers = {"Content-Type": "application/json", **signed(body)}
        if retry is not None:
            headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_error"}
        try:
            response = await self.http.post("/slack/events", data=body.encode(), headers=headers)
            status = response.status
        except aiohttp.ClientError:
            status = 0
        self.statuses.append(status)
        if not 200 <= status < 300:
            self.unanswered.append((event_id, body))

    async def retry(self, attempt: int) -> None:
        again, self.unanswered = self.unanswered, []
        for event_id, body in again:
            await self.send(event_id, body, retry=attempt)


def _dm(number: int) -> tuple[str, str]:
    """A direct message in a conversation of its own (D0000, D0001, …), so its replies are countable."""
    event_id = f"Ev{number:04d}"
    return event_id, json.dumps(dm_body(event_id, f"D{number:04d}"))


@pytest.fixture
async def served(
    engine: sa.Engine,
) -> AsyncIterator[tuple[FakeSlack, TestClient, OutboxWorker, Listeners, web.Application]]:
    api = FakeSlack()
    fake = web.Application()
    fake.router.add_route("*", "/api/{method}", api.handle)
    async with TestServer(fake) as fake_server:
        client = web_client("xoxb-test-token", str(fake_server.make_url("/api/")))
        worker = OutboxWorker(
            engine, [LogSender(), SlackSender(client)], poll_seconds=0.2, lease_seconds=LEASE.total_seconds()
        )
        bot = SlackBot(engine, build_dialogs(engine, clock=lambda: NOW), worker, client, SECRET, lease=LEASE)
        listeners = Listeners(bot.app.listener_runner)
        app = create_app(engine, worker, sweep_minutes=None, slack=bot, inbox_lease=LEASE)
        async with TestClient(TestServer(app)) as http:
            yield api, http, worker, listeners, app


async def test_a_database_outage_loses_no_acknowledged_message(
    cluster: Cluster,
    served: tuple[FakeSlack, TestClient, OutboxWorker, Listeners, web.Application],
    caplog: pytest.LogCaptureFixture,
) -> None:
    api, http, worker, listeners, app = served
    slack = Emulated(http)
    messages = [_dm(n) for n in range(36)]
    caplog.set_level(logging.INFO)

    for event_id, body in messages[:12]:
        await slack.send(event_id, body)
    await asyncio.to_thread(cluster.stop)
    during = len(slack.statuses)
    for event_id, body in messages[12:24]:
        await slack.send(event_id, body)
    answered_during = [s for s in slack.statuses[during:] if 200 <= s < 300]
    await asyncio.to_thread(cluster.start)
    for event_id, body in messages[24:]:
        await slack.send(event_id, body)
    await slack.retry(1)
    assert slack.unanswered == []

    # What was stored but not finished when the database went away is processed again once its lease ran out.
    # So are outbox messages claimed when it went away: their lease runs out, and what was posted is not again.
    recovery = app[RECOVERY]
    recovery.clock = worker.clock = lambda: utcnow() + 2 * LEASE
    deadline = time.monotonic() + 20
    async with asyncio.timeout(30):
        while True:
            await recovery.run_once()
            await listeners.idle.wait()  # bolt runs a replayed event's listener after its ack
            await worker.run_until_idle()
            posted = {call["channel"] for call in api.of("chat.postMessage")}
            if len(posted) >= len(messages) or time.monotonic() > deadline:
                break

    per_conversation: dict[str, int] = {}
    for call in api.of("chat.postMessage"):
        per_conversation[call["channel"]] = per_conversation.get(call["channel"], 0) + 1
    lost = [f"D{n:04d}" for n in range(len(messages)) if f"D{n:04d}" not in per_conversation]
    twice = {channel: count for channel, count in per_conversation.items() if count > 1}
    assert (lost, twice) == ([], {})
    assert answered_during == []  # nothing was acknowledged while it could not be stored
    assert 503 in slack.statuses[during:]
    tracebacks = [r for r in caplog.records if r.exc_info and r.name.startswith(("bot", "dialogs", "storage"))]
    assert [r.getMessage() for r in tracebacks] == []
