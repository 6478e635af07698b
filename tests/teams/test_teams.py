"""Teams end to end: Activity JSON posted to /api/messages, replies caught by a fake Bot Connector."""

from __future__ import annotations

import asyncio
import datetime as dtm
import logging

import jwt
import pytest
import sqlalchemy as sa
from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import Session, select

from bot.teams.app import allowed_service_url
from scheduler.sweep import sweep
from storage.addresses import TEAMS, address_of
from storage.models import Absence, ConversationAddress, OutboxMessage, OutboxStatus, Person
from tests.teams.conftest import (
    ALVA,
    BOT_ID,
    JONAS,
    PONTUS,
    STRANGER,
    TEAM_ID,
    TENANT,
    Teams,
    card_of,
    personal,
    start,
    submits_of,
    texts_of,
)


def _person(teams: Teams, email: str) -> Person:
    with Session(teams.db) as s:
        return s.exec(select(Person).where(Person.email == email)).one()


async def test_help_gets_a_card_and_the_person_is_known_by_aad_id_from_then_on(teams: Teams) -> None:
    response = await teams.say(ALVA, "hjälp")
    assert response.status == 201
    ((conversation, reply),) = await teams.connector.wait_for(1)
    assert conversation == personal(ALVA)
    card = card_of(reply)
    assert card["version"] == "1.5" and texts_of(card)[0].startswith("Hej Alva!")
    assert "Anmäl frånvaro" in [a["title"] for a in submits_of(card)]
    assert "text" not in reply and reply["summary"].startswith("Hej Alva!")  # one bubble; the notification's preview
    assert _person(teams, ALVA.email).teams_user_id == ALVA.aad
    with Session(teams.db) as s:
        reference = address_of(s, _person(teams, ALVA.email).id or 0, TEAMS)
    assert reference is not None and reference["conversation"]["id"] == personal(ALVA)

    await teams.say(ALVA, "hjälp")
    await teams.connector.wait_for(2)
    assert teams.connector.lookups == [ALVA.id]  # by AAD object id the second time, no lookup


async def test_a_stranger_gets_the_polite_answer_and_nothing_is_stored(teams: Teams) -> None:
    await teams.say(STRANGER, "hjälp")
    ((_, reply),) = await teams.connector.wait_for(1)
    assert texts_of(card_of(reply))[0].startswith("Hej! Jag känner inte igen dig")
    with Session(teams.db) as s:
        assert s.exec(select(ConversationAddress)).all() == []


async def test_an_absence_reported_through_the_card_reaches_leader_and_manager_proactively(teams: Teams) -> None:
    for member in (JONAS, PONTUS):  # the leader and the manager have written to the bot once
        await teams.say(member, "hjälp")
    await teams.connector.wait_for(2)
    await teams.say(ALVA, "hjälp")
    _, menu = (await teams.connector.wait_for(3))[2]
    (report,) = [a for a in submits_of(card_of(menu)) if a["title"] == "Anmäl frånvaro"]
    # Teams posts an Action.Submit as a message whose value is the button's data (and a form's inputs).
    await teams.post(teams.activity(ALVA, value=report["data"], replyToId="1700000000002"))
    _, form = (await teams.connector.wait_for(4))[3]
    card = card_of(form)
    (choice,) = [e for e in card["body"] if e["type"] == "Input.ChoiceSet"]
    february = choice["choices"][0]
    assert february["title"] == "torsdag 11 februari kl. 09.00"
    (submit,) = submits_of(card)  # only the form: its typed alternative is left out of a card
    value = {**submit["data"], choice["id"]: february["value"]}
    response = await teams.post(teams.activity(ALVA, value=value, replyToId="1700000000003"))
    assert response.status == 201
    sent = await teams.connector.wait_for(7)
    told = {conversation: texts_of(card_of(a)) for conversation, a in sent[4:]}
    assert told[personal(ALVA)][0].startswith("Klart: din frånvaro från träffen i Bild, form och skapande")
    for member in (JONAS, PONTUS):
        assert told[personal(member)] == [
            "Alva Jonsson har anmält frånvaro från träffen i Bild, form och skapande torsdag 11 februari kl. 09.00."
        ]
    with Session(teams.db) as s:
        assert len(s.exec(select(Absence)).all()) == 1


