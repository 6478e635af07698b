"""The groups a person meets in, and who is in a group, as each region's framework describes them.

Subject teams (Västerbotten) and teacher networks (Sjuhärad) have their members by choice: a `Membership`, one
a school year. The other groups have theirs by role: a manager network is every manager of the region
(Västmanland's county meeting of the school leaders, Sjuhärad's managers' network, Västerbotten's managers'
network) and a study day every teacher of the region (Västmanland's study day for about 150 teachers); the
coordination group is the year's subject team leaders, whom the coordinator "kallar till samordningsmöten"
(Västerbotten). Whoever leads a group (`Leadership`: the coordinator of the county meeting, a network's own
leader) is in it too.
"""

from __future__ import annotations

import datetime as dtm

from sqlmodel import Session, col, select

from storage.audit import record, snapshot
from storage.models import (
    TEACHER_GROUPS,
    GroupKind,
    Leadership,
    Membership,
    Person,
    PersonRole,
    Role,
    SchoolYear,
    Team,
)
from storage.settings import RegionSettings

BY_ROLE = {GroupKind.MANAGER_NETWORK.value: Role.MANAGER.value, GroupKind.STUDY_DAY.value: Role.TEACHER.value}
"""The groups whose members are the region's people with a role, and that role."""
_FIELDS = ("team_id", "chosen_at", "chosen_by_id", "confirmed_at", "confirmed_by_id")


def members(session: Session, team: Team, year_id: int) -> list[Person]:
    """The group's members and leaders of the year, each once, by name."""
    role = BY_ROLE.get(team.kind)
    if team.kind == GroupKind.COORDINATION_GROUP.value:  # the coordinator's meetings with the year's team leaders
        query = (
            select(Person)
            .join(Leadership, col(Leadership.person_id) == Person.id)
            .join(Team, col(Team.id) == Leadership.team_id)
            .where(
                Team.region_id == team.region_id,
                Team.kind == GroupKind.SUBJECT_TEAM.value,
                Leadership.school_year_id == year_id,
            )
        )
    elif role is not None:
        query = (
            select(Person)
            .join(PersonRole, col(PersonRole.person_id) == Person.id)
            .where(Person.region_id == team.region_id, PersonRole.role == role)
        )
    else:
        query = (
            select(Person)
            .join(Membership, col(Membership.person_id) == Person.id)
            .where(Membership.team_id == team.id, Membership.school_year_id == year_id)
        )
    chosen = session.exec(query).all()
    leading = session.exec(
        select(Person)
        .join(Leadership, col(Leadership.person_id) == Person.id)
        .where(Leadership.team_id == team.id, Leadership.school_year_id == year_id)
    ).all()
    unique = {p.id: p for p in [*chosen, *leading]}
    return sorted(unique.values(), key=lambda p: p.name)


def groups_of(session: Session, person: Person, roles: set[str], year_id: int) -> list[Team]:
    """The active groups the person meets in that year: their subject team or network, the groups of their
    roles, and the groups they lead; in the region's order."""
    assert person.id is not None
    found: dict[int, Team] = {}
    own = session.exec(
        select(Team)
        .join(Membership, col(Membership.team_id) == Team.id)
        .where(Membership.person_id == person.id, Membership.school_year_id == year_id)
    ).all()
    led = session.exec(
        select(Team)
        .join(Leadership, col(Leadership.team_id) == Team.id)
        .where(Leadership.person_id == person.id, Leadership.school_year_id == year_id)
    ).all()
    kinds = [kind for kind, role in BY_ROLE.items() if role in roles]
    if any(t.kind == GroupKind.SUBJECT_TEAM.value for t in led):  # a team leader meets with the coordinator
        kinds.append(GroupKind.COORDINATION_GROUP.value)
    by_role = (
        session.exec(
            select(Team).where(Team.region_id == person.region_id, col(Team.kind).in_(kinds), col(Team.active))
        ).all()
        if kinds
        else []
    )
    for team in [*own, *by_role, *led]:
        if team.id is not None and team.active:
            found[team.id] = team
    return sorted(found.values(), key=lambda t: (t.position, t.name))


def is_member(session: Session, person: Person, roles: set[str], team: Team, year_id: int) -> bool:
    """Whether the person is in the group that year (a member by choice or by role, or a leader)."""
    return any(t.id == team.id for t in groups_of(session, person, roles, year_id))


def chosen(team: Team) -> bool:
    """Whether people are in the group by their own choice (a subject team, a teacher network)."""
    return team.kind in TEACHER_GROUPS


def join(session: Session, *, person: Person, team: Team, year: SchoolYear, now: dtm.datetime) -> Membership | None:
    """A teacher joins an open network for the year, in place of the one they were in (one group a year).

    No manager confirms it: the network is the teachers' own (Sjuhärad). None when they are in it already.
    Audited as any choice.
    """
    assert person.id is not None and team.id is not None and year.id is not None
    existing = session.exec(
        select(Membership).where(Membership.person_id == person.id, Membership.school_year_id == year.id)
    ).first()
    if existing is not None and existing.team_id == team.id:
        return None
    before = snapshot(existing, *_FIELDS) if existing is not None else None
    joined = existing or Membership(person_id=person.id, school_year_id=year.id, team_id=team.id)
    joined.team_id = team.id
    joined.chosen_at, joined.chosen_by_id = now, person.id
    joined.confirmed_at, joined.confirmed_by_id = now, person.id
    session.add(joined)
    session.flush()
    record(
        session,
        action="membership.joined",
        entity="membership",
        entity_id=joined.id,
        actor_id=person.id,
        details={"year": year.label},
        before=before,
        after=snapshot(joined, *_FIELDS),
    )
    return joined


def may_lead_themselves(settings: RegionSettings) -> bool:
    """Whether people take on the leading of their own group, where the framework leaves the groups to plan
    their own meetings (Sjuhärad's networks); elsewhere the coordinator appoints the leaders."""
    return settings.duties.meeting_days_decided_by == "leaders"
