"""A slash command's answer is the asker's alone: ephemeral where it was typed, or in their direct chat."""

from __future__ import annotations

from urllib.parse import urlencode

from sqlmodel import Session, select

from storage.models import OutboxMessage
from tests.slack.conftest import Slack


def command(channel: str, text: str, user: str = "U0ALVA") -> str:
    """`/amneslag text` typed in `channel`, with the form body Slack sends."""
    return urlencode(
        {
            "token": "legacy",
            "team_id": "T0TEAM",
            "team_domain": "kulturskolan",
            "channel_id": channel,
            "channel_name": "bild-lararna" if channel.startswith("C") else "directmessage",
            "user_id": user,
            "user_name": "alva",
            "command": "/amneslag",
            "text": text,
            "api_app_id": "A0APP",
            "response_url": "https://hooks.slack.com/commands/T0TEAM/1/abc",
            "trigger_id": "13345224609.738474920.8088930838d88f008e0",
        }
    )


def _headers(message: dict) -> list[str]:
    return [b["text"]["text"] for b in message.get("blocks", []) if b["type"] == "header"]


async def test_my_team_asked_in_a_channel_is_shown_to_me_alone(slack: Slack) -> None:
    response = await slack.post(command("C0KANAL", "mitt ämneslag"), content_type="application/x-www-form-urlencoded")
    assert response.status == 200
    (shown,) = await slack.api.wait_for("chat.postEphemeral")
    await slack.settle()
    assert shown["channel"] == "C0KANAL" and shown["user"] == "U0ALVA"
    assert _headers(shown) == ["Bild, form och skapande"]
    assert slack.api.of("chat.postMessage") == []  # nothing public, nothing twice
    with Session(slack.db) as s:
        (queued,) = s.exec(select(OutboxMessage)).all()
    assert queued.status == "delivered"  # through the outbox like every other message
    assert queued.payload["slack_channel"] == "C0KANAL" and queued.payload["slack_ephemeral_to"] == "U0ALVA"


async def test_in_a_channel_without_the_app_the_answer_goes_to_my_direct_chat(slack: Slack) -> None:
    slack.api.outside.add("C0UTANFOR")
    await slack.post(command("C0UTANFOR", "mitt ämneslag"), content_type="application/x-www-form-urlencoded")
    (posted,) = await slack.api.wait_for("chat.postMessage")
    await slack.settle()
    assert posted["channel"] == "D0ALVA"
    assert _headers(posted) == ["Bild, form och skapande"]
    assert len(slack.api.of("chat.postMessage")) == 1


async def test_typed_in_my_direct_chat_with_the_bot_the_answer_stays_there(slack: Slack) -> None:
    await slack.post(command("D0ALVA", "mitt ämneslag"), content_type="application/x-www-form-urlencoded")
    (posted,) = await slack.api.wait_for("chat.postMessage")
    await slack.settle()
    assert posted["channel"] == "D0ALVA" and slack.api.of("chat.postEphemeral") == []


async def test_a_button_of_an_ephemeral_answer_is_answered_ephemerally(slack: Slack) -> None:
    from bot.slack.blocks import button_value
    from dialogs.types import Button

    value = button_value(Button(label="Mitt ämneslag", action="intent", values={"intent": "my_team"}))
    payload = {
        "type": "block_actions",
        "user": {"id": "U0ALVA"},
        "team": {"id": "T0TEAM"},
        "container": {"type": "message", "channel_id": "C0KANAL", "is_ephemeral": True},
        "channel": {"id": "C0KANAL"},
        "actions": [{"type": "button", "action_id": "amneslag_0", "block_id": "b", "value": value, "action_ts": "1.2"}],
    }
    assert (await slack.interaction(payload)).status == 200
    (shown,) = await slack.api.wait_for("chat.postEphemeral")
    await slack.settle()
    assert shown["channel"] == "C0KANAL" and shown["user"] == "U0ALVA"
    assert slack.api.of("chat.postMessage") == []


async def test_a_mention_in_a_channel_is_answered_to_me_alone_without_the_mention(slack: Slack) -> None:
    await slack.event(
        {"type": "app_mention", "user": "U0ALVA", "channel": "C0KANAL", "text": "<@U0BOT> mitt ämneslag", "ts": "1.3"},
        "EvMention",
    )
    (shown,) = await slack.api.wait_for("chat.postEphemeral")
    await slack.settle()
    assert shown["channel"] == "C0KANAL" and shown["user"] == "U0ALVA" and "thread_ts" not in shown
    assert _headers(shown) == ["Bild, form och skapande"]  # understood without the "<@U0BOT>"
    assert slack.api.of("chat.postMessage") == []  # no public post in the channel, nor anywhere else
    with Session(slack.db) as s:
        (queued,) = s.exec(select(OutboxMessage)).all()
    assert queued.status == "delivered" and queued.payload["slack_ephemeral_to"] == "U0ALVA"


async def test_a_mention_in_a_thread_is_answered_in_that_thread(slack: Slack) -> None:
    """Slack shows an ephemeral answer in a thread only with the thread's ts (its parent's); without it the answer
    lands in the channel below everything else, away from the thread the person asked in."""
    await slack.event(
        {
            "type": "app_mention",
            "user": "U0ALVA",
            "channel": "C0KANAL",
            "text": "<@U0BOT> mitt ämneslag",
            "ts": "1700000002.000200",
            "thread_ts": "1700000001.000100",
        },
        "EvMentionThread",
    )
    (shown,) = await slack.api.wait_for("chat.postEphemeral")
    await slack.settle()
    assert shown["channel"] == "C0KANAL" and shown["user"] == "U0ALVA"
    assert shown.get("thread_ts") == "1700000001.000100"
    assert _headers(shown) == ["Bild, form och skapande"]


async def test_a_button_of_a_private_answer_in_a_thread_is_answered_in_that_thread(slack: Slack) -> None:
    from bot.slack.blocks import button_value
    from dialogs.types import Button

    value = button_value(Button(label="Mitt ämneslag", action="intent", values={"intent": "my_team"}))
    payload = {
        "type": "block_actions",
        "user": {"id": "U0ALVA"},
        "team": {"id": "T0TEAM"},
        "container": {
            "type": "message",
            "channel_id": "C0KANAL",
            "is_ephemeral": True,
            "message_ts": "1700000003.000300",
            "thread_ts": "1700000001.000100",
        },
        "channel": {"id": "C0KANAL"},
        "actions": [{"type": "button", "action_id": "amneslag_0", "block_id": "b", "value": value, "action_ts": "1.4"}],
    }
    assert (await slack.interaction(payload)).status == 200
    (shown,) = await slack.api.wait_for("chat.postEphemeral")
    await slack.settle()
    assert shown["channel"] == "C0KANAL" and shown.get("thread_ts") == "1700000001.000100"
