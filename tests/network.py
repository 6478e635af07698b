"""A synthetic network of regions for the tests that count what the sweep and the status cost: regions of
schools with a manager and teachers, a coordinator, teams with leaders and a meeting on each network day."""

from __future__ import annotations

import datetime as dtm
import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

from storage import schoolyear
from storage.db import session_scope
from storage.models import (
    Leadership,
    Meeting,
    Membership,
    NetworkDay,
    Person,
    PersonRole,
    Region,
    School,
    SchoolYear,
    Team,
)
from tests.scheduler.conftest import ZONE

TEAMS = ("Dans", "Stråk", "Piano")
DAYS = (dtm.date(2026, 9, 10), dtm.date(2027, 2, 11), dtm.date(2027, 4, 8))
CATCH_UP = dtm.datetime(2026, 11, 24, 10, tzinfo=ZONE)  # the notes and reviews of September
NOTICES = dtm.datetime(2027, 1, 21, 9, tzinfo=ZONE)  # the notices of the February network day
TEAM_CHOICE = dtm.datetime(2027, 5, 3, 9, tzinfo=ZONE)  # every teacher's choice of team for 2027/28


def _id(row: Region | School | Person | Team | SchoolYear) -> int:
    assert row.id is not None
    return row.id


def spread(engine: sa.Engine, regions: int, schools: int, people: int, teams: tuple[str, ...] = TEAMS) -> None:
    """`schools` and `people` spread evenly over `regions` (benchmarks/sweep.py's nation too): in each region the
    first person is the coordinator, one manager per school follows, the rest are teachers (all in a team, and
    confirmed, for 2026/27), the people in turn at the region's schools; `teams` with two leaders each and a
    meeting on each network day."""
    with session_scope(engine) as s:
        year = schoolyear.get_or_create(s, "2026/27")
        person_number = 0
        for r in range(regions):
            region = Region(key=f"r{r:02d}", name=f"Region {r}", timezone="Europe/Stockholm", settings={})
            s.add(region)
            s.flush()
            region_schools = [
                School(
                    region_id=_id(region),
                    name=f"Skola {r}-{i}",
                    municipality=f"Kommun {r}-{i}",
                    latitude=64.0,
                    longitude=20.0,
                )
                for i in range(schools // regions)
            ]
            s.add_all(region_schools)
            region_teams = [Team(region_id=_id(region), name=name, position=i) for i, name in enumerate(teams)]
            s.add_all(region_teams)
            s.add_all(NetworkDay(region_id=_id(region), date=day, kind="physical") for day in DAYS)
            s.flush()
            staff: list[tuple[Person, str]] = []
            for i in range(people // regions):
                role = "coordinator" if i == 0 else "manager" if i <= len(region_schools) else "teacher"
                staff.append(
                    (
                        Person(
                            email=f"p{person_number}@example.org",
                            name=f"Person {person_number}",
                            region_id=_id(region),
                            school_id=_id(region_schools[i % len(region_schools)]),
                            slack_user_id=f"U{person_number:06d}",
                        ),
                        role,
                    )
                )
                person_number += 1
            s.add_all(p for p, _ in staff)
            s.flush()
            s.add_all(PersonRole(person_id=_id(p), role=role) for p, role in staff)
            teachers = [p for p, role in staff if role == "teacher"]
            confirmed = dtm.datetime(2026, 5, 20, tzinfo=dtm.UTC)
            s.add_all(
                Membership(person_id=_id(p), school_year_id=_id(year), team_id=_id(team), confirmed_at=confirmed)
                for p, team in zip(teachers, itertools.cycle(region_teams), strict=False)
            )
            for t, team in enumerate(region_teams):
                for slot in (1, 2):
                    leader = teachers[(t * 2 + slot) % len(teachers)]
                    s.add(Leadership(team_id=_id(team), school_year_id=_id(year), person_id=_id(leader), slot=slot))
                for day in DAYS:
                    starts = dtm.datetime.combine(day, dtm.time(9), tzinfo=ZONE)
                    s.add(
                        Meeting(
                            team_id=_id(team),
                            school_year_id=_id(year),
                            starts_at=starts,
                            ends_at=starts + dtm.timedelta(hours=6),
                            kind="physical",
                            place="Kulturhuset",
                            first_of_year=day == DAYS[0],
                        )
                    )


def build(engine: sa.Engine, regions: int, schools: int, teachers: int) -> None:
    """`regions` regions of `schools` schools with a manager and `teachers` teachers each, a coordinator, and
    three teams (see `spread`)."""
    spread(engine, regions, regions * schools, regions * (1 + schools + schools * teachers))


@contextmanager
def statements(engine: sa.Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
