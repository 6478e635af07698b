"""The shipped demo region: fictional people in teams with leaders; loading it twice is a no-op."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from storage.db import session_scope
from storage.demo import load_demo
from storage.models import Leadership, Membership, Person, PersonRole


def test_demo_region(engine: sa.Engine, session: Session) -> None:
    with session_scope(engine) as s:
        first = load_demo(s, "2026/27")
    assert first.people.added == 74 and first.memberships_added == 56
    teachers = session.exec(select(func.count()).select_from(PersonRole).where(PersonRole.role == "teacher")).one()
    managers = session.exec(select(func.count()).select_from(PersonRole).where(PersonRole.role == "manager")).one()
    assert (teachers, managers) == (60, 13)
    assert all(p.email.endswith("@example.org") for p in session.exec(select(Person)).all())
    leaders = session.exec(select(Leadership.team_id, func.count()).group_by(col(Leadership.team_id))).all()
    counts = sorted(count for _, count in leaders)
    assert len(counts) == 12 and counts.count(2) == 10

    with session_scope(engine) as s:
        second = load_demo(s, "2026/27")
    assert (second.people.added, second.people.updated, second.memberships_added, second.leaders_added) == (
        0,
        0,
        0,
        0,
    )
    assert session.exec(select(func.count()).select_from(Membership)).one() == 56
