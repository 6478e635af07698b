"""`GET /healthz` over real HTTP."""

from __future__ import annotations

import datetime as dtm

import sqlalchemy as sa
from aiohttp.test_utils import TestClient, TestServer

from bot.outbox import LogSender, OutboxWorker
from bot.server import create_app
from storage import outbox
from storage.db import create_db_engine, session_scope
from storage.models import SweepRun


async def _get(engine: sa.Engine) -> tuple[int, dict]:
    worker = OutboxWorker(engine, [LogSender()], poll_seconds=3600)
    async with TestClient(TestServer(create_app(engine, worker, sweep_minutes=None))) as client:
        response = await client.get("/healthz")
        return response.status, await response.json()


async def test_healthz_reports_database_backlog_and_last_sweep(engine: sa.Engine) -> None:
    sweep = dtm.datetime(2026, 11, 23, 7, 0, tzinfo=dtm.UTC)
    with session_scope(engine) as s:
        outbox.enqueue(s, channel="teams", kind="notice", payload={})
        s.add(SweepRun(as_of=sweep, finished_at=sweep, reminders=0))
    status, body = await _get(engine)
    assert status == 200
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["outbox"]["pending"] == 1  # no Teams sender yet: it waits, and shows
    assert body["last_sweep_at"] == "2026-11-23T07:00:00+00:00"


async def test_healthz_is_503_when_the_database_is_gone() -> None:
    engine = create_db_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    status, body = await _get(engine)
    assert status == 503 and body["database"] == "unreachable"
