"""The reminder rules of the yearly cycle (DESIGN.md, "The yearly cycle"), as plain functions.

Each rule looks at a `World` and an instant and returns the reminders due then, each with a stable
key (rule, subject, occurrence): the sweep sends a key once, ever. Where a rule has stages (21, 14
and 7 days before a network day), only the latest stage that has come is due, so a sweep after
downtime sends one reminder, not a pile. A rule is silent once its duty is done or its point has
passed (no "send the notice" after the meeting). The lead times are the region's settings.
"""

from __future__ import annotations

import datetime as dtm
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from domain.reminders import Rule, SweepProblem
from scheduler.data import Gathering, Someone, World
from scheduler.windows import manager_report_stage, report_escalation_open, team_choice_week
from storage import schoolyear
from storage.models import GroupKind, MeetingKind, Region, Role, SchoolYear
from storage.settings import RegionSettings


@dataclass(frozen=True)
class Due:
    """One reminder to one person. `context` holds what its text needs (ids, names, dates)."""

    rule: Rule
    subject: str
    occurrence: str
    recipient_id: int
    context: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Problem:
    """Something a sweep could not do, for `remind` and the coordinator's status."""

    region: str
    problem: str
    detail: str

    def as_dict(self) -> dict[str, str]:
        return {"region": self.region, "problem": self.problem, "detail": self.detail}


@dataclass
class Today:
    """What every rule needs to know about one region at the sweep's instant."""

    world: World
    region: Region
    settings: RegionSettings
    zone: ZoneInfo
    now: dtm.datetime
    day: dtm.date
    current: SchoolYear
    coming: SchoolYear
    deciding: SchoolYear  # the year whose teams are being decided (domain.teams.deciding_label)
    problems: list[Problem] = field(default_factory=list)

    @functools.cached_property
    def region_id(self) -> int:  # asked all the time: read from the ORM entity once
        assert self.region.id is not None
        return self.region.id

    def local_day(self, instant: dtm.datetime) -> dtm.date:
        return instant.astimezone(self.zone).date()

    def coordinators(self) -> list[Someone]:
        found = self.world.with_role(self.region_id, Role.COORDINATOR)
        if not found:
            self.problem(SweepProblem.NO_COORDINATOR, self.region.name)
        return found

    def leaders(self, team_id: int, year_id: int) -> list[Someone]:
        found = [self.world.people[p] for p in self.world.leaders.get((team_id, year_id), []) if p in self.world.people]
        if not found:
            self.problem(SweepProblem.TEAM_WITHOUT_LEADER, self.world.teams[team_id].name)
        return found

    @functools.cached_property
    def teachers_by_school(self) -> dict[int | None, list[Someone]]:
        """The region's teachers by school, once per sweep (the school rules ask per school)."""
        found: dict[int | None, list[Someone]] = {}
        for person in _teachers(self):
            found.setdefault(person.school_id, []).append(person)
        return found

    def problem(self, kind: SweepProblem, detail: str) -> None:
        entry = Problem(self.region.key, kind, detail)
        if entry not in self.problems:
            self.problems.append(entry)


def _latest_stage(day: dtm.date, anchor: dtm.date, offsets: Iterable[int]) -> int | None:
    """The latest offset (days after `anchor`, negative before it) whose day has come."""
    come = [n for n in offsets if anchor + dtm.timedelta(days=n) <= day]
    return max(come) if come else None


def _to(people: Iterable[Someone], rule: Rule, subject: str, occurrence: str, **context: Any) -> list[Due]:
    return [Due(rule, f"{subject}/p{p.id}", occurrence, p.id, context) for p in people if p.id is not None]


def _teachers(t: Today) -> list[Someone]:
    return t.world.with_role(t.region_id, Role.TEACHER)


# Team choice and memberships -----------------------------------------------------------------


def _placed(t: Today, person: Someone, year: SchoolYear) -> bool:
    """In a team that year: a member, or a leader (who is in the team they lead, membership or not)."""
    return (person.id or 0, year.id or 0) in t.world.memberships or (person.id or 0) in t.world.leading(year.id or 0)


