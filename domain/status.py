"""The coordinator's status of a region and school year, as typed data.

`RegionStatus.model_dump(mode="json")` is the public status contract (`amneslag status --format json`,
README "Status"); `build_status` fills it from the database, and the dialogs and the command line read
its fields. The figures derived from it (a team's row in the CSV and the text table,
its goals) are computed here, once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from sqlmodel import Session, col, func, select

from domain import travel
from domain.meetings import came_after_all
from storage.models import (
    TEACHER_GROUPS,
    Absence,
    Attendance,
    ConversationAddress,
    Leadership,
    Meeting,
    MeetingKind,
    Membership,
    MembershipReport,
    OutboxMessage,
    OutboxStatus,
    Person,
    PersonRole,
    Region,
    Role,
    School,
    SchoolYear,
    SweepRun,
    Team,
)
from storage.settings import RegionSettings

PHYSICAL = MeetingKind.PHYSICAL.value


class MemberStatus(BaseModel):
    email: str
    school: str | None
    confirmed: bool


class MeetingStatus(BaseModel):
    id: int
    starts_at: str  # ISO 8601 in the region's time zone
    kind: str
    location: str | None
    first_of_year: bool
    notice_sent: bool
    notes_distributed: bool
    framework_reviewed: bool
    absent: list[str]
    longest_round_trip_km: int | None = None  # physical meetings whose trips can be known
    travel_goal_met: bool | None = None
    travel_over_goal: list[str] = []


class Goals(BaseModel):
    meetings_planned: int
    physical_meetings: int
    meetings_goal: tuple[int, int]  # the region's least and most meetings a year
    physical_goal: int
    met: bool


class TeamStatus(BaseModel):
    name: str
    leaders: list[str]
    members: list[MemberStatus]
    meetings: list[MeetingStatus]
    goals: Goals


class ReminderProblem(BaseModel):
    problem: str
    detail: str


class RegionStatus(BaseModel):
    region: str
    school_year: str
    teams: list[TeamStatus]
    people_without_team: list[str]
    schools_not_reported: list[str]
    choice_year: str  # the year people_without_team and schools_not_reported are about (the year being decided)
    unreachable: list[str]
    reminder_problems: list[ReminderProblem]


class TeamFigures(BaseModel):
    """One team's row of the status table (CSV and text)."""

    team: str
    leaders: int
    members: int
    members_confirmed: int
    meetings_planned: int
    physical_meetings: int
    notices_sent: int
    notes_distributed: int
    framework_reviewed: bool
    goals_met: bool
    longest_round_trip_km: int | None  # over the physical meetings whose trips are known
    travel_goal_met: bool | None


def goals(meetings: list[MeetingStatus], settings: RegionSettings) -> Goals:
    """The framework's goal for a team's year: 2-3 meetings, at least one physical (the region's settings)."""
    physical = sum(1 for m in meetings if m.kind == PHYSICAL)
    low, high = settings.meetings_per_year_min, settings.meetings_per_year_max
    return Goals(
        meetings_planned=len(meetings),
        physical_meetings=physical,
        meetings_goal=(low, high),
        physical_goal=settings.physical_meetings_min,
        met=low <= len(meetings) <= high and physical >= settings.physical_meetings_min,
    )


def figures(team: TeamStatus) -> TeamFigures:
    travelled = [m for m in team.meetings if m.longest_round_trip_km is not None]
    return TeamFigures(
        team=team.name,
        leaders=len(team.leaders),
        members=len(team.members),
        members_confirmed=sum(1 for m in team.members if m.confirmed),
        meetings_planned=team.goals.meetings_planned,
        physical_meetings=team.goals.physical_meetings,
        notices_sent=sum(1 for m in team.meetings if m.notice_sent),
        notes_distributed=sum(1 for m in team.meetings if m.notes_distributed),
        framework_reviewed=any(m.framework_reviewed for m in team.meetings),
        goals_met=team.goals.met,
        longest_round_trip_km=max(m.longest_round_trip_km or 0 for m in travelled) if travelled else None,
        travel_goal_met=all(m.travel_goal_met for m in travelled) if travelled else None,
    )


