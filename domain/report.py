"""The year report's figures: what the coordinator reports to the manager network and the region.

`build_report` reads one region's school year, mostly through `domain.status.build_status` (the teams, their
meetings physical and digital, the longest round trip of each physical meeting and the goals), and adds
attendance per school and the schools' stored coordinates. The figures are typed data, with no wording: the
page that shows them (`dialogs.year_report`) is written in the reader's language.

Goals appear only where the region's framework sets them (`duties.meeting_goals`, as in the status):
Västmanland and Sjuhärad set no meeting or travel goal, so their report has no goal to be measured against.
"""

from __future__ import annotations

import datetime as dtm
from collections import Counter, defaultdict
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from sqlmodel import Session, col, select

from domain import travel
from domain.status import build_status
from storage.models import Absence, Attendance, Leadership, Meeting, Membership, Person, Region, School, SchoolYear
from storage.settings import RegionSettings, Words


class TeamMeetings(BaseModel):
    """One team's meetings of the year (planned and held, not cancelled)."""

    team: str
    physical: int
    digital: int
    goal_met: bool | None  # None where the framework sets no meeting goal

    @property
    def total(self) -> int:
        return self.physical + self.digital


class SchoolAttendance(BaseModel):
    """The places at the year's held meetings of the people of one school (`school` None: people without one).

    `attended`: confirmed by the leader as there; `absent`: reported absence, or confirmed as not there;
    `unconfirmed`: expected (a member or leader who reported no absence) at a meeting whose attendance the
    leader has not confirmed.
    """

    school: str | None
    attended: int
    absent: int
    unconfirmed: int


class TripFigure(BaseModel):
    """The longest round trip to one physical meeting (whole km), of the people who travel to it."""

    meeting_id: int
    team: str
    starts_at: str  # ISO 8601 in the region's time zone
    place: str | None
    longest_round_trip_km: int
    over_goal: bool | None  # None where the framework sets no travel goal


class SchoolPoint(BaseModel):
    """A school where its coordinates put it (None when it has no usable ones), and its people in teams."""

    school: str
    municipality: str
    latitude: float | None
    longitude: float | None
    in_teams: int  # members and leaders of the year's teams at this school


class YearReport(BaseModel):
    region: str
    region_key: str
    school_year: str
    as_of: dtm.date  # the day the figures are of, in the region's time zone
    framework: str | None  # the framework document's title (and version)
    words: Words  # what the region calls its groups (in Swedish)
    meetings_goal: tuple[int, int] | None  # least and most meetings a year; None without a meeting goal
    physical_goal: int | None
    travel_goal_km: int | None  # the most anyone should travel there and back; None without one
    teams: list[TeamMeetings]
    held_meetings: int  # meetings of the year that have begun by `as_of`
    attendance: list[SchoolAttendance]
    trips: list[TripFigure]  # longest first
    schools: list[SchoolPoint]