def team_choice(t: Today) -> list[Due]:
    """From 1 May, weekly until chosen: teachers without a team for the year being decided.

    Only where the framework has a yearly team choice (not Västmanland's or Sjuhärad's).
    """
    week = team_choice_week(t.settings, t.current, t.day)
    if week is None:
        return []
    assert t.deciding.id is not None
    due: list[Due] = []
    for person in _teachers(t):
        if not _placed(t, person, t.deciding):
            now_in = t.world.memberships.get((person.id or 0, t.current.id or 0))
            team = t.world.teams.get(now_in.team_id) if now_in is not None and t.deciding.id != t.current.id else None
            keep = {"team": team.name, "team_id": team.id} if team is not None else {}  # "Stanna i Stråk" in one click
            due += _to([person], Rule.TEAM_CHOICE, f"{t.deciding.label}", f"week{week}", year=t.deciding.label, **keep)
    return due


def _school_pending(t: Today, school_id: int) -> tuple[list[Someone], list[Someone]]:
    """Teachers of the school without a team, and those whose choice is not confirmed, for the year being decided."""
    assert t.deciding.id is not None
    without, unconfirmed = [], []
    for person in t.teachers_by_school.get(school_id, []):
        member = t.world.memberships.get((person.id or 0, t.deciding.id))
        if member is None:
            if not _placed(t, person, t.deciding):
                without.append(person)
        elif member.confirmed_at is None:
            unconfirmed.append(person)
    return without, unconfirmed


def _schools_with_teachers(t: Today) -> list[int]:
    """The region's schools with teachers, by name."""
    with_teachers = t.world.schools_with_teachers
    schools = [s for s in t.world.schools.values() if s.region_id == t.region_id and s.id in with_teachers]
    return [s.id for s in sorted(schools, key=lambda s: s.name) if s.id is not None]


def _not_reported(t: Today) -> list[int]:
    """The region's schools with teachers that have not reported their teams for the year being decided, by name."""
    assert t.deciding.id is not None
    return [s for s in _schools_with_teachers(t) if (s, t.deciding.id) not in t.world.reported]


def manager_report(t: Today) -> list[Due]:
    """Managers, about the year being decided: on 15 and 25 May those whose school has not reported or has
    choices not confirmed; after the 1 June deadline, weekly, those whose school still has choices not
    confirmed (reported or not), until every one is confirmed or the next year's choice opens.

    Only where the framework has the managers' report."""
    come = manager_report_stage(t.settings, t.deciding, t.day)
    if come is None:
        return []
    stage, deadline, late = come.stage, come.deadline, come.late
    not_reported = set(_not_reported(t))
    due: list[Due] = []
    for school_id in _schools_with_teachers(t):
        without, unconfirmed = _school_pending(t, school_id)
        if not unconfirmed and (late or school_id not in not_reported):
            continue
        managers = [p for p in t.world.with_role(t.region_id, Role.MANAGER) if p.school_id == school_id]
        if not managers:
            t.problem(SweepProblem.SCHOOL_WITHOUT_MANAGER, t.world.schools[school_id].name)
            continue
        due += _to(
            managers,
            Rule.MANAGER_REPORT,
            f"{t.deciding.label}:school{school_id}",
            stage.isoformat(),
            year=t.deciding.label,
            deadline=deadline.isoformat(),
            without=len(without),
            unconfirmed=len(unconfirmed),
            reported=school_id not in not_reported,
            late=late,
        )
    return due


def report_escalation(t: Today) -> list[Due]:
    """2 June: the coordinator gets the schools that have not reported (where the framework has the report)."""
    if not report_escalation_open(t.settings, t.current, t.day):
        return []
    missing = [t.world.schools[s].name for s in _not_reported(t)]
    if not missing:
        return []
    return _to(
        t.coordinators(),
        Rule.REPORT_ESCALATION,
        f"{t.deciding.label}:region{t.region_id}",
        "once",
        year=t.deciding.label,
        schools=missing,
    )


