"""When sweeps run: APScheduler's AsyncIOScheduler inside the server, on start and every N minutes.

The sweep itself is a function of an instant (`scheduler.sweep.sweep`), so this module only decides
when. Coalescing and one instance at a time mean a long pause (a laptop asleep, a stopped server)
gives one catch-up sweep, not a burst; the sweep runs in a thread so the event loop stays free.

Retention (`domain.retention.apply_retention`, also a function of an instant) runs on start and then
daily, the same way.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import logging
from collections.abc import Callable
from concurrent.futures import Executor

import sqlalchemy as sa
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from domain.retention import RetentionPeriods, RetentionReport, apply_retention
from scheduler.sweep import SweepReport, sweep
from storage.db import create_db_engine, unreachable
from storage.models import utcnow

_LOGGER = logging.getLogger(__name__)
JOB_ID = "reminder-sweep"
RETENTION_JOB_ID = "retention"
RETENTION_HOURS = 24


def _sweep_by_url(url: str, instant: dtm.datetime) -> SweepReport:
    """A sweep in a process of its own (`run_sweep`'s `pool`): its own engine on the same database."""
    engine = create_db_engine(url)
    try:
        return sweep(engine, instant)
    finally:
        engine.dispose()


async def run_sweep(
    engine: sa.Engine, clock: Callable[[], dtm.datetime] = utcnow, pool: Executor | None = None
) -> SweepReport | None:
    """One sweep as of now, off the event loop; a failure is logged and the next run tries again.

    With `pool` (a process pool: `serve` uses one) the sweep runs in another process, so its work does not
    hold the server's interpreter while people wait for answers; else in a thread of this one.
    """
    try:
        if pool is not None:
            url = engine.url.render_as_string(hide_password=False)
            return await asyncio.get_running_loop().run_in_executor(pool, _sweep_by_url, url, clock())
        return await asyncio.to_thread(sweep, engine, clock())
    except Exception as exc:
        if unreachable(exc):  # an outage, not a fault: one line, and the next run tries again
            _LOGGER.warning("reminder sweep not run, the database is unreachable (%s)", type(exc).__name__)
        else:
            _LOGGER.exception("reminder sweep failed")
        return None


async def run_retention(
    engine: sa.Engine, retention: RetentionPeriods, clock: Callable[[], dtm.datetime] = utcnow
) -> RetentionReport | None:
    """Delete what has expired as of now, off the event loop; a failure is logged and tomorrow tries again."""
    try:
        return await asyncio.to_thread(apply_retention, engine, clock(), retention)
    except Exception as exc:
        if unreachable(exc):
            _LOGGER.warning("retention not applied, the database is unreachable (%s)", type(exc).__name__)
        else:
            _LOGGER.exception("retention failed")
        return None


def start_scheduler(
    engine: sa.Engine,
    minutes: float,
    clock: Callable[[], dtm.datetime] = utcnow,
    retention: RetentionPeriods | None = None,
    first_run: dtm.datetime | None = None,
    pool: Executor | None = None,
) -> AsyncIOScheduler:
    """Start sweeping now and every `minutes`, and (given `retention`) applying retention now and daily.

    Each run is as of `clock()`. The runs themselves keep APScheduler's real time: the first is at
    `first_run` (default: `clock()`), so a clock that stands elsewhere (`AMNESLAG_NOW`) still sweeps now.
    Call from inside the running event loop. With `pool`, sweeps run in it (see `run_sweep`).
    """
    start = first_run or clock()
    scheduler = AsyncIOScheduler(timezone=dtm.UTC)
    scheduler.add_job(
        run_sweep,
        IntervalTrigger(minutes=minutes, timezone=dtm.UTC),
        args=[engine, clock, pool],
        id=JOB_ID,
        next_run_time=start,
        coalesce=True,
        max_instances=1,
        misfire_grace_time=None,
    )
    if retention is not None:
        scheduler.add_job(
            run_retention,
            IntervalTrigger(hours=RETENTION_HOURS, timezone=dtm.UTC),
            args=[engine, retention, clock],
            id=RETENTION_JOB_ID,
            next_run_time=start,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=None,
        )
    scheduler.start()
    return scheduler
