"""The Teams sender's own logic: a message of several activities resumes where it failed."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from bot.outbox import DeliveryError
from bot.teams.app import ConnectorError, TeamsBot
from bot.teams.sender import TeamsSender
from dialogs.invite import attachment
from dialogs.types import TextReply, dump_replies
from storage.outbox import Delivery


class Connector:
    """Stands in for TeamsBot.send: records what was sent; refuses the sends numbered in `fail`."""

    card_activity = staticmethod(TeamsBot.card_activity)
    consent_activity = staticmethod(TeamsBot.consent_activity)
    file_info_activity = staticmethod(TeamsBot.file_info_activity)

    def __init__(self, fail: set[int]) -> None:
        self.fail = fail
        self.attempts = 0
        self.sent: list[dict[str, Any]] = []

    async def send(self, reference: dict[str, Any], activity: dict[str, Any]) -> None:
        self.attempts += 1
        if self.attempts in self.fail:
            raise ConnectorError(503, None, "HTTP 503")
        self.sent.append(activity)


def _delivery(payload: dict[str, Any]) -> Delivery:
    return Delivery(id=7, channel="teams", kind="meeting_notice", payload=payload, attempts=1, recipient=None)


async def test_a_failed_consent_card_is_retried_without_the_card_again() -> None:
    payload = {
        "replies": dump_replies([TextReply(text="Kallelse")]),
        "attachments": [
            attachment("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", name="kallelse.ics", description="Kalenderinbjudan")
        ],
        "teams_reference": {"conversation": {"id": "a:1"}},
    }
    connector = Connector(fail={2, 3})  # the consent card fails, and its one quick retry too
    no_database = sa.create_engine("sqlite://")  # never asked: the reference is in the payload
    sender = TeamsSender(connector, engine=no_database, retries=1, base_delay=0)  # type: ignore[arg-type]  # a stand-in bot
    with pytest.raises(DeliveryError) as failed:
        await sender.send(_delivery(payload))
    assert failed.value.progress == {"teams_parts_sent": 1} and len(connector.sent) == 1
    await sender.send(_delivery({**payload, **failed.value.progress}))  # the outbox's retry, progress kept
    kinds = [a["attachments"][0]["contentType"] for a in connector.sent]
    assert kinds == ["application/vnd.microsoft.card.adaptive", "application/vnd.microsoft.teams.card.file.consent"]
