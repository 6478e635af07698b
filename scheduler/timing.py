"""When sweeps run: APScheduler's AsyncIOScheduler inside the server, on start and every N minutes.

The sweep itself is a function of an instant (`scheduler.sweep.sweep`), so this module only decides
when. Coalescing and one instance at a time mean a long pause (a laptop asleep, a stopped server)
gives one catch-up sweep, not a burst; the sweep runs in a thread so the event loop stays free.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import logging
from collections.abc import Callable

import sqlalchemy as sa
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from scheduler.sweep import SweepReport, sweep
from storage.models import utcnow

_LOGGER = logging.getLogger(__name__)
JOB_ID = "reminder-sweep"


async def run_sweep(engine: sa.Engine, clock: Callable[[], dtm.datetime] = utcnow) -> SweepReport | None:
    """One sweep as of now, off the event loop; a failure is logged and the next run tries again."""
    try:
        return await asyncio.to_thread(sweep, engine, clock())
    except Exception:
        _LOGGER.exception("reminder sweep failed")
        return None


def start_scheduler(engine: sa.Engine, minutes: float, clock: Callable[[], dtm.datetime] = utcnow) -> AsyncIOScheduler:
    """Start sweeping now and every `minutes`; call from inside the running event loop."""
    scheduler = AsyncIOScheduler(timezone=dtm.UTC)
    scheduler.add_job(
        run_sweep,
        IntervalTrigger(minutes=minutes, timezone=dtm.UTC),
        args=[engine, clock],
        id=JOB_ID,
        next_run_time=clock(),
        coalesce=True,
        max_instances=1,
        misfire_grace_time=None,
    )
    scheduler.start()
    return scheduler
