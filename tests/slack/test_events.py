"""Slack end to end over HTTP: signed requests as Slack sends them, the fake Web API's record as the truth."""

from __future__ import annotations

import asyncio
import datetime as dtm
import hashlib
import hmac
import json
import logging
import time

import pytest
from sqlmodel import Session, col, select

from bot.slack.blocks import parse_button_value
from storage import outbox
from storage.db import session_scope
from storage.models import Absence, OutboxMessage, OutboxStatus, Person
from tests.slack.conftest import SECRET, Slack, signed


def _texts(message: dict) -> str:
    blocks = message.get("blocks") or []
    return "\n".join(b["text"]["text"] for b in blocks if b.get("type") == "section" and "text" in b)


async def test_url_verification(slack: Slack) -> None:
    body = json.dumps(
        {
            "token": "legacy",
            "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
            "type": "url_verification",
        }
    )
    response = await slack.post(body, content_type="application/json")
    assert response.status == 200
    assert (await response.json())["challenge"].startswith("3eZbrw1a")


async def test_a_direct_message_gets_a_block_kit_answer(slack: Slack) -> None:
    response = await slack.dm("U0ALVA", "hjälp")
    assert response.status == 200
    (posted,) = await slack.api.wait_for("chat.postMessage")
    assert posted["channel"] == "D0ALVA"
    assert _texts(posted).startswith("Hej Alva! Det här kan jag hjälpa dig med")
    labels = [e["text"]["text"] for b in posted["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert "Anmäl frånvaro" in labels
    assert posted["text"].startswith("Hej Alva!")  # the notification text
    with Session(slack.db) as s:
        alva = s.exec(select(Person).where(Person.email == "alva.jonsson@example.org")).one()
    assert alva.slack_user_id == "U0ALVA"  # found by e-mail once, by id from now on
    await slack.dm("U0ALVA", "mitt ämneslag", event_id="Ev0002")
    await slack.api.wait_for("chat.postMessage", 2)
    assert len(slack.api.of("users.info")) == 1


async def test_a_reply_is_posted_by_its_turn_with_no_claim_of_the_worker(slack: Slack) -> None:
    """The reply a person waits for is claimed as the turn queues it and posted right after the commit: no wake-up
    of the worker, no claim transaction of its own. Messages to others still go through the worker."""
    claims: list[int] = []
    claim = slack.worker._claim

    def counted(now: dtm.datetime) -> list[outbox.Delivery]:
        found = claim(now)
        claims.append(len(found))
        return found

    slack.worker._claim = counted  # type: ignore[method-assign]
    await slack.dm("U0ALVA", "hjälp")
    (posted,) = await slack.api.wait_for("chat.postMessage")
    await slack.settle()
    assert posted["channel"] == "D0ALVA" and sum(claims) == 0
    with Session(slack.db) as s:
        (status,) = s.exec(select(OutboxMessage.status)).all()
    assert status == OutboxStatus.DELIVERED


async def test_a_stranger_gets_the_polite_answer(slack: Slack) -> None:
    await slack.dm("U0STRANGER", "hej")
    (posted,) = await slack.api.wait_for("chat.postMessage")
    assert _texts(posted).startswith("Hej! Jag känner inte igen dig än")


async def test_bad_signatures_and_timestamps_are_401_with_no_api_call(slack: Slack) -> None:
    body = json.dumps({"type": "event_callback", "event_id": "EvBad", "event": {"type": "message"}})
    now = str(int(time.time()))
    cases = [
        {"X-Slack-Request-Timestamp": now, "X-Slack-Signature": "v0=" + "0" * 64},  # wrong signature
        signed(body, timestamp=str(int(time.time()) - 6 * 60)),  # stale: more than five minutes old
        {"X-Slack-Request-Timestamp": "garbage", "X-Slack-Signature": signed(body)["X-Slack-Signature"]},
        {"X-Slack-Signature": signed(body)["X-Slack-Signature"]},  # no timestamp at all
        signed(body, secret="someone-else"),
    ]
    for headers in cases:
        response = await slack.client.post(
            "/slack/events", data=body.encode(), headers={"Content-Type": "application/json", **headers}
        )
        assert response.status == 401, headers
    await slack.settle()
    assert slack.api.calls == []


async def test_the_same_event_four_times_in_parallel_causes_one_side_effect(slack: Slack) -> None:
    event = {
        "type": "message",
        "channel_type": "im",
        "channel": "D0ALVA",
        "user": "U0ALVA",
        "text": "jag kan inte komma 11/2",
        "ts": "1700000000.000100",
    }
    responses = await asyncio.gather(*(slack.event(event, "EvSame", retry=n if n else None) for n in range(4)))
    assert [r.status for r in responses] == [200] * 4
    await slack.settle()  # all four deliveries have been handled
    (question,) = slack.api.of("chat.postMessage")  # free text is asked about first: "Anmäla frånvaro …?"
    assert "Anmäla frånvaro från Bild, form och skapande torsdag 11 februari" in json.dumps(
        question, ensure_ascii=False
    )
    with Session(slack.db) as s:
        assert s.exec(select(Absence)).all() == []
    # The answer, "ja", delivered four times too: the stored question is answered once, one absence.
    answer = {**event, "text": "ja", "ts": "1700000000.000200"}
    responses = await asyncio.gather(*(slack.event(answer, "EvYes", retry=n if n else None) for n in range(4)))
    assert [r.status for r in responses] == [200] * 4
    await slack.settle()
    with Session(slack.db) as s:
        assert len(s.exec(select(Absence)).all()) == 1
        replies = [m for m in s.exec(select(OutboxMessage)).all() if m.kind == "reply"]
        told = [m for m in s.exec(select(OutboxMessage)).all() if m.kind == "undeliverable"]
    assert len(replies) == 2
    # the question, the confirmation, and, once, that the manager not found in Slack did not get it
    assert len([p for p in slack.api.of("chat.postMessage") if p["channel"] == "D0ALVA"]) == 2 + len(told)
    assert len(told) == 1


async def test_an_absence_reported_with_buttons_reaches_the_leaders_and_the_manager(slack: Slack) -> None:
    with Session(slack.db) as s:  # the leader and the manager use Slack too
        for email, user in (("jonas.sundqvist@example.org", "U0JONAS"), ("pontus.ronnlund@example.org", "U0PONTUS")):
            s.exec(select(Person).where(Person.email == email)).one().slack_user_id = user
        s.commit()
    await slack.dm("U0ALVA", "anmäl frånvaro")
    (question,) = await slack.api.wait_for("chat.postMessage")
    button = next(e for b in question["blocks"] if b["type"] == "actions" for e in b["elements"])
    pressed = parse_button_value(button["value"])
    assert pressed is not None and pressed[0] == "absence.report"
    payload = {
        "type": "block_actions",
        "user": {"id": "U0ALVA", "username": "alva", "team_id": "T0TEAM"},
        "api_app_id": "A0APP",
        "token": "legacy",
        "container": {"type": "message", "message_ts": "1.1", "channel_id": "D0ALVA", "is_ephemeral": False},
        "trigger_id": "13345224609.738474920.8088930838d88f008e0",
        "team": {"id": "T0TEAM", "domain": "kulturskolan"},
        "channel": {"id": "D0ALVA", "name": "directmessage"},
        "actions": [{**button, "block_id": "b1", "action_ts": "1700000001.0001"}],
    }
    response = await slack.interaction(payload)
    assert response.status == 200
    await slack.settle()
    # the question, Alva's confirmation, Jonas, Pontus, and to Alva: Petter, not in the workspace, did not get it
    assert len(slack.api.of("chat.postMessage")) == 5
    opened = {args["users"] for args in slack.api.of("conversations.open")}
    assert {"U0JONAS", "U0PONTUS"} <= opened
    texts = [_texts(m) or m["text"] for m in slack.api.of("chat.postMessage")]
    assert any(t.startswith("Klart: din frånvaro") for t in texts)
    assert sum("har anmält frånvaro" in t for t in texts) == 2


async def test_an_unhandled_event_is_answered_200(slack: Slack) -> None:
    response = await slack.event({"type": "reaction_added", "user": "U0ALVA", "reaction": "tada"}, "EvReact")
    assert response.status == 200


async def test_a_rate_limited_message_is_delayed_not_lost(slack: Slack) -> None:
    slack.api.rate_limit_next = 1
    await slack.dm("U0ALVA", "hjälp")
    (posted,) = await slack.api.wait_for("chat.postMessage", timeout=15)
    assert [name for name, _ in slack.api.calls].count("429") == 1
    assert _texts(posted).startswith("Hej Alva!")


async def test_app_home_shows_the_menu_my_team_and_my_to_dos(slack: Slack) -> None:
    await slack.event({"type": "app_home_opened", "user": "U0JONAS", "channel": "D0JONAS", "tab": "home"}, "EvHome")
    (published,) = await slack.api.wait_for("views.publish")
    assert published["user_id"] == "U0JONAS"
    view = published["view"] if isinstance(published["view"], dict) else json.loads(published["view"])
    assert view["type"] == "home" and len(view["blocks"]) <= 100
    headers = [b["text"]["text"] for b in view["blocks"] if b["type"] == "header"]
    assert "Bild, form och skapande" in headers  # my team
    assert any(h.startswith("Bild, form och skapande: ") for h in headers)  # the meetings I lead
    labels = [e["text"]["text"] for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert "Skicka kallelse nu" in labels and "Planera träff" in labels
    await slack.event({"type": "app_home_opened", "user": "U0STRANGER", "tab": "home"}, "EvHome2")
    (_, stranger) = await slack.api.wait_for("views.publish", 2)
    view = stranger["view"] if isinstance(stranger["view"], dict) else json.loads(stranger["view"])
    assert "känner inte igen dig" in json.dumps(view, ensure_ascii=False)


async def test_no_token_secret_or_message_text_in_the_logs(slack: Slack, caplog) -> None:
    import logging

    from tests.slack.conftest import SECRET

    with caplog.at_level(logging.INFO):
        await slack.dm("U0ALVA", "jag kan inte komma 11/2")
        await slack.api.wait_for("chat.postMessage")
        await slack.client.post(
            "/slack/events", data=b"{}", headers={"X-Slack-Request-Timestamp": "1", "X-Slack-Signature": "v0=x"}
        )
    logged = "\n".join(f"{r.getMessage()} {r.args}" for r in caplog.records)
    assert caplog.records  # something was logged, so the check below means something
    for secret in ("xoxb-test-token", SECRET, "kan inte komma", "alva.jonsson@example.org"):
        assert secret not in logged


async def test_notes_through_a_modal(slack: Slack) -> None:
    from bot.slack.blocks import button_value
    from dialogs.types import Button
    from storage.models import Meeting, Team

    with Session(slack.db) as s:
        jonas = s.exec(select(Person).where(Person.email == "jonas.sundqvist@example.org")).one()
        jonas.slack_user_id = "U0JONAS"
        bild = s.exec(select(Team).where(Team.name == "Bild, form och skapande")).one()
        september = s.exec(select(Meeting).where(Meeting.team_id == bild.id).order_by(col(Meeting.starts_at))).first()
        assert september is not None
        september.notes_distributed_at = None  # the notes of September are still to be sent
        s.add(jonas)
        s.add(september)
        s.commit()
        meeting_id = september.id
    value = button_value(Button(label="Logga anteckningar", action="notes.start", values={"meeting_id": meeting_id}))
    payload = {
        "type": "block_actions",
        "user": {"id": "U0JONAS"},
        "team": {"id": "T0TEAM"},
        "trigger_id": "trigger-notes-1",
        "container": {"type": "message", "channel_id": "D0JONAS"},
        "channel": {"id": "D0JONAS"},
        "actions": [{"type": "button", "action_id": "amneslag_0", "block_id": "b", "value": value, "action_ts": "1.2"}],
    }
    assert (await slack.interaction(payload)).status == 200
    (opened,) = await slack.api.wait_for("views.open")
    view = opened["view"] if isinstance(opened["view"], dict) else json.loads(opened["view"])
    assert opened["trigger_id"] == "trigger-notes-1" and view["type"] == "modal"
    assert view["title"]["text"] == "Anteckningar" and view["close"]["text"] == "Avbryt"
    assert view["blocks"][0]["text"]["text"].startswith("Anteckningar från Bild, form och skapande, ")  # the meeting
    assert view["blocks"][1]["element"]["multiline"] is True
    await slack.settle()
    assert slack.api.of("chat.postMessage") == []  # the modal is the answer
    submission = {
        "type": "view_submission",
        "user": {"id": "U0JONAS"},
        "team": {"id": "T0TEAM"},
        "view": {
            **view,
            "id": "V0NOTES",
            "hash": "156772938.1827394",
            "state": {
                "values": {
                    "body": {"body": {"type": "plain_text_input", "value": "Rad ett\nRad två"}},
                    "link": {"link": {"type": "plain_text_input", "value": None}},
                }
            },
        },
    }
    assert (await slack.interaction(submission)).status == 200
    (preview,) = await slack.api.wait_for("chat.postMessage")
    assert preview["channel"] == "D0JONAS"
    assert "Rad ett\nRad två" in _texts(preview)
    assert any(
        e["text"]["text"] == "Skicka anteckningarna"
        for b in preview["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    )


async def test_the_slash_command_with_slacks_form_body(slack: Slack) -> None:
    from urllib.parse import urlencode

    body = urlencode(
        {
            "token": "legacy",
            "team_id": "T0TEAM",
            "team_domain": "kulturskolan",
            "channel_id": "D0ALVA",
            "channel_name": "directmessage",
            "user_id": "U0ALVA",
            "user_name": "alva",
            "command": "/amneslag",
            "text": "när är nästa träff?",
            "api_app_id": "A0APP",
            "response_url": "https://hooks.slack.com/commands/T0TEAM/1/abc",
            "trigger_id": "13345224609.738474920.8088930838d88f008e0",
        }
    )
    response = await slack.post(body, content_type="application/x-www-form-urlencoded")
    assert response.status == 200
    (posted,) = await slack.api.wait_for("chat.postMessage")
    headers = [b["text"]["text"] for b in posted["blocks"] if b["type"] == "header"]
    assert headers == ["Kommande träffar för Bild, form och skapande"]


async def test_a_message_that_can_never_be_delivered_ends_as_failed(slack: Slack) -> None:
    from aiohttp import web
    from aiohttp.test_utils import TestServer

    from bot.outbox import OutboxWorker
    from bot.slack.sender import SlackSender, web_client
    from storage.db import session_scope
    from storage.outbox import enqueue

    with session_scope(slack.db) as s:
        person = s.exec(select(Person).where(Person.email == "alva.jonsson@example.org")).one()
        person.slack_user_id = "U0GONE"  # a deactivated account: users.info / conversations.open fail
        message = enqueue(
            s, channel="slack", kind="notice", payload={"replies": [], "text": "x"}, recipient_id=person.id
        )
        s.flush()
        message_id = message.id

    async def refuse(request):
        return web.json_response({"ok": False, "error": "user_not_found"})

    gone = web.Application()
    gone.router.add_route("*", "/api/{method}", refuse)
    async with TestServer(gone) as server:
        sender = SlackSender(web_client("xoxb-x", str(server.make_url("/api/"))))
        worker = OutboxWorker(slack.db, [sender])
        assert await worker.run_once() >= 1
        await sender.close()
    with Session(slack.db) as s:
        failed = s.get(OutboxMessage, message_id)
        assert failed is not None and failed.status == "failed" and "user_not_found" in (failed.last_error or "")


async def test_a_whole_absence_report_through_the_modal_reaches_the_leader_and_the_manager(slack: Slack) -> None:
    with Session(slack.db) as s:
        for email, user in (("jonas.sundqvist@example.org", "U0JONAS"), ("pontus.ronnlund@example.org", "U0PONTUS")):
            s.exec(select(Person).where(Person.email == email)).one().slack_user_id = user
        s.commit()
    await slack.dm("U0ALVA", "hjälp")
    (menu,) = await slack.api.wait_for("chat.postMessage")
    button = next(
        e
        for b in menu["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["text"]["text"] == "Anmäl frånvaro"
    )
    await slack.interaction(
        {
            "type": "block_actions",
            "user": {"id": "U0ALVA"},
            "team": {"id": "T0TEAM"},
            "trigger_id": "trigger-absence-1",
            "container": {"type": "message", "channel_id": "D0ALVA"},
            "channel": {"id": "D0ALVA"},
            "actions": [{**button, "block_id": "b", "action_ts": "1.4"}],
        }
    )
    (opened,) = await slack.api.wait_for("views.open")
    view = opened["view"] if isinstance(opened["view"], dict) else json.loads(opened["view"])
    select_ = view["blocks"][0]["element"]
    assert select_["type"] == "static_select" and len(select_["options"]) == 2
    february = select_["options"][0]
    assert february["text"]["text"] == "torsdag 11 februari kl. 09.00"
    submission = {
        "type": "view_submission",
        "user": {"id": "U0ALVA"},
        "team": {"id": "T0TEAM"},
        "view": {
            **view,
            "id": "V0ABSENCE",
            "hash": "1.1",
            "state": {"values": {"meeting_id": {"meeting_id": {"type": "static_select", "selected_option": february}}}},
        },
    }
    assert (await slack.interaction(submission)).status == 200
    await slack.settle()
    # the menu, Alva's confirmation, Jonas and Pontus, and to Alva: Petter, not in the workspace, did not get it
    assert len(slack.api.of("chat.postMessage")) == 5
    with Session(slack.db) as s:
        assert len(s.exec(select(Absence)).all()) == 1
    texts = [m["text"] for m in slack.api.of("chat.postMessage")]
    assert any(
        t.startswith("Klart: din frånvaro från träffen i Bild, form och skapande torsdag 11 februari") for t in texts
    )
    assert sum("Alva Jonsson har anmält frånvaro" in t for t in texts) == 2
    assert {"U0JONAS", "U0PONTUS"} <= {args["users"] for args in slack.api.of("conversations.open")}


async def test_a_split_message_that_fails_halfway_is_not_posted_twice(slack: Slack) -> None:
    """The retry of a message split into parts starts at the first part not yet posted."""
    import datetime as dtm

    from bot.outbox import OutboxWorker
    from bot.slack.sender import SlackSender
    from dialogs.types import TextReply, dump_replies
    from storage import outbox as store

    lines = "\n".join(f"Rad {i}: " + "x" * 90 for i in range(1700))  # about 55 sections: two messages
    with session_scope(slack.db) as s:
        alva = s.exec(select(Person).where(Person.email == "alva.jonsson@example.org")).one()
        alva.slack_user_id = "U0ALVA"
        message = store.enqueue(
            s,
            channel="slack",
            kind="notes",
            payload={"replies": dump_replies([TextReply(text=lines)])},
            recipient_id=alva.id,
        )
        s.flush()
        message_id = message.id
    now = [dtm.datetime.now(dtm.UTC)]
    worker = OutboxWorker(slack.db, [SlackSender(slack.bot_client)], clock=lambda: now[0], jitter=0)
    slack.api.fail_nth_post = 2
    assert await worker.run_once() == 1  # part 1 posted, part 2 failed
    now[0] += dtm.timedelta(hours=1)
    assert await worker.run_once() == 1  # the retry posts part 2 only
    posted = [args["blocks"] for args in slack.api.of("chat.postMessage")]
    assert len(posted) == 2 and posted[0] != posted[1]
    first = posted[0] if isinstance(posted[0], str) else json.dumps(posted[0])
    assert "Rad 0:" in first and "Rad 1699:" not in first
    with Session(slack.db) as s:
        stored = s.get(OutboxMessage, message_id)
        assert stored is not None and stored.status == "delivered" and stored.payload["slack_parts_posted"] == 2


async def test_the_calendar_invite_is_uploaded_with_the_notice_and_a_failed_upload_is_retried_alone(
    slack: Slack,
) -> None:
    import datetime as dtm

    from bot.outbox import OutboxWorker
    from bot.slack.sender import SlackSender
    from dialogs.invite import attachment
    from dialogs.types import CardReply, dump_replies
    from storage import outbox as store

    ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"
    with session_scope(slack.db) as s:
        alva = s.exec(select(Person).where(Person.email == "alva.jonsson@example.org")).one()
        alva.slack_user_id = "U0ALVA"
        payload = {
            "replies": dump_replies([CardReply(title="Kallelse: Bild, form och skapande träffas torsdag 11 februari")]),
            "attachments": [attachment(ics, name="kallelse.ics", description="Kalenderinbjudan till träffen")],
        }
        message = store.enqueue(s, channel="slack", kind="meeting_notice", payload=payload, recipient_id=alva.id)
        s.flush()
        message_id = message.id
    now = [dtm.datetime.now(dtm.UTC)]
    worker = OutboxWorker(slack.db, [SlackSender(slack.bot_client)], clock=lambda: now[0], jitter=0)
    slack.api.fail_uploads = 3  # the SDK's retry handlers do not retry an upload URL's 500
    assert await worker.run_once() == 1
    assert len(slack.api.of("chat.postMessage")) == 1 and slack.api.uploads == []
    now[0] += dtm.timedelta(hours=1)
    slack.api.fail_uploads = 0
    assert await worker.run_once() == 1
    assert len(slack.api.of("chat.postMessage")) == 1  # the card is not posted again
    assert slack.api.uploads == [ics.encode()]
    (asked,) = slack.api.of("files.getUploadURLExternal")[-1:]
    assert asked["filename"] == "kallelse.ics"
    (completed,) = slack.api.of("files.completeUploadExternal")
    assert completed["channel_id"] == "D0ALVA"
    with Session(slack.db) as s:
        stored = s.get(OutboxMessage, message_id)
        assert stored is not None and stored.status == "delivered"


_EVENT = '{"type": "event_callback", "event_id": "Ev9", "team_id": "T0TEAM", "event": %s}'
MALFORMED = [
    ("application/json", "{not json"),
    ("application/json", "[" * 100_000 + "]" * 100_000),
    ("application/json", "[]"),
    ("application/json", '{"type": "something_else"}'),
    ("application/json", _EVENT % "null"),
    ("application/json", _EVENT % "[]"),
    ("application/json", _EVENT % '{"no": "type"}'),
    ("application/x-www-form-urlencoded", "payload=%7Bnot+json"),
    ("application/x-www-form-urlencoded", "payload=%5B%5D"),
    ("application/x-www-form-urlencoded", 'payload={"type": "block_actions", "user": {"id": "U1"}}'),
    ("application/x-www-form-urlencoded", 'payload={"type": "view_submission", "user": {"id": "U1"}, "view": 3}'),
    ("application/x-www-form-urlencoded", "command=%2Famneslag&text=hj%C3%A4lp&team_id=T0TEAM&channel_id=D1"),
    ("text/plain", "hello"),
    # found by an outside probe (500s, or a 200 and a traceback in the listener):
    (
        "application/x-www-form-urlencoded",
        'payload={"type": "block_actions", "user": {"id": "U1"}, "actions": [1, null]}',
    ),
    (
        "application/x-www-form-urlencoded",
        'payload={"type": "view_submission", "user": {"id": "U1"}, "view": {"callback_id": "amneslag_form"}}',
    ),
    ("application/json", _EVENT % '{"type": "message", "channel_type": "im", "channel": "D1"}'),
    ("application/json", _EVENT % '{"type": "message", "channel_type": "im", "user": "U0ALVA", "text": "x"}'),
    (
        "application/json",
        _EVENT % '{"type": "message", "channel_type": "im", "channel": "D1", "user": "U0ALVA", "text": 5}',
    ),
    ("application/json", _EVENT % '{"type": "message", "channel_type": "im", "channel": "D1", "user": {"id": 1}}'),
    ("application/json", _EVENT % '{"type": "app_mention", "channel": "C1", "user": "U0ALVA", "text": ["a"]}'),
    ("application/json", '{"type": "event_callback", "event_id": [1], "event": {"type": "app_home_opened"}}'),
]


@pytest.mark.parametrize(("content_type", "body"), MALFORMED, ids=range(len(MALFORMED)))
async def test_a_signed_but_malformed_request_is_a_400_and_no_traceback(
    slack: Slack, content_type: str, body: str, caplog: pytest.LogCaptureFixture
) -> None:
    response = await slack.post(body, content_type=content_type)
    assert response.status == 400
    await slack.settle()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert slack.api.calls == []


async def test_bad_utf_8_is_a_400(slack: Slack) -> None:
    body = b'{"type": "event_callback", "event": {"type": "message", "text": "\xff"}}'
    response = await slack.client.post(
        "/slack/events", data=body, headers={"Content-Type": "application/json", **signed_bytes(body)}
    )
    assert response.status == 400


def signed_bytes(body: bytes) -> dict[str, str]:
    timestamp = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": f"v0={digest}"}


async def test_the_coordinator_gets_the_year_report_uploaded_into_the_chat(
    slack: Slack, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.slack.conftest import USERS

    monkeypatch.setitem(USERS, "U0KALLE", "kalle.forsberg@example.org")
    await slack.dm("U0KALLE", "årsrapport", "EvReport")
    await slack.settle(timeout=30)
    (posted,) = slack.api.of("chat.postMessage")
    assert _texts(posted).startswith("Årsrapporten för Västerbotten 2026/27")
    (asked,) = slack.api.of("files.getUploadURLExternal")
    assert asked["filename"] == "arsrapport-vasterbotten-2026-27.html"
    (completed,) = slack.api.of("files.completeUploadExternal")
    assert completed["channel_id"] == "D0KALLE"
    (uploaded,) = slack.api.uploads
    assert uploaded.decode().startswith("<!DOCTYPE html>") and uploaded.count(b"<svg") == 5
    with Session(slack.db) as s:
        (reply,) = s.exec(select(OutboxMessage).where(OutboxMessage.kind == "reply")).all()
        assert reply.status == "delivered"
        assert all(r["type"] != "file" for r in reply.payload["replies"])  # the file is the attachment alone
