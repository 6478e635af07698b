"""The shipped demo region: fictional people in teams with leaders; loading it twice is a no-op."""

from __future__ import annotations

import datetime as dtm

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col, func, select

from storage.db import session_scope
from storage.demo import load_demo
from storage.models import Leadership, Membership, Person, PersonRole
from tests.conftest import DEMO_YEAR, DemoTemplate, _empty_all_tables, sequence_positions


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


def _dump(engine: sa.Engine) -> dict[str, object]:
    """Every row of every table, and on PostgreSQL where each sequence stands; the real clock's stamps as "now"."""
    now = dtm.datetime.now(dtm.UTC)

    def value(v: object) -> object:
        if isinstance(v, dtm.datetime) and abs(v.replace(tzinfo=v.tzinfo or dtm.UTC) - now) < dtm.timedelta(days=1):
            return "now"
        return v

    with engine.connect() as connection:
        dump: dict[str, object] = {
            table.name: [
                tuple(value(v) for v in row)
                for row in connection.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
            ]
            for table in SQLModel.metadata.sorted_tables
        }
        if connection.dialect.name == "postgresql":
            dump["sequences"] = sequence_positions(connection)
    return dump


def test_the_tests_demo_template_is_a_fresh_load(engine: sa.Engine, demo_template: DemoTemplate) -> None:
    """The demo the tests start from (tests/conftest.py copies it from a template) is what loading it gives."""
    with session_scope(engine) as s:
        load_demo(s, DEMO_YEAR)
    fresh = _dump(engine)
    assert fresh["person"] and fresh["meeting"] and fresh["note"] and fresh["audit_log"]
    _empty_all_tables(engine)
    demo_template.restore(engine)
    assert _dump(engine) == fresh