async def test_an_absence_in_free_text_is_a_ja_nej_card_and_only_ja_reports_it(teams: Teams) -> None:
    await teams.say(ALVA, "jag missar inte träffen 11 februari")  # a negation: nothing at all
    ((_, negated),) = await teams.connector.wait_for(1)
    assert texts_of(card_of(negated))[0].startswith("Bra, då har jag inte gjort något.")
    await teams.say(ALVA, "Stina kan inte komma 11/2")  # someone else: nothing at all
    _, someone = (await teams.connector.wait_for(2))[1]
    assert texts_of(card_of(someone))[0].startswith("Jag kan bara anmäla din egen frånvaro")
    await teams.say(ALVA, "jag kan inte komma 11/2")
    _, question = (await teams.connector.wait_for(3))[2]
    card = card_of(question)
    assert texts_of(card)[0] == "Anmäla frånvaro från Bild, form och skapande torsdag 11 februari kl. 09.00?"
    assert [a["title"] for a in submits_of(card)] == ["Ja", "Nej"]
    with Session(teams.db) as s:
        assert s.exec(select(Absence)).all() == []
    (yes,) = [a for a in submits_of(card) if a["title"] == "Ja"]
    await teams.post(teams.activity(ALVA, value=yes["data"], replyToId="1700000000003"))
    _, done = (await teams.connector.wait_for(4))[3]
    assert texts_of(card_of(done))[0].startswith("Klart: din frånvaro från träffen i Bild, form och skapande")
    with Session(teams.db) as s:
        assert len(s.exec(select(Absence)).all()) == 1


async def test_an_action_execute_invoke_is_answered_with_the_refreshed_card(teams: Teams) -> None:
    await teams.say(ALVA, "hjälp")
    ((_, menu),) = await teams.connector.wait_for(1)
    button = next(a for a in submits_of(card_of(menu)) if a["title"] == "Mitt ämneslag")
    invoke = teams.activity(
        ALVA,
        type="invoke",
        name="adaptiveCard/action",
        value={"action": {"type": "Action.Execute", "verb": "amneslag", "data": button["data"]}, "trigger": "manual"},
    )
    response = await teams.post(invoke)
    assert response.status == 200
    body = await response.json()
    assert body["statusCode"] == 200 and body["type"] == "application/vnd.microsoft.card.adaptive"
    assert any("Bild, form och skapande" in t for t in texts_of(body["value"]))
    await teams.worker.run_until_idle()  # a turn queues its replies before its request is answered
    assert len(teams.connector.activities) == 1  # the answer was the invoke response, nothing else was sent


async def test_a_channel_message_is_answered_only_when_the_bot_is_mentioned(teams: Teams) -> None:
    assert (await teams.post(teams.channel(ALVA, "hjälp", mention=False))).status == 201
    assert (await teams.post(teams.channel(ALVA, "mitt ämneslag"))).status == 201
    ((conversation, reply),) = await teams.connector.wait_for(1)
    assert conversation == f"{TEAM_ID};messageid=1732352400000"  # answered in the thread, not in private
    assert any("Bild, form och skapande" in t for t in texts_of(card_of(reply)))
    await teams.worker.run_until_idle()  # a turn queues its replies before its request is answered
    assert len(teams.connector.activities) == 1
    with Session(teams.db) as s:  # a channel is nobody's personal address
        assert s.exec(select(ConversationAddress)).all() == []


