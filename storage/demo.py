"""The fictional demo region: Västerbotten with a coordinator, a manager per school, ~60 teachers,
their subject teams and leaders for the current school year. Names are invented; addresses are
example.org. Loading it again changes nothing.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from importlib import resources

from sqlmodel import Session, select

from storage import schoolyear
from storage.audit import record
from storage.directory import person_by_email
from storage.models import Leadership, Membership, Region, Team, utcnow
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


def load_demo(session: Session, school_year: str) -> DemoResult:
    """Seed Västerbotten, import the demo roster, and place people in teams for `school_year`."""
    region = seed_region(session, DEMO_REGION).region
    people = import_roster(session, region, _data("demo_vasterbotten_people.csv"))
    year = schoolyear.get_or_create(session, school_year)
    teams = {t.name: t for t in session.exec(select(Team).where(Team.region_id == region.id)).all()}
    result = DemoResult(region=region, school_year=school_year, people=people)
    now = utcnow()
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
                session.add(
                    Leadership(team_id=team.id, school_year_id=year.id, person_id=person.id, slot=slot)
                )
                session.flush()
                result.leaders_added += 1
    if result.memberships_added or result.leaders_added:
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
