"""What the reminder rules look at, read in a fixed number of queries (none per region, team or person).

The rules are plain functions of this snapshot and an instant, so a sweep is deterministic and the
number of SQL statements it runs does not grow with the size of the data. Nor does what it reads while
nothing is due: the small tables (regions, school years, teams, leaderships, meetings, network days) are
read whole, but people only as far as an open rule needs them. The coordinators, the leaders and the
managers of schools with something to report are few; teachers are read only while a rule about them is
open (`scheduler.windows`): in the team choice, only those without a team who have not had this week's
reminder (an anti-join on `sent_reminder`); for the managers' report, only the teachers of the schools that
have choices unconfirmed or, before the deadline, have not reported.
"""

from __future__ import annotations

import datetime as dtm
from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, col, select

from domain.reminders import Rule
from domain.teams import deciding_label
from scheduler.windows import manager_report_stage, report_escalation_open, team_choice_week
from scheduler.working import is_working_moment, local_today
from storage import schoolyear
from storage.models import (
    TEACHER_GROUPS,
    Attendance,
    ConversationAddress,
    Leadership,
    Meeting,
    Membership,
    MembershipReport,
    NetworkDay,
    Person,
    PersonRole,
    Region,
    Role,
    School,
    SchoolYear,
    SentReminder,
    Team,
    table_of,
)
from storage.settings import RegionSettings


@dataclass(frozen=True, slots=True)
class Someone:
    """A person as the rules and the sweep need them: read as plain columns, not as ORM entities."""

    id: int
    name: str
    email: str
    region_id: int
    school_id: int | None
    language: str
    slack_user_id: str | None
    weekly_digest: bool


@dataclass(frozen=True, slots=True)
class Gathering:
    """A meeting as the rules need it (a `Meeting`'s columns, read plainly)."""

    id: int
    team_id: int
    school_year_id: int
    starts_at: dtm.datetime
    ends_at: dtm.datetime
    kind: str
    first_of_year: bool
    notice_sent_at: dtm.datetime | None
    notes_distributed_at: dtm.datetime | None
    framework_reviewed_at: dtm.datetime | None


@dataclass(frozen=True, slots=True)
class Group:
    """A team or another group, as the rules need it."""

    id: int
    region_id: int
    name: str
    kind: str
    position: int


class Member(NamedTuple):
    """A membership as the rules need it."""

    team_id: int
    confirmed_at: dtm.datetime | None


@dataclass
class World:
    """The data of every region, for the current school year and the coming one, as far as the open rules need it."""

    regions: list[Region]
    settings: dict[int, RegionSettings]
    years: dict[str, SchoolYear]
    schools: dict[int, School]
    people: dict[int, Someone]  # the people read (see the module's docstring), not everyone
    roles: dict[int, set[str]]
    teams: dict[int, Group]  # every active group; `teams_of` gives a region's groups of teachers
    memberships: dict[tuple[int, int], Member]  # (person, year) -> membership, of the teachers read
    leaders: dict[tuple[int, int], list[int]]  # (team, year) -> people, by slot
    meetings: list[Gathering]
    network_days: list[NetworkDay]
    reported: set[tuple[int, int]]  # (school, year)
    reachable: set[int]  # people with a Slack id or a stored Teams conversation
    staffed_teams: set[tuple[int, int]] = field(default_factory=set)  # (team, year) with a member or a leader
    schools_with_teachers: set[int] = field(default_factory=set)  # of the regions whose managers' rules are open
    attendance_confirmed: set[int] = field(default_factory=set)  # meetings whose attendance is confirmed
    people_by_region: dict[int, list[Someone]] = field(default_factory=dict)
    _leading: dict[int, set[int]] = field(default_factory=dict, repr=False)  # year -> its leaders, once computed
    _by_role: dict[tuple[int, str], list[Someone]] = field(default_factory=dict, repr=False)  # once per sweep
    _meetings_by_region: dict[int, list[Gathering]] | None = field(default=None, repr=False)

    def meetings_of(self, region_id: int) -> list[Gathering]:
        """The meetings of the region's teams, in `meetings`' order (sorted out once per sweep)."""
        if self._meetings_by_region is None:
            self._meetings_by_region = {}
            for meeting in self.meetings:
                team = self.teams.get(meeting.team_id)
                if team is not None:
                    self._meetings_by_region.setdefault(team.region_id, []).append(meeting)
        return list(self._meetings_by_region.get(region_id, []))

    def with_role(self, region_id: int, role: Role) -> list[Someone]:
        """The region's people read with `role`, in `people_by_region`'s order (the rules ask per school and per
        team, so this is sorted out once per sweep)."""
        if not self._by_role:
            for region, people in self.people_by_region.items():
                for person in people:
                    for held in self.roles.get(person.id, ()):
                        self._by_role.setdefault((region, held), []).append(person)
        return list(self._by_role.get((region_id, role.value), []))

    def teams_of(self, region_id: int, kinds: tuple[str, ...] = TEACHER_GROUPS) -> list[Group]:
        """The region's active groups of `kinds`: by default those of teachers (the subject teams, the networks)."""
        return sorted(
            (t for t in self.teams.values() if t.region_id == region_id and t.kind in kinds),
            key=lambda t: (t.position, t.name),
        )

    def year(self, label: str) -> SchoolYear | None:
        return self.years.get(label)

    def staffed(self, team_id: int, year_id: int) -> bool:
        """Whether the team has anybody that year: a member or a leader."""
        return (team_id, year_id) in self.staffed_teams

    def leading(self, year_id: int) -> set[int]:
        """The people who lead a team in the year."""
        if year_id not in self._leading:
            self._leading[year_id] = {
                p for (_, year), people in self.leaders.items() if year == year_id for p in people
            }
        return self._leading[year_id]


