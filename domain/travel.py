"""Travel to a physical meeting: round-trip distances, the region's travel goal, and the best host schools.

The framework's goal: nobody should travel more than 40 mil (400 km, the region setting
`travel_goal_km_round_trip`) there and back to a physical meeting.

Distances are between schools (a municipality named as a place is its school: the seeded coordinates
are the municipality centres). Without a routing service a round trip is an **estimate**: twice the
great-circle distance times the region's `road_factor` (default 1.25; roads in Västerbotten run about
a quarter longer than the straight line). With `OSRM_URL` set, road distances come from an OSRM
server's `table` service, there and back each way: `bot.osrm` fetches them in the background and the
functions here read them from memory (`RoadTable`), so nothing here waits on the network; a pair OSRM
has not given (yet) is estimated.

Everything here is a plain synchronous function: the dialogs run in a thread and call it directly.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlmodel import Session, select

from storage.directory import find_school, fold
from storage.models import Person, Region, School
from storage.settings import RegionSettings

EARTH_RADIUS_KM = 6371.0088  # the mean radius (IUGG)
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


class RoadTable(Protocol):
    """Road distances known in advance (`bot.osrm.OsrmRoads`): answered from memory, never waiting."""

    def table(self, points: Sequence[Point]) -> list[list[float]] | None:
        """Road distances in km between every pair of `points` (row: from, column: to); None when unknown."""
        ...


# Round trips between schools -------------------------------------------------------------------


@dataclass(frozen=True)
class RoundTrips:
    """Round-trip km between schools (by id), and whether they are road distances or estimates."""

    km: dict[tuple[int, int], float]
    source: str  # ROAD or ESTIMATE

    def get(self, origin: int, destination: int) -> float | None:
        return self.km.get((origin, destination))


def round_trips(
    origins: Iterable[School], destinations: Iterable[School], road_factor: float, roads: RoadTable | None = None
) -> RoundTrips:
    """Round trips from each origin school to each destination school; schools without coordinates are left out.

    Road distances when `roads` knows every pair, else the estimate for all (never a mix of the two).
    """
    froms = {s.id: p for s in origins if s.id is not None and (p := located(s)) is not None}
    tos = {s.id: p for s in destinations if s.id is not None and (p := located(s)) is not None}
    if roads is not None and froms and tos:
        ids = sorted(set(froms) | set(tos))
        points = {**froms, **tos}
        table = roads.table([points[i] for i in ids])
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
    roads: RoadTable | None = None,
    trips: RoundTrips | None = None,
) -> TravelCheck:
    """Each person's round trip from their school to `destination`, against the region's goal.

    `trips` (such as a whole region's, from `round_trips(schools, schools, …)`) saves asking again.
    """
    by_id = {s.id: s for s in schools}
    if trips is None:
        origins = [by_id[p.school_id] for p in people if p.school_id in by_id]
        trips = (
            round_trips(origins, [destination], settings.road_factor, roads)
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
    roads: RoadTable | None = None,
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
    trips = round_trips([by_id[i] for i in counts], candidates, settings.road_factor, roads)
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
