"""Each rule the database itself must hold: an insert that breaks it fails, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dtm

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from storage import schoolyear
from storage.models import (
    Leadership,
    Meeting,
    Membership,
    Person,
    PersonRole,
    ProcessedInbound,
    Region,
    SentReminder,
    Team,
)


def _people(session: Session, region: Region, count: int) -> list[Person]:
    people = [Person(email=f"p{i}@example.org", name=f"Person {i}", region_id=region.id) for i in range(count)]
    session.add_all(people)
    session.flush()
    return people


def _team(session: Session, region: Region, name: str = "Dans") -> Team:
    team = session.exec(select(Team).where(Team.region_id == region.id, Team.name == name)).one()
    return team


def test_one_membership_per_person_and_school_year(session: Session, region: Region) -> None:
    (person,) = _people(session, region, 1)
    year = schoolyear.get_or_create(session, "2026/27")
    session.add(Membership(person_id=person.id, school_year_id=year.id, team_id=_team(session, region).id))
    session.commit()

    session.add(Membership(person_id=person.id, school_year_id=year.id, team_id=_team(session, region, "Stråk").id))
    with pytest.raises(sa.exc.IntegrityError):
        session.commit()
    session.rollback()

    next_year = schoolyear.get_or_create(session, "2027/28")
    session.add(
        Membership(person_id=person.id, school_year_id=next_year.id, team_id=_team(session, region, "Stråk").id)
    )
    session.commit()  # another school year is another membership


def test_at_most_two_leaders_per_team_and_year(session: Session, region: Region) -> None:
    a, b, c = _people(session, region, 3)
    year = schoolyear.get_or_create(session, "2026/27")
    team = _team(session, region)
    session.add_all(
        [
            Leadership(team_id=team.id, school_year_id=year.id, person_id=a.id, slot=1),
            Leadership(team_id=team.id, school_year_id=year.id, person_id=b.id, slot=2),
        ]
    )
    session.commit()

    for slot in (1, 2, 3):
        session.add(Leadership(team_id=team.id, school_year_id=year.id, person_id=c.id, slot=slot))
        with pytest.raises(sa.exc.IntegrityError):
            session.commit()
        session.rollback()
    assert len(session.exec(select(Leadership)).all()) == 2


def test_the_same_person_cannot_lead_a_team_twice(session: Session, region: Region) -> None:
    (a,) = _people(session, region, 1)
    year = schoolyear.get_or_create(session, "2026/27")
    team = _team(session, region)
    session.add(Leadership(team_id=team.id, school_year_id=year.id, person_id=a.id, slot=1))
    session.commit()
    session.add(Leadership(team_id=team.id, school_year_id=year.id, person_id=a.id, slot=2))
    with pytest.raises(sa.exc.IntegrityError):
        session.commit()


def test_one_sent_reminder_per_rule_subject_and_occurrence(session: Session, region: Region) -> None:
    session.add(SentReminder(rule="notice", subject="meeting:1", occurrence="d-21"))
    session.add(SentReminder(rule="notice", subject="meeting:1", occurrence="d-14"))
    session.commit()
    session.add(SentReminder(rule="notice", subject="meeting:1", occurrence="d-21"))
    with pytest.raises(sa.exc.IntegrityError):
        session.commit()


def test_one_processed_inbound_id_per_source(session: Session, region: Region) -> None:
    session.add(ProcessedInbound(source="slack", inbound_id="Ev123"))
    session.add(ProcessedInbound(source="teams", inbound_id="Ev123"))
    session.commit()
    session.add(ProcessedInbound(source="slack", inbound_id="Ev123"))
    with pytest.raises(sa.exc.IntegrityError):
        session.commit()


def test_email_is_unique(session: Session, region: Region) -> None:
    _people(session, region, 1)
    session.commit()
    session.add(Person(email="p0@example.org", name="Another", region_id=region.id))
    with pytest.raises(sa.exc.IntegrityError):
        session.commit()


def test_unknown_role_is_refused(session: Session, region: Region) -> None:
    (person,) = _people(session, region, 1)
    session.add(PersonRole(person_id=person.id, role="superuser"))
    with pytest.raises(sa.exc.IntegrityError):
        session.commit()


def test_foreign_keys_are_enforced(session: Session, region: Region) -> None:
    year = schoolyear.get_or_create(session, "2026/27")
    session.add(Membership(person_id=999_999, school_year_id=year.id, team_id=_team(session, region).id))
    with pytest.raises(sa.exc.IntegrityError):
        session.commit()


def test_meeting_must_end_after_it_starts(session: Session, region: Region) -> None:
    year = schoolyear.get_or_create(session, "2026/27")
    start = dtm.datetime(2026, 9, 18, 9, tzinfo=dtm.UTC)
    session.add(
        Meeting(
            team_id=_team(session, region).id,
            school_year_id=year.id,
            starts_at=start,
            ends_at=start,
            kind="digital",
        )
    )
    with pytest.raises(sa.exc.IntegrityError):
        session.commit()


def test_instants_round_trip_as_aware_utc(session: Session, region: Region) -> None:
    year = schoolyear.get_or_create(session, "2026/27")
    stockholm = dtm.timezone(dtm.timedelta(hours=2))
    start = dtm.datetime(2026, 9, 18, 9, 30, tzinfo=stockholm)
    meeting = Meeting(
        team_id=_team(session, region).id,
        school_year_id=year.id,
        starts_at=start,
        ends_at=start + dtm.timedelta(hours=6),
        kind="physical",
    )
    session.add(meeting)
    session.commit()
    session.expire_all()
    stored = session.get(Meeting, meeting.id)
    assert stored is not None
    assert stored.starts_at.tzinfo is not None
    assert stored.starts_at == start
    assert stored.starts_at.utcoffset() == dtm.timedelta(0)


def test_naive_datetimes_are_refused(session: Session, region: Region) -> None:
    year = schoolyear.get_or_create(session, "2026/27")
    naive = dtm.datetime(2026, 9, 18, 9)  # noqa: DTZ001 - the point of the test
    session.add(
        Meeting(
            team_id=_team(session, region).id,
            school_year_id=year.id,
            starts_at=naive,
            ends_at=naive + dtm.timedelta(hours=1),
            kind="digital",
        )
    )
    with pytest.raises(sa.exc.StatementError, match="naive datetime"):
        session.commit()
