"""The inbox in front of the Teams handler: an activity is stored before the turn, and processed again after a crash."""

from __future__ import annotations

import datetime as dtm
from typing import Any

import pytest
from sqlmodel import Session, select

from bot.inbox import InboxRecovery
from bot.server import RECOVERY
from dialogs.engine import Dialogs
from storage.errors import DatabaseUnavailable
from storage.models import InboxEvent
from tests.teams.conftest import ALVA, Teams, card_of, personal, submits_of, texts_of


def _recovery(teams: Teams) -> InboxRecovery:
    """A recovery of its own, on a clock past every lease (the server's own runs on the real clock, so it does
    not take the event first)."""
    served = teams.client.app[RECOVERY]
    later = dtm.datetime.now(dtm.UTC) + dtm.timedelta(minutes=5)
    return InboxRecovery(teams.db, served.processors, lease=served.lease, clock=lambda: later)


@pytest.fixture
def database_gone(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The database goes away in the middle of the next turns (after the activity was stored)."""

    async def unreachable(self: Dialogs, *args: Any, **kwargs: Any) -> Any:
        raise DatabaseUnavailable("OperationalError")

    monkeypatch.setattr(Dialogs, "respond", unreachable)
    return monkeypatch


async def test_an_activity_interrupted_by_the_database_is_answered_once_it_is_back(
    teams: Teams, database_gone: pytest.MonkeyPatch
) -> None:
    activity = teams.activity(ALVA, text="hjälp")
    response = await teams.post(activity)
    assert response.status == 503  # the Bot Connector sends it again
    database_gone.undo()

    assert await _recovery(teams).run_once() == 1
    await teams.worker.run_until_idle()
    (menu,) = teams.connector.to(personal(ALVA))
    assert any("Det här kan jag hjälpa dig med" in t for t in texts_of(card_of(menu)))

    redelivered = await teams.post(activity)  # the connector's own retry of the same activity
    assert redelivered.status in (200, 201)
    await teams.worker.run_until_idle()
    assert len(teams.connector.activities) == 1
    with Session(teams.db) as s:
        (event,) = s.exec(select(InboxEvent).where(InboxEvent.source == "teams")).all()
    assert (event.status, event.payload) == ("done", None)


async def test_an_interrupted_card_action_is_answered_as_a_message(teams: Teams) -> None:
    await teams.say(ALVA, "hjälp")
    ((_, menu),) = await teams.connector.wait_for(1)
    button = next(a for a in submits_of(card_of(menu)) if a["title"] == "Mitt ämneslag")
    invoke = teams.activity(
        ALVA,
        type="invoke",
        name="adaptiveCard/action",
        value={"action": {"type": "Action.Execute", "verb": "amneslag", "data": button["data"]}, "trigger": "manual"},
    )
    with pytest.MonkeyPatch.context() as patch:

        async def unreachable(self: Dialogs, *args: Any, **kwargs: Any) -> Any:
            raise DatabaseUnavailable("OperationalError")

        patch.setattr(Dialogs, "respond", unreachable)
        assert (await teams.post(invoke)).status == 503

    assert await _recovery(teams).run_once() == 1
    await teams.worker.run_until_idle()
    _, answer = teams.connector.to(personal(ALVA))  # the refreshed card's HTTP answer is gone: a message instead
    assert any("Bild, form och skapande" in t for t in texts_of(card_of(answer)))
