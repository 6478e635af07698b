"""The inbox in front of the Slack listeners: stored before the ack, processed once, processed again after a crash."""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlmodel import Session, select

import bot.slack.app
from bot.inbox import InboxRecovery
from bot.server import RECOVERY
from storage.errors import DatabaseUnavailable
from storage.inbound import Stored, receive
from storage.models import InboxEvent
from tests.slack.conftest import Slack, dm_body


def _recovery(slack: Slack) -> InboxRecovery:
    """A recovery of its own, on a clock past every lease (the server's own runs on the real clock, so it does
    not take the event first)."""
    served = slack.client.app[RECOVERY]
    later = dtm.datetime.now(dtm.UTC) + dtm.timedelta(minutes=5)
    return InboxRecovery(slack.db, served.processors, lease=served.lease, clock=lambda: later)


def _dm_body(event_id: str, text: str = "hjälp") -> dict[str, Any]:
    return dm_body(event_id, "D0ALVA", text)


async def test_an_event_stored_before_a_crash_is_answered_on_start_and_once(slack: Slack) -> None:
    body = _dm_body("Ev0100")
    stored = await asyncio.to_thread(receive, slack.db, "slack", "Ev0100", body, lease=dtm.timedelta(seconds=60))
    assert stored is not None  # acknowledged to Slack, and then the process died
    recovery = _recovery(slack)
    assert await recovery.run_once() == 1
    await slack.settle()
    assert [p["channel"] for p in slack.api.of("chat.postMessage")] == ["D0ALVA"]

    again = await slack.event(body["event"], event_id="Ev0100", retry=1)  # Slack's retry, had the ack been lost
    assert again.status == 200
    await slack.settle()
    assert await recovery.run_once() == 0
    assert len(slack.api.of("chat.postMessage")) == 1
    with Session(slack.db) as s:
        event = s.exec(select(InboxEvent).where(InboxEvent.inbound_id == "Ev0100")).one()
    assert (event.status, event.payload) == ("done", None)  # the message's text is not kept once it is done


async def test_two_instances_taking_one_stranded_event_answer_it_once(slack: Slack) -> None:
    body = _dm_body("Ev0101", "mitt ämneslag")
    event_id = await asyncio.to_thread(receive, slack.db, "slack", "Ev0101", body, lease=dtm.timedelta(seconds=60))
    assert event_id is not None
    process = _recovery(slack).processors["slack"]
    await asyncio.gather(*(process(Stored(event_id, "slack", body)) for _ in range(3)))
    await slack.settle()
    assert len(slack.api.of("chat.postMessage")) == 1


async def test_a_request_that_cannot_be_stored_is_not_acknowledged(
    slack: Slack, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unavailable(*args: Any, **kwargs: Any) -> int:
        raise DatabaseUnavailable("the inbox could not be written: OperationalError")

    monkeypatch.setattr(bot.slack.app, "receive", unavailable)
    event = await slack.dm("U0ALVA", "hjälp", event_id="Ev0102")
    assert event.status == 503  # Slack sends it again later
    form = urlencode(
        {
            "command": "/amneslag",
            "text": "mitt ämneslag",
            "user_id": "U0ALVA",
            "team_id": "T0TEAM",
            "channel_id": "D0ALVA",
            "trigger_id": "13345224609.738474920.8088930838d88f008e0",
        }
    )
    command = await slack.post(form, content_type="application/x-www-form-urlencoded")
    assert command.status == 200  # Slack would show only "dispatch_failed": the person gets a sentence instead
    assert "Försök igen om en stund" in await command.text()
    button = await slack.interaction(
        {
            "type": "block_actions",
            "user": {"id": "U0ALVA"},
            "trigger_id": "13345224609.738474920.1",
            "channel": {"id": "D0ALVA"},
            "actions": [{"action_id": "amneslag_0", "value": json.dumps({"a": "home"}), "action_ts": "1"}],
        }
    )
    assert button.status == 503  # Slack marks the press as failed; pressing again works
    await slack.settle()
    assert slack.api.of("chat.postMessage") == []
    with Session(slack.db) as s:
        assert s.exec(select(InboxEvent)).all() == []


async def test_a_double_click_on_send_notice_sends_it_once(slack: Slack) -> None:
    """Two presses of "send notice" as Slack sends a double click: two requests at once, two trigger ids."""
    from sqlmodel import col

    from storage.models import Meeting, OutboxMessage, Team

    with Session(slack.db) as s:
        team = s.exec(select(Team).where(Team.name == "Bild, form och skapande")).one()
        meetings = s.exec(select(Meeting).where(Meeting.team_id == team.id).order_by(col(Meeting.starts_at))).all()
    february = meetings[1]
    assert february.notice_sent_at is None
    value = json.dumps({"a": "notice.send", "v": {"meeting_id": february.id}})

    def press(trigger: str) -> dict[str, Any]:
        return {
            "type": "block_actions",
            "user": {"id": "U0JONAS"},
            "trigger_id": trigger,
            "channel": {"id": "D0JONAS"},
            "actions": [{"action_id": "amneslag_0", "value": value, "action_ts": trigger}],
        }

    responses = await asyncio.gather(slack.interaction(press("1.1.a")), slack.interaction(press("1.1.b")))
    assert [r.status for r in responses] == [200, 200]
    await slack.settle()
    with Session(slack.db) as s:
        notices = s.exec(select(OutboxMessage).where(OutboxMessage.kind == "meeting_notice")).all()
    assert len(notices) == 5  # Bild's five members, once each
    told = [p for p in slack.api.of("chat.postMessage") if p["channel"] == "D0JONAS"]
    assert sum("Skickat" in p.get("text", "") for p in told) == 1, [p.get("text") for p in told]