def build_report(
    session: Session,
    region: Region,
    year: SchoolYear,
    now: dtm.datetime,
    roads: travel.RoadTable | None = None,
) -> YearReport:
    """The year report of `region` for `year`, as the data stands at `now`."""
    settings = RegionSettings.model_validate(region.settings)
    zone = ZoneInfo(region.timezone)
    goals = settings.duties.meeting_goals
    status = build_status(session, region, year, roads)

    teams = [
        TeamMeetings(
            team=team.name,
            physical=team.goals.physical_meetings,
            digital=team.goals.meetings_planned - team.goals.physical_meetings,
            goal_met=team.goals.met if goals else None,
        )
        for team in status.teams
    ]
    trips = sorted(
        (
            TripFigure(
                meeting_id=meeting.id,
                team=team.name,
                starts_at=meeting.starts_at,
                place=meeting.location,
                longest_round_trip_km=meeting.longest_round_trip_km,
                over_goal=None if meeting.travel_goal_met is None else not meeting.travel_goal_met,
            )
            for team in status.teams
            for meeting in team.meetings
            if meeting.longest_round_trip_km is not None
        ),
        key=lambda trip: (-trip.longest_round_trip_km, trip.starts_at, trip.team),
    )

    meeting_ids = [m.id for team in status.teams for m in team.meetings]
    meetings = session.exec(select(Meeting).where(col(Meeting.id).in_(meeting_ids))).all() if meeting_ids else []
    held = [m for m in meetings if m.starts_at <= now]
    schools = session.exec(select(School).where(School.region_id == region.id).order_by(col(School.name))).all()
    names = {s.id: s.name for s in schools}
    people = _team_people(session, year, sorted({m.team_id for m in meetings}))
    attendance = _attendance(session, held, people, names)

    in_teams = Counter(
        names.get(school_id) for team in people.values() for school_id in team.values() if school_id in names
    )
    points = []
    for school in schools:
        located = travel.located(school)
        points.append(
            SchoolPoint(
                school=school.name,
                municipality=school.municipality,
                latitude=located[0] if located else None,
                longitude=located[1] if located else None,
                in_teams=in_teams.get(school.name, 0),
            )
        )

    framework = region.framework_title
    if framework and region.framework_version:
        framework = f"{framework} ({region.framework_version})"
    return YearReport(
        region=region.name,
        region_key=region.key,
        school_year=year.label,
        as_of=now.astimezone(zone).date(),
        framework=framework or None,
        words=settings.words,
        meetings_goal=(settings.meetings_per_year_min, settings.meetings_per_year_max) if goals else None,
        physical_goal=settings.physical_meetings_min if goals else None,
        travel_goal_km=round(settings.travel_goal_km_round_trip) if goals else None,
        teams=teams,
        held_meetings=len(held),
        attendance=attendance,
        trips=trips,
        schools=points,
    )


def _team_people(session: Session, year: SchoolYear, team_ids: list[int]) -> dict[int, dict[int, int | None]]:
    """Each team's members and leaders of `year`: person id -> school id."""
    found: dict[int, dict[int, int | None]] = defaultdict(dict)
    if not team_ids:
        return found
    for link in (Membership, Leadership):
        for team_id, person_id, school_id in session.exec(
            select(link.team_id, Person.id, Person.school_id)
            .join(Person, col(Person.id) == link.person_id)
            .where(link.school_year_id == year.id, col(link.team_id).in_(team_ids))
        ).all():
            if person_id is not None:
                found[team_id][person_id] = school_id
    return found


def _attendance(
    session: Session,
    held: list[Meeting],
    people: dict[int, dict[int, int | None]],
    names: dict[int | None, str],
) -> list[SchoolAttendance]:
    """Attendance per school over the held meetings: confirmed where the leader confirmed it, else expected."""
    ids = [m.id for m in held]
    confirmed: dict[int, list[Attendance]] = defaultdict(list)
    away: dict[int, set[int]] = defaultdict(set)
    schools_of: dict[int, int | None] = {}
    if ids:
        for row in session.exec(select(Attendance).where(col(Attendance.meeting_id).in_(ids))).all():
            confirmed[row.meeting_id].append(row)
        for meeting_id, person_id in session.exec(
            select(Absence.meeting_id, Absence.person_id).where(
                col(Absence.meeting_id).in_(ids), col(Absence.withdrawn_at).is_(None)
            )
        ).all():
            away[meeting_id].add(person_id)
        extra = {row.person_id for rows in confirmed.values() for row in rows}
        if extra:
            schools_of = {
                person_id: school_id
                for person_id, school_id in session.exec(
                    select(Person.id, Person.school_id).where(col(Person.id).in_(sorted(extra)))
                ).all()
                if person_id is not None
            }
    counts: dict[str | None, Counter[str]] = defaultdict(Counter)
    for meeting in held:
        assert meeting.id is not None
        if meeting.id in confirmed:  # the leader's confirmation overrides a reported absence
            for row in confirmed[meeting.id]:
                school = row.school_id if row.school_id is not None else schools_of.get(row.person_id)
                counts[names.get(school)]["attended" if row.attended else "absent"] += 1
            continue
        for person_id, school_id in people.get(meeting.team_id, {}).items():
            counts[names.get(school_id)]["absent" if person_id in away[meeting.id] else "unconfirmed"] += 1
    ordered = sorted(counts, key=lambda name: (name is None, name or ""))
    return [
        SchoolAttendance(
            school=name,
            attended=counts[name]["attended"],
            absent=counts[name]["absent"],
            unconfirmed=counts[name]["unconfirmed"],
        )
        for name in ordered
    ]
