"""The coordinator's status of a region and school year, as typed data.

`RegionStatus.model_dump(mode="json")` is the public status contract (`amneslag status --format json`,
README "Status"); `storage.status.build_status` fills it from the database, and the dialogs and the
command line read its fields. The figures derived from it (a team's row in the CSV and the text table,
its goals) are computed here, once.
"""

from __future__ import annotations

from pydantic import BaseModel

from domain.settings import RegionSettings

PHYSICAL = "physical"


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