async def test_installing_in_a_team_welcomes_the_channel_and_opens_a_chat_with_each_roster_member(teams: Teams) -> None:
    added = {
        "type": "conversationUpdate",
        "id": "f:8f0c1b2a-3d4e-5f60-7182-93a4b5c6d7e8",
        "timestamp": "2026-11-23T09:00:00.000Z",
        "channelId": "msteams",
        "serviceUrl": teams.service_url,
        "from": {"id": JONAS.id, "aadObjectId": JONAS.aad},
        "conversation": {"isGroup": True, "conversationType": "channel", "tenantId": TENANT, "id": TEAM_ID},
        "recipient": {"id": BOT_ID, "name": "Ämneslagsboten"},
        "membersAdded": [{"id": BOT_ID}],
        "channelData": {
            "team": {
                "aadGroupId": "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
                "name": "Kulturskolor Västerbotten",
                "id": TEAM_ID,
            },
            "eventType": "teamMemberAdded",
            "tenant": {"id": TENANT},
        },
    }
    assert (await teams.post(added)).status == 201
    sent = await teams.connector.wait_for(4)  # the channel, and Alva, Jonas and Pontus in private
    assert {c["members"][0]["id"] for c in teams.connector.created} == {ALVA.id, JONAS.id, PONTUS.id}
    assert all(c["channelData"]["tenant"]["id"] == TENANT and c["isGroup"] is False for c in teams.connector.created)
    conversations = {c for c, _ in sent}
    assert conversations == {TEAM_ID, *(f"a:1chat-{m.id[3:]}" for m in (ALVA, JONAS, PONTUS))}
    assert texts_of(card_of(teams.connector.to(TEAM_ID)[0]))[0].startswith("Hej! Jag är Ämneslagsboten.")
    with Session(teams.db) as s:
        assert len(s.exec(select(ConversationAddress)).all()) == 3
    # Teams also sends installationUpdate; the same install does not welcome twice, nor open chats again.
    update = {**added, "type": "installationUpdate", "action": "add", "id": "f:install-1"}
    del update["membersAdded"]
    assert (await teams.post(update)).status == 201
    await teams.worker.run_until_idle()  # a turn queues its replies before its request is answered
    assert len(teams.connector.activities) == 4 and len(teams.connector.created) == 3


async def test_a_reminder_reaches_a_leader_by_the_stored_reference_after_a_restart(teams: Teams) -> None:
    await teams.say(JONAS, "hjälp")
    await teams.connector.wait_for(1)
    # A restart: a new bot, adapter and worker on the same database; nothing kept in memory.
    bot, worker, app = await start(teams.db)
    async with TestClient(TestServer(app)):
        report = sweep(teams.db, dtm.datetime(2027, 1, 21, 9, 0, tzinfo=dtm.UTC))
        # the notice, and the attendance of September's physical meeting, never confirmed in the demo
        assert sorted((p.rule, p.channel) for p in report.reminders if p.email == JONAS.email) == [
            ("attendance", "teams"),
            ("notice", "teams"),
        ]
        assert {p.channel for p in report.reminders if p.email != JONAS.email} == {"log"}
        worker.wake()
        sent = (await teams.connector.wait_for(3))[1:]
    assert [to for to, _ in sent] == [personal(JONAS)] * 2
    assert any(
        texts_of(card_of(reminder))[0].startswith(
            "Kallelsen till träffen i Bild, form och skapande torsdag 11 februari har inte skickats än."
        )
        for _, reminder in sent
    )


async def test_a_duplicate_activity_id_is_ignored(teams: Teams) -> None:
    await teams.say(ALVA, "hjälp")  # stores Alva's chat
    await teams.connector.wait_for(1)
    await teams.say(ALVA, "anmäl frånvaro")
    _, question = (await teams.connector.wait_for(2))[1]
    value = submits_of(card_of(question))[0]["data"]  # the first meeting's button
    submit = teams.activity(ALVA, value=value)
    responses = await asyncio.gather(*(teams.post(submit) for _ in range(3)))
    assert [r.status for r in responses] == [201, 201, 201]
    await teams.connector.wait_for(3)
    await teams.worker.run_until_idle()  # a turn queues its replies before its request is answered
    assert len(teams.connector.activities) == 3  # one confirmation for three deliveries
    with Session(teams.db) as s:
        assert len(s.exec(select(Absence)).all()) == 1


