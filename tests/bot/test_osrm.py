"""Road distances from OSRM: fetched in the background, read from memory, the estimate when OSRM fails.

A fake OSRM server on loopback answers the `table` service's documented format. The dialogs never ask
OSRM themselves: they read what `OsrmRoads.refresh` fetched (no HTTP inside a database transaction).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from bot.osrm import OsrmRoads, refresh_regions
from domain import travel
from storage.db import session_scope
from storage.models import School
from storage.seed import seed_region
from storage.settings import RegionSettings
from tests.geography import people_in, school_in

SETTINGS = RegionSettings()
Answer = Callable[[list[tuple[float, float]], dict[str, Any]], tuple[int, bytes]]


class FakeOsrm:
    """An OSRM `table` endpoint on loopback: `answer(points, query)` gives the (status, body) to send."""

    def __init__(self, answer: Answer):
        self.answer = answer
        self.requests: list[str] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                fake.requests.append(self.path)
                url = urlsplit(self.path)
                prefix = "/table/v1/driving/"
                if not url.path.startswith(prefix):
                    self.send_response(404)
                    self.end_headers()
                    return
                points = [
                    (float(lat), float(lon))
                    for lon, lat in (pair.split(",") for pair in url.path[len(prefix) :].split(";"))
                ]
                status, body = fake.answer(points, parse_qs(url.query))
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        # a short poll, so that closing the server does not wait the default half second
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _road(points: list[tuple[float, float]], query: dict[str, Any]) -> tuple[int, bytes]:
    """Road distances as 1.4 times the straight line, in metres, for the sources and destinations asked."""
    sources = [int(i) for i in query["sources"][0].split(";")]
    destinations = [int(i) for i in query["destinations"][0].split(";")]
    assert query["annotations"] == ["distance"]
    table = [[round(travel.great_circle_km(points[i], points[j]) * 1400, 1) for j in destinations] for i in sources]
    return 200, json.dumps({"code": "Ok", "distances": table}).encode()


@pytest.fixture
def osrm() -> Iterator[Callable[..., FakeOsrm]]:
    servers: list[FakeOsrm] = []

    def start(answer: Answer = _road) -> FakeOsrm:
        servers.append(FakeOsrm(answer))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _points(schools: list[School]) -> list[tuple[float, float]]:
    return [p for s in schools if (p := travel.located(s)) is not None]


async def test_road_distances_there_and_back_are_read_from_memory(vasterbotten, osrm) -> None:
    s, region, schools = vasterbotten
    server = osrm()
    roads = OsrmRoads(server.url)
    people = people_in(s, region, "Umeå", "Sorsele")
    assert travel.check(people, schools, school_in(s, "Lycksele"), SETTINGS, roads).source == travel.ESTIMATE
    assert server.requests == []  # reading never asks OSRM

    assert await roads.refresh(_points(schools)) is True
    check = travel.check(people, schools, school_in(s, "Lycksele"), SETTINGS, roads)
    assert check.source == travel.ROAD
    umea = travel.great_circle_km((63.83, 20.26), (64.60, 18.67))
    assert check.trips[0].km == pytest.approx(2 * 1.4 * umea, rel=1e-3)
    assert len(server.requests) == 1 and "20.260000,63.830000" in server.requests[0]  # longitude first
    assert server.requests[0].endswith("&annotations=distance") and "?sources=0;1;2;" in server.requests[0]
    travel.suggest_hosts(people, schools, SETTINGS, roads=roads)
    assert len(server.requests) == 1  # every pair of the region's schools came in the one answer


@pytest.mark.parametrize(
    "answer",
    [
        lambda points, query: (200, b'{"code": "NoTable", "message": "no"}'),
        lambda points, query: (200, b"<html>not json</html>"),
        lambda points, query: (200, json.dumps({"code": "Ok", "distances": [[0]]}).encode()),
        lambda points, query: (
            200,
            json.dumps({"code": "Ok", "distances": [[-5] * len(points)] * len(points)}).encode(),
        ),
        lambda points, query: (
            200,
            json.dumps({"code": "Ok", "distances": [[None] * len(points)] * len(points)}).encode(),
        ),
        lambda points, query: (
            200,
            json.dumps({"code": "Ok", "distances": [[1.0] * len(points)] * len(points)}).encode(),
        ),
        lambda points, query: (500, b'{"code": "Error"}'),
    ],
    ids=["code", "not-json", "shape", "negative", "null", "shorter-than-straight-line", "http-500"],
)
async def test_nonsense_is_not_taken_and_the_estimate_stands(vasterbotten, osrm, answer) -> None:
    s, region, schools = vasterbotten
    roads = OsrmRoads(osrm(answer).url)
    assert await roads.refresh(_points(schools)) is False
    check = travel.check(people_in(s, region, "Umeå", "Sorsele"), schools, school_in(s, "Umeå"), SETTINGS, roads)
    assert check.source == travel.ESTIMATE
    assert check.longest is not None and check.longest.km == pytest.approx(573, abs=1)


async def test_a_slow_or_dead_osrm_is_given_up_on_and_left_alone_for_a_while(vasterbotten, osrm) -> None:
    _, _, schools = vasterbotten

    asked, answer = threading.Event(), threading.Event()

    def stuck(points: list[tuple[float, float]], query: dict[str, Any]) -> tuple[int, bytes]:
        asked.set()
        answer.wait(timeout=30)  # answers when the test says so: until then only the client's timeout ends a wait
        return _road(points, query)

    server = osrm(stuck)
    clock = Clock()
    roads = OsrmRoads(server.url, timeout=0.1, clock=clock)
    assert await roads.refresh(_points(schools)) is False
    assert asked.is_set() and roads.paused()
    answer.set()  # from now on OSRM answers at once, but it is left alone for `pause` seconds after the failure
    clock.now += roads.pause - 0.001
    assert await roads.refresh(_points(schools)) is False
    assert len(server.requests) == 1  # paused after the failure: not asked again
    clock.now += 0.001
    assert await roads.refresh(_points(schools)) is True and len(server.requests) == 2

    down = osrm()
    url = down.url
    down.close()  # nothing listens there any more
    dead = OsrmRoads(url, timeout=0.5, clock=clock)
    assert await dead.refresh(_points(schools)) is False and dead.paused()


async def test_every_region_is_refreshed_with_one_request(engine: sa.Engine, osrm) -> None:
    with session_scope(engine) as s:
        seed_region(s, "vasterbotten")
        seed_region(s, "sjuharad")
    server = osrm()
    roads = OsrmRoads(server.url)
    assert await refresh_regions(roads, engine) == 2
    assert len(server.requests) == 2
