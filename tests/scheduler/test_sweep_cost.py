"""What a sweep costs grows with what is due, not with the data: the same statements for a small network and a
bigger one, and, with nothing due, no teacher read and about the same work in the database however many there are.

A unit-sized version of benchmarks/sweep.py (its ratio column).
"""

from __future__ import annotations

import datetime as dtm
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session, func, select

import scheduler.sweep as sweep_module
from scheduler import data
from scheduler.data import World
from scheduler.sweep import sweep
from storage.db import open_database
from storage.models import OutboxMessage
from tests.network import CATCH_UP, NOTICES, TEAM_CHOICE, build, statements


def _sweeps(engine: sa.Engine) -> list[tuple[int, int]]:
    """Statements and reminders of each sweep of a year's course: a catch-up, the notices, the team choice, and
    the team choice again with nothing left to send."""
    found = []
    for instant in (CATCH_UP, NOTICES, TEAM_CHOICE, TEAM_CHOICE):
        with statements(engine) as seen:
            report = sweep(engine, instant)
        found.append((len(seen), len(report.reminders)))
    return found


def test_the_statements_of_a_sweep_do_not_grow_with_the_data(
    database_url: str, tmp_path: Path, engine: sa.Engine
) -> None:
    build(engine, regions=1, schools=2, teachers=3)
    small = _sweeps(engine)
    bigger = open_database(f"sqlite:///{tmp_path / 'bigger.db'}" if engine.dialect.name == "sqlite" else database_url)
    if engine.dialect.name == "postgresql":  # the same database, emptied, for the bigger network
        bigger.dispose()
        bigger = engine
        from tests.conftest import _empty_all_tables

        _empty_all_tables(engine)
    build(bigger, regions=3, schools=4, teachers=12)
    large = _sweeps(bigger)
    assert [n for n, _ in small] == [n for n, _ in large]
    assert all(sent_small < sent_large for (_, sent_small), (_, sent_large) in zip(small[:3], large[:3], strict=True))
    assert small[3][1] == large[3][1] == 0


def _world_of(monkeypatch: pytest.MonkeyPatch) -> list[World]:
    """The snapshots the sweeps load."""
    worlds: list[World] = []

    def spy(*args: Any) -> World:
        world = data.load(*args)
        worlds.append(world)
        return world

    monkeypatch.setattr("scheduler.sweep.load", spy)
    return worlds


def _database_work(engine: sa.Engine, instant: dtm.datetime) -> int:
    """SQLite's virtual machine instructions of one sweep, in hundreds: what the database did, rows read included."""
    steps = 0

    def step() -> int:
        nonlocal steps
        steps += 1
        return 0

    def watch(dbapi_connection: Any, *_: Any) -> None:
        dbapi_connection.set_progress_handler(step, 100)

    sa.event.listen(engine, "checkout", watch)
    try:
        engine.dispose()  # every connection is checked out anew, and watched
        sweep(engine, instant)
    finally:
        sa.event.remove(engine, "checkout", watch)
        engine.dispose()
    return steps


@pytest.mark.parametrize("teachers", [4, 40])
def test_a_sweep_with_nothing_due_reads_no_teacher(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, teachers: int
) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'network.db'}")
    build(engine, regions=2, schools=3, teachers=teachers)
    worlds = _world_of(monkeypatch)
    assert sweep(engine, NOTICES).reminders  # the leaders are asked for their notices
    assert sweep(engine, NOTICES).reminders == []  # and then nothing is due
    leaders = {p for world in worlds for ids in world.leaders.values() for p in ids}
    read = set(worlds[-1].people)
    teachers_read = {p for p in read if "teacher" in worlds[-1].roles[p]} - leaders
    assert teachers_read == set()
    assert len(read) == len(leaders) + 2  # the leaders and the coordinators: nobody else


def test_the_database_work_of_a_sweep_with_nothing_due_does_not_grow_with_the_teachers(tmp_path: Path) -> None:
    work = []
    for teachers in (4, 80):
        engine = open_database(f"sqlite:///{tmp_path / f'network{teachers}.db'}")
        build(engine, regions=2, schools=3, teachers=teachers)
        sweep(engine, NOTICES)
        work.append(_database_work(engine, NOTICES))
        engine.dispose()
    few, many = work
    assert many <= few * 1.2, f"{few} hundred instructions with 4 teachers a school, {many} with 80"


def test_a_sweep_that_finds_its_keys_sent_meanwhile_rolls_back_and_sweeps_again(
    engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another sweep sent the keys between this one's look-up and its insert: nothing goes out twice."""
    build(engine, regions=1, schools=2, teachers=3)
    first = sweep(engine, NOTICES)
    assert first.reminders
    with Session(engine) as s:
        messages = s.exec(select(func.count()).select_from(OutboxMessage)).one()
    looked_up = []
    real = sweep_module._sent

    def blind_once(*args: Any) -> set[tuple[str, str, str]]:
        looked_up.append(args)
        return set() if len(looked_up) == 1 else real(*args)  # the first look-up misses what was sent

    monkeypatch.setattr(sweep_module, "_sent", blind_once)
    again = sweep(engine, NOTICES)
    assert again.reminders == [] and len(looked_up) == 2
    with Session(engine) as s:
        assert s.exec(select(func.count()).select_from(OutboxMessage)).one() == messages