def yearly_check(t: Today) -> list[Due]:
    """1 May: teams without leaders for the coming year, and the yearly revision of the framework."""
    start = t.settings.yearly_check.in_year(t.current.ends_on.year)
    if not start <= t.day <= t.current.ends_on:
        return []
    assert t.coming.id is not None
    due: list[Due] = []
    leaderless = [
        team.name
        for team in t.world.teams_of(t.region_id)
        if t.settings.duties.team_choice
        and team.kind == GroupKind.SUBJECT_TEAM
        and not t.world.leaders.get((team.id or 0, t.coming.id))
    ]
    if leaderless:
        due += _to(
            t.coordinators(),
            Rule.LEADERS_MISSING,
            f"{t.coming.label}:region{t.region_id}",
            "once",
            year=t.coming.label,
            teams=leaderless,
        )
    revised = t.coming.label in (t.settings.framework_revised_for, t.region.framework_version)
    if t.settings.duties.yearly_revision and not revised:
        due += _to(
            t.coordinators(),
            Rule.FRAMEWORK_REVISION,
            f"{t.coming.label}:region{t.region_id}",
            "once",
            year=t.coming.label,
            title=t.region.framework_title or "",
        )
    return due


# Meetings ------------------------------------------------------------------------------------


def _region_meetings(t: Today) -> list[Gathering]:
    return t.world.meetings_of(t.region_id)


def _year_of(t: Today, day: dtm.date) -> SchoolYear | None:
    return t.world.year(schoolyear.label_for(day))


def notices(t: Today) -> list[Due]:
    """21, 14 and 7 days before a network day (or a meeting on another day): leaders without a notice sent.

    A team without a meeting that day is asked to plan one only while it has fewer than the yearly minimum,
    and a team with nobody in it that year (no member, no leader) is not asked at all. From 7 days before,
    the coordinator gets the late teams, each with its leaders (or none).
    """
    due: list[Due] = []
    meetings = _region_meetings(t)
    decided_days = t.settings.duties.meeting_days_decided_by != "leaders"  # else the groups plan their own days
    days = [d for d in t.world.network_days if d.region_id == t.region_id and d.date > t.day and decided_days]
    late_by_day: dict[dtm.date, dict[str, list[str]]] = {}  # day -> late team -> its leaders
    for network_day in days:
        stage = _latest_stage(t.day, network_day.date, [-n for n in t.settings.notice_days_before])
        year = _year_of(t, network_day.date)
        if stage is None or year is None or year.id is None:
            continue
        for team in t.world.teams_of(t.region_id):
            assert team.id is not None
            of_team = [m for m in meetings if m.team_id == team.id and m.school_year_id == year.id]
            that_day = [m for m in of_team if t.local_day(m.starts_at) == network_day.date]
            if any(m.notice_sent_at is not None for m in that_day):
                continue
            if not that_day and len(of_team) >= t.settings.meetings_per_year_min:
                continue
            if not that_day and not t.world.staffed(team.id, year.id):
                continue  # nobody in the team this year: nothing to plan
            meeting = that_day[0] if that_day else None
            if meeting is not None and meeting.starts_at <= t.now:
                continue
            leaders = t.leaders(team.id, year.id)
            due += _to(
                leaders,
                Rule.NOTICE,
                f"team{team.id}:{network_day.date.isoformat()}",
                f"d{stage}",
                team=team.name,
                date=network_day.date.isoformat(),
                meeting_id=meeting.id if meeting else None,
            )
            if -stage <= t.settings.notice_coordinator_copy_days_before:
                late_by_day.setdefault(network_day.date, {})[team.name] = [p.name for p in leaders]
    network_dates = {d.date for d in t.world.network_days if d.region_id == t.region_id}
    for meeting in meetings:
        day = t.local_day(meeting.starts_at)
        if day in network_dates or meeting.notice_sent_at is not None or meeting.starts_at <= t.now:
            continue
        stage = _latest_stage(t.day, day, [-n for n in t.settings.notice_days_before])
        if stage is None:
            continue
        team = t.world.teams[meeting.team_id]
        leaders = t.leaders(meeting.team_id, meeting.school_year_id)
        due += _to(
            leaders,
            Rule.NOTICE,
            f"meeting{meeting.id}",
            f"d{stage}",
            team=team.name,
            date=day.isoformat(),
            meeting_id=meeting.id,
        )
        if -stage <= t.settings.notice_coordinator_copy_days_before:
            late_by_day.setdefault(day, {})[team.name] = [p.name for p in leaders]
    for day, teams in sorted(late_by_day.items()):
        due += _to(
            t.coordinators(),
            Rule.NOTICE_ESCALATION,
            f"region{t.region_id}:{day.isoformat()}",
            "copy",
            date=day.isoformat(),
            teams=sorted(teams),
            leaders=[teams[name] for name in sorted(teams)],
        )
    return due


