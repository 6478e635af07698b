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


class Mail:
    """The e-mail channel, recording what it was given."""

    channel = "email"

    def __init__(self) -> None:
        self.sent: list[Delivery] = []

    async def send(self, delivery: Delivery) -> None:
        self.sent.append(delivery)


class Refusing(Connector):
    """A connector that turns every activity away with `status` (403: the person blocked or removed the app)."""

    def __init__(self, status: int) -> None:
        super().__init__(fail=set())
        self.status = status

    async def send(self, reference: dict[str, Any], activity: dict[str, Any]) -> None:
        self.attempts += 1
        raise ConnectorError(self.status, None, f"HTTP {self.status}")


@pytest.mark.parametrize("status", [403, 404])
async def test_a_notice_teams_no_longer_takes_for_the_person_goes_by_e_mail(engine: sa.Engine, status: int) -> None:
    """The person's stored chat is refused for good (403: they blocked or removed the app; 404: the chat is gone),
    but they still have their e-mail address: with e-mail configured the notice goes there, not to "failed"."""
    from storage.addresses import TEAMS, save_address
    from storage.db import session_scope
    from storage.models import Person, Region
    from storage.outbox import Recipient

    with session_scope(engine) as s:
        region = Region(key="test", name="Test")
        s.add(region)
        s.flush()
        assert region.id is not None
        ann = Person(email="ann@example.org", name="Ann Ek", region_id=region.id)
        s.add(ann)
        s.flush()
        assert ann.id is not None
        save_address(s, ann.id, TEAMS, {"conversation": {"id": "a:ann"}, "serviceUrl": "https://smba.example/"})
        recipient = Recipient(ann.id, ann.email, ann.name, "sv", None, None)
    mail = Mail()
    sender = TeamsSender(Refusing(status), engine, base_delay=0, fallback=mail)  # type: ignore[arg-type]
    notice = Delivery(
        id=7,
        channel="teams",
        kind="meeting_notice",
        payload={"replies": dump_replies([TextReply(text="Kallelse")])},
        attempts=1,
        recipient=recipient,
    )
    await sender.send(notice)
    (mailed,) = mail.sent
    assert mailed.id == 7 and notice.progress.via == "email"


async def test_a_reply_teams_refuses_is_not_mailed() -> None:
    """An answer in a conversation the person just wrote in is no notice: a refusal there fails, it is not mailed."""
    mail = Mail()
    no_database = sa.create_engine("sqlite://")
    sender = TeamsSender(Refusing(403), no_database, base_delay=0, fallback=mail)  # type: ignore[arg-type]
    reply = _delivery({"replies": dump_replies([TextReply(text="Hej")]), "teams_reference": {"conversation": {}}})
    with pytest.raises(DeliveryError) as failed:
        await sender.send(reply)
    assert failed.value.permanent and mail.sent == []
