"""Each rule the database itself must hold: an insert that breaks it fails, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dtm

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from storage import schoolyear
from storage.models import (
    InboxEvent,
    Leadership,
    Meeting,
    Membership,
    Person,
    PersonRole,
    Region,
    SchoolYear,
    SentReminder,
    Team,
)


def _people(session: Session, region: Region, count: int) -> list[int]:
    """The ids of `count` new people."""
    assert region.id is not None
    people = [Person(email=f"p{i}@example.org", name=f"Person {i}", region_id=region.id) for i in range(count)]
    session.add_all(people)
    session.flush()
    return [_id(person) for person in people]


def _team(session: Session, region: Region, name: str = "Dans") -> int:
    """The id of the region's team `name`."""
    return _id(session.exec(select(Team).where(Team.region_id == region.id, Team.name == name)).one())


def _year(session: Session, label: str) -> int:
    return _id(schoolyear.get_or_create(session, label))


def _id(row: Person | Team | SchoolYear) -> int:
    assert row.id is not None
    return row.id


def test_one_membership_per_person_and_school_year(session: Session, region: Region) -> None:
    (person,) = _people(session, region, 1)
    year = _year(session, "2026/27")
    session.add(Membership(person_id=person, school_year_id=year, team_id=_team(session, region)))
    session.commit()

    session.add(Membership(person_id=person, school_year_id=year, team_id=_team(session, region, "Stråk")))
    with pytest.raises(sa.exc.IntegrityError):
        session.commit()
    session.rollback()

    next_year = _year(session, "2027/28")
    session.add(Membership(person_id=person, school_year_id=next_year, team_id=_team(session, region, "Stråk")))
    session.commit()  # another school year is another membership


def test_at_most_two_leaders_per_team_and_year(session: Session, region: Region) -> None:
    a, b, c = _people(session, region, 3)
    year = _year(session, "2026/27")
    team = _team(session, region)
    session.add_all(
        [
            Leadership(team_id=team, school_year_id=year, person_id=a, slot=1),
            Leadership(team_id=team, school_year_id=year, person_id=b, slot=2),
        ]
    )
    session.commit()

    for slot in (1, 2, 3):
        session.add(Leadership(team_id=team, school_year_id=year, person_id=c, slot=slot))
        with pytest.raises(sa.exc.IntegrityError):
            session.commit()
        session.rollback()
    assert len(session.exec(select(Leadership)).all()) == 2


def test_the_same_person_cannot_lead_a_team_twice(session: Session, region: Region) -> None:
    (a,) = _people(session, region, 1)
    year = _year(session, "2026/27")
    team = _team(session, region)
    session.add(Leadership(team_id=team, school_year_id=year, person_id=a, slot=1))
    session.commit()
    session.add(Leadership(team_id=team, school_year_id=year, person_id=a, slot=2))
    with pytest.raises(sa.exc.IntegrityError):
        session.commit()


def test_one_sent_reminder_per_rule_subject_and_occurrence(session: Session, region: Region) -> None:
    session.add(SentReminder(rule="notice", subject="meeting:1", occurrence="d-21"))
    session.add(SentReminder(rule="notice", subject="meeting:1", occurrence="d-14"))
    session.commit()
    session.add(SentReminder(rule="notice", subject="meeting:1", occurrence="d-21"))
    with pytest.raises(sa.exc.IntegrityError):
        session.commit()


def test_one_inbox_event_per_source_and_id(session: Session, region: Region) -> None:
    session.add(InboxEvent(source="slack", inbound_id="Ev123"))
    session.add(InboxEvent(source="teams", inbound_id="Ev123"))
    session.commit()
    session.add(InboxEvent(source="slack", inbound_id="Ev123"))
    with pytest.raises(sa.exc.IntegrityError):
        session.commit()


def test_email_is_unique(session: Session, region: Region) -> None:
    _people(session, region, 1)
    session.commit()
    assert region.id is not None
    session.add(Person(email="p0@example.org", name="Another", region_id=region.id))
    with pytest.raises(sa.exc.IntegrityError):
        session.commit()


def test_unknown_role_is_refused(session: Session, region: Region) -> None:
    (person,) = _people(session, region, 1)
    session.add(PersonRole(person_id=person, role="superuser"))
    with pytest.raises(sa.exc.IntegrityError):
        session.commit()


def test_foreign_keys_are_enforced(session: Session, region: Region) -> None:
    year = _year(session, "2026/27")
    session.add(Membership(person_id=999_999, school_year_id=year, team_id=_team(session, region)))
    with pytest.raises(sa.exc.IntegrityError):
        session.commit()


def test_meeting_must_end_after_it_starts(session: Session, region: Region) -> None:
    year = _year(session, "2026/27")
    start = dtm.datetime(2026, 9, 18, 9, tzinfo=dtm.UTC)
    session.add(
        Meeting(
            team_id=_team(session, region),
            school_year_id=year,
            starts_at=start,
            ends_at=start,
            kind="digital",
        )
    )
    with pytest.raises(sa.exc.IntegrityError):
        session.commit()


def test_instants_round_trip_as_aware_utc(session: Session, region: Region) -> None:
    year = _year(session, "2026/27")
    stockholm = dtm.timezone(dtm.timedelta(hours=2))
    start = dtm.datetime(2026, 9, 18, 9, 30, tzinfo=stockholm)
    meeting = Meeting(
        team_id=_team(session, region),
        school_year_id=year,
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
    year = _year(session, "2026/27")
    naive = dtm.datetime(2026, 9, 18, 9)  # noqa: DTZ001 - the point of the test
    session.add(
        Meeting(
            team_id=_team(session, region),
            school_year_id=year,
            starts_at=naive,
            ends_at=naive + dtm.timedelta(hours=1),
            kind="digital",
        )
    )
    with pytest.raises(sa.exc.StatementError, match="naive datetime"):
        session.commit()