def framework(t: Today) -> list[Due]:
    """Before the year's first meeting: review the framework there; after it: confirm, then escalate.

    Only where the framework asks for the review (Västerbotten's "går igenom detta dokument")."""
    due: list[Due] = []
    if not t.settings.duties.framework_review:
        return due
    for meeting in _region_meetings(t):
        if not meeting.first_of_year or meeting.framework_reviewed_at is not None:
            continue
        team = t.world.teams[meeting.team_id]
        day = t.local_day(meeting.starts_at)
        year = next((y for y in t.world.years.values() if y.id == meeting.school_year_id), None)
        context = {"team": team.name, "date": day.isoformat(), "meeting_id": meeting.id}
        if meeting.starts_at > t.now:
            # the notice of the first meeting already tells the team (leaders included) about the review
            if meeting.notice_sent_at is None and t.day >= day - dtm.timedelta(
                days=t.settings.framework_reminder_days_before
            ):
                due += _to(
                    t.leaders(meeting.team_id, meeting.school_year_id),
                    Rule.FRAMEWORK_BEFORE,
                    f"meeting{meeting.id}",
                    "before",
                    title=t.region.framework_title or "",
                    link=t.region.framework_url or "",
                    **context,
                )
            continue
        if year is None or t.day > year.ends_on:
            continue
        if t.day >= day + dtm.timedelta(days=t.settings.framework_confirm_days_after):
            due += _to(
                t.leaders(meeting.team_id, meeting.school_year_id),
                Rule.FRAMEWORK_CONFIRM,
                f"meeting{meeting.id}",
                "after",
                **context,
            )
        if t.day >= day + dtm.timedelta(days=t.settings.framework_escalation_days_after):
            leaders = [p.name for p in t.leaders(meeting.team_id, meeting.school_year_id)]
            due += _to(
                t.coordinators(), Rule.FRAMEWORK_ESCALATION, f"meeting{meeting.id}", "late", leaders=leaders, **context
            )
    return due


def notes(t: Today) -> list[Due]:
    """2 and 7 days after a meeting: leaders whose notes are not distributed; 10 days: the coordinator."""
    due: list[Due] = []
    for meeting in _region_meetings(t):
        if meeting.notes_distributed_at is not None or meeting.ends_at > t.now:
            continue
        year = next((y for y in t.world.years.values() if y.id == meeting.school_year_id), None)
        if year is None or t.day > year.ends_on:
            continue
        team = t.world.teams[meeting.team_id]
        day = t.local_day(meeting.starts_at)
        context = {"team": team.name, "date": day.isoformat(), "meeting_id": meeting.id}
        stage = _latest_stage(t.day, day, t.settings.notes_days_after)
        if stage is not None:
            due += _to(
                t.leaders(meeting.team_id, meeting.school_year_id),
                Rule.NOTES,
                f"meeting{meeting.id}",
                f"d{stage}",
                coordinator=bool(t.world.with_role(t.region_id, Role.COORDINATOR)),  # the notes go to them too
                **context,
            )
        if t.day >= day + dtm.timedelta(days=t.settings.notes_escalation_days_after):
            leading = t.leaders(meeting.team_id, meeting.school_year_id)
            leaders = [p.name for p in leading]
            others = [p for p in t.coordinators() if p not in leading]  # a coordinator who leads it had the reminder
            due += _to(others, Rule.NOTES_ESCALATION, f"meeting{meeting.id}", "late", leaders=leaders, **context)
    return due