def build_status(
    session: Session,
    region: Region,
    year: SchoolYear,
    roads: travel.RoadTable | None = None,
    deciding: SchoolYear | None = None,
) -> RegionStatus:
    """Everything the coordinator asks about one school year, from the data there is.

    Who has no team and which schools have not reported are about `deciding` (default: `year`): from the
    team choice in May, the coming year's teams are the ones being decided (`domain.teams.year_being_decided`).
    """
    choosing = deciding or year
    settings = RegionSettings.model_validate(region.settings)
    zone = ZoneInfo(region.timezone)
    schools = {s.id: s for s in session.exec(select(School).where(School.region_id == region.id)).all()}
    teams = session.exec(
        select(Team)
        .where(Team.region_id == region.id, col(Team.kind).in_(TEACHER_GROUPS), Team.active == True)  # noqa: E712
        .order_by(col(Team.position), col(Team.name))
    ).all()
    team_ids = [t.id for t in teams]

    members: dict[int, list[MemberStatus]] = defaultdict(list)
    member_ids: set[int] = set()  # of `year`, who are involved this year
    for membership, person in session.exec(
        select(Membership, Person)
        .join(Person, col(Person.id) == Membership.person_id)
        .where(Membership.school_year_id == year.id, col(Membership.team_id).in_(team_ids))
        .order_by(col(Person.email))
    ).all():
        member_ids.add(membership.person_id)
        school = schools.get(person.school_id)
        members[membership.team_id].append(
            MemberStatus(
                email=person.email,
                school=school.name if school else None,
                confirmed=membership.confirmed_at is not None,
            )
        )

    leaders: dict[int, list[str]] = defaultdict(list)
    for leadership, email in session.exec(
        select(Leadership, Person.email)
        .join(Person, col(Person.id) == Leadership.person_id)
        .where(Leadership.school_year_id == year.id, col(Leadership.team_id).in_(team_ids))
        .order_by(col(Leadership.slot))
    ).all():
        leaders[leadership.team_id].append(email)

    meetings = session.exec(
        select(Meeting)
        .where(
            Meeting.school_year_id == year.id,
            col(Meeting.team_id).in_(team_ids),
            col(Meeting.cancelled_at).is_(None),
        )
        .order_by(col(Meeting.starts_at))
    ).all()
    absent: dict[int, list[str]] = defaultdict(list)
    for meeting_id, email in session.exec(
        select(Absence.meeting_id, Person.email)
        .join(Person, col(Person.id) == Absence.person_id)
        .where(
            col(Absence.meeting_id).in_([m.id for m in meetings]),
            col(Absence.withdrawn_at).is_(None),
            ~came_after_all(),  # a confirmed attendance overrides the reported absence
        )
        .order_by(col(Person.email))
    ).all():
        absent[meeting_id].append(email)

    travelling = _travellers(session, year, meetings, team_ids)
    trips = travel.round_trips(schools.values(), schools.values(), settings.road_factor, roads) if travelling else None
    meetings_by_team: dict[int, list[MeetingStatus]] = defaultdict(list)
    for meeting in meetings:
        travel_figures: dict[str, Any] = {}
        if meeting.kind == MeetingKind.PHYSICAL.value:
            host = schools.get(meeting.host_school_id)
            location = meeting.place or (host.name if host else None)
            destination = travel.place_school(list(schools.values()), meeting.host_school_id, meeting.place)
            checked = travel.check(
                travelling.get(meeting.id or 0, []), list(schools.values()), destination, settings, trips=trips
            )
            longest = checked.longest
            travel_figures = {
                "longest_round_trip_km": round(longest.km) if longest and longest.km is not None else None
            }
            if settings.duties.meeting_goals:  # a travel goal only where the framework sets one (Västerbotten's 40 mil)
                travel_figures |= {"travel_goal_met": checked.goal_holds, "travel_over_goal": checked.schools_over_goal}
        else:
            location = meeting.link
        assert meeting.id is not None
        meetings_by_team[meeting.team_id].append(
            MeetingStatus(
                id=meeting.id,
                starts_at=meeting.starts_at.astimezone(zone).isoformat(),
                kind=meeting.kind,
                location=location,
                first_of_year=meeting.first_of_year,
                notice_sent=meeting.notice_sent_at is not None,
                notes_distributed=meeting.notes_distributed_at is not None,
                framework_reviewed=meeting.framework_reviewed_at is not None,
                absent=absent.get(meeting.id, []),
                **travel_figures,
            )
        )

    team_rows = []
    for team in teams:
        assert team.id is not None
        planned = meetings_by_team.get(team.id, [])
        team_rows.append(
            TeamStatus(
                name=team.name,
                leaders=leaders.get(team.id, []),
                members=members.get(team.id, []),
                meetings=planned,
                goals=goals(planned, settings),
            )
        )

    teachers = session.exec(
        select(Person.id, Person.email, Person.school_id)
        .join(PersonRole, col(PersonRole.person_id) == Person.id)
        .where(Person.region_id == region.id, PersonRole.role == Role.TEACHER.value)
        .order_by(col(Person.email))
    ).all()
    with_teachers = {school_id for _, _, school_id in teachers}  # a school without teachers has nothing to report
    reported = set(
        session.exec(select(MembershipReport.school_id).where(MembershipReport.school_year_id == choosing.id)).all()
    )
    placed = (  # a leader is in the team they lead, with or without a membership
        member_ids
        if choosing.id == year.id
        else set(
            session.exec(
                select(Membership.person_id).where(
                    Membership.school_year_id == choosing.id, col(Membership.team_id).in_(team_ids)
                )
            ).all()
        )
    ) | set(
        session.exec(
            select(Leadership.person_id).where(
                Leadership.school_year_id == choosing.id, col(Leadership.team_id).in_(team_ids)
            )
        ).all()
    )
    involved = member_ids | set(
        session.exec(
            select(Leadership.person_id).where(
                Leadership.school_year_id == year.id, col(Leadership.team_id).in_(team_ids)
            )
        ).all()
    )
    involved |= set(
        session.exec(
            select(PersonRole.person_id)
            .join(Person, col(Person.id) == PersonRole.person_id)
            .where(
                Person.region_id == region.id, col(PersonRole.role).in_([Role.MANAGER.value, Role.COORDINATOR.value])
            )
        ).all()
    )
    last_sweep = session.exec(
        select(SweepRun).order_by(col(SweepRun.finished_at).desc(), col(SweepRun.id).desc())
    ).first()
    return RegionStatus(
        region=region.name,
        school_year=year.label,
        teams=team_rows,
        people_without_team=[email for person_id, email, _ in teachers if person_id not in placed],
        schools_not_reported=sorted(s.name for s in schools.values() if s.id not in reported and s.id in with_teachers),
        choice_year=choosing.label,
        unreachable=unreachable(session, region, involved),
        reminder_problems=[
            ReminderProblem(problem=p["problem"], detail=p["detail"])
            for p in (last_sweep.problems if last_sweep else [])
            if p.get("region") == region.key
        ],
    )


