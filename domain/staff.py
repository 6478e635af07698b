"""A manager's staff and the school's memberships: confirm, assign and report them (deadline 1 June).

Which school year they are decided for is `domain.teams.year_being_decided`.
"""

from __future__ import annotations

import datetime as dtm

from sqlmodel import Session, select

from domain.teams import colleagues, membership
from storage.audit import record, snapshot
from storage.models import (
    Membership,
    MembershipReport,
    Person,
    Role,
    School,
    SchoolYear,
    Team,
)


def staff_of(session: Session, manager: Person) -> list[Person]:
    """The teachers of the manager's school (the manager themself excluded), by name."""
    return colleagues(session, manager, Role.TEACHER)


def confirm(session: Session, *, member: Membership, actor: Person, now: dtm.datetime) -> bool:
    """Confirm a teacher's choice; False when it was already confirmed."""
    if member.confirmed_at is not None:
        return False
    before = snapshot(member, "confirmed_at", "confirmed_by_id")
    member.confirmed_at, member.confirmed_by_id = now, actor.id
    record(
        session,
        action="membership.confirmed",
        entity="membership",
        entity_id=member.id,
        actor_id=actor.id,
        before=before,
        after=snapshot(member, "confirmed_at", "confirmed_by_id"),
    )
    return True


def assign(
    session: Session, *, person: Person, team: Team, year: SchoolYear, actor: Person, now: dtm.datetime
) -> Membership | None:
    """Put a teacher who has not chosen into a team, confirmed at once; None if they have a team that year."""
    assert person.id is not None and year.id is not None and team.id is not None
    if membership(session, person.id, year.id) is not None:
        return None
    created = Membership(
        person_id=person.id,
        school_year_id=year.id,
        team_id=team.id,
        chosen_at=now,
        chosen_by_id=actor.id,
        confirmed_at=now,
        confirmed_by_id=actor.id,
    )
    session.add(created)
    session.flush()
    record(
        session,
        action="membership.assigned",
        entity="membership",
        entity_id=created.id,
        actor_id=actor.id,
        details={"person": person.id, "year": year.label},
        before=None,
        after={"team_id": team.id, "confirmed_at": now.isoformat()},
    )
    return created


def report_of(session: Session, school_id: int, year_id: int) -> MembershipReport | None:
    return session.exec(
        select(MembershipReport).where(
            MembershipReport.school_id == school_id, MembershipReport.school_year_id == year_id
        )
    ).first()


def report(session: Session, *, school: School, year: SchoolYear, actor: Person, now: dtm.datetime) -> MembershipReport:
    """Record the school's report for the year (a second report replaces the time of the first)."""
    assert school.id is not None and year.id is not None
    existing = report_of(session, school.id, year.id)
    before = snapshot(existing, "reported_at", "reported_by_id") if existing else None
    if existing is None:
        existing = MembershipReport(
            school_id=school.id, school_year_id=year.id, reported_at=now, reported_by_id=actor.id
        )
        session.add(existing)
    else:
        existing.reported_at, existing.reported_by_id = now, actor.id
    session.flush()
    record(
        session,
        action="memberships.reported",
        entity="membership_report",
        entity_id=existing.id,
        actor_id=actor.id,
        details={"school": school.id, "year": year.label},
        before=before,
        after=snapshot(existing, "reported_at", "reported_by_id"),
    )
    return existing


def move(session: Session, *, member: Membership, team: Team, actor: Person, now: dtm.datetime) -> None:
    """Move a teacher to another team for the rest of the school year, confirmed by whoever moves them; audited."""
    before = snapshot(member, "team_id", "chosen_by_id", "confirmed_at", "confirmed_by_id")
    member.team_id = team.id or member.team_id
    member.chosen_at, member.chosen_by_id = now, actor.id
    member.confirmed_at, member.confirmed_by_id = now, actor.id
    session.add(member)
    session.flush()
    after = snapshot(member, "team_id", "chosen_by_id", "confirmed_at", "confirmed_by_id")
    record(
        session,
        action="membership.moved",
        entity="membership",
        entity_id=member.id,
        actor_id=actor.id,
        before=before,
        after=after,
    )