async def test_a_429_from_the_connector_is_retried(teams: Teams) -> None:
    teams.connector.fail_next = [429, 503]
    await teams.say(ALVA, "hjälp")
    ((_, reply),) = await teams.connector.wait_for(1)
    assert teams.connector.refused == [429, 503]
    assert texts_of(card_of(reply))[0].startswith("Hej Alva!")
    await teams.worker.run_until_idle()  # the attempt under way has finished
    message = _only_message(teams)
    assert message.status == OutboxStatus.DELIVERED
    assert message.attempts == 1  # retried inside the one attempt, with backoff and jitter


def _only_message(teams: Teams) -> OutboxMessage:
    with Session(teams.db) as s:
        (message,) = s.exec(select(OutboxMessage)).all()
        return message


async def test_a_person_without_a_chat_is_unreachable_and_the_sender_is_told_by_name(teams: Teams) -> None:
    await teams.say(ALVA, "hjälp")
    await teams.connector.wait_for(1)
    with Session(teams.db) as s:  # Jonas is known by his AAD id from the roster, but never opened the bot
        jonas = s.exec(select(Person).where(Person.email == JONAS.email)).one()
        jonas.teams_user_id = JONAS.aad
        s.add(jonas)
        s.commit()
        jonas_id = jonas.id
    await teams.say(ALVA, "anmäl frånvaro")
    _, question = (await teams.connector.wait_for(2))[1]
    value = submits_of(card_of(question))[0]["data"]  # the first meeting's button
    await teams.post(teams.activity(ALVA, value=value))
    sent = await teams.connector.wait_for(3)  # the confirmation, which names Jonas as not reached
    await teams.worker.run_until_idle()
    texts = [" ".join(texts_of(card_of(a))) for c, a in sent if c == personal(ALVA)]
    assert (
        "Ingen kunde få veta det. Jonas Sundqvist, Petter Backman och Pontus Rönnlund nås inte av boten (ingen chatt "
        "med den): berätta det själv för dem."
    ) in texts[-1]
    with Session(teams.db) as s:  # an AAD id is no chat: nothing pretended to go to Teams
        unreached = s.exec(select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.UNREACHED)).all()
        assert jonas_id in [m.recipient_id for m in unreached] and len(unreached) == 3
        from domain.status import build_status
        from storage.directory import only_region
        from storage.schoolyear import get_or_create

        status = build_status(s, only_region(s), get_or_create(s, "2026/27")).model_dump(mode="json")
    assert JONAS.email in status["unreachable"] and ALVA.email not in status["unreachable"]


async def test_with_an_app_id_a_request_without_a_valid_token_is_401(teams: Teams) -> None:
    _, _, app = await start(teams.db, app_id="4c2a8b3e-5f0d-4e8b-9a6c-0d1e2f3a4b5c")
    forged = jwt.encode({"iss": "https://evil.example", "aud": "4c2a8b3e-5f0d-4e8b-9a6c-0d1e2f3a4b5c"}, "k" * 32)
    async with TestClient(TestServer(app)) as client:
        activity = {**teams.activity(ALVA, text="hjälp"), "serviceUrl": "https://smba.trafficmanager.net/emea/"}
        assert (await client.post("/api/messages", json=activity)).status == 401
        assert (
            await client.post("/api/messages", json=activity, headers={"Authorization": "Bearer nonsense"})
        ).status == 401
        forged_response = await client.post(
            "/api/messages", json=activity, headers={"Authorization": f"Bearer {forged}"}
        )
        assert forged_response.status == 401
    await teams.worker.run_until_idle()  # a turn queues its replies before its request is answered
    assert teams.connector.activities == [] and teams.connector.lookups == []


