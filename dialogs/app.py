"""The conversation engine with every dialog registered."""

from __future__ import annotations

import datetime as dtm
from collections.abc import Callable

import sqlalchemy as sa

from dialogs import assisted, coordinator, leader, logistics, manager, privacy, roles, teacher
from dialogs.assist import Assistant
from dialogs.engine import Engine, Registry
from storage.models import utcnow


def build_dialogs(
    engine: sa.Engine,
    *,
    idle_timeout: dtm.timedelta = dtm.timedelta(minutes=30),
    default_language: str = "sv",
    clock: Callable[[], dtm.datetime] = utcnow,
    assistant: Assistant | None = None,
) -> Engine:
    registry = Registry()
    for dialogs in (teacher, leader, manager, coordinator, roles, assisted, privacy, logistics):
        dialogs.register(registry)
    return Engine(
        engine,
        registry,
        idle_timeout=idle_timeout,
        default_language=default_language,
        clock=clock,
        assistant=assistant,
    )
