"""Processing what was stored in the inbox and never finished: after a crash, or a database outage mid-turn.

Each channel adapter registers how it processes one of its stored events. The recovery claims pending
events whose lease ran out (see `storage.inbound.claim_stale`) at start and every `interval` seconds,
and hands each to its channel; the event's own transaction marks it done. It also deletes the ids of
events done more than a week ago (they carry no payload; Slack and Teams stop retrying long before).
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import logging
from collections.abc import Awaitable, Callable

import sqlalchemy as sa

from storage import inbound
from storage.db import session_scope, unreachable
from storage.models import utcnow

_LOGGER = logging.getLogger(__name__)
FORGET_EVERY = dtm.timedelta(hours=1)
Processor = Callable[[inbound.Stored], Awaitable[None]]


class InboxRecovery:
    """Claims stranded inbox events and processes them again through their channel."""

    def __init__(
        self,
        engine: sa.Engine,
        processors: dict[str, Processor],
        *,
        lease: dtm.timedelta,
        interval: float = 5.0,
        clock: Callable[[], dtm.datetime] = utcnow,
    ):
        self.engine = engine
        self.processors = processors
        self.lease = lease
        self.interval = interval
        self.clock = clock
        self._forgotten_at: dtm.datetime | None = None

    def _forget_done(self) -> int:
        with session_scope(self.engine) as session:
            return inbound.forget_done(session, self.clock())

    async def run_once(self) -> int:
        """Process the stranded events due now, one claim at a time; how many were claimed."""
        now = self.clock()
        if self._forgotten_at is None or now - self._forgotten_at >= FORGET_EVERY:
            await asyncio.to_thread(self._forget_done)
            self._forgotten_at = now
        count = 0
        while claimed := await asyncio.to_thread(self._claim):
            count += len(claimed)
            for stored in claimed:
                await self._process(stored)
        return count

    def _claim(self) -> list[inbound.Stored]:
        return inbound.claim_stale(self.engine, now=self.clock(), lease=self.lease, sources=set(self.processors))

    async def _process(self, stored: inbound.Stored) -> None:
        processor = self.processors[stored.source]
        _LOGGER.info("inbox event %s (%s) processed again", stored.id, stored.source)
        try:
            await processor(stored)
        except Exception as exc:
            if unreachable(exc):
                _LOGGER.warning("inbox event %s waits: the database is unreachable", stored.id)
            else:
                _LOGGER.exception("inbox event %s could not be processed; given up", stored.id)
                await asyncio.to_thread(inbound.give_up, self.engine, stored.id)

    async def run_forever(self) -> None:
        """Recover until cancelled: at once, then every `interval` seconds."""
        while True:
            try:
                await self.run_once()
            except sa.exc.SQLAlchemyError as exc:
                _LOGGER.warning("inbox recovery: the database is unreachable (%s); trying again", type(exc).__name__)
            await asyncio.sleep(self.interval)
