"""What a sweep costs grows with what is due, not with the data: the same statements for a small network and a
bigger one, and, with nothing due, no teacher read and about the same work in the database however many there are.

A unit-sized version of benchmarks/sweep.py (its ratio column).
"""

from __future__ import annotations

import datetime as dtm
import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from scheduler import data
from scheduler.data import World
from scheduler.sweep import sweep
from storage import schoolyear
from storage.db import open_database, session_scope
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


def _build(engine: sa.Engine, regions: int, schools: int, teachers: int) -> None:
    """`regions` regions of `schools` schools with a manager and `teachers` teachers each (all in a team, and
    confirmed, for 2026/27), a coordinator, three teams with two leaders and a meeting on each network day."""
    number = 0

    def person(region: Region, school: School | None, role: str) -> Person:
        nonlocal number
        number += 1
        made = Person(
            email=f"p{number}@example.org",
            name=f"Person {number:05d}",
            region_id=_id(region),
            school_id=_id(school) if school else None,
            slack_user_id=f"U{number:06d}",
        )
        s.add(made)
        s.flush()
        s.add(PersonRole(person_id=_id(made), role=role))
        return made

    with session_scope(engine) as s:
        year = schoolyear.get_or_create(s, "2026/27")
        for r in range(regions):
            region = Region(key=f"r{r}", name=f"Region {r}", timezone="Europe/Stockholm", settings={})
            s.add(region)
            s.flush()
            teams = [Team(region_id=_id(region), name=name, position=i) for i, name in enumerate(TEAMS)]
            s.add_all(teams)
            s.add_all(NetworkDay(region_id=_id(region), date=day, kind="physical") for day in DAYS)
            s.flush()
            person(region, None, "coordinator")
            staff: list[Person] = []
            for i in range(schools):
                school = School(
                    region_id=_id(region), name=f"Skola {r}-{i}", municipality=f"K{r}-{i}", latitude=64, longitude=20
                )
                s.add(school)
                s.flush()
                person(region, school, "manager")
                staff += [person(region, school, "teacher") for _ in range(teachers)]
            confirmed = dtm.datetime(2026, 5, 20, tzinfo=dtm.UTC)
            s.add_all(
                Membership(person_id=_id(p), school_year_id=_id(year), team_id=_id(team), confirmed_at=confirmed)
                for p, team in zip(staff, itertools.cycle(teams), strict=False)
            )
            for t, team in enumerate(teams):
                for slot in (1, 2):
                    leader = staff[(t * 2 + slot) % len(staff)]
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


@contextmanager
def _statements(engine: sa.Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def _sweeps(engine: sa.Engine) -> list[tuple[int, int]]:
    """Statements and reminders of each sweep of a year's course: a catch-up, the notices, the team choice, and
    the team choice again with nothing left to send."""
    found = []
    for instant in (CATCH_UP, NOTICES, TEAM_CHOICE, TEAM_CHOICE):
        with _statements(engine) as seen:
            report = sweep(engine, instant)
        found.append((len(seen), len(report.reminders)))
    return found


def test_the_statements_of_a_sweep_do_not_grow_with_the_data(
    database_url: str, tmp_path: Path, engine: sa.Engine
) -> None:
    _build(engine, regions=1, schools=2, teachers=3)
    small = _sweeps(engine)
    bigger = open_database(f"sqlite:///{tmp_path / 'bigger.db'}" if engine.dialect.name == "sqlite" else database_url)
    if engine.dialect.name == "postgresql":  # the same database, emptied, for the bigger network
        bigger.dispose()
        bigger = engine
        from tests.conftest import _empty_all_tables

        _empty_all_tables(engine)
    _build(bigger, regions=3, schools=4, teachers=12)
    large = _sweeps(bigger)
    assert [n for n, _ in small] == [n for n, _ in large]
    assert all(sent_small < sent_large for (_, sent_small), (_, sent_large) in zip(small[:3], large[:3], strict=True))
    assert small[3][1] == large[3][1] == 0


def _world_of(monkeypatch: pytest.MonkeyPatch) -> list[World]:
    """The snapshots the sweeps load."""
    worlds: list[World] = []

    def spy(*args: Any) -> World:
        world = data.load(*args)
        worlds.append(world)
        return world

    monkeypatch.setattr("scheduler.sweep.load", spy)
    return worlds


def _database_work(engine: sa.Engine, instant: dtm.datetime) -> int:
    """SQLite's virtual machine instructions of one sweep, in hundreds: what the database did, rows read included."""
    steps = 0

    def step() -> int:
        nonlocal steps
        steps += 1
        return 0

    def watch(dbapi_connection: Any, *_: Any) -> None:
        dbapi_connection.set_progress_handler(step, 100)

    sa.event.listen(engine, "checkout", watch)
    try:
        engine.dispose()  # every connection is checked out anew, and watched
        sweep(engine, instant)
    finally:
        sa.event.remove(engine, "checkout", watch)
        engine.dispose()
    return steps


@pytest.mark.parametrize("teachers", [4, 40])
def test_a_sweep_with_nothing_due_reads_no_teacher(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, teachers: int
) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'network.db'}")
    _build(engine, regions=2, schools=3, teachers=teachers)
    worlds = _world_of(monkeypatch)
    assert sweep(engine, NOTICES).reminders  # the leaders are asked for their notices
    assert sweep(engine, NOTICES).reminders == []  # and then nothing is due
    leaders = {p for world in worlds for ids in world.leaders.values() for p in ids}
    read = set(worlds[-1].people)
    teachers_read = {p for p in read if "teacher" in worlds[-1].roles[p]} - leaders
    assert teachers_read == set()
    assert len(read) == len(leaders) + 2  # the leaders and the coordinators: nobody else


def test_the_database_work_of_a_sweep_with_nothing_due_does_not_grow_with_the_teachers(tmp_path: Path) -> None:
    work = []
    for teachers in (4, 80):
        engine = open_database(f"sqlite:///{tmp_path / f'network{teachers}.db'}")
        _build(engine, regions=2, schools=3, teachers=teachers)
        sweep(engine, NOTICES)
        work.append(_database_work(engine, NOTICES))
        engine.dispose()
    few, many = work
    assert many <= few * 1.2, f"{few} hundred instructions with 4 teachers a school, {many} with 80"
