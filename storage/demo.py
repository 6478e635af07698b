"""The fictional demo region: Västerbotten with a coordinator, a manager per school, ~60 teachers,
their subject teams and leaders for the current school year. Names are invented; addresses are
example.org. Loading it again changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dtm
import io
from dataclasses import dataclass
from importlib import resources
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from storage import schoolyear
from storage.audit import record
from storage.directory import person_by_email
from storage.models import (
    GroupKind,
    Leadership,
    Meeting,
    Membership,
    NetworkDay,
    Note,
    Region,
    School,
    SchoolYear,
    Team,
    utcnow,
)
from storage.roster import ImportReport, import_roster
from storage.seed import seed_region

DEMO_REGION = "vasterbotten"


def _data(name: str) -> str:
    return resources.files("storage").joinpath(f"data/{name}").read_text(encoding="utf-8")


@dataclass
class DemoResult:
    region: Region
    school_year: str
    people: ImportReport
    memberships_added: int = 0
    leaders_added: int = 0
    meetings_added: int = 0


def load_demo(session: Session, school_year: str, now: dtm.datetime | None = None) -> DemoResult:
    """Seed Västerbotten, import the demo roster, and place people in teams for `school_year`; the choices,
    confirmations and notes are stamped `now` (default: the real time)."""
    region = seed_region(session, DEMO_REGION).region
    people = import_roster(session, region, _data("demo_vasterbotten_people.csv"))
    year = schoolyear.get_or_create(session, school_year)
    teams = {t.name: t for t in session.exec(select(Team).where(Team.region_id == region.id)).all()}
    result = DemoResult(region=region, school_year=school_year, people=people)
    now = now or utcnow()
    for row in csv.DictReader(io.StringIO(_data("demo_vasterbotten_teams.csv"))):
        person = person_by_email(session, row["email"])
        team = teams[row["team"]]
        assert person is not None and person.id is not None and team.id is not None and year.id is not None
        existing = session.exec(
            select(Membership).where(Membership.person_id == person.id, Membership.school_year_id == year.id)
        ).first()
        if existing is None:
            session.add(
                Membership(
                    person_id=person.id,
                    school_year_id=year.id,
                    team_id=team.id,
                    chosen_at=now,
                    confirmed_at=now,
                )
            )
            result.memberships_added += 1
        if row["leader"]:
            leaders = session.exec(
                select(Leadership).where(Leadership.team_id == team.id, Leadership.school_year_id == year.id)
            ).all()
            if person.id not in {leader.person_id for leader in leaders} and len(leaders) < 2:
                slot = 1 if 1 not in {leader.slot for leader in leaders} else 2
                session.add(Leadership(team_id=team.id, school_year_id=year.id, person_id=person.id, slot=slot))
                session.flush()
                result.leaders_added += 1
    result.meetings_added = _demo_meetings(session, region, year, list(teams.values()), now)
    if result.memberships_added or result.leaders_added or result.meetings_added:
        record(
            session,
            action="demo.loaded",
            entity="region",
            entity_id=region.id,
            details={
                "school_year": school_year,
                "memberships": result.memberships_added,
                "leaders": result.leaders_added,
            },
        )
    session.flush()
    return result


def _second_thursday(year: int, month: int) -> dtm.date:
    first = dtm.date(year, month, 1)
    return first + dtm.timedelta(days=(3 - first.weekday()) % 7 + 7)


def _demo_meetings(session: Session, region: Region, year: SchoolYear, teams: list[Team], now: dtm.datetime) -> int:
    """Three network days (September, February, April) and a meeting of every subject team on each.

    September's meeting is physical, the first of the year, with its notice sent, its notes distributed and
    the framework reviewed; February's is digital; April's is physical, with nothing sent yet.
    """
    assert region.id is not None and year.id is not None
    zone = ZoneInfo(region.timezone)
    days = [
        (_second_thursday(year.starts_on.year, 9), "physical"),
        (_second_thursday(year.ends_on.year, 2), "digital"),
        (_second_thursday(year.ends_on.year, 4), "physical"),
    ]
    network_days = []
    for day, kind in days:
        existing = session.exec(
            select(NetworkDay).where(NetworkDay.region_id == region.id, NetworkDay.date == day)
        ).first()
        if existing is None:
            existing = NetworkDay(region_id=region.id, date=day, kind=kind)
            session.add(existing)
            session.flush()
        network_days.append(existing)
    schools = session.exec(select(School).where(School.region_id == region.id).order_by(School.name)).all()
    added = 0
    subject_teams = [t for t in teams if t.kind == GroupKind.SUBJECT_TEAM.value]
    for index, team in enumerate(sorted(subject_teams, key=lambda t: t.position)):
        has_meetings = session.exec(
            select(Meeting.id).where(Meeting.team_id == team.id, Meeting.school_year_id == year.id)
        ).first()
        if has_meetings is not None:
            continue
        assert team.id is not None
        for number, network_day in enumerate(network_days):
            starts = dtm.datetime.combine(network_day.date, dtm.time(9, 0), tzinfo=zone)
            physical = network_day.kind == "physical"
            host = schools[(index + number) % len(schools)]
            meeting = Meeting(
                team_id=team.id,
                school_year_id=year.id,
                network_day_id=network_day.id,
                starts_at=starts,
                ends_at=starts + dtm.timedelta(hours=6),
                kind="physical" if physical else "digital",
                host_school_id=host.id if physical else None,
                place=host.name if physical else None,
                link=None if physical else f"https://example.org/mote/{index + 1}",
                first_of_year=number == 0,
            )
            if number == 0:
                meeting.notice_sent_at = starts - dtm.timedelta(days=21)
                meeting.notes_distributed_at = starts + dtm.timedelta(days=2)
                meeting.framework_reviewed_at = starts
            session.add(meeting)
            session.flush()
            assert meeting.id is not None
            if number == 0:
                session.add(
                    Note(
                        meeting_id=meeting.id,
                        body=(
                            f"Vi gick igenom ramarna för ämneslagen och planerade årets träffar för {team.name}. "
                            "Alla delade ett material från sin undervisning. Till nästa gång: ta med en "
                            "övning som fungerat bra i grupp."
                        ),
                        created_at=now,
                        updated_at=now,
                    )
                )
            added += 1
    return added
