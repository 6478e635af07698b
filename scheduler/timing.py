"""When sweeps run: APScheduler's AsyncIOScheduler inside the server, on start and every N minutes.

The sweep itself is a function of an instant (`scheduler.sweep.sweep`), so this module only decides
when. Coalescing and one instance at a time mean a long pause (a laptop asleep, a stopped server)
gives one catch-up sweep, not a burst; the sweep runs in a thread so the event loop stays free.

Retention (`domain.retention.apply_retention`, also a function of an instant) runs on start and then
daily, the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence

import sqlalchemy as sa
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from domain.retention import RetentionPeriods, RetentionReport, apply_retention
from scheduler.sweep import SweepReport, report_from_json, sweep
from storage.db import unreachable
from storage.models import utcnow

_LOGGER = logging.getLogger(__name__)
JOB_ID = "reminder-sweep"
RETENTION_JOB_ID = "retention"
RETENTION_HOURS = 24


async def _sweep_elsewhere(engine: sa.Engine, instant: dtm.datetime, command: Sequence[str]) -> SweepReport:
    """One sweep in a process of its own (`python COMMAND INSTANT`, `bot.sweep_process`); its report read from
    its output as JSON.

    The database URL goes in the environment, not the arguments (which any user of the machine can list). A
    cancelled sweep (the server stopping) kills the process: its transaction rolls back, nothing is half done.
    """
    environment = {**os.environ, "AMNESLAG_SWEEP_DATABASE_URL": engine.url.render_as_string(hide_password=False)}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *command,
        instant.isoformat(),
        env=environment,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        output, _ = await process.communicate()
    except asyncio.CancelledError:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()
        raise
    if process.returncode != 0:
        raise RuntimeError(f"the sweep process ended with {process.returncode}")
    return report_from_json(json.loads(output))


async def run_sweep(
    engine: sa.Engine, clock: Callable[[], dtm.datetime] = utcnow, elsewhere: Sequence[str] | None = None
) -> SweepReport | None:
    """One sweep as of now, off the event loop; a failure is logged and the next run tries again.

    With `elsewhere` (as `serve` sweeps: the arguments of a Python process that sweeps, `bot.sweep_process`) it
    runs in a process of its own, so its work does not hold the interpreter that answers people; else in a
    thread of this one.
    """
    try:
        if elsewhere:
            return await _sweep_elsewhere(engine, clock(), elsewhere)
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
    elsewhere: Sequence[str] | None = None,
) -> AsyncIOScheduler:
    """Start sweeping now and every `minutes`, and (given `retention`) applying retention now and daily.

    Each run is as of `clock()`. The runs themselves keep APScheduler's real time: the first is at
    `first_run` (default: `clock()`), so a clock that stands elsewhere (`AMNESLAG_NOW`) still sweeps now.
    Call from inside the running event loop. With `elsewhere`, each sweep runs in a process of its own
    (see `run_sweep`).
    """
    start = first_run or clock()
    scheduler = AsyncIOScheduler(timezone=dtm.UTC)
    scheduler.add_job(
        run_sweep,
        IntervalTrigger(minutes=minutes, timezone=dtm.UTC),
        args=[engine, clock, elsewhere],
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
