"""The team and place names the parser reads are cached per region, and a change to them is seen at once."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlmodel import Session, col, select

from dialogs.engine import Dialogs
from storage.db import session_scope
from storage.models import GroupKind, Person, Region, School, Team
from tests.dialogs.conftest import TEACHER, Chat


@contextmanager
def statements(engine: sa.Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def keep(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        seen.append(" ".join(statement.split()))

    sa.event.listen(engine, "before_cursor_execute", keep)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", keep)


def _region_id(engine: sa.Engine) -> int:
    with Session(engine) as s:
        person = s.exec(select(Person).where(Person.email == TEACHER)).one()
        return person.region_id


def test_the_names_are_read_once_while_nothing_changes(demo: sa.Engine, chat_as: Callable[..., Chat]) -> None:
    teacher = chat_as(TEACHER)
    teacher.say("hjälp")
    with statements(demo) as seen:
        teacher.say("hjälp")
    assert not [s for s in seen if "FROM school WHERE school.region_id" in s]
    assert not [s for s in seen if s.startswith("SELECT team.") and "FROM team WHERE team.region_id" in s]


def test_a_team_added_elsewhere_is_in_the_next_turns_names(
    demo: sa.Engine, dialogs: Dialogs, chat_as: Callable[..., Chat]
) -> None:
    """As `amneslag seed` or another instance adds it: a commit of its own, not through this engine."""
    teacher = chat_as(TEACHER)
    teacher.say("hjälp")
    region_id = _region_id(demo)
    assert "Nyckelharpa" not in dialogs._catalogs[region_id].teams
    with session_scope(demo) as s:
        s.add(Team(region_id=region_id, name="Nyckelharpa", kind=GroupKind.SUBJECT_TEAM.value, position=99))
    teacher.say("hjälp")
    assert "Nyckelharpa" in dialogs._catalogs[region_id].teams


def test_a_renamed_school_place_is_in_the_next_turns_names(
    demo: sa.Engine, dialogs: Dialogs, chat_as: Callable[..., Chat]
) -> None:
    teacher = chat_as(TEACHER)
    teacher.say("hjälp")
    region_id = _region_id(demo)
    with session_scope(demo) as s:
        school = s.exec(select(School).where(School.region_id == region_id).order_by(col(School.id))).first()
        assert school is not None
        school.municipality = "Nya Kommunen"
    teacher.say("hjälp")
    assert "Nya Kommunen" in dialogs._catalogs[region_id].places


def test_only_teams_and_schools_count_as_a_change(demo: sa.Engine) -> None:
    region_id = _region_id(demo)

    def version() -> int:
        with Session(demo) as s:
            region = s.get(Region, region_id)
            assert region is not None
            return region.catalog_version

    first = version()
    with session_scope(demo) as s:
        person = s.exec(select(Person).where(Person.email == TEACHER)).one()
        person.language = "en"
    assert version() == first
    with session_scope(demo) as s:
        team = s.exec(select(Team).where(Team.region_id == region_id)).first()
        assert team is not None
        team.active = False
    assert version() == first + 1
