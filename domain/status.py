"""The coordinator's status of a region and school year, as typed data.

`RegionStatus.model_dump(mode="json")` is the public status contract (`amneslag status --format json`,
README "Status"); `build_status` fills it from the database, and the dialogs and the command line read
its fields. The figures derived from it (a team's row in the CSV and the text table,
its goals) are computed here, once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
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
    return build_statuses(session, [(region, year, deciding)], roads)[0]


def build_statuses(
    session: Session,
    asked: Sequence[tuple[Region, SchoolYear, SchoolYear | None]],
    roads: travel.RoadTable | None = None,
) -> list[RegionStatus]:
    """`build_status` of each (region, year, deciding), in a number of statements that does not depend on how
    many regions are asked: each table is read once for all of them and the rows are sorted out here."""
    if not asked:
        return []
    regions = {region.id: region for region, _, _ in asked}
    year_of = {region.id: year for region, year, _ in asked}
    choosing_of = {region.id: deciding or year for region, year, deciding in asked}
    region_ids = list(regions)
    year_ids = list({y.id for y in year_of.values()} | {y.id for y in choosing_of.values()})

    schools: dict[int | None, dict[int | None, School]] = defaultdict(dict)  # region -> school id -> school
    for row in session.exec(select(School).where(col(School.region_id).in_(region_ids))).all():
        schools[row.region_id][row.id] = row
    teams_of: dict[int | None, list[Team]] = defaultdict(list)
    for team in session.exec(
        select(Team)
        .where(col(Team.region_id).in_(region_ids), col(Team.kind).in_(TEACHER_GROUPS), Team.active == True)  # noqa: E712
        .order_by(col(Team.position), col(Team.name))
    ).all():
        teams_of[team.region_id].append(team)
    region_of_team = {team.id: region_id for region_id, teams in teams_of.items() for team in teams}
    team_ids = list(region_of_team)

    def of_year(team_id: int | None, year_id: int | None) -> bool:
        """Whether a row of the team and year is of the year asked for the team's region."""
        return year_of[region_of_team[team_id]].id == year_id

    members: dict[int, list[MemberStatus]] = defaultdict(list)
    member_ids: dict[int | None, set[int]] = defaultdict(set)  # region -> who are members in the year asked
    chosen: dict[int | None, set[int]] = defaultdict(set)  # region -> who are members in the year being decided
    for membership, person in session.exec(
        select(Membership, Person)
        .join(Person, col(Person.id) == Membership.person_id)
        .where(col(Membership.school_year_id).in_(year_ids), col(Membership.team_id).in_(team_ids))
        .order_by(col(Person.email))
    ).all():
        region_id = region_of_team[membership.team_id]
        if choosing_of[region_id].id == membership.school_year_id:
            chosen[region_id].add(membership.person_id)
        if not of_year(membership.team_id, membership.school_year_id):
            continue
        member_ids[region_id].add(membership.person_id)
        school = schools[region_id].get(person.school_id)
        members[membership.team_id].append(
            MemberStatus(
                email=person.email,
                school=school.name if school else None,
                confirmed=membership.confirmed_at is not None,
            )
        )

    leaders: dict[int, list[str]] = defaultdict(list)
    leading: dict[int | None, set[int]] = defaultdict(set)  # region -> who lead a team in the year asked
    leading_chosen: dict[int | None, set[int]] = defaultdict(set)  # region -> who lead one in the year being decided
    for leadership, email in session.exec(
        select(Leadership, Person.email)
        .join(Person, col(Person.id) == Leadership.person_id)
        .where(col(Leadership.school_year_id).in_(year_ids), col(Leadership.team_id).in_(team_ids))
        .order_by(col(Leadership.slot))
    ).all():
        region_id = region_of_team[leadership.team_id]
        if choosing_of[region_id].id == leadership.school_year_id:
            leading_chosen[region_id].add(leadership.person_id)
        if of_year(leadership.team_id, leadership.school_year_id):
            leaders[leadership.team_id].append(email)
            leading[region_id].add(leadership.person_id)

    meetings = [
        m
        for m in session.exec(
            select(Meeting)
            .where(
                col(Meeting.school_year_id).in_(year_ids),
                col(Meeting.team_id).in_(team_ids),
                col(Meeting.cancelled_at).is_(None),
            )
            .order_by(col(Meeting.starts_at))
        ).all()
        if of_year(m.team_id, m.school_year_id)
    ]
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

    travelling = _travellers(session, year_ids, meetings, team_ids, of_year)
    meetings_by_team: dict[int, list[MeetingStatus]] = defaultdict(list)
    trips_of: dict[int | None, travel.RoundTrips | None] = {}
    for meeting in meetings:
        region_id = region_of_team[meeting.team_id]
        region = regions[region_id]
        settings = RegionSettings.model_validate(region.settings)
        here = list(schools[region_id].values())
        travel_figures: dict[str, Any] = {}
        if meeting.kind == MeetingKind.PHYSICAL.value:
            if region_id not in trips_of:
                trips_of[region_id] = travel.round_trips(here, here, settings.road_factor, roads)
            host = schools[region_id].get(meeting.host_school_id)
            location = meeting.place or (host.name if host else None)
            destination = travel.place_school(here, meeting.host_school_id, meeting.place)
            checked = travel.check(
                travelling.get(meeting.id or 0, []), here, destination, settings, trips=trips_of[region_id]
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
                starts_at=meeting.starts_at.astimezone(ZoneInfo(region.timezone)).isoformat(),
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

    teachers: dict[int | None, list[tuple[int | None, str, int | None]]] = defaultdict(list)
    for person_id, email, school_id, region_id in session.exec(
        select(Person.id, Person.email, Person.school_id, Person.region_id)
        .join(PersonRole, col(PersonRole.person_id) == Person.id)
        .where(col(Person.region_id).in_(region_ids), PersonRole.role == Role.TEACHER.value)
        .order_by(col(Person.email))
    ).all():
        teachers[region_id].append((person_id, email, school_id))
    reported: set[tuple[int, int]] = {
        (school_id, year_id)
        for school_id, year_id in session.exec(
            select(MembershipReport.school_id, MembershipReport.school_year_id).where(
                col(MembershipReport.school_year_id).in_([y.id for y in choosing_of.values()])
            )
        ).all()
    }
    involved: dict[int | None, set[int]] = {
        region_id: member_ids[region_id] | leading[region_id] for region_id in region_ids
    }
    for person_id, region_id in session.exec(
        select(PersonRole.person_id, Person.region_id)
        .join(Person, col(Person.id) == PersonRole.person_id)
        .where(
            col(Person.region_id).in_(region_ids),
            col(PersonRole.role).in_([Role.MANAGER.value, Role.COORDINATOR.value]),
        )
    ).all():
        involved[region_id].add(person_id)
    cut_off = _unreachable(session, involved)
    last_sweep = session.exec(
        select(SweepRun).order_by(col(SweepRun.finished_at).desc(), col(SweepRun.id).desc())
    ).first()

    found = []
    for region, year, _ in asked:
        settings = RegionSettings.model_validate(region.settings)
        choosing = choosing_of[region.id]
        team_rows = []
        for team in teams_of[region.id]:
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
        # a leader is in the team they lead, with or without a membership
        placed = (member_ids[region.id] if choosing.id == year.id else chosen[region.id]) | leading_chosen[region.id]
        with_teachers = {school_id for _, _, school_id in teachers[region.id]}  # a school without teachers: nothing
        found.append(
            RegionStatus(
                region=region.name,
                school_year=year.label,
                teams=team_rows,
                people_without_team=[email for person_id, email, _ in teachers[region.id] if person_id not in placed],
                schools_not_reported=sorted(
                    s.name
                    for s in schools[region.id].values()
                    if (s.id, choosing.id) not in reported and s.id in with_teachers
                ),
                choice_year=choosing.label,
                unreachable=cut_off.get(region.id, []),
                reminder_problems=[
                    ReminderProblem(problem=p["problem"], detail=p["detail"])
                    for p in (last_sweep.problems if last_sweep else [])
                    if p.get("region") == region.key
                ],
            )
        )
    return found


def _travellers(
    session: Session,
    year_ids: list[int | None],
    meetings: Sequence[Meeting],
    team_ids: list[int | None],
    of_year: Callable[[int | None, int | None], bool],
) -> dict[int, list[Person]]:
    """Who travels to each physical meeting: those who attended, once the leader has confirmed it;
    before that, the team's members and leaders who have not reported absence."""
    physical = [m for m in meetings if m.kind == MeetingKind.PHYSICAL.value and m.id is not None]
    if not physical:
        return {}
    team_people: dict[int, dict[int, Person]] = defaultdict(dict)
    for team_id, year_id, person in [
        *session.exec(
            select(Membership.team_id, Membership.school_year_id, Person)
            .join(Person, col(Person.id) == Membership.person_id)
            .where(col(Membership.school_year_id).in_(year_ids), col(Membership.team_id).in_(team_ids))
        ).all(),
        *session.exec(
            select(Leadership.team_id, Leadership.school_year_id, Person)
            .join(Person, col(Person.id) == Leadership.person_id)
            .where(col(Leadership.school_year_id).in_(year_ids), col(Leadership.team_id).in_(team_ids))
        ).all(),
    ]:
        if of_year(team_id, year_id):
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
    outside = {  # who came to a meeting of a team they are not in
        pid
        for meeting in physical
        for pid, yes in attended.get(meeting.id or 0, {}).items()
        if yes and pid not in team_people.get(meeting.team_id, {})
    }
    guests = {p.id: p for p in session.exec(select(Person).where(col(Person.id).in_(outside))).all()} if outside else {}
    found: dict[int, list[Person]] = {}
    for meeting in physical:
        assert meeting.id is not None
        people = team_people.get(meeting.team_id, {})
        if meeting.id in attended:
            came = attended[meeting.id]
            extra = [guests.get(pid) for pid, yes in came.items() if yes and pid not in people]
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
    return _unreachable(session, {region.id: among}).get(region.id, [])


def _unreachable(session: Session, among_by_region: dict[int | None, set[int]]) -> dict[int | None, list[str]]:
    """`unreachable` of each region's people, in three statements for all the regions."""
    among = set().union(*among_by_region.values())
    people = session.exec(
        select(Person).where(col(Person.region_id).in_(list(among_by_region)), col(Person.id).in_(among))
    ).all()
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
    found: dict[int | None, list[str]] = {}
    for region_id, theirs in among_by_region.items():
        found[region_id] = sorted(
            p.email
            for p in people
            if p.region_id == region_id
            and p.id in theirs
            and (p.id in failed or (not p.slack_user_id and p.id not in addressed and p.id not in mailed))
        )
    return found
