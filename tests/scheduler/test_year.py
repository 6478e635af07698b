"""A whole school year of reminders, as hourly sweeps from 1 May 2026 to 30 June 2027 send them, against the timeline.

The timeline was worked out by hand from DESIGN.md's cycle and Sweden's calendar: 1 May 2026 is
May Day (a holiday), so the first reminders come on Monday 4 May; Ascension Day (14 May 2026) and
Midsummer Eve (19 June 2026) move the weekly team choice reminder on; a stage that falls on a
weekend comes on Monday; summer time ends on 25 October 2026 and starts on 28 March 2027, and every
reminder still comes once, at 08.00 local time. Stråk meets twice, so nobody asks it to plan a
meeting on the April network day. Tove's and Ulf's choices (Umeå) are never confirmed, so after the
1 June deadline Mona is reminded every Monday (Easter Monday 29 March 2027: on the Tuesday) until the
next year's choice opens on 1 May 2027. Nobody confirms who attended the two physical days, so the
leaders are asked 1 and 5 days after each (Friday 11 and Tuesday 15 September, Friday 9 and Tuesday 13
April); nobody adds 2027/28's network days, so Kim is asked every Monday from 17 May 2027 (15 May is a
Saturday). Both teams meet the goals (Dans three times, Stråk twice, each at least once physically), so
the 15 March goals alert sends nothing.
"""

from __future__ import annotations

import datetime as dtm

from sqlmodel import Session, select

from storage import schoolyear
from storage.models import (
    Attendance,
    Leadership,
    Meeting,
    Membership,
    MembershipReport,
    NetworkDay,
    Person,
    Region,
    Team,
)
from tests.scheduler.conftest import PEOPLE, ZONE, Cycle, Event, simulate

