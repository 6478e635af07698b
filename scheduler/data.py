"""Everything the reminder rules look at, read in a fixed number of queries (none per team or person).

The rules are plain functions of this snapshot and an instant, so a sweep is deterministic and the
number of SQL statements it runs does not grow with the size of the data.
"""

from __future__ import annotations

import datetime as dtm
from collections import defaultdict
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

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
    Team,
)
from storage.settings import RegionSettings


@dataclass
class World:
    """The data of every region, for the current school year and the coming one."""

    regions: list[Region]
    settings: dict[int, RegionSettings]
    years: dict[str, SchoolYear]
    schools: dict[int, School]
    people: dict[int, Person]
    roles: dict[int, set[str]]
    teams: dict[int, Team]  # every active group; `teams_of` gives a region's groups of teachers
    memberships: dict[tuple[int, int], Membership]  # (person, year) -> membership
    leaders: dict[tuple[int, int], list[int]]  # (team, year) -> people, by slot
    meetings: list[Meeting]
    network_days: list[NetworkDay]
    reported: set[tuple[int, int]]  # (school, year)
    reachable: set[int]  # people with a Slack id or a stored Teams conversation
    attendance_confirmed: set[int] = field(default_factory=set)  # meetings whose attendance is confirmed
    people_by_region: dict[int, list[Person]] = field(default_factory=dict)
    _leading: dict[int, set[int]] = field(default_factory=dict, repr=False)  # year -> its leaders, once computed
    _staffed: set[tuple[int, int]] = field(default_factory=set, repr=False)  # (team, year) with anybody in it
    _by_role: dict[tuple[int, str], list[Person]] = field(default_factory=dict, repr=False)  # once per sweep
    _meetings_by_region: dict[int, list[Meeting]] | None = field(default=None, repr=False)

    def meetings_of(self, region_id: int) -> list[Meeting]:
        """The meetings of the region's teams, in `meetings`' order (sorted out once per sweep)."""
        if self._meetings_by_region is None:
            self._meetings_by_region = {}
            for meeting in self.meetings:
                team = self.teams.get(meeting.team_id)
                if team is not None:
                    self._meetings_by_region.setdefault(team.region_id, []).append(meeting)
        return list(self._meetings_by_region.get(region_id, []))

    def with_role(self, region_id: int, role: Role) -> list[Person]:
        """The region's people with `role`, in `people_by_region`'s order (the rules ask per school and per team,
        so this is sorted out once per sweep)."""
        if not self._by_role:
            for region, people in self.people_by_region.items():
                for person in people:
                    for held in self.roles.get(person.id or 0, ()):
                        self._by_role.setdefault((region, held), []).append(person)
        return list(self._by_role.get((region_id, role.value), []))

    def teams_of(self, region_id: int, kinds: tuple[str, ...] = TEACHER_GROUPS) -> list[Team]:
        """The region's active groups of `kinds`: by default those of teachers (the subject teams, the networks)."""
        return sorted(
            (t for t in self.teams.values() if t.region_id == region_id and t.kind in kinds),
            key=lambda t: (t.position, t.name),
        )

    def year(self, label: str) -> SchoolYear | None:
        return self.years.get(label)

    def staffed(self, team_id: int, year_id: int) -> bool:
        """Whether the team has anybody that year: a member or a leader."""
        if not self._staffed:
            self._staffed = {(m.team_id, m.school_year_id) for m in self.memberships.values()} | {
                key for key, people in self.leaders.items() if people
            }
        return (team_id, year_id) in self._staffed

    def leading(self, year_id: int) -> set[int]:
        """The people who lead a team in the year."""
        if year_id not in self._leading:
            self._leading[year_id] = {
                p for (_, year), people in self.leaders.items() if year == year_id for p in people
            }
        return self._leading[year_id]


def load(session: Session, instant: dtm.datetime) -> World:
    """The snapshot for a sweep at `instant` (the school years around it are created if missing)."""
    day = instant.astimezone(dtm.UTC).date()
    current = schoolyear.get_or_create(session, schoolyear.label_for(day))
    coming = schoolyear.get_or_create(session, schoolyear.following(current.label))
    years = {current.label: current, coming.label: coming}
    year_ids = [y.id for y in years.values()]

    regions = list(session.exec(select(Region).order_by(col(Region.key))).all())
    people = list(session.exec(select(Person).order_by(col(Person.name))).all())
    roles: dict[int, set[str]] = defaultdict(set)
    for person_id, role in session.exec(select(PersonRole.person_id, PersonRole.role)).all():
        roles[person_id].add(role)
    by_region: dict[int, list[Person]] = defaultdict(list)
    for person in people:
        by_region[person.region_id].append(person)
    leaders: dict[tuple[int, int], list[int]] = defaultdict(list)
    for lead in session.exec(
        select(Leadership).where(col(Leadership.school_year_id).in_(year_ids)).order_by(col(Leadership.slot))
    ).all():
        leaders[(lead.team_id, lead.school_year_id)].append(lead.person_id)
    addressed = set(
        session.exec(select(ConversationAddress.person_id).where(ConversationAddress.platform == "teams")).all()
    )
    return World(
        regions=regions,
        settings={r.id: RegionSettings.model_validate(r.settings) for r in regions if r.id is not None},
        years=years,
        schools={s.id: s for s in session.exec(select(School)).all() if s.id is not None},
        people={p.id: p for p in people if p.id is not None},
        roles=dict(roles),
        teams={
            t.id: t
            for t in session.exec(select(Team).where(col(Team.active))).all()  # every group's meetings are reminded
            if t.id is not None
        },
        memberships={
            (m.person_id, m.school_year_id): m
            for m in session.exec(select(Membership).where(col(Membership.school_year_id).in_(year_ids))).all()
        },
        leaders=dict(leaders),
        meetings=list(
            session.exec(
                select(Meeting)
                .where(col(Meeting.school_year_id).in_(year_ids), col(Meeting.cancelled_at).is_(None))
                .order_by(col(Meeting.starts_at))
            ).all()
        ),
        network_days=list(
            session.exec(
                select(NetworkDay)
                .where(NetworkDay.date >= current.starts_on, NetworkDay.date <= coming.ends_on)
                .order_by(col(NetworkDay.date))
            ).all()
        ),
        reported={
            (r.school_id, r.school_year_id)
            for r in session.exec(
                select(MembershipReport).where(col(MembershipReport.school_year_id).in_(year_ids))
            ).all()
        },
        attendance_confirmed=set(
            session.exec(
                select(Attendance.meeting_id)
                .join(Meeting, col(Meeting.id) == col(Attendance.meeting_id))
                .where(col(Meeting.school_year_id).in_(year_ids))
                .distinct()
            ).all()
        ),
        reachable={p.id for p in people if p.id is not None and p.slack_user_id} | addressed,
        people_by_region=dict(by_region),
    )
