"""The aiohttp server: `/healthz`, `/api/messages` for Teams, `/slack/events` when Slack is configured.

The outbox worker, the inbox recovery and the reminder scheduler run inside the server's event loop
while it runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
import logging
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from aiohttp import web
from sqlmodel import Session, func, select

from bot.inbox import InboxRecovery, Processor
from bot.outbox import OutboxWorker
from bot.sweep_process import COMMAND
from domain.retention import RetentionPeriods
from scheduler.timing import start_scheduler
from storage import inbound, outbox
from storage.models import SweepRun, utcnow

if TYPE_CHECKING:  # the platform SDKs are loaded by `serve` only for the platforms configured
    from bot.slack.app import SlackBot
    from bot.teams.app import TeamsBot

_LOGGER = logging.getLogger(__name__)
ENGINE = web.AppKey("engine", sa.Engine)
WORKER = web.AppKey("worker", OutboxWorker)
RECOVERY = web.AppKey("recovery", InboxRecovery)
SWEEP_MINUTES = web.AppKey("sweep_minutes", float)
RETENTION = web.AppKey[RetentionPeriods]("retention")  # a protocol: given as the parameter, not a class
SLACK = web.AppKey[Any]("slack")  # the SlackBot, if Slack is served (its client is closed with the server)
SWEEP_PROCESS = web.AppKey("sweep_process", bool)
CLOCK = web.AppKey[Callable[[], dtm.datetime]]("clock")  # the bot's now (AMNESLAG_NOW), for sweeps and retention


def health(engine: sa.Engine) -> dict[str, Any]:
    """The bot's health as data: database reachable, inbox and outbox backlog, last reminder sweep."""
    try:
        with Session(engine) as session:
            backlog = outbox.backlog(session)
            waiting = inbound.pending_count(session)
            last_sweep = session.exec(select(func.max(SweepRun.finished_at))).one()
    except sa.exc.SQLAlchemyError as exc:
        _LOGGER.warning("health check: database unreachable: %s", type(exc).__name__)
        return {
            "status": "unavailable",
            "database": "unreachable",
            "inbox_pending": None,
            "outbox": None,
            "last_sweep_at": None,
        }
    return {
        "status": "ok",
        "database": "ok",
        "inbox_pending": waiting,
        "outbox": backlog,
        "last_sweep_at": last_sweep.isoformat() if last_sweep else None,
    }


async def healthz(request: web.Request) -> web.Response:
    report = await asyncio.to_thread(health, request.app[ENGINE])
    return web.json_response(report, status=200 if report["status"] == "ok" else 503)


async def _run_worker(app: web.Application) -> AsyncIterator[None]:
    task = asyncio.create_task(app[WORKER].run_forever(), name="outbox-worker")
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _close_clients(app: web.Application) -> AsyncIterator[None]:
    """The platform clients keep their HTTP sessions while the server runs; they are closed when it stops."""
    yield
    for sender in list(app[WORKER].senders.values()):
        close = getattr(sender, "close", None)
        if close is not None:
            await close()
    slack = app.get(SLACK)
    if slack is not None:
        await slack.close()


async def _run_recovery(app: web.Application) -> AsyncIterator[None]:
    task = asyncio.create_task(app[RECOVERY].run_forever(), name="inbox-recovery")
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _run_scheduler(app: web.Application) -> AsyncIterator[None]:
    retention = app.get(RETENTION)
    scheduler = start_scheduler(
        app[ENGINE],
        app[SWEEP_MINUTES],
        clock=app[CLOCK],
        retention=retention,
        first_run=utcnow(),
        elsewhere=COMMAND if app.get(SWEEP_PROCESS) else None,  # each sweep in a process of its own
    )
    yield
    scheduler.shutdown(wait=False)


def create_app(
    engine: sa.Engine,
    worker: OutboxWorker,
    *,
    sweep_minutes: float | None = 15,
    slack: SlackBot | None = None,
    teams: TeamsBot | None = None,
    extra: list[Callable[[web.Application], AsyncIterator[None]]] | None = None,
    retention: RetentionPeriods | None = None,
    inbox_lease: dtm.timedelta = dtm.timedelta(seconds=60),
    clock: Callable[[], dtm.datetime] = utcnow,
    sweep_process: bool = False,
) -> web.Application:
    """The web application with its routes and background tasks (no reminder sweeps if `sweep_minutes` is None).

    With `teams`, the Bot Framework's activities are served at `/api/messages`; with `slack`, Slack's
    events, command and interactivity at `/slack/events` (or over Socket Mode). `extra` are further
    cleanup contexts that live as long as the server (the Agents Playground). With `retention`, the
    scheduler also deletes expired personal data daily. Sweeps and retention run as of `clock()`. Inbox
    events of the channels served here that an instance stored and did not finish (it died) are processed
    again once their `inbox_lease` ran out. With `sweep_process` each sweep runs in a process of its own.
    """
    app = web.Application()
    app[ENGINE] = engine
    app[WORKER] = worker
    app[CLOCK] = clock
    processors: dict[str, Processor] = {}
    if teams is not None:
        processors["teams"] = teams.process
    if slack is not None:
        processors["slack"] = slack.process
    app[RECOVERY] = InboxRecovery(engine, processors, lease=inbox_lease)
    app.router.add_get("/healthz", healthz)
    if teams is not None:
        teams.mounted()
        app.router.add_post("/api/messages", teams.handle)
    if slack is not None and slack.app_token is not None:
        app.cleanup_ctx.append(slack.socket_mode)
    elif slack is not None:
        app.router.add_post("/slack/events", slack.handle)
    if slack is not None:
        app[SLACK] = slack
    app.cleanup_ctx.append(_close_clients)
    app.cleanup_ctx.append(_run_worker)
    if processors:
        app.cleanup_ctx.append(_run_recovery)
    if sweep_minutes is not None:
        app[SWEEP_MINUTES] = sweep_minutes
        app[SWEEP_PROCESS] = sweep_process
        if retention is not None:
            app[RETENTION] = retention
        app.cleanup_ctx.append(_run_scheduler)
    app.cleanup_ctx.extend(extra or [])
    return app