_PERSON = table_of(Person)
_ROLE = table_of(PersonRole)
_MEMBERSHIP = table_of(Membership)
_LEADERSHIP = table_of(Leadership)
_SENT = table_of(SentReminder)
_ADDRESS = table_of(ConversationAddress)


def _holds(role: Role) -> sa.ColumnElement[bool]:
    return sa.exists().where(_ROLE.c.person_id == _PERSON.c.id, _ROLE.c.role == role.value)


def _with_role(role: Role) -> sa.Select[tuple[int]]:
    return sa.select(_ROLE.c.person_id).where(_ROLE.c.role == role.value)


def _teams_address() -> sa.ColumnElement[bool]:
    return sa.exists().where(_ADDRESS.c.person_id == _PERSON.c.id, _ADDRESS.c.platform == "teams")


def _unchosen(region_ids: list[int], deciding: SchoolYear, week: int) -> sa.Select[tuple[int]]:
    """The regions' teachers without a team in the year being decided (neither a member nor a leader) who have
    not had this week's reminder to choose; those the bot cannot reach are kept (the sweep reports them)."""
    subject = sa.literal(f"{deciding.label}/p", sa.String) + sa.cast(_PERSON.c.id, sa.String)
    sent = sa.exists().where(
        _SENT.c.rule == Rule.TEAM_CHOICE.value,
        _SENT.c.occurrence == f"week{week}",
        _SENT.c.subject == subject,
    )
    unreachable = sa.and_(
        sa.or_(_PERSON.c.slack_user_id.is_(None), _PERSON.c.slack_user_id == ""), sa.not_(_teams_address())
    )
    return sa.select(_PERSON.c.id).where(
        _PERSON.c.region_id.in_(region_ids),
        _holds(Role.TEACHER),
        sa.not_(
            sa.exists().where(_MEMBERSHIP.c.person_id == _PERSON.c.id, _MEMBERSHIP.c.school_year_id == deciding.id)
        ),
        sa.not_(
            sa.exists().where(_LEADERSHIP.c.person_id == _PERSON.c.id, _LEADERSHIP.c.school_year_id == deciding.id)
        ),
        sa.or_(sa.not_(sent), unreachable),
    )


