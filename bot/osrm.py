"""Road distances from an OSRM server, fetched in the background and kept in memory.

The dialogs and the status read `OsrmRoads.table` (`domain.travel.RoadTable`): it answers from memory and
never waits, so no HTTP request ever runs inside a dialog's database transaction. `refresh` asks OSRM's
`table` service for every pair of a region's schools at once (asynchronously, with a short timeout);
`keep_fresh` does that for every region when `serve` starts and then every few hours. When OSRM does not
answer in time, or answers something that cannot be road distances, the distances it would have given are
estimated (`domain.travel`) and OSRM is left alone for a minute.

`GET {OSRM_URL}/table/v1/driving/{lon,lat;…}?sources=…&destinations=…&annotations=distance`, answered
`{"code": "Ok", "distances": [[metres, …], …]}`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import time
from collections.abc import AsyncIterator, Callable, Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlmodel import Session, select

from domain.travel import Point, great_circle_km, located
from storage.errors import AmneslagError
from storage.models import School

if TYPE_CHECKING:  # aiohttp is loaded when a routing service is configured, not by `status` or `chat` without one
    from aiohttp import web

_LOGGER = logging.getLogger(__name__)

TIMEOUT_SECONDS = 1.5
PAUSE_AFTER_FAILURE_SECONDS = 60.0
REFRESH_SECONDS = 6 * 3600.0  # schools move seldom; roads a little more often
MAX_POINTS = 100  # OSRM's default --max-table-size
MAX_BYTES = 1_000_000


class OsrmError(AmneslagError):
    """OSRM did not answer, or answered something that cannot be a table of road distances."""


def table_url(base_url: str, points: Sequence[Point]) -> str:
    indices = ";".join(str(i) for i in range(len(points)))
    coordinates = ";".join(f"{lon:.6f},{lat:.6f}" for lat, lon in points)  # OSRM wants longitude first
    return (
        f"{base_url.rstrip('/')}/table/v1/driving/{coordinates}"
        f"?sources={indices}&destinations={indices}&annotations=distance"
    )


def parse_table(points: Sequence[Point], data: Any) -> list[list[float]]:
    """Road distances in km (row: from, column: to) from an OSRM table answer; `OsrmError` when it cannot be one:
    a code other than "Ok", a table of the wrong shape, or a distance that is negative, not a number, missing,
    or much shorter than the straight line."""
    if not isinstance(data, dict) or data.get("code") != "Ok":
        raise OsrmError(f"code {data.get('code') if isinstance(data, dict) else None!r}")
    rows = data.get("distances")
    if not isinstance(rows, list) or len(rows) != len(points):
        raise OsrmError("distances of the wrong shape")
    table: list[list[float]] = []
    for i, row in enumerate(rows):
        if not isinstance(row, list) or len(row) != len(points):
            raise OsrmError("distances of the wrong shape")
        out: list[float] = []
        for j, metres in enumerate(row):
            if isinstance(metres, bool) or not isinstance(metres, int | float) or not math.isfinite(metres):
                raise OsrmError("a distance that is not a number")
            km = metres / 1000
            if km < 0 or km < great_circle_km(points[i], points[j]) * 0.95 - 1:  # a road is never much shorter
                raise OsrmError("a distance shorter than the straight line")
            out.append(km)
        table.append(out)
    return table


class OsrmRoads:
    """Road distances between points, as OSRM last gave them (`domain.travel.RoadTable`)."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = TIMEOUT_SECONDS,
        pause: float = PAUSE_AFTER_FAILURE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.base_url = base_url
        self.timeout = timeout
        self.pause = pause
        self.clock = clock
        self.requests = 0  # how many times OSRM was asked (for tests and the log)
        self._km: dict[tuple[Point, Point], float] = {}
        self._failed_at: float | None = None

    def table(self, points: Sequence[Point]) -> list[list[float]] | None:
        """The road distances of `points` in km from memory, or None when some pair is not known (estimate)."""
        try:
            return [[0.0 if a == b else self._km[a, b] for b in points] for a in points]
        except KeyError:
            return None

    def paused(self) -> bool:
        return self._failed_at is not None and self.clock() - self._failed_at < self.pause

    async def refresh(self, points: Sequence[Point]) -> bool:
        """Ask OSRM for every pair of `points` and keep the answer; False when it could not be had now."""
        points = list(dict.fromkeys(points))
        if len(points) < 2 or self.paused():
            return False
        try:
            if len(points) > MAX_POINTS:
                raise OsrmError(f"{len(points)} points; OSRM's table takes at most {MAX_POINTS}")
            table = parse_table(points, await self._fetch(table_url(self.base_url, points)))
        except OsrmError as exc:
            _LOGGER.warning("OSRM: %s; distances are estimated for %.0f s", exc, self.pause)
            self._failed_at = self.clock()
            return False
        self._failed_at = None
        for i, a in enumerate(points):
            for j, b in enumerate(points):
                self._km[a, b] = table[i][j]
        return True

    async def _fetch(self, url: str) -> Any:
        import aiohttp

        self.requests += 1
        try:
            timeout = aiohttp.ClientTimeout(total=self.timeout)
            async with aiohttp.ClientSession(timeout=timeout) as http, http.get(url) as response:
                if response.status != 200:
                    raise OsrmError(f"HTTP {response.status}")
                body = await response.content.read(MAX_BYTES + 1)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise OsrmError(f"no answer: {exc.__class__.__name__}") from exc
        if len(body) > MAX_BYTES:
            raise OsrmError("answer too large")
        try:
            return json.loads(body)
        except ValueError as exc:
            raise OsrmError("answer is not JSON") from exc


def region_points(db: sa.Engine) -> list[list[Point]]:
    """The located schools of each region, one list a region."""
    by_region: dict[int, list[Point]] = {}
    with Session(db) as session:
        for school in session.exec(select(School)).all():
            point = located(school)
            if point is not None:
                by_region.setdefault(school.region_id, []).append(point)
    return list(by_region.values())


async def refresh_regions(roads: OsrmRoads, db: sa.Engine) -> int:
    """Refresh the road distances of every region's schools; how many regions OSRM answered for."""
    answered = 0
    for points in await asyncio.to_thread(region_points, db):
        answered += await roads.refresh(points)
    return answered


async def keep_fresh(roads: OsrmRoads, db: sa.Engine, every: float = REFRESH_SECONDS) -> None:
    """Refresh at once, then every `every` seconds (after a failure: once the pause is over)."""
    while True:
        answered = await refresh_regions(roads, db)
        await asyncio.sleep(every if answered else roads.pause)


def kept_fresh(roads: OsrmRoads, db: sa.Engine) -> Callable[[web.Application], AsyncIterator[None]]:
    """`keep_fresh` for as long as the server runs (an aiohttp cleanup context)."""

    async def run(app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(keep_fresh(roads, db), name="osrm-refresh")
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return run


def from_settings(url: str | None, db: sa.Engine) -> OsrmRoads | None:
    """OSRM at `url` with the distances of every region fetched once (for a command that runs and ends)."""
    if not url:
        return None
    roads = OsrmRoads(url)
    asyncio.run(refresh_regions(roads, db))
    return roads