async def test_without_an_app_id_a_warning_is_logged(teams: Teams, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.teams.app"):
        await start(teams.db)
    assert "MICROSOFT_APP_ID is not set" in caplog.text


async def test_not_json_is_415(teams: Teams) -> None:
    response = await teams.client.post("/api/messages", data=b"hello", headers={"Content-Type": "text/plain"})
    assert response.status == 415


async def test_no_message_text_e_mail_or_secret_in_the_logs(teams: Teams, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        await teams.say(ALVA, "jag kan inte komma 11/2")
        await teams.say(STRANGER, "hemligt meddelande")
        await teams.connector.wait_for(2)
        await teams.post(teams.activity(ALVA, text="hjälp"), headers={"Authorization": "Bearer not-a-jwt"})
    logged = "\n".join(f"{r.getMessage()} {r.args}" for r in caplog.records)
    assert caplog.records  # something was logged, so the check below means something
    for secret in ("kan inte komma", "hemligt", ALVA.email, STRANGER.email, "Alva Jonsson", "not-a-jwt"):
        assert secret not in logged


async def test_a_personal_install_welcomes_once_and_stores_the_chat(teams: Teams) -> None:
    install = teams.activity(ALVA, type="installationUpdate", action="add", id="f:install-personal")
    added = teams.activity(ALVA, type="conversationUpdate", id="f:added-personal", membersAdded=[{"id": BOT_ID}])
    for activity in (install, added):
        assert (await teams.post(activity)).status == 201
    ((conversation, welcome),) = await teams.connector.wait_for(1)
    await teams.worker.run_until_idle()  # a turn queues its replies before its request is answered
    assert len(teams.connector.activities) == 1  # Teams announces the install twice; one welcome
    assert conversation == personal(ALVA) and texts_of(card_of(welcome))[0].startswith("Hej Alva!")
    with Session(teams.db) as s:
        assert address_of(s, _person(teams, ALVA.email).id or 0, TEAMS) is not None


def _queue_notice(teams: Teams, member_email: str, ics: str) -> int:
    from dialogs.invite import attachment
    from dialogs.types import CardReply, dump_replies
    from storage import outbox as store
    from storage.db import session_scope

    with session_scope(teams.db) as s:
        person = s.exec(select(Person).where(Person.email == member_email)).one()
        replies = dump_replies([CardReply(title="Kallelse: Bild, form och skapande träffas torsdag 11 februari")])
        payload = {
            "replies": replies,
            "text": "Kallelse",
            "attachments": [attachment(ics, name="kallelse.ics", description="Kalenderinbjudan till träffen")],
        }
        message = store.enqueue(s, channel="teams", kind="meeting_notice", payload=payload, recipient_id=person.id)
        s.flush()
        return message.id or 0


async def test_a_notices_calendar_invite_is_offered_and_uploaded_when_accepted(teams: Teams) -> None:
    await teams.say(ALVA, "hjälp")  # Alva's chat is stored
    await teams.connector.wait_for(1)
    ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"
    message_id = _queue_notice(teams, ALVA.email, ics)
    teams.worker.wake()
    (_, card), (_, consent) = (await teams.connector.wait_for(3))[1:]
    assert texts_of(card_of(card))[0].startswith("Kallelse")
    (offer,) = consent["attachments"]
    assert offer["contentType"] == "application/vnd.microsoft.teams.card.file.consent"
    assert offer["name"] == "kallelse.ics" and offer["content"]["sizeInBytes"] == len(ics.encode())
    context = offer["content"]["acceptContext"]
    assert context == {"outbox": message_id, "file": 0}
    upload_info = {
        "contentUrl": "https://contoso-my.sharepoint.com/personal/alva/Documents/Applications/kallelse.ics",
        "name": "kallelse.ics",
        "uploadUrl": f"{teams.service_url}upload/kallelse.ics",
        "uniqueId": "1150D938-8870-4044-9F2C-5BBDEBA70C8C",
        "fileType": "ics",
    }
    invoke = {"type": "fileUpload", "action": "accept", "context": context, "uploadInfo": upload_info}
    # Only the person the invite was offered to can accept it.
    forged = await teams.post(teams.activity(JONAS, type="invoke", name="fileConsent/invoke", value=invoke))
    assert forged.status == 403 and teams.connector.uploads == []
    response = await teams.post(teams.activity(ALVA, type="invoke", name="fileConsent/invoke", value=invoke))
    assert response.status == 200
    ((name, headers, body),) = teams.connector.uploads
    assert (name, body) == ("kallelse.ics", ics.encode())
    assert headers["Content-Range"] == f"bytes 0-{len(body) - 1}/{len(body)}"
    _, shown = (await teams.connector.wait_for(4))[3]
    (info,) = shown["attachments"]
    assert info["contentType"] == "application/vnd.microsoft.teams.card.file.info"
    assert (info["contentUrl"], info["content"]["fileType"]) == (upload_info["contentUrl"], "ics")
    declined = {**invoke, "action": "decline"}
    assert (
        await teams.post(teams.activity(ALVA, type="invoke", name="fileConsent/invoke", value=declined))
    ).status == 200
    assert len(teams.connector.uploads) == 1


async def test_an_activity_without_an_aad_object_id_names_nobody(teams: Teams) -> None:
    """Without Teams configured anyone can post here: an e-mail the member lookup gives must not be enough."""
    forged = teams.activity(JONAS, text="vem är frånvarande?")
    del forged["from"]["aadObjectId"]
    response = await teams.post(forged)
    assert response.status == 201
    ((_, reply),) = await teams.connector.wait_for(1)
    assert texts_of(card_of(reply))[0].startswith("Hej! Jag känner inte igen dig")
    assert teams.connector.lookups == []  # not even asked: the e-mail is never the proof
    assert _person(teams, JONAS.email).teams_user_id is None


MALFORMED = [
    b"{not json",
    b"\xff\xfe\x00garbage",
    b"[]",
    b"null",
    b'"a string"',
    b"[" * 100_000 + b"]" * 100_000,
    b'{"type": 5, "serviceUrl": "http://x", "conversation": {"id": "a"}}',
    b'{"type": "message", "serviceUrl": "http://x"}',
    b'{"type": "message", "serviceUrl": "http://x", "conversation": null}',
    b'{"type": "message", "serviceUrl": "http://x", "conversation": {"id": 7}}',
    b'{"type": "message", "serviceUrl": "http://x", "conversation": {"id": "a"}, "from": "me"}',
    b'{"type": "message", "conversation": {"id": "a"}}',
    # found by an outside probe (500s with a traceback from botbuilder's deserializer):
    b'{"type": "conversationUpdate", "serviceUrl": "http://x", "conversation": {"id": "a"}, "membersAdded": "x"}',
    b'{"type": "conversationUpdate", "serviceUrl": "http://x", "conversation": {"id": "a"}, "membersAdded": [1]}',
    b'{"type": "message", "serviceUrl": "http://x", "conversation": {"id": "a"}, "entities": "x"}',
    b'{"type": "message", "serviceUrl": "http://x", "conversation": {"id": "a"}, "timestamp": "yesterday"}',
    b'{"type": "message", "serviceUrl": "http://x", "conversation": {"id": "a"}, "text": 5}',
]


@pytest.mark.parametrize("body", MALFORMED, ids=range(len(MALFORMED)))
async def test_a_malformed_activity_is_a_400_and_no_traceback(
    teams: Teams, body: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    response = await teams.client.post("/api/messages", data=body, headers={"Content-Type": "application/json"})
    assert response.status == 400
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert teams.connector.activities == [] and teams.connector.lookups == []


async def test_with_an_app_id_a_service_url_off_the_bot_framework_is_refused_before_the_token(teams: Teams) -> None:
    _, _, app = await start(teams.db, app_id="4c2a8b3e-5f0d-4e8b-9a6c-0d1e2f3a4b5c")
    async with TestClient(TestServer(app)) as client:
        for url in (
            "https://attacker.example/",
            "http://smba.trafficmanager.net/emea/",
            "https://botframework.com.evil/",
        ):
            activity = {**teams.activity(ALVA, text="hjälp"), "serviceUrl": url}
            response = await client.post("/api/messages", json=activity, headers={"Authorization": "Bearer x.y.z"})
            assert response.status == 403, url
        genuine = {**teams.activity(ALVA, text="hjälp"), "serviceUrl": "https://smba.trafficmanager.net/emea/"}
        response = await client.post("/api/messages", json=genuine, headers={"Authorization": "Bearer x.y.z"})
        assert response.status == 401  # on to the token check, which this forged token fails
    assert teams.connector.activities == [] and teams.connector.lookups == []


def test_service_hosts_match_names_and_whole_domains() -> None:
    hosts = ("smba.trafficmanager.net", "*.botframework.com")
    assert allowed_service_url("https://smba.trafficmanager.net/emea/", hosts)
    assert allowed_service_url("https://europe.webchat.botframework.com/", hosts)
    assert not allowed_service_url("https://botframework.com.attacker.example/", hosts)
    assert not allowed_service_url("https://evilbotframework.com/", hosts)
    assert not allowed_service_url("http://smba.trafficmanager.net/emea/", hosts)
    assert not allowed_service_url("https://evil.example\\.botframework.com/", hosts)
    assert not allowed_service_url("https://smba.trafficmanager.net:8443/emea/", hosts)
    assert not allowed_service_url("https://user@evil.example@smba.trafficmanager.net/", hosts)


async def test_the_coordinator_is_offered_the_year_report_and_gets_it_when_accepting(
    teams: Teams, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.teams.conftest import MEMBERS, _member

    kalle = _member("KalleF3x", "Kalle Forsberg", "kalle.forsberg@example.org")  # the coordinator
    monkeypatch.setitem(MEMBERS, kalle.id, kalle)
    await teams.say(kalle, "årsrapport")
    (_, card), (_, consent) = await teams.connector.wait_for(2, timeout=30)
    assert texts_of(card_of(card))[0].startswith("Årsrapporten för Västerbotten 2026/27")
    (offer,) = consent["attachments"]
    assert offer["contentType"] == "application/vnd.microsoft.teams.card.file.consent"
    assert offer["name"] == "arsrapport-vasterbotten-2026-27.html"
    assert offer["content"]["description"] == "Årsrapport Västerbotten 2026/27"
    upload_info = {
        "contentUrl": "https://contoso-my.sharepoint.com/personal/kalle/Documents/Applications/arsrapport.html",
        "name": "arsrapport-vasterbotten-2026-27.html",
        "uploadUrl": f"{teams.service_url}upload/arsrapport-vasterbotten-2026-27.html",
        "uniqueId": "2250D938-8870-4044-9F2C-5BBDEBA70C8C",
        "fileType": "html",
    }
    context = offer["content"]["acceptContext"]
    invoke = {"type": "fileUpload", "action": "accept", "context": context, "uploadInfo": upload_info}
    response = await teams.post(teams.activity(kalle, type="invoke", name="fileConsent/invoke", value=invoke))
    assert response.status == 200
    ((name, _, body),) = teams.connector.uploads
    assert name == "arsrapport-vasterbotten-2026-27.html"
    assert body.decode().startswith("<!DOCTYPE html>") and body.count(b"<svg") == 5
    assert offer["content"]["sizeInBytes"] == len(body)


async def test_the_chat_reference_is_written_when_it_changes_and_connector_clients_are_reused(teams: Teams) -> None:
    """The 1:1 reference is stored with the first message and again only when it changed (another service URL);
    the connector clients made for the first activity and its reply serve the next ones to that service URL."""
    clients = teams.bot.adapter.bot_framework_authentication.clients
    written: list[str] = []

    def keep(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if "conversation_address" in statement and not statement.lstrip().startswith("SELECT"):
            written.append(statement)

    sa.event.listen(teams.db, "before_cursor_execute", keep)
    try:
        await teams.say(ALVA, "hjälp")
        await teams.connector.wait_for(1)
        assert len(written) == 1
        made = dict(clients)
        await teams.say(ALVA, "hjälp")
        await teams.connector.wait_for(2)
        assert len(written) == 1  # the same reference: not written again
        assert clients == made and made  # the same clients, none new
        moved = teams.service_url.replace("127.0.0.1", "localhost")
        await teams.post(teams.activity(ALVA, text="hjälp", serviceUrl=moved))
        await teams.connector.wait_for(3)
        assert len(written) == 2
    finally:
        sa.event.remove(teams.db, "before_cursor_execute", keep)
    with Session(teams.db) as s:
        reference = address_of(s, _person(teams, ALVA.email).id or 0, TEAMS)
    assert reference is not None and reference["serviceUrl"] == moved
    assert {url for _, url, _ in clients} == {teams.service_url, moved}
