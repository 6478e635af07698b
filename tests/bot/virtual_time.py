"""Virtual time for tests of the outbox worker: a clock, and a sleep on that clock, that move only when told.

The worker takes both (`clock=`, `sleep=`), as do the slow fake senders of the tests, so that minutes of Slack
being slow pass in milliseconds and in the same order every run. `VirtualTime.run_until` lets time pass: it
waits until every task started since the clock was made is either done or asleep on the clock (a task that
waits for the database in a thread is neither, so time does not move under it), then moves the clock to the
earliest deadline and wakes whoever sleeps until then.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import itertools
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Sleeper:
    deadline: dtm.datetime
    order: int
    woken: asyncio.Future[None]
    task: asyncio.Task[object] | None


class VirtualTime:
    def __init__(self, start: dtm.datetime) -> None:
        self.now = start
        self._sleepers: list[_Sleeper] = []
        self._order = itertools.count()
        self._ignored = set(asyncio.all_tasks())  # the test itself, and whatever ran before it

    def __call__(self) -> dtm.datetime:
        return self.now

    def timestamp(self) -> float:
        """The virtual now as seconds since the epoch (as Slack's `ts`)."""
        return self.now.timestamp()

    async def sleep(self, seconds: float) -> None:
        """Sleep `seconds` of virtual time."""
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        sleeper = _Sleeper(
            self.now + dtm.timedelta(seconds=seconds),
            next(self._order),
            asyncio.get_running_loop().create_future(),
            asyncio.current_task(),
        )
        self._sleepers.append(sleeper)
        try:
            await sleeper.woken
        finally:
            if sleeper in self._sleepers:
                self._sleepers.remove(sleeper)

    async def quiet(self, timeout: float = 10.0) -> None:
        """Wait until every task of the test is done or asleep on this clock."""
        async with asyncio.timeout(timeout):
            while True:
                asleep = {s.task for s in self._sleepers if not s.woken.done()}
                busy = [
                    task
                    for task in asyncio.all_tasks()
                    if task not in self._ignored and not task.done() and task not in asleep
                ]
                if not busy:
                    return
                await asyncio.sleep(0.001)

    async def run_until(self, done: Callable[[], bool], *, limit: dtm.timedelta, timeout: float = 60.0) -> None:
        """Let virtual time pass, deadline by deadline, until `done()` holds once all tasks are quiet.

        Fails when nothing sleeps any more (nothing could ever change) or after `limit` of virtual time.
        """
        end = self.now + limit
        async with asyncio.timeout(timeout):
            while True:
                await self.quiet()
                if done():
                    return
                pending = [s for s in self._sleepers if not s.woken.done()]
                if not pending:
                    raise AssertionError("nothing sleeps and the condition does not hold: it never will")
                first = min(pending, key=lambda s: (s.deadline, s.order))
                if first.deadline > end:
                    raise AssertionError(f"not done after {limit} of virtual time")
                self.now = max(self.now, first.deadline)
                for sleeper in sorted(pending, key=lambda s: (s.deadline, s.order)):
                    if sleeper.deadline <= self.now:
                        sleeper.woken.set_result(None)
