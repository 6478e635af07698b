"""The dialogs with every route registered, over the database `db`."""

from __future__ import annotations

import datetime as dtm
from collections.abc import Callable

import sqlalchemy as sa

from dialogs import (
    agenda,
    appoint,
    coordinator,
    host,
    leader,
    logistics,
    manager,
    model_answers,
    move,
    network_days,
    notes,
    privacy,
    revision,
    roles,
    scheduling,
    teacher,
)
from dialogs.engine import Dialogs, Router
from dialogs.language_model import Assistant
from domain.travel import RoadTable
from storage.models import utcnow


def build_dialogs(
    db: sa.Engine,
    *,
    idle_timeout: dtm.timedelta = dtm.timedelta(minutes=30),
    default_language: str = "sv",
    clock: Callable[[], dtm.datetime] = utcnow,
    assistant: Assistant | None = None,
    roads: RoadTable | None = None,
    reach: str = "none",
) -> Dialogs:
    modules = (teacher, leader, scheduling, notes, manager, coordinator, network_days, appoint, roles, model_answers)
    router = Router.combine(*(m.router for m in (*modules, privacy, logistics, host, revision, agenda, move)))
    return Dialogs(
        db,
        router,
        idle_timeout=idle_timeout,
        default_language=default_language,
        clock=clock,
        assistant=assistant,
        roads=roads,
        reach=reach,
    )
