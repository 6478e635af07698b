"""The conversation engine with every dialog registered."""

from __future__ import annotations

import datetime as dtm
from collections.abc import Callable

import sqlalchemy as sa

from dialogs import (
    appoint,
    assisted,
    coordinator,
    leader,
    logistics,
    manager,
    network_days,
    notes,
    privacy,
    roles,
    scheduling,
    teacher,
)
from dialogs.assist import Assistant
from dialogs.engine import Engine, Router
from storage.models import utcnow


def build_dialogs(
    engine: sa.Engine,
    *,
    idle_timeout: dtm.timedelta = dtm.timedelta(minutes=30),
    default_language: str = "sv",
    clock: Callable[[], dtm.datetime] = utcnow,
    assistant: Assistant | None = None,
) -> Engine:
    modules = (teacher, leader, scheduling, notes, manager, coordinator, network_days, appoint, roles, assisted)
    router = Router.combine(*(m.router for m in (*modules, privacy, logistics)))
    return Engine(
        engine,
        router,
        idle_timeout=idle_timeout,
        default_language=default_language,
        clock=clock,
        assistant=assistant,
    )