# when (local time), rule, recipient, occurrence
NOBODY_DOES_ANYTHING = """
2026-05-04 08:00  team_choice  vera  week0
2026-05-04 08:00  leaders_missing  kim  once
2026-05-04 08:00  framework_revision  kim  once
2026-05-08 08:00  team_choice  vera  week1
2026-05-15 08:00  team_choice  vera  week2
2026-05-15 08:00  manager_report  mona  2026-05-15
2026-05-15 08:00  manager_report  lars  2026-05-15
2026-05-22 08:00  team_choice  vera  week3
2026-05-25 08:00  manager_report  mona  2026-05-25
2026-05-25 08:00  manager_report  lars  2026-05-25
2026-05-29 08:00  team_choice  vera  week4
2026-06-02 08:00  report_escalation  kim  once
2026-06-05 08:00  team_choice  vera  week5
2026-06-08 08:00  manager_report  mona  2026-06-08
2026-06-12 08:00  team_choice  vera  week6
2026-06-15 08:00  manager_report  mona  2026-06-15
2026-06-22 08:00  team_choice  vera  week7
2026-06-22 08:00  manager_report  mona  2026-06-22
2026-06-26 08:00  team_choice  vera  week8
2026-06-29 08:00  manager_report  mona  2026-06-29
2026-07-06 08:00  manager_report  mona  2026-07-06
2026-07-13 08:00  manager_report  mona  2026-07-13
2026-07-20 08:00  manager_report  mona  2026-07-20
2026-07-27 08:00  manager_report  mona  2026-07-27
2026-08-03 08:00  manager_report  mona  2026-08-03
2026-08-10 08:00  manager_report  mona  2026-08-10
2026-08-17 08:00  manager_report  mona  2026-08-17
2026-08-20 08:00  notice  dan  d-21
2026-08-20 08:00  notice  stina  d-21
2026-08-24 08:00  manager_report  mona  2026-08-24
2026-08-27 08:00  notice  dan  d-14
2026-08-27 08:00  notice  stina  d-14
2026-08-31 08:00  manager_report  mona  2026-08-31
2026-09-03 08:00  notice  dan  d-7
2026-09-03 08:00  notice  stina  d-7
2026-09-03 08:00  notice_escalation  kim  copy
2026-09-07 08:00  manager_report  mona  2026-09-07
2026-09-07 08:00  framework_before  dan  before
2026-09-07 08:00  framework_before  stina  before
2026-09-11 08:00  attendance  dan  d1
2026-09-11 08:00  attendance  stina  d1
2026-09-14 08:00  manager_report  mona  2026-09-14
2026-09-14 08:00  framework_confirm  dan  after
2026-09-14 08:00  framework_confirm  stina  after
2026-09-14 08:00  notes  dan  d2
2026-09-14 08:00  notes  stina  d2
2026-09-15 08:00  attendance  dan  d5
2026-09-15 08:00  attendance  stina  d5
2026-09-17 08:00  notes  dan  d7
2026-09-17 08:00  notes  stina  d7
2026-09-21 08:00  manager_report  mona  2026-09-21
2026-09-21 08:00  framework_escalation  kim  late
2026-09-21 08:00  framework_escalation  kim  late
2026-09-21 08:00  notes_escalation  kim  late
2026-09-21 08:00  notes_escalation  kim  late
2026-09-28 08:00  manager_report  mona  2026-09-28
2026-10-05 08:00  manager_report  mona  2026-10-05
2026-10-12 08:00  manager_report  mona  2026-10-12
2026-10-19 08:00  manager_report  mona  2026-10-19
2026-10-26 08:00  manager_report  mona  2026-10-26
2026-11-02 08:00  manager_report  mona  2026-11-02
2026-11-09 08:00  manager_report  mona  2026-11-09
2026-11-16 08:00  manager_report  mona  2026-11-16
2026-11-23 08:00  manager_report  mona  2026-11-23
2026-11-30 08:00  manager_report  mona  2026-11-30
2026-12-07 08:00  manager_report  mona  2026-12-07
2026-12-14 08:00  manager_report  mona  2026-12-14
2026-12-21 08:00  manager_report  mona  2026-12-21
2026-12-28 08:00  manager_report  mona  2026-12-28
2027-01-04 08:00  manager_report  mona  2027-01-04
2027-01-11 08:00  manager_report  mona  2027-01-11
2027-01-18 08:00  manager_report  mona  2027-01-18
2027-01-21 08:00  notice  dan  d-21
2027-01-21 08:00  notice  stina  d-21
2027-01-25 08:00  manager_report  mona  2027-01-25
2027-01-28 08:00  notice  dan  d-14
2027-01-28 08:00  notice  stina  d-14
2027-02-01 08:00  manager_report  mona  2027-02-01
2027-02-04 08:00  notice  dan  d-7
2027-02-04 08:00  notice  stina  d-7
2027-02-04 08:00  notice_escalation  kim  copy
2027-02-08 08:00  manager_report  mona  2027-02-08
2027-02-15 08:00  manager_report  mona  2027-02-15
2027-02-15 08:00  notes  dan  d2
2027-02-15 08:00  notes  stina  d2
2027-02-18 08:00  notes  dan  d7
2027-02-18 08:00  notes  stina  d7
2027-02-22 08:00  manager_report  mona  2027-02-22
2027-02-22 08:00  notes_escalation  kim  late
2027-02-22 08:00  notes_escalation  kim  late
2027-03-01 08:00  manager_report  mona  2027-03-01
2027-03-08 08:00  manager_report  mona  2027-03-08
2027-03-15 08:00  manager_report  mona  2027-03-15
2027-03-18 08:00  notice  dan  d-21
2027-03-22 08:00  manager_report  mona  2027-03-22
2027-03-25 08:00  notice  dan  d-14
2027-03-30 08:00  manager_report  mona  2027-03-29
2027-04-01 08:00  notice  dan  d-7
2027-04-01 08:00  notice_escalation  kim  copy
2027-04-05 08:00  manager_report  mona  2027-04-05
2027-04-09 08:00  attendance  dan  d1
2027-04-12 08:00  manager_report  mona  2027-04-12
2027-04-12 08:00  notes  dan  d2
2027-04-13 08:00  attendance  dan  d5
2027-04-15 08:00  notes  dan  d7
2027-04-19 08:00  manager_report  mona  2027-04-19
2027-04-19 08:00  notes_escalation  kim  late
2027-04-26 08:00  manager_report  mona  2027-04-26
2027-05-03 08:00  team_choice  dan  week0
2027-05-03 08:00  team_choice  stina  week0
2027-05-03 08:00  team_choice  tove  week0
2027-05-03 08:00  team_choice  ulf  week0
2027-05-03 08:00  team_choice  vera  week0
2027-05-03 08:00  leaders_missing  kim  once
2027-05-03 08:00  framework_revision  kim  once
2027-05-10 08:00  team_choice  dan  week1
2027-05-10 08:00  team_choice  stina  week1
2027-05-10 08:00  team_choice  tove  week1
2027-05-10 08:00  team_choice  ulf  week1
2027-05-10 08:00  team_choice  vera  week1
2027-05-17 08:00  team_choice  dan  week2
2027-05-17 08:00  team_choice  stina  week2
2027-05-17 08:00  team_choice  tove  week2
2027-05-17 08:00  team_choice  ulf  week2
2027-05-17 08:00  team_choice  vera  week2
2027-05-17 08:00  manager_report  mona  2027-05-15
2027-05-17 08:00  manager_report  lars  2027-05-15
2027-05-17 08:00  network_days  kim  week0
2027-05-24 08:00  team_choice  dan  week3
2027-05-24 08:00  team_choice  stina  week3
2027-05-24 08:00  team_choice  tove  week3
2027-05-24 08:00  team_choice  ulf  week3
2027-05-24 08:00  team_choice  vera  week3
2027-05-24 08:00  network_days  kim  week1
2027-05-25 08:00  manager_report  mona  2027-05-25
2027-05-25 08:00  manager_report  lars  2027-05-25
2027-05-31 08:00  team_choice  dan  week4
2027-05-31 08:00  team_choice  stina  week4
2027-05-31 08:00  team_choice  tove  week4
2027-05-31 08:00  team_choice  ulf  week4
2027-05-31 08:00  team_choice  vera  week4
2027-05-31 08:00  network_days  kim  week2
2027-06-02 08:00  report_escalation  kim  once
2027-06-07 08:00  team_choice  dan  week5
2027-06-07 08:00  team_choice  stina  week5
2027-06-07 08:00  team_choice  tove  week5
2027-06-07 08:00  team_choice  ulf  week5
2027-06-07 08:00  team_choice  vera  week5
2027-06-07 08:00  network_days  kim  week3
2027-06-14 08:00  team_choice  dan  week6
2027-06-14 08:00  team_choice  stina  week6
2027-06-14 08:00  team_choice  tove  week6
2027-06-14 08:00  team_choice  ulf  week6
2027-06-14 08:00  team_choice  vera  week6
2027-06-14 08:00  network_days  kim  week4
2027-06-21 08:00  team_choice  dan  week7
2027-06-21 08:00  team_choice  stina  week7
2027-06-21 08:00  team_choice  tove  week7
2027-06-21 08:00  team_choice  ulf  week7
2027-06-21 08:00  team_choice  vera  week7
2027-06-21 08:00  network_days  kim  week5
2027-06-28 08:00  team_choice  dan  week8
2027-06-28 08:00  team_choice  stina  week8
2027-06-28 08:00  team_choice  tove  week8
2027-06-28 08:00  team_choice  ulf  week8
2027-06-28 08:00  team_choice  vera  week8
2027-06-28 08:00  network_days  kim  week6
"""


