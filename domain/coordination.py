"""The coordinator's changes: network days and team leaders, each audited before and after."""

from __future__ import annotations

import datetime as dtm

from sqlmodel import Session, col, select

from domain import groups
from domain.teams import membership
from storage.audit import record, snapshot
from storage.models import Leadership, Meeting, Membership, NetworkDay, Person, Region, SchoolYear, Team


def add_network_day(
    session: Session, *, region: Region, day: dtm.date, kind: str | None, actor: Person, now: dtm.datetime
) -> tuple[NetworkDay, bool]:
    """The network day on `day`, and whether it was added now (False: it was there already)."""
    assert region.id is not None
    existing = session.exec(select(NetworkDay).where(NetworkDay.region_id == region.id, NetworkDay.date == day)).first()
    if existing is not None:
        return existing, False
    created = NetworkDay(region_id=region.id, date=day, kind=kind, created_by_id=actor.id, created_at=now)
    session.add(created)
    session.flush()
    record(
        session,
        action="network_day.added",
        entity="network_day",
        entity_id=created.id,
        actor_id=actor.id,
        before=None,
        after=snapshot(created, "date", "kind"),
    )
    return created, True


def meetings_on(session: Session, day: NetworkDay) -> list[Meeting]:
    return list(
        session.exec(select(Meeting).where(Meeting.network_day_id == day.id, col(Meeting.cancelled_at).is_(None))).all()
    )


def remove_network_day(session: Session, *, day: NetworkDay, actor: Person) -> list[Meeting]:
    """Remove the day; the meetings already planned on it stay (their leaders decide), and are returned."""
    kept = meetings_on(session, day)
    for meeting in session.exec(select(Meeting).where(Meeting.network_day_id == day.id)).all():
        meeting.network_day_id = None
    record(
        session,
        action="network_day.removed",
        entity="network_day",
        entity_id=day.id,
        actor_id=actor.id,
        details={"meetings_kept": [m.id for m in kept]},
        before=snapshot(day, "date", "kind"),
        after=None,
    )
    session.delete(day)
    session.flush()
    return kept


def leaderships(session: Session, team_id: int, year_id: int) -> list[Leadership]:
    return list(
        session.exec(
            select(Leadership)
            .where(Leadership.team_id == team_id, Leadership.school_year_id == year_id)
            .order_by(col(Leadership.slot))
        ).all()
    )


def _member_as_leader(
    session: Session, *, team: Team, year: SchoolYear, person: Person, actor: Person, now: dtm.datetime
) -> Membership | None:
    """The membership a new leader without a team that year gets in the team they lead (None: they had a team)."""
    assert person.id is not None and year.id is not None and team.id is not None
    if membership(session, person.id, year.id) is not None:
        return None
    created = Membership(
        person_id=person.id, school_year_id=year.id, team_id=team.id, chosen_at=now, chosen_by_id=actor.id
    )
    session.add(created)
    session.flush()
    record(
        session,
        action="membership.by_leadership",
        entity="membership",
        entity_id=created.id,
        actor_id=actor.id,
        details={"person": person.id, "year": year.label},
        before=None,
        after={"team_id": team.id, "confirmed_at": None},
    )
    return created


def appoint_leader(
    session: Session,
    *,
    team: Team,
    year: SchoolYear,
    person: Person,
    replacing: Person | None,
    actor: Person,
    now: dtm.datetime,
) -> Leadership | None:
    """Make `person` a leader of the team for the year, in a free slot or in `replacing`'s.

    A leader is in the team they lead: one without a team that year becomes its member (unconfirmed, as any
    choice, until their manager confirms it). None when there is no free slot and nobody to replace (a team
    has at most two leaders), or when the person already leads the team that year.
    """
    assert team.id is not None and year.id is not None and person.id is not None
    current = leaderships(session, team.id, year.id)
    if any(lead.person_id == person.id for lead in current):
        return None
    before = {"leaders": [lead.person_id for lead in current]}
    slot: int | None
    if replacing is not None:
        old = next((lead for lead in current if lead.person_id == replacing.id), None)
        if old is None:
            return None
        slot = old.slot
        session.delete(old)
        session.flush()
    else:
        taken = {lead.slot for lead in current}
        slot = next((s for s in (1, 2) if s not in taken), None)
        if slot is None:
            return None
    created = Leadership(
        team_id=team.id,
        school_year_id=year.id,
        person_id=person.id,
        slot=slot,
        appointed_at=now,
        appointed_by_id=actor.id,
    )
    session.add(created)
    session.flush()
    if groups.chosen(team):  # the other groups have their members by role (`domain.groups`)
        _member_as_leader(session, team=team, year=year, person=person, actor=actor, now=now)
    record(
        session,
        action="leader.replaced" if replacing is not None else "leader.appointed",
        entity="team",
        entity_id=team.id,
        actor_id=actor.id,
        details={"year": year.label},
        before=before,
        after={"leaders": [lead.person_id for lead in leaderships(session, team.id, year.id)]},
    )
    return created