def _travellers(
    session: Session, year: SchoolYear, meetings: Sequence[Meeting], team_ids: list[int | None]
) -> dict[int, list[Person]]:
    """Who travels to each physical meeting: those who attended, once the leader has confirmed it;
    before that, the team's members and leaders who have not reported absence."""
    physical = [m for m in meetings if m.kind == MeetingKind.PHYSICAL.value and m.id is not None]
    if not physical:
        return {}
    team_people: dict[int, dict[int, Person]] = defaultdict(dict)
    for team_id, person in [
        *session.exec(
            select(Membership.team_id, Person)
            .join(Person, col(Person.id) == Membership.person_id)
            .where(Membership.school_year_id == year.id, col(Membership.team_id).in_(team_ids))
        ).all(),
        *session.exec(
            select(Leadership.team_id, Person)
            .join(Person, col(Person.id) == Leadership.person_id)
            .where(Leadership.school_year_id == year.id, col(Leadership.team_id).in_(team_ids))
        ).all(),
    ]:
        team_people[team_id][person.id or 0] = person
    ids = [m.id for m in physical]
    attended: dict[int, dict[int, bool]] = defaultdict(dict)
    for row in session.exec(select(Attendance).where(col(Attendance.meeting_id).in_(ids))).all():
        attended[row.meeting_id][row.person_id] = row.attended
    away: dict[int, set[int]] = defaultdict(set)
    for meeting_id, person_id in session.exec(
        select(Absence.meeting_id, Absence.person_id).where(
            col(Absence.meeting_id).in_(ids), col(Absence.withdrawn_at).is_(None)
        )
    ).all():
        away[meeting_id].add(person_id)
    found: dict[int, list[Person]] = {}
    for meeting in physical:
        assert meeting.id is not None
        people = team_people.get(meeting.team_id, {})
        if meeting.id in attended:
            came = attended[meeting.id]
            extra = [session.get(Person, pid) for pid, yes in came.items() if yes and pid not in people]
            found[meeting.id] = [p for pid, p in people.items() if came.get(pid)] + [p for p in extra if p]
        else:
            found[meeting.id] = [p for pid, p in people.items() if pid not in away[meeting.id]]
    return found


def unreachable(session: Session, region: Region, among: set[int]) -> list[str]:
    """The e-mails of the people in `among` the bot cannot write to.

    That is: the last message to them that was finished failed for good; or they have no Slack id and no stored
    Teams chat, and the last message to them did not go out by e-mail (it was `unreached`, only written to the
    log, or there was none yet: the status cannot know that e-mail reaches a person before a message has).
    """
    people = session.exec(select(Person).where(Person.region_id == region.id, col(Person.id).in_(among))).all()
    addressed = set(
        session.exec(
            select(ConversationAddress.person_id).where(
                ConversationAddress.platform == "teams", col(ConversationAddress.person_id).in_(among)
            )
        ).all()
    )
    finished = (OutboxStatus.DELIVERED.value, OutboxStatus.FAILED.value, OutboxStatus.UNREACHED.value)
    last = (
        select(OutboxMessage.recipient_id, func.max(OutboxMessage.id).label("last_id"))
        .where(col(OutboxMessage.recipient_id).in_(among), col(OutboxMessage.status).in_(finished))
        .group_by(col(OutboxMessage.recipient_id))
        .subquery()
    )
    outcome = {
        recipient_id: (channel, status)
        for recipient_id, channel, status in session.exec(
            select(OutboxMessage.recipient_id, OutboxMessage.channel, OutboxMessage.status).join(
                last, col(last.c.last_id) == OutboxMessage.id
            )
        ).all()
    }
    failed = {pid for pid, (_, status) in outcome.items() if status == OutboxStatus.FAILED.value}
    mailed = {
        pid for pid, (channel, status) in outcome.items() if (channel, status) == ("email", OutboxStatus.DELIVERED)
    }
    return sorted(
        p.email
        for p in people
        if p.id in failed or (not p.slack_user_id and p.id not in addressed and p.id not in mailed)
    )