def load(session: Session, instant: dtm.datetime, regions: list[Region]) -> World:
    """The snapshot for a sweep at `instant` of `regions` (the school years around it are created if missing)."""
    day = instant.astimezone(dtm.UTC).date()
    current = schoolyear.get_or_create(session, schoolyear.label_for(day))
    coming = schoolyear.get_or_create(session, schoolyear.following(current.label))
    years = {current.label: current, coming.label: coming}
    year_ids = [y.id for y in years.values() if y.id is not None]
    settings = {r.id: RegionSettings.model_validate(r.settings) for r in regions if r.id is not None}

    # Which of the rules about teachers are open, region by region (the rules ask the same windows).
    choosing: dict[tuple[int, int], list[int]] = defaultdict(list)  # (year being decided, week) -> regions
    reporting: dict[int, list[tuple[int, bool | None]]] = defaultdict(list)  # year being decided -> (region, late)
    for region in regions:
        assert region.id is not None
        zone = ZoneInfo(region.timezone)
        if not is_working_moment(instant, zone, settings[region.id]):
            continue
        local = local_today(instant, zone)
        this = years.get(schoolyear.label_for(local))
        deciding = years.get(deciding_label(local, settings[region.id]))
        if this is None or deciding is None or deciding.id is None:
            continue
        week = team_choice_week(settings[region.id], this, local)
        if week is not None:
            choosing[(deciding.id, week)].append(region.id)
        stage = manager_report_stage(settings[region.id], deciding, local)
        if stage is not None or report_escalation_open(settings[region.id], this, local):
            reporting[deciding.id].append((region.id, stage.late if stage is not None else None))

    by_id = {y.id: y for y in years.values()}
    schools = {s.id: s for s in session.exec(select(School)).all() if s.id is not None}
    reported = {
        (r.school_id, r.school_year_id)
        for r in session.exec(select(MembershipReport).where(col(MembershipReport.school_year_id).in_(year_ids))).all()
    }
    with_teachers: set[int] = set()
    candidates: set[int] = set()  # schools whose teachers the managers' report counts
    reporting_regions = [region_id for entries in reporting.values() for region_id, _ in entries]
    if reporting_regions:
        school = table_of(School)
        with_teachers = set(
            session.connection()
            .execute(
                sa.select(school.c.id).where(
                    school.c.region_id.in_(reporting_regions),
                    sa.exists().where(_PERSON.c.school_id == school.c.id, _holds(Role.TEACHER)),
                )
            )
            .scalars()
        )
        unconfirmed = (
            sa.select(_PERSON.c.school_id, _MEMBERSHIP.c.school_year_id)
            .distinct()
            .select_from(_MEMBERSHIP.join(_PERSON, _PERSON.c.id == _MEMBERSHIP.c.person_id))
            .where(
                _MEMBERSHIP.c.school_year_id.in_(list(reporting)),
                _MEMBERSHIP.c.confirmed_at.is_(None),
                _PERSON.c.region_id.in_(reporting_regions),
                _holds(Role.TEACHER),
            )
        )
        pending = {(s, y) for s, y in session.connection().execute(unconfirmed) if s is not None}
        for year_id, entries in reporting.items():
            for region_id, late in entries:
                if late is None:
                    continue  # only the coordinator's list is due: it needs no teacher
                of_region = {s for s in with_teachers if schools[s].region_id == region_id}
                candidates |= {s for s in of_region if (s, year_id) in pending}
                if not late:
                    candidates |= {s for s in of_region if (s, year_id) not in reported}

    wanted = [  # the people the open rules need, by id
        _with_role(Role.COORDINATOR),
        sa.select(_LEADERSHIP.c.person_id).where(_LEADERSHIP.c.school_year_id.in_(year_ids)),
    ]
    teaching = [_unchosen(ids, by_id[year_id], week) for (year_id, week), ids in choosing.items()]
    if candidates:
        at_candidates = sa.select(_PERSON.c.id).where(_PERSON.c.school_id.in_(sorted(candidates)))
        teaching.append(at_candidates.where(sa.or_(_holds(Role.TEACHER), _holds(Role.MANAGER))))
    wanted += teaching
    rows = session.connection().execute(
        sa.select(
            _PERSON.c.id,
            _PERSON.c.name,
            _PERSON.c.email,
            _PERSON.c.region_id,
            _PERSON.c.school_id,
            _PERSON.c.language,
            _PERSON.c.slack_user_id,
            _PERSON.c.weekly_digest,
            _holds(Role.TEACHER).label("teacher"),
            _holds(Role.MANAGER).label("manager"),
            _holds(Role.COORDINATOR).label("coordinator"),
            _teams_address().label("teams_address"),
            _MEMBERSHIP.c.school_year_id,
            _MEMBERSHIP.c.team_id,
            _MEMBERSHIP.c.confirmed_at,
        )
        .select_from(
            _PERSON.outerjoin(
                _MEMBERSHIP,
                sa.and_(_MEMBERSHIP.c.person_id == _PERSON.c.id, _MEMBERSHIP.c.school_year_id.in_(year_ids)),
            )
        )
        .where(_PERSON.c.id.in_(sa.union(*wanted)))
        .order_by(_PERSON.c.name, _PERSON.c.id)
    )
    people: dict[int, Someone] = {}
    roles: dict[int, set[str]] = {}
    reachable: set[int] = set()
    memberships: dict[tuple[int, int], Member] = {}
    by_region: dict[int, list[Someone]] = defaultdict(list)
    for row in rows:  # a person on one row per membership of the two years, or on one row without any
        if row[0] not in people:
            person = Someone(*row[:8])
            people[person.id] = person
            by_region[person.region_id].append(person)
            roles[person.id] = {
                role.value
                for role, held in ((Role.TEACHER, row[8]), (Role.MANAGER, row[9]), (Role.COORDINATOR, row[10]))
                if held
            }
            if person.slack_user_id or row[11]:
                reachable.add(person.id)
        if row[12] is not None:
            memberships[(row[0], row[12])] = Member(row[13], row[14])

    leaders: dict[tuple[int, int], list[int]] = defaultdict(list)
    for lead in session.exec(
        select(Leadership).where(col(Leadership.school_year_id).in_(year_ids)).order_by(col(Leadership.slot))
    ).all():
        leaders[(lead.team_id, lead.school_year_id)].append(lead.person_id)
    team = table_of(Team)
    meeting = table_of(Meeting)
    staffed = sa.select(  # per team and year, one look in the membership index: not every membership
        team.c.id,
        *(
            sa.exists().where(_MEMBERSHIP.c.team_id == team.c.id, _MEMBERSHIP.c.school_year_id == year_id)
            for year_id in year_ids
        ),
    )
    staffed_teams = {
        (team_id, year_id)
        for team_id, *flags in session.connection().execute(staffed)
        for year_id, flag in zip(year_ids, flags, strict=True)
        if flag
    } | {key for key, ids in leaders.items() if ids}
    return World(
        regions=regions,
        settings=settings,
        years=years,
        schools=schools,
        people=people,
        roles=roles,
        teams={
            row[0]: Group(*row)
            for row in session.connection().execute(  # every group's meetings are reminded
                sa.select(team.c.id, team.c.region_id, team.c.name, team.c.kind, team.c.position).where(team.c.active)
            )
        },
        memberships=memberships,
        leaders=dict(leaders),
        meetings=[
            Gathering(*row)
            for row in session.connection().execute(
                sa.select(*(meeting.c[name] for name in Gathering.__slots__))
                .where(meeting.c.school_year_id.in_(year_ids), meeting.c.cancelled_at.is_(None))
                .order_by(meeting.c.starts_at)
            )
        ],
        network_days=list(
            session.exec(
                select(NetworkDay)
                .where(NetworkDay.date >= current.starts_on, NetworkDay.date <= coming.ends_on)
                .order_by(col(NetworkDay.date))
            ).all()
        ),
        reported=reported,
        attendance_confirmed=set(
            session.exec(
                select(Attendance.meeting_id)
                .join(Meeting, col(Meeting.id) == col(Attendance.meeting_id))
                .where(col(Meeting.school_year_id).in_(year_ids))
                .distinct()
            ).all()
        ),
        reachable=reachable,
        staffed_teams=staffed_teams,
        schools_with_teachers=with_teachers,
        people_by_region=dict(by_region),
    )