# The framework's goals (issue 17) ------------------------------------------------------------------


def _goal(t: Today) -> dict[str, int]:
    """The meeting goals the texts quote ("2–3 träffar per läsår, minst en fysisk")."""
    return {
        "goal_min": t.settings.meetings_per_year_min,
        "goal_max": t.settings.meetings_per_year_max,
        "physical_min": t.settings.physical_meetings_min,
    }


def meeting_goals(t: Today) -> list[Due]:
    """From the goals alert (15 March) to the end of the school year, once per team and year: the leaders of a
    team with fewer meetings planned this year than `meetings_per_year_min`, or fewer physical ones than
    `physical_meetings_min`, while there is still time to plan them; the coordinator gets the teams in one
    message. A team with nobody in it that year is not asked. Only where the framework has meeting goals.
    """
    if not t.settings.duties.meeting_goals:
        return []
    alert = t.settings.goals_alert.in_year(t.current.ends_on.year)
    if not alert <= t.day <= t.current.ends_on:
        return []
    year_id = t.current.id
    assert year_id is not None
    meetings = [m for m in _region_meetings(t) if m.school_year_id == year_id]
    due: list[Due] = []
    below: list[tuple[str, int, int, list[str]]] = []  # team, meetings, physical ones, leaders
    for team in t.world.teams_of(t.region_id):
        assert team.id is not None
        if not t.world.staffed(team.id, year_id):
            continue
        of_team = [m for m in meetings if m.team_id == team.id]
        physical = sum(1 for m in of_team if m.kind == MeetingKind.PHYSICAL.value)
        if len(of_team) >= t.settings.meetings_per_year_min and physical >= t.settings.physical_meetings_min:
            continue
        leaders = t.leaders(team.id, year_id)
        due += _to(
            leaders,
            Rule.MEETING_GOALS,
            f"{t.current.label}:team{team.id}",
            "once",
            team=team.name,
            year=t.current.label,
            meetings=len(of_team),
            physical=physical,
            **_goal(t),
        )
        below.append((team.name, len(of_team), physical, [p.name for p in leaders]))
    if below:
        due += _to(
            t.coordinators(),
            Rule.MEETING_GOALS_ESCALATION,
            f"{t.current.label}:region{t.region_id}",
            "once",
            year=t.current.label,
            teams=[name for name, _, _, _ in below],
            meetings=[count for _, count, _, _ in below],
            physical=[count for _, _, count, _ in below],
            leaders=[names for _, _, _, names in below],
            **_goal(t),
        )
    return due


def network_days(t: Today) -> list[Due]:
    """From 15 May, weekly until the end of June: the coordinator, while the coming school year has no network
    day (the teams plan their meetings on them, and the notices count back from them).

    Only where the manager network decides the meeting days (Västerbotten); after 30 June the missing days
    are the current year's, which the sweep reports as a problem (`no_network_days`).
    """
    if t.settings.duties.meeting_days_decided_by != "manager_network":
        return []
    opens = t.settings.network_days_reminder.in_year(t.current.ends_on.year)
    if not opens <= t.day <= t.current.ends_on:
        return []
    coming = t.coming
    if any(d.region_id == t.region_id and coming.starts_on <= d.date <= coming.ends_on for d in t.world.network_days):
        return []
    week = (t.day - opens).days // t.settings.network_days_repeat_days
    return _to(
        t.coordinators(), Rule.NETWORK_DAYS, f"{coming.label}:region{t.region_id}", f"week{week}", year=coming.label
    )


