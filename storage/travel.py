"""Travel to a physical meeting: round-trip distances, the region's travel goal, and the best host schools.

The framework's goal: nobody should travel more than 40 mil (400 km, the region setting
`travel_goal_km_round_trip`) there and back to a physical meeting.

Distances are between schools (a municipality named as a place is its school: the seeded coordinates
are the municipality centres). Without a routing service a round trip is an **estimate**: twice the
great-circle distance times the region's `road_factor` (default 1.25; roads in Västerbotten run about
a quarter longer than the straight line). With `OSRM_URL` set (`configure_osrm`), road distances come
from an OSRM server's `table` service, there and back each way; if it does not answer within its
timeout, or answers something that cannot be a road distance, the estimate is used, and for a minute
OSRM is not asked again, so a leader never waits on a server that is down.

Everything here is a plain synchronous function: the dialogs run in a thread and call it directly.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
import urllib.error
import urllib.request
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlmodel import Session, select

from storage.directory import find_school, fold
from storage.errors import AmneslagError
from storage.models import Meeting, MeetingKind, Person, Region, School, Team
from storage.settings import RegionSettings

_LOGGER = logging.getLogger(__name__)

EARTH_RADIUS_KM = 6371.0088  # the mean radius (IUGG)
OSRM_TIMEOUT_SECONDS = 1.5
OSRM_PAUSE_AFTER_FAILURE_SECONDS = 60.0
OSRM_MAX_POINTS = 100  # OSRM's default --max-table-size
OSRM_MAX_BYTES = 1_000_000
ESTIMATE = "estimate"
ROAD = "osrm"

Point = tuple[float, float]  # (latitude, longitude) in degrees, WGS84


def located(school: School | None) -> Point | None:
    """The school's coordinates, or None when it has none that could be real.

    A school must have both coordinates, finite and in range; (0, 0), which an import without
    coordinates would give, counts as none.
    """
    if school is None:
        return None
    lat, lon = school.latitude, school.longitude
    if lat is None or lon is None:
        return None
    try:
        lat, lon = float(lat), float(lon)
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(lat) and math.isfinite(lon)) or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    if lat == 0 and lon == 0:
        return None
    return lat, lon


def great_circle_km(a: Point, b: Point) -> float:
    """The great-circle (haversine) distance between two points, in km."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def estimated_round_trip_km(a: Point, b: Point, road_factor: float) -> float:
    """There and back by road, estimated: twice the great-circle distance times the road factor."""
    return 2 * great_circle_km(a, b) * road_factor


# OSRM ------------------------------------------------------------------------------------------


class OsrmError(AmneslagError):
    """OSRM did not answer, or answered something that cannot be a table of road distances."""


def _coordinates(points: Sequence[Point]) -> str:
    return ";".join(f"{lon:.6f},{lat:.6f}" for lat, lon in points)  # OSRM wants longitude first