def _rows(table: str) -> list[tuple[str, str, str, str]]:
    rows = []
    for line in table.strip().splitlines():
        day, time, rule, who, occurrence = line.split()
        rows.append((f"{day} {time}", rule, who, occurrence))
    return rows


def test_a_year_where_nobody_does_anything(cycle: Cycle) -> None:
    assert simulate(cycle) == _rows(NOBODY_DOES_ANYTHING)


def _everything_on_time(cycle: Cycle) -> list[Event]:
    """Every duty done before its first reminder: choices, reports, leaders, notices, notes, review, revision,
    attendance, and the coming year's network days."""

    def start(s: Session) -> None:
        region = s.get(Region, cycle.region_id)
        assert region is not None
        region.framework_version = "2026/27"
        for team in s.exec(select(Team).where(Team.region_id == cycle.region_id)).all():
            team.active = team.name in ("Dans", "Stråk")
        _memberships(s, cycle, "2026/27", {"vera": "Stråk"})

    def next_year(s: Session) -> None:
        s.get(Region, cycle.region_id).framework_version = "2027/28"
        _memberships(s, cycle, "2027/28", {p[0]: p[3] or "Stråk" for p in PEOPLE if p[2] == "teacher"})
        year = schoolyear.get_or_create(s, "2027/28")
        assert year.id is not None
        s.add(NetworkDay(region_id=cycle.region_id, date=dtm.date(2027, 9, 9), kind="physical"))
        for short, team in (("dan", "Dans"), ("stina", "Stråk")):
            s.add(Leadership(team_id=cycle.teams[team], school_year_id=year.id, person_id=cycle.people[short], slot=1))

    events: list[Event] = [
        (dtm.datetime(2026, 4, 30, tzinfo=ZONE), start),
        (dtm.datetime(2027, 4, 20, tzinfo=ZONE), next_year),
    ]
    for meeting in cycle.meetings():
        assert meeting.id is not None

        def notice(s: Session, meeting_id: int = meeting.id) -> None:
            s.get(Meeting, meeting_id).notice_sent_at = dtm.datetime.now(dtm.UTC)

        def after(s: Session, meeting_id: int = meeting.id) -> None:
            done = s.get(Meeting, meeting_id)
            assert done is not None
            done.notes_distributed_at = done.ends_at
            if done.first_of_year:
                done.framework_reviewed_at = done.ends_at
            if done.kind == "physical":
                s.add(Attendance(meeting_id=meeting_id, person_id=cycle.people["dan"], attended=True))

        events.append((meeting.starts_at - dtm.timedelta(days=30), notice))
        events.append((meeting.ends_at, after))
    return events


def _memberships(s: Session, cycle: Cycle, label: str, missing: dict[str, str]) -> None:
    """Everyone's membership of the year confirmed (adding the `missing` ones), and both schools reported."""
    year = schoolyear.get_or_create(s, label)
    assert year.id is not None
    for short, team in missing.items():
        person_id = cycle.people[short]
        exists = s.exec(
            select(Membership).where(Membership.person_id == person_id, Membership.school_year_id == year.id)
        ).first()
        if exists is None:
            s.add(Membership(person_id=person_id, school_year_id=year.id, team_id=cycle.teams[team]))
    s.flush()
    for membership in s.exec(select(Membership).where(Membership.school_year_id == year.id)).all():
        membership.confirmed_at = membership.confirmed_at or dtm.datetime.now(dtm.UTC)
    for school_id in {p.school_id for p in s.exec(select(Person)).all() if p.school_id is not None}:
        s.add(MembershipReport(school_id=school_id, school_year_id=year.id))


def test_a_year_where_every_duty_is_done_on_time_sends_nothing(cycle: Cycle) -> None:
    assert simulate(cycle, _everything_on_time(cycle)) == []