def attendance(t: Today) -> list[Due]:
    """1 and 5 days after a physical meeting has ended: its leaders, until they confirm who attended (the host
    school's cost is divided by it and cannot be entered before), or the school year ends.

    Only where the framework splits the cost of a meeting (Västerbotten's host school invoices per participant).
    """
    if t.settings.duties.cost_split == "none":
        return []
    due: list[Due] = []
    for meeting in _region_meetings(t):
        if meeting.kind != MeetingKind.PHYSICAL.value or meeting.ends_at > t.now:
            continue
        if meeting.id in t.world.attendance_confirmed:
            continue
        year = next((y for y in t.world.years.values() if y.id == meeting.school_year_id), None)
        if year is None or t.day > year.ends_on:
            continue
        day = t.local_day(meeting.starts_at)
        stage = _latest_stage(t.day, day, t.settings.attendance_days_after)
        if stage is None:
            continue
        due += _to(
            t.leaders(meeting.team_id, meeting.school_year_id),
            Rule.ATTENDANCE,
            f"meeting{meeting.id}",
            f"d{stage}",
            team=t.world.teams[meeting.team_id].name,
            date=day.isoformat(),
            meeting_id=meeting.id,
        )
    return due


def coordinator_digest(t: Today) -> list[Due]:
    """Once a week, at the first sweep from Monday: the coordinators who asked for it ("veckobrev" in the chat)
    get last week's meetings, notices and notes, and what is late now, by team."""
    wanting = [p for p in t.world.with_role(t.region_id, Role.COORDINATOR) if p.weekly_digest]
    if not wanting:
        return []
    monday = t.day - dtm.timedelta(days=t.day.weekday())
    since = monday - dtm.timedelta(days=7)
    happened: dict[str, list[str]] = {}  # team -> "held:2026-11-26", "notice:…", "notes:…"
    late: dict[str, list[str]] = {}  # team -> "notice:…" (a meeting within a week), "notes:…"

    def within(instant: dtm.datetime | None) -> bool:
        return instant is not None and since <= t.local_day(instant) < monday

    for meeting in _region_meetings(t):
        team = t.world.teams[meeting.team_id].name
        day = t.local_day(meeting.starts_at).isoformat()
        if within(meeting.starts_at):
            happened.setdefault(team, []).append(f"held:{day}")
        if within(meeting.notice_sent_at):
            happened.setdefault(team, []).append(f"notice:{day}")
        if within(meeting.notes_distributed_at):
            happened.setdefault(team, []).append(f"notes:{day}")
        days_ahead = (t.local_day(meeting.starts_at) - t.day).days
        if meeting.notice_sent_at is None and meeting.starts_at > t.now and days_ahead <= 7:
            late.setdefault(team, []).append(f"notice:{day}")
        year = next((y for y in t.world.years.values() if y.id == meeting.school_year_id), None)
        days_after = (t.day - t.local_day(meeting.starts_at)).days
        if (
            meeting.notes_distributed_at is None
            and meeting.ends_at <= t.now
            and days_after >= t.settings.notes_escalation_days_after
            and year is not None
            and t.day <= year.ends_on
        ):
            late.setdefault(team, []).append(f"notes:{day}")
    iso = t.day.isocalendar()
    return _to(
        wanting,
        Rule.COORDINATOR_DIGEST,
        f"region{t.region_id}",
        f"{iso.year}-W{iso.week:02d}",
        week=iso.week,
        since=since.isoformat(),
        happened={team: happened[team] for team in sorted(happened)},
        late={team: late[team] for team in sorted(late)},
    )


RULES: tuple[Callable[[Today], list[Due]], ...] = (
    team_choice,
    manager_report,
    report_escalation,
    yearly_check,
    notices,
    framework,
    notes,
    meeting_goals,
    network_days,
    attendance,
    coordinator_digest,
)
