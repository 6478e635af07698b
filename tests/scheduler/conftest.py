"""A small region for the reminder cycle, and a way to step an instant through a school year."""

from __future__ import annotations

import bisect
import datetime as dtm
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select

from scheduler.sweep import sweep
from storage import schoolyear
from storage.db import session_scope
from storage.directory import find_school
from storage.models import (
    Leadership,
    Meeting,
    Membership,
    NetworkDay,
    Person,
    PersonRole,
    Region,
    School,
    Team,
)
from storage.seed import seed_region
from storage.settings import RegionSettings

ZONE = ZoneInfo("Europe/Stockholm")
START = dtm.datetime(2026, 5, 1, 0, 0, tzinfo=ZONE)
END = dtm.datetime(2027, 6, 30, 23, 0, tzinfo=ZONE)

# (short name, school, roles, team for 2026/27, leads that team, membership confirmed)
PEOPLE = [
    ("kim", None, "coordinator", None, False, False),
    ("mona", "Umeå", "manager", None, False, False),
    ("lars", "Lycksele", "manager", None, False, False),
    ("dan", "Umeå", "teacher", "Dans", True, True),
    ("stina", "Lycksele", "teacher", "Stråk", True, True),
    ("tove", "Umeå", "teacher", "Dans", False, False),
    ("ulf", "Umeå", "teacher", "Stråk", False, False),
    ("vera", "Lycksele", "teacher", None, False, False),
]
# the network days of 2026/27 and which of the two teams meet on them (Stråk meets twice a year)
DAYS = [
    (dtm.date(2026, 9, 10), "physical", ("Dans", "Stråk")),
    (dtm.date(2027, 2, 11), "digital", ("Dans", "Stråk")),
    (dtm.date(2027, 4, 8), "physical", ("Dans",)),
]


def email(short: str) -> str:
    return f"{short}@example.org"


@dataclass
class Cycle:
    """The region of the simulation and its ids."""

    engine: sa.Engine
    region_id: int
    teams: dict[str, int]
    people: dict[str, int]

    def meetings(self) -> list[Meeting]:
        with Session(self.engine) as s:
            return list(s.exec(select(Meeting).order_by(col(Meeting.starts_at))).all())


@pytest.fixture
def cycle(engine: sa.Engine) -> Cycle:
    """Västerbotten with eight people, two teams with a leader each, three network days and five meetings.

    Only Dans and Stråk have leaders (the other ten teams have none, which the sweep reports). Every
    person has a Slack id, so everyone can be reached.
    """
    with session_scope(engine) as s:
        region = seed_region(s, "vasterbotten").region
        assert region.id is not None
        region.framework_title = "Ramar för regionala ämneslag"
        schools = list(s.exec(select(School).where(School.region_id == region.id)).all())
        teams: dict[str, int] = {}
        for t in s.exec(select(Team).where(Team.region_id == region.id)).all():
            assert t.id is not None
            teams[t.name] = t.id
        year = schoolyear.get_or_create(s, "2026/27")
        assert year.id is not None
        people: dict[str, int] = {}
        for index, (short, place, role, team, leads, confirmed) in enumerate(PEOPLE):
            school = find_school(schools, place) if place else None
            person = Person(
                email=email(short),
                name=short.capitalize(),
                region_id=region.id,
                school_id=school.id if school else None,
                slack_user_id=f"U{index:04d}",
            )
            s.add(person)
            s.flush()
            assert person.id is not None
            people[short] = person.id
            s.add(PersonRole(person_id=person.id, role=role))
            if team:
                chosen = dtm.datetime(2026, 4, 20, tzinfo=dtm.UTC)
                s.add(
                    Membership(
                        person_id=person.id,
                        school_year_id=year.id,
                        team_id=teams[team],
                        chosen_at=chosen,
                        confirmed_at=chosen if confirmed else None,
                    )
                )
            if leads:
                assert team is not None
                s.add(Leadership(team_id=teams[team], school_year_id=year.id, person_id=person.id, slot=1))
        for day, kind, meeting_teams in DAYS:
            network_day = NetworkDay(region_id=region.id, date=day, kind=kind)
            s.add(network_day)
            s.flush()
            for number, team in enumerate(meeting_teams):
                starts = dtm.datetime.combine(day, dtm.time(9 + number), tzinfo=ZONE)
                s.add(
                    Meeting(
                        team_id=teams[team],
                        school_year_id=year.id,
                        network_day_id=network_day.id,
                        starts_at=starts,
                        ends_at=starts + dtm.timedelta(hours=5),
                        kind=kind,
                        place="Umeå" if kind == "physical" else None,
                        link="https://example.org/m" if kind == "digital" else None,
                        first_of_year=day.month == 9,
                    )
                )
        region_id = region.id
    return Cycle(engine, region_id, teams, people)


