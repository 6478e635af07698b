"""People who never wrote to the bot are found in the workspace by their e-mail (users.lookupByEmail)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, select

from dialogs.notify import notify
from dialogs.types import TextReply
from storage.db import session_scope
from storage.directory import person_by_email
from storage.models import OutboxMessage, Person, Region
from storage.outbox import Delivery
from tests.slack.conftest import Slack


def _notice(slack: Slack, email: str, text: str) -> OutboxMessage:
    with session_scope(slack.db) as s:
        person = person_by_email(s, email)
        assert person is not None
        region = s.get(Region, person.region_id)
        assert region is not None
        (queued,) = notify(
            s, recipients=[person], region=region, kind="meeting_notice", build=lambda tr: [TextReply(text=text)]
        )
        s.flush()
        s.expunge(queued)
        return queued


async def test_a_notice_to_someone_who_never_wrote_reaches_them_in_slack_and_their_id_is_kept(slack: Slack) -> None:
    first = _notice(slack, "pontus.ronnlund@example.org", "Kallelse: Bild 11 februari")
    assert first.channel == "log"  # no Slack id yet, no Teams chat
    await slack.settle()
    (found,) = slack.api.of("users.lookupByEmail")
    assert found["email"] == "pontus.ronnlund@example.org"
    (posted,) = slack.api.of("chat.postMessage")
    assert posted["channel"] == "D0PONTUS" and posted["text"] == "Kallelse: Bild 11 februari"
    with Session(slack.db) as s:
        pontus = s.exec(select(Person).where(Person.email == "pontus.ronnlund@example.org")).one()
        assert pontus.slack_user_id == "U0PONTUS"
        row = s.get(OutboxMessage, first.id)
        assert (row.status, row.channel) == ("delivered", "slack")  # the row says where it went

    second = _notice(slack, "pontus.ronnlund@example.org", "Påminnelse: Bild i morgon")
    assert second.channel == "slack"  # queued for Slack at once now
    await slack.settle()
    assert len(slack.api.of("users.lookupByEmail")) == 1 and len(slack.api.of("chat.postMessage")) == 2


async def test_someone_not_in_the_workspace_stays_in_the_log(slack: Slack) -> None:
    with session_scope(slack.db) as s:
        sofia = person_by_email(s, "sofia.dahlberg@example.org")
        assert sofia is not None and sofia.slack_user_id is None
    queued = _notice(slack, "sofia.dahlberg@example.org", "Kallelse")
    await slack.settle()
    assert len(slack.api.of("users.lookupByEmail")) == 1 and slack.api.of("chat.postMessage") == []
    with Session(slack.db) as s:
        assert s.get(OutboxMessage, queued.id).status == "unreached"  # logged: it reaches nobody, never "delivered"
        assert person_by_email(s, "sofia.dahlberg@example.org").slack_user_id is None


async def test_the_roster_is_looked_up_in_the_workspace(slack: Slack) -> None:
    from bot.slack.sender import look_up_people

    with Session(slack.db) as s:
        key = s.exec(select(Region.key)).first()
        before = {p.email: p.slack_user_id for p in s.exec(select(Person)).all()}
    assert key is not None
    found, asked = await look_up_people(slack.db, slack.bot_client, key)
    assert asked == sum(1 for v in before.values() if v is None)
    with Session(slack.db) as s:
        ids = {p.email: p.slack_user_id for p in s.exec(select(Person)).all()}
    assert ids["alva.jonsson@example.org"] == "U0ALVA" and ids["jonas.sundqvist@example.org"] == "U0JONAS"
    assert found == sum(1 for e in ids if ids[e] and before[e] is None)
    assert found >= 2 and ids["sofia.dahlberg@example.org"] is None


async def test_the_leader_is_told_when_someone_they_were_promised_a_look_up_for_is_not_in_the_workspace(
    slack: Slack,
) -> None:
    """The leader's answer said "I look for them in Slack; if they are not there, it does not reach them": when the
    look-up finds nobody, the leader hears so, by name, rather than never knowing which it was."""
    with session_scope(slack.db) as s:
        jonas = person_by_email(s, "jonas.sundqvist@example.org")
        sofia = person_by_email(s, "sofia.dahlberg@example.org")
        assert jonas is not None and sofia is not None and sofia.slack_user_id is None
        jonas.slack_user_id = "U0JONAS"
        region = s.get(Region, sofia.region_id)
        assert region is not None
        (queued,) = notify(
            s,
            recipients=[sofia],
            region=region,
            kind="meeting_notice",
            build=lambda tr: [TextReply(text="Kallelse")],
            origin=jonas,
        )
        s.flush()
        queued_id, sofia_name = queued.id, sofia.name
    await slack.settle()
    with Session(slack.db) as s:
        assert s.get(OutboxMessage, queued_id).status == "unreached"
    (told,) = slack.api.of("chat.postMessage")
    assert told["channel"] == "D0JONAS"
    assert told["text"].startswith(f"Jag kunde inte leverera kallelsen till {sofia_name}. Berätta det själv för hen;")
    await slack.settle()
    assert len(slack.api.of("chat.postMessage")) == 1  # once


async def test_without_a_look_up_the_leader_was_told_already_and_is_not_told_again(demo: sa.Engine) -> None:
    """Where nothing is tried for people without a chat, the answer said so at once ("… tell them yourself"):
    the unreached notice is not followed by a second message saying the same."""
    from bot.outbox import LogSender, OutboxWorker

    engine = demo
    with session_scope(engine) as s:
        jonas = person_by_email(s, "jonas.sundqvist@example.org")
        sofia = person_by_email(s, "sofia.dahlberg@example.org")
        assert jonas is not None and sofia is not None
        region = s.get(Region, sofia.region_id)
        assert region is not None
        notify(
            s,
            recipients=[sofia],
            region=region,
            kind="meeting_notice",
            build=lambda tr: [TextReply(text="Kallelse")],
            origin=jonas,
        )
    await OutboxWorker(engine, [LogSender()]).run_until_idle()
    with Session(engine) as s:
        assert [m.kind for m in s.exec(select(OutboxMessage)).all()] == ["meeting_notice"]


class Mail:
    """The e-mail channel, recording what it was given (tests/bot/test_email.py sends through a real server)."""

    channel = "email"

    def __init__(self) -> None:
        self.sent: list[Delivery] = []

    async def send(self, delivery: Delivery) -> None:
        self.sent.append(delivery)


async def test_a_notice_to_someone_whose_slack_account_is_closed_goes_by_e_mail(slack: Slack) -> None:
    """Slack will never write to a deactivated account, but the person still has their e-mail address: with e-mail
    configured the notice goes there, rather than failing and asking the leader to tell them."""
    from bot.outbox import LogSender, OutboxWorker
    from bot.slack.sender import SlackSender

    mail = Mail()
    worker = OutboxWorker(slack.db, [LogSender(), SlackSender(slack.bot_client, engine=slack.db, fallback=mail), mail])
    with session_scope(slack.db) as s:
        alva = person_by_email(s, "alva.jonsson@example.org")
        assert alva is not None
        alva.slack_user_id = "U0ALVA"
    slack.api.disabled.add("U0ALVA")
    queued = _notice(slack, "alva.jonsson@example.org", "Kallelse: Bild 11 februari")
    assert queued.channel == "slack"
    await worker.run_until_idle()
    (mailed,) = mail.sent
    assert mailed.id == queued.id and mailed.recipient is not None
    assert mailed.recipient.email == "alva.jonsson@example.org"
    with Session(slack.db) as s:
        row = s.get(OutboxMessage, queued.id)
        assert (row.status, row.channel) == ("delivered", "email")
        assert s.exec(select(OutboxMessage).where(OutboxMessage.kind == "undeliverable")).all() == []
