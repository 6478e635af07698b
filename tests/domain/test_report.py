"""The year report's figures (`domain.report`): goals only where the framework sets them, attendance per school."""

from __future__ import annotations

import datetime as dtm

import sqlalchemy as sa
from sqlmodel import Session, col, select

from domain.logistics import attendance_list, confirm_attendance
from domain.report import build_report
from domain.teams import report_absence
from storage import schoolyear
from storage.db import session_scope
from storage.directory import get_region
from storage.models import Meeting, Person, School, Team
from storage.seed import seed_region

END_OF_YEAR = dtm.datetime(2027, 6, 15, 10, 0, tzinfo=dtm.UTC)  # every demo meeting of 2026/27 held
NOVEMBER = dtm.datetime(2026, 11, 23, 9, 0, tzinfo=dtm.UTC)  # only September's held


def _report(session: Session, now: dtm.datetime, region: str = "vasterbotten"):
    return build_report(session, get_region(session, region), schoolyear.get_or_create(session, "2026/27"), now)


def test_the_demo_region_against_its_goals(demo: sa.Engine) -> None:
    with Session(demo) as s:
        report = _report(s, END_OF_YEAR)
    assert (report.region, report.school_year, report.as_of) == ("Västerbotten", "2026/27", dtm.date(2027, 6, 15))
    assert (report.meetings_goal, report.physical_goal, report.travel_goal_km) == ((2, 3), 1, 400)
    assert len(report.teams) == 12
    assert all((t.physical, t.digital, t.goal_met) == (2, 1, True) for t in report.teams)
    assert report.held_meetings == 36
    # every physical meeting's longest trip, longest first, judged against the 40 mil
    assert len(report.trips) == 24
    assert [t.longest_round_trip_km for t in report.trips] == sorted(
        (t.longest_round_trip_km for t in report.trips), reverse=True
    )
    assert all(t.over_goal == (t.longest_round_trip_km > 400) for t in report.trips)
    # every school is on the map, at its stored coordinates
    assert len(report.schools) == 13 and all(p.latitude and p.longitude for p in report.schools)
    umea = next(p for p in report.schools if p.municipality == "Umeå")
    assert (umea.latitude, umea.longitude) == (63.83, 20.26) and umea.in_teams > 0


def test_attendance_per_school_counts_what_is_confirmed_reported_and_expected(demo: sa.Engine) -> None:
    with session_scope(demo) as s:
        held = _report(s, NOVEMBER)
        assert held.held_meetings == 12  # September's network day
        expected = sum(r.unconfirmed for r in held.attendance)
        assert sum(r.attended + r.absent for r in held.attendance) == 0 and expected > 0

        september = s.exec(select(Meeting).where(col(Meeting.first_of_year)).order_by(col(Meeting.id))).first()
        assert september is not None and september.id is not None
        people = [p for p, _ in attendance_list(s, september)]
        leader = people[0]
        came = {p.id for p in people[1:] if p.id is not None}  # all but one came
        confirm_attendance(s, meeting=september, attended=came, actor=leader, now=NOVEMBER)
        # an absence reported for a held meeting whose attendance is not confirmed counts as absent
        other = s.exec(
            select(Meeting).where(col(Meeting.first_of_year), Meeting.id != september.id).order_by(col(Meeting.id))
        ).first()
        assert other is not None
        absentee = next(p for p, _ in attendance_list(s, other))
        assert report_absence(s, person=absentee, meeting=other, now=other.starts_at - dtm.timedelta(days=1))
        s.flush()
        after = _report(s, NOVEMBER)
    assert sum(r.attended for r in after.attendance) == len(came)
    assert sum(r.absent for r in after.attendance) == 2  # the one not ticked, and the one who reported
    assert sum(r.unconfirmed for r in after.attendance) == expected - len(people) - 1
    with Session(demo) as s:
        school = s.get(School, leader.school_id)
        assert school is not None
        row = next(r for r in after.attendance if r.school == school.name)
        assert row.absent >= 1


def test_a_region_without_goals_gets_none(engine: sa.Engine) -> None:
    """Västmanland's framework sets no meeting or travel goal: the report measures nobody against one."""
    with session_scope(engine) as s:
        region = seed_region(s, "vastmanland").region
        team = s.exec(select(Team).where(Team.region_id == region.id).order_by(col(Team.id))).first()
        school = s.exec(select(School).where(School.region_id == region.id).order_by(col(School.id))).first()
        year = schoolyear.get_or_create(s, "2026/27")
        assert team is not None and team.id is not None and school is not None and year.id is not None
        person = Person(email="x@example.org", name="X", region_id=region.id or 0, school_id=school.id)
        s.add(person)
        report = build_report(s, region, year, END_OF_YEAR)
    assert (report.meetings_goal, report.physical_goal, report.travel_goal_km) == (None, None, None)
    assert all(t.goal_met is None for t in report.teams)
    assert report.words.groups == "grupper"