def hours(start: dtm.datetime = START, end: dtm.datetime = END) -> Iterator[dtm.datetime]:
    """Every hour from 07.00 to 17.00 local time of every day (the sweep decides which are working hours)."""
    day = start.date()
    while day <= end.date():
        for hour in range(7, 18):
            yield dtm.datetime.combine(day, dtm.time(hour), tzinfo=ZONE)
        day += dtm.timedelta(days=1)


Event = tuple[dtm.datetime, Callable[[Session], None]]


def _moments(cycle: Cycle, events: Sequence[Event]) -> list[dtm.datetime]:
    """The instants from which a sweep's answer may differ from the sweep an hour before (see `simulate`)."""
    with Session(cycle.engine) as s:
        settings = RegionSettings.model_validate(region_of(s, cycle).settings)
        meetings = list(s.exec(select(Meeting)).all())
    moments = {instant for instant, _ in events}
    moments |= {m.starts_at for m in meetings} | {m.ends_at for m in meetings}
    day = START.date()
    while day <= END.date():
        for time in (dtm.time(0), settings.working_hours_start):
            moments.add(dtm.datetime.combine(day, time, tzinfo=ZONE))
        day += dtm.timedelta(days=1)
    return sorted(moments)


def simulate(cycle: Cycle, events: Sequence[Event] = ()) -> list[tuple[str, str, str, str]]:
    """What an hourly sweep (07.00–17.00 every day) sends over the year, and when, doing each event when its
    instant has come.

    Only the hours that can make a difference are swept: an hour is swept when one of these instants lies
    after the hour before and not after it:
      - the start of every day (so 07.00 is swept: nothing may go out before working hours) and the start of
        the region's working hours (its settings) on every day, weekends and holidays included, since the
        sweep itself decides which days are working days;
      - the start and end of every meeting (the rules compare the instant with `starts_at` and `ends_at`);
      - every event (it changes what the rules see).
    That suffices because a sweep's answer depends on the instant only through whether it is a working moment,
    the local (and UTC) date, which is the same from 07.00 to 17.00 in Sweden, and those comparisons with the
    meetings' times; and on the database, which only the events change (the sweep only adds what it sent).
    Between two such instants every hour sees the reminders due that the last swept hour saw, all sent already
    (each key is sent at most once), so sweeping it could send nothing, right or wrong; that holds for the
    end of working hours too, after which nothing may be sent at all. The meetings' times are read again
    after each event, in case an event moves a meeting.
    """
    pending = sorted(events, key=lambda e: e[0])
    moments = _moments(cycle, events)
    sent: list[tuple[str, str, str, str]] = []
    previous: dtm.datetime | None = None
    for instant in hours():
        after = bisect.bisect_right(moments, previous) if previous is not None else 0
        previous, changed = instant, after < len(moments) and moments[after] <= instant
        if not changed:
            continue
        acted = False
        while pending and pending[0][0] <= instant:
            _, act = pending.pop(0)
            with session_scope(cycle.engine) as s:
                act(s)
            acted = True
        if acted:
            moments = _moments(cycle, events)
        for planned in sweep(cycle.engine, instant).reminders:
            sent.append(
                (instant.strftime("%Y-%m-%d %H:%M"), planned.rule, planned.email.split("@")[0], planned.occurrence)
            )
    return sent


def region_of(session: Session, cycle: Cycle) -> Region:
    region = session.get(Region, cycle.region_id)
    assert region is not None
    return region