def osrm_table(base_url: str, points: Sequence[Point], timeout: float = OSRM_TIMEOUT_SECONDS) -> list[list[float]]:
    """Road distances in km between every pair of `points` (row: from, column: to), from OSRM's table service.

    `GET {base}/table/v1/driving/{lon,lat;...}?sources=...&destinations=...&annotations=distance`, answered
    `{"code": "Ok", "distances": [[metres, ...], ...]}`. Raises `OsrmError` on a timeout, an HTTP error, a
    code other than "Ok", a table of the wrong shape, or a distance that cannot be one (negative, not a
    number, missing, or shorter than the straight line).
    """
    if not points:
        return []
    if len(points) > OSRM_MAX_POINTS:
        raise OsrmError(f"{len(points)} points; OSRM's table takes at most {OSRM_MAX_POINTS}")
    indices = ";".join(str(i) for i in range(len(points)))
    url = (
        f"{base_url.rstrip('/')}/table/v1/driving/{_coordinates(points)}"
        f"?sources={indices}&destinations={indices}&annotations=distance"
    )
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (the operator's URL)
            body = response.read(OSRM_MAX_BYTES + 1)
    except (urllib.error.URLError, OSError, ValueError) as exc:  # timeouts are OSErrors
        raise OsrmError(f"no answer: {exc.__class__.__name__}") from exc
    if len(body) > OSRM_MAX_BYTES:
        raise OsrmError("answer too large")
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise OsrmError("answer is not JSON") from exc
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
            straight = great_circle_km(points[i], points[j])
            if km < 0 or km < straight * 0.95 - 1:  # a road is never much shorter than the straight line
                raise OsrmError("a distance shorter than the straight line")
            out.append(km)
        table.append(out)
    return table


@dataclass
class OsrmClient:
    """OSRM with a short timeout, a cache of answers, and a pause after a failure."""

    base_url: str
    timeout: float = OSRM_TIMEOUT_SECONDS
    pause: float = OSRM_PAUSE_AFTER_FAILURE_SECONDS
    cache_size: int = 64
    _cache: OrderedDict[tuple[Point, ...], list[list[float]]] = field(default_factory=OrderedDict)
    _failed_at: float | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def table(self, points: Sequence[Point]) -> list[list[float]] | None:
        """The road distances of `points` in km, or None when OSRM cannot give them now (use the estimate)."""
        key = tuple(points)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
            if self._failed_at is not None and time.monotonic() - self._failed_at < self.pause:
                return None
        try:
            table = osrm_table(self.base_url, points, self.timeout)
        except OsrmError as exc:
            _LOGGER.warning("OSRM: %s; distances are estimated for %.0f s", exc, self.pause)
            with self._lock:
                self._failed_at = time.monotonic()
            return None
        with self._lock:
            self._failed_at = None
            self._cache[key] = table
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return table


_osrm: OsrmClient | None = None


def configure_osrm(url: str | None, timeout: float = OSRM_TIMEOUT_SECONDS) -> None:
    """Use OSRM at `url` for road distances from now on (None: estimates only). Called once at start."""
    global _osrm
    _osrm = OsrmClient(url, timeout=timeout) if url else None


def osrm_client() -> OsrmClient | None:
    return _osrm


# Round trips between schools -------------------------------------------------------------------


@dataclass(frozen=True)
class RoundTrips:
    """Round-trip km between schools (by id), and whether they are road distances or estimates."""

    km: dict[tuple[int, int], float]
    source: str  # ROAD or ESTIMATE

    def get(self, origin: int, destination: int) -> float | None:
        return self.km.get((origin, destination))


def round_trips(
    origins: Iterable[School], destinations: Iterable[School], road_factor: float, osrm: OsrmClient | None = None
) -> RoundTrips:
    """Round trips from each origin school to each destination school; schools without coordinates are left out."""
    froms = {s.id: p for s in origins if s.id is not None and (p := located(s)) is not None}
    tos = {s.id: p for s in destinations if s.id is not None and (p := located(s)) is not None}
    client = osrm if osrm is not None else _osrm
    if client is not None and froms and tos:
        ids = sorted(set(froms) | set(tos))
        points = {**froms, **tos}
        table = client.table([points[i] for i in ids])
        if table is not None:
            index = {school_id: n for n, school_id in enumerate(ids)}
            return RoundTrips(
                km={(a, b): table[index[a]][index[b]] + table[index[b]][index[a]] for a in froms for b in tos},
                source=ROAD,
            )
    return RoundTrips(
        km={(a, b): estimated_round_trip_km(pa, pb, road_factor) for a, pa in froms.items() for b, pb in tos.items()},
        source=ESTIMATE,
    )


# A meeting's travel ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Trip:
    """One person's round trip to the meeting place; `km` None when it cannot be known."""

    person_id: int
    name: str
    school: str | None
    km: float | None


@dataclass(frozen=True)
class HostSuggestion:
    school_id: int
    school: str
    longest_km: float
    total_km: float


@dataclass(frozen=True)
class TravelCheck:
    """What the travel goal says about a meeting place for a set of people."""

    destination: School | None
    goal_km: float
    source: str
    trips: list[Trip]

    @property
    def known(self) -> list[Trip]:
        return [t for t in self.trips if t.km is not None]

    @property
    def longest(self) -> Trip | None:
        known = self.known
        return max(known, key=lambda t: (t.km or 0.0, t.name)) if known else None

    @property
    def unknown(self) -> list[Trip]:
        """People whose trip cannot be computed (no school, or a school without coordinates)."""
        return [t for t in self.trips if t.km is None]

    @property
    def over_goal(self) -> list[Trip]:
        return sorted((t for t in self.known if (t.km or 0) > self.goal_km), key=lambda t: -(t.km or 0))

    @property
    def schools_over_goal(self) -> list[str]:
        """The schools of the people over the goal, farthest first, each once."""
        seen: list[str] = []
        for trip in self.over_goal:
            name = trip.school or "-"
            if name not in seen:
                seen.append(name)
        return seen

    @property
    def goal_holds(self) -> bool | None:
        """True or False for a known place with at least one known trip; None when nothing can be said."""
        if self.destination is None or not self.known:
            return None
        return not self.over_goal


def settings_of(region: Region) -> RegionSettings:
    return RegionSettings.model_validate(region.settings)


def region_schools(session: Session, region_id: int) -> list[School]:
    return list(session.exec(select(School).where(School.region_id == region_id).order_by(School.name)).all())


def place_school(schools: list[School], host_school_id: int | None, place: str | None) -> School | None:
    """The school a meeting is at: its host school, or the school (or municipality) its place names.

    A place such as "Folkets hus, Lycksele" is matched by the municipality it mentions.
    """
    if host_school_id is not None:
        return next((s for s in schools if s.id == host_school_id), None)
    if not place:
        return None
    found = find_school(schools, place)
    if found is not None:
        return found
    words = f" {fold(place).replace(',', ' ')} "
    named = [s for s in schools if f" {fold(s.municipality)} " in words]
    return named[0] if len(named) == 1 else None


def check(
    people: Sequence[Person],
    schools: list[School],
    destination: School | None,
    settings: RegionSettings,
    osrm: OsrmClient | None = None,
    trips: RoundTrips | None = None,
) -> TravelCheck:
    """Each person's round trip from their school to `destination`, against the region's goal.

    `trips` (such as a whole region's, from `round_trips(schools, schools, …)`) saves asking again.
    """
    by_id = {s.id: s for s in schools}
    if trips is None:
        origins = [by_id[p.school_id] for p in people if p.school_id in by_id]
        trips = (
            round_trips(origins, [destination], settings.road_factor, osrm)
            if destination is not None
            else RoundTrips({}, ESTIMATE)
        )
    found = []
    for person in people:
        assert person.id is not None
        school = by_id.get(person.school_id)
        km = (
            trips.get(school.id, destination.id)
            if school is not None and school.id is not None and destination is not None and destination.id is not None
            else None
        )
        found.append(Trip(person.id, person.name, school.name if school else None, km))
    return TravelCheck(destination, settings.travel_goal_km_round_trip, trips.source, found)


def suggest_hosts(
    people: Sequence[Person],
    schools: list[School],
    settings: RegionSettings,
    limit: int = 3,
    osrm: OsrmClient | None = None,
) -> list[HostSuggestion]:
    """The host schools where the longest round trip of `people` is shortest (ties: the smaller total, then the name).

    People whose school has no coordinates do not count; schools without coordinates are not suggested.
    """
    counts: dict[int, int] = {}
    by_id = {s.id: s for s in schools}
    for person in people:
        school = by_id.get(person.school_id)
        if school is not None and school.id is not None and located(school) is not None:
            counts[school.id] = counts.get(school.id, 0) + 1
    if not counts:
        return []
    candidates = [s for s in schools if located(s) is not None]
    trips = round_trips([by_id[i] for i in counts], candidates, settings.road_factor, osrm)
    ranked: list[HostSuggestion] = []
    for host in candidates:
        assert host.id is not None
        km = [(trips.get(origin, host.id), n) for origin, n in counts.items()]
        if any(k is None for k, _ in km):
            continue
        ranked.append(
            HostSuggestion(
                school_id=host.id,
                school=host.name,
                longest_km=max(k for k, _ in km if k is not None),
                total_km=sum((k or 0.0) * n for k, n in km),
            )
        )
    ranked.sort(key=lambda h: (round(h.longest_km, 6), round(h.total_km, 6), h.school))
    return ranked[:limit]


def meeting_check(
    session: Session, meeting: Meeting, people: Sequence[Person], osrm: OsrmClient | None = None
) -> TravelCheck | None:
    """The travel check of a physical meeting for `people`; None for a digital meeting."""
    if meeting.kind != MeetingKind.PHYSICAL.value:
        return None
    team = session.get(Team, meeting.team_id)
    region = session.get(Region, team.region_id) if team is not None else None
    if region is None or region.id is None:
        return None
    schools = region_schools(session, region.id)
    destination = place_school(schools, meeting.host_school_id, meeting.place)
    return check(people, schools, destination, settings_of(region), osrm)
