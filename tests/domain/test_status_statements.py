"""The coordinator's status of every region is read in as many statements as that of one region."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col, select

from domain.status import build_status, build_statuses
from storage import schoolyear
from storage.models import Absence, Attendance, Meeting, Person, PersonRole, Region, Team
from tests.network import build, statements


def _status_statements(engine: sa.Engine) -> tuple[int, list[str]]:
    """The statements of the status of every region, and each region's teams' names as the status gives them."""
    with Session(engine) as session:
        year = schoolyear.get_or_create(session, "2026/27")
        coming = schoolyear.get_or_create(session, "2027/28")
        regions = list(session.exec(select(Region).order_by(col(Region.key))).all())
        with statements(engine) as seen:
            found = build_statuses(session, [(region, year, coming) for region in regions])
        one = build_status(session, regions[-1], year, deciding=coming)
    assert found[-1] == one  # the same status as asked for alone
    return len(seen), [f"{status.region}: {len(status.teams)} teams" for status in found]


def _someone_away_and_someone_extra(engine: sa.Engine) -> None:
    """In every region, a reported absence from the first meeting, and a manager who attended the last meeting,
    of a team they are not in (the travel figures read both)."""
    with Session(engine) as session:
        for region in session.exec(select(Region)).all():
            meetings = session.exec(
                select(Meeting)
                .join(Team, col(Team.id) == Meeting.team_id)
                .where(Team.region_id == region.id)
                .order_by(col(Meeting.id))
            ).all()
            people = session.exec(
                select(Person.id, PersonRole.role)
                .join(PersonRole, col(PersonRole.person_id) == Person.id)
                .where(Person.region_id == region.id)
                .order_by(col(Person.id))
            ).all()
            teacher = next(pid for pid, role in people if role == "teacher")
            manager = next(pid for pid, role in people if role == "manager")
            assert meetings[0].id is not None and meetings[-1].id is not None and teacher and manager
            session.add(Absence(meeting_id=meetings[0].id, person_id=teacher))
            session.add(Attendance(meeting_id=meetings[-1].id, person_id=manager, attended=True))
        session.commit()


def test_the_status_of_three_regions_takes_the_statements_of_one(engine: sa.Engine) -> None:
    build(engine, regions=1, schools=2, teachers=3)
    _someone_away_and_someone_extra(engine)
    one, names = _status_statements(engine)
    assert names == ["Region 0: 3 teams"]
    from tests.conftest import _empty_all_tables

    _empty_all_tables(engine)
    build(engine, regions=3, schools=2, teachers=3)
    _someone_away_and_someone_extra(engine)
    three, names = _status_statements(engine)
    assert names == ["Region 0: 3 teams", "Region 1: 3 teams", "Region 2: 3 teams"]
    assert three == one
