"""The e-mail channel, against a real SMTP server on loopback (aiosmtpd): people the chats cannot reach get
their notices (with a calendar invitation), reminders and files by e-mail; a refused recipient fails once and
for all, a server that is down or busy is tried again, and nothing is sent twice. Without e-mail, a message
that could only be written to the log is `unreached`, never `delivered`."""

from __future__ import annotations

import datetime as dtm
import email
import email.policy
import gc
import logging
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from icalendar import Calendar
from pydantic import ValidationError
from sqlmodel import Session, col, select

from bot.config import Settings
from bot.email.sender import CLOSING, EmailSender, build_message, from_settings
from bot.outbox import LogSender, OutboxWorker
from dialogs.app import build_dialogs
from dialogs.types import FileReply, Incoming, TextReply, dump_replies
from domain.status import unreachable
from scheduler.sweep import sweep
from storage import outbox
from storage.db import session_scope
from storage.directory import person_by_email
from storage.models import Meeting, OutboxMessage, OutboxStatus, Person, Region, Team, utcnow

NOW = dtm.datetime(2026, 11, 23, 9, 0, tzinfo=dtm.UTC)  # the demo's Monday (as tests/dialogs)
LEADER = "jonas.sundqvist@example.org"  # leads Bild, form och skapande (demo), no Slack, no Teams
SENDER = "Ämneslagsboten <noreply@region.example>"


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> dtm.datetime:
        return self.now


class Inbox:
    """An aiosmtpd handler: keeps what it is given; answers RCPT for an address in `refuse` with that answer."""

    def __init__(self) -> None:
        self.received: list[EmailMessage] = []
        self.envelopes: list[Any] = []
        self.refuse: dict[str, str] = {}

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.received.append(parsed)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.received if address in str(m["To"])]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server on 127.0.0.1 (its own thread and event loop), for one test."""
    inbox = Inbox()
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # the test server logs each address it is given
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()
        gc.collect()  # the server's connections end here, not in a later test's event loop


def _mailer(port: int) -> EmailSender:
    return EmailSender(host="127.0.0.1", port=port, sender=SENDER, starttls=False, timeout=5)


def _worker(engine: sa.Engine, port: int, clock: Clock | None = None, **kwargs: Any) -> OutboxWorker:
    """A worker with the log and e-mail senders; on the real clock unless given one (the outbox keeps real time)."""
    return OutboxWorker(engine, [LogSender(), _mailer(port)], clock=clock or utcnow, jitter=0, **kwargs)


def _rows(engine: sa.Engine, kind: str | None = None) -> list[OutboxMessage]:
    with Session(engine) as s:
        query = select(OutboxMessage).order_by(col(OutboxMessage.id))
        if kind is not None:
            query = query.where(OutboxMessage.kind == kind)
        return list(s.exec(query).all())


def _send_a_notice(demo: sa.Engine) -> list[OutboxMessage]:
    """The Bild leader sends the notice of the team's February meeting (everyone in the demo lacks a chat)."""
    with Session(demo) as s:
        team = s.exec(select(Team).where(Team.name == "Bild, form och skapande")).one()
        february = s.exec(select(Meeting).where(Meeting.team_id == team.id).order_by(col(Meeting.starts_at))).all()[1]
        leader = person_by_email(s, LEADER)
        assert leader is not None
    dialogs = build_dialogs(demo, clock=Clock())
    dialogs.handle(
        Incoming(
            person_id=leader.id,
            channel="console",
            conversation_id="test",
            action="notice.send",
            values={"meeting_id": february.id},
        )
    )
    notices = _rows(demo, "meeting_notice")
    assert notices and {m.channel for m in notices} == {"log"}  # queued for "no chat": the worker chooses e-mail
    return notices


async def test_a_notice_to_someone_without_a_chat_arrives_as_an_e_mail_invitation(
    demo: sa.Engine, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    notices = _send_a_notice(demo)
    worker = _worker(demo, port)
    await worker.run_until_idle()

    assert len(inbox.to(LEADER)) == 1
    with Session(demo) as s:
        addresses = {s.get(Person, m.recipient_id).email for m in notices}
    assert all(len(inbox.to(address)) == 1 for address in addresses)
    (mail,) = inbox.to(LEADER)
    assert mail["From"] == SENDER and mail["Auto-Submitted"] == "auto-generated"
    assert mail["Subject"] and "Bild, form och skapande" in mail["Subject"]
    assert mail.get_content_type() == "multipart/mixed"
    alternative, ics_file = mail.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    text, calendar = alternative.iter_parts()
    assert text.get_content_type() == "text/plain" and calendar.get_content_type() == "text/calendar"
    assert calendar.get_param("method") == "REQUEST"
    body = text.get_content()
    assert "Bild, form och skapande" in body and body.rstrip().endswith(CLOSING["sv"])
    invitation = Calendar.from_ical(calendar.get_content())
    assert invitation["method"] == "REQUEST"
    (event,) = invitation.walk("VEVENT")
    assert str(event["organizer"]) == f"mailto:{LEADER}"
    assert ics_file.get_filename().startswith("kallelse-bild-form-och-skapande-")
    assert ics_file.get_content_type() == "application/ics"  # a file, not a second invitation
    assert Calendar.from_ical(ics_file.get_content())["method"] == "REQUEST"

    stored = _rows(demo, "meeting_notice")
    assert {(m.status, m.channel) for m in stored} == {(OutboxStatus.DELIVERED.value, "email")}
    assert len(inbox.received) == len(_rows(demo))  # the notice and what else the click queued: each mailed once

    sent = len(inbox.received)
    assert await worker.run_until_idle() == 0  # run again: nothing is sent twice
    assert await _worker(demo, port).run_until_idle() == 0  # nor by a second worker
    assert len(inbox.received) == sent


async def test_a_reminder_arrives_by_e_mail(demo: sa.Engine, smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    report = sweep(demo, NOW)
    reminders = _rows(demo)
    assert reminders and report is not None
    assert all(m.kind.startswith("reminder.") and m.channel == "log" for m in reminders)
    await _worker(demo, port).run_until_idle()
    assert len(inbox.received) == len(reminders)
    assert {(m.status, m.channel) for m in _rows(demo)} == {(OutboxStatus.DELIVERED.value, "email")}
    with Session(demo) as s:
        first = s.get(Person, reminders[0].recipient_id)
        assert first is not None
    (mail,) = inbox.to(first.email)
    assert mail.get_content_type() == "text/plain" and mail.get_content().rstrip().endswith(CLOSING[first.language])
    assert sweep(demo, NOW) is not None and len(_rows(demo)) == len(reminders)  # swept again: nothing new


def _enqueue(engine: sa.Engine, region: Region, address: str = "ann@example.org", **payload: Any) -> int:
    assert region.id is not None
    with session_scope(engine) as s:
        person = Person(email=address, name="Ann Ek", region_id=region.id)
        s.add(person)
        s.flush()
        replies = dump_replies([TextReply(text="Påminnelse: skicka kallelsen.\nDen går till ämneslaget.")])
        message = outbox.enqueue(
            s,
            channel="log",
            kind="reminder.notice",
            payload={"replies": replies, "text": "Påminnelse", **payload},
            recipient_id=person.id,
            not_before=NOW,
        )
        s.flush()
        assert message.id is not None
        return message.id


def _row(engine: sa.Engine, message_id: int) -> OutboxMessage:
    with Session(engine) as s:
        message = s.get(OutboxMessage, message_id)
        assert message is not None
        return message


async def test_a_refused_recipient_fails_for_good_with_the_servers_answer(
    engine: sa.Engine, region: Region, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    inbox.refuse["ann@example.org"] = "550 5.1.1 <ann@example.org>: Recipient address rejected: User unknown"
    message_id = _enqueue(engine, region)
    clock = Clock()
    worker = _worker(engine, port, clock)
    assert await worker.run_until_idle() == 1
    stored = _row(engine, message_id)
    assert (stored.status, stored.attempts, stored.channel) == (OutboxStatus.FAILED.value, 1, "email")
    assert stored.last_error is not None and "550 5.1.1" in stored.last_error and "User unknown" in stored.last_error
    assert "ann@example.org" not in stored.last_error  # it is logged: the address is taken out
    clock.now += dtm.timedelta(days=1)
    assert await worker.run_until_idle() == 0  # not tried again
    assert inbox.received == []


def _told(engine: sa.Engine, region: Region) -> tuple[int, Any]:
    """A leader who caused a message, and what they are told when it fails (read with `told()`)."""
    assert region.id is not None
    with session_scope(engine) as s:
        leader = Person(email="bo.leder@example.org", name="Bo Leder", region_id=region.id)
        s.add(leader)
        s.flush()
        assert leader.id is not None
        leader_id = leader.id

    def told() -> list[str]:
        with Session(engine) as s:
            rows = s.exec(select(OutboxMessage).where(OutboxMessage.kind == "undeliverable")).all()
            return [m.payload["text"] for m in rows if m.recipient_id == leader_id]

    return leader_id, told


async def test_a_bounced_address_is_told_to_the_sender_as_an_e_mail_problem(
    engine: sa.Engine, region: Region, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    inbox.refuse["ann@example.org"] = "550 5.1.1 <ann@example.org>: Recipient address rejected: User unknown"
    leader_id, told = _told(engine, region)
    _enqueue(engine, region, origin=leader_id)
    await _worker(engine, port, Clock()).run_until_idle()
    assert told() == [
        "Jag kunde inte leverera ett meddelande till Ann Ek: e-postadressen ann@example.org gick inte att leverera "
        "till. Berätta det själv för hen, och se till att adressen rättas i personallistan (samordnaren kan hjälpa "
        "till)."
    ]  # not that Ann cannot be reached in Teams or Slack: the e-mail is what failed


async def test_a_mail_server_down_is_told_to_the_sender_as_such(engine: sa.Engine, region: Region) -> None:
    leader_id, told = _told(engine, region)
    _enqueue(engine, region, origin=leader_id)
    clock = Clock()
    down = _worker(engine, _free_port(), clock, base_delay=30, max_attempts=1)  # nothing listens there
    await down.run_until_idle()
    assert told() == [
        "Jag kunde inte skicka ett meddelande till Ann Ek med e-post: e-postservern tog inte emot det, fast jag "
        "försökte flera gånger. Berätta det själv för hen; en administratör kan skicka det igen när e-postservern "
        "fungerar."
    ]


async def test_a_busy_server_4xx_is_tried_again_and_counts_as_an_attempt(
    engine: sa.Engine, region: Region, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    inbox.refuse["ann@example.org"] = "451 4.7.1 Greylisted, try again later"
    message_id = _enqueue(engine, region)
    clock = Clock()
    worker = _worker(engine, port, clock, base_delay=30, max_attempts=3)
    assert await worker.run_until_idle() == 1
    stored = _row(engine, message_id)
    assert (stored.status, stored.attempts) == (OutboxStatus.PENDING.value, 1)
    assert stored.not_before == NOW + dtm.timedelta(seconds=30) and "451" in (stored.last_error or "")
    del inbox.refuse["ann@example.org"]
    clock.now += dtm.timedelta(seconds=30)
    assert await worker.run_until_idle() == 1
    stored = _row(engine, message_id)
    assert (stored.status, stored.attempts, stored.channel) == (OutboxStatus.DELIVERED.value, 2, "email")
    assert len(inbox.received) == 1


async def test_a_server_that_is_down_is_tried_again_until_the_attempts_run_out(
    engine: sa.Engine, region: Region, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    message_id = _enqueue(engine, region)
    clock = Clock()
    down = _worker(engine, _free_port(), clock, base_delay=30, max_attempts=2)  # nothing listens there
    assert await down.run_until_idle() == 1
    stored = _row(engine, message_id)
    assert (stored.status, stored.attempts) == (OutboxStatus.PENDING.value, 1)
    assert "not reached" in (stored.last_error or "")
    clock.now += dtm.timedelta(seconds=30)
    assert await down.run_until_idle() == 1
    assert _row(engine, message_id).status == OutboxStatus.FAILED.value  # the attempts ran out: failed, visibly

    with session_scope(engine) as s:  # the admin retries it once the server is back
        assert outbox.retry_failed(s, message_id, clock.now)
    assert await _worker(engine, port, clock).run_until_idle() == 1
    assert _row(engine, message_id).status == OutboxStatus.DELIVERED.value and len(inbox.received) == 1


async def test_a_message_the_server_took_is_not_sent_again_by_a_later_attempt(
    engine: sa.Engine, region: Region, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    _enqueue(engine, region, email_sent=True)  # an earlier attempt's server took it, its outcome was lost
    assert await _worker(engine, port).run_until_idle() == 1
    assert inbox.received == []


async def test_without_e_mail_the_log_reaches_nobody_and_is_never_delivered(engine: sa.Engine, region: Region) -> None:
    message_id = _enqueue(engine, region)
    worker = OutboxWorker(engine, [LogSender()], clock=Clock())
    assert await worker.run_until_idle() == 1
    stored = _row(engine, message_id)
    assert (stored.status, stored.channel, stored.delivered_at) == (OutboxStatus.UNREACHED.value, "log", None)
    assert "written to the log only" in (stored.last_error or "")
    assert await worker.run_until_idle() == 0
    with Session(engine) as s:
        assert outbox.backlog(s)[OutboxStatus.UNREACHED] == 1
        ann = person_by_email(s, "ann@example.org")
        assert ann is not None and ann.id is not None
        assert unreachable(s, region, {ann.id}) == ["ann@example.org"]  # in the status' "Nås inte"


async def test_someone_reached_by_e_mail_is_not_in_the_status_unreachable_list(
    engine: sa.Engine, region: Region, smtp: tuple[Inbox, int]
) -> None:
    _, port = smtp
    _enqueue(engine, region)
    await _worker(engine, port).run_until_idle()
    with Session(engine) as s:
        ann = person_by_email(s, "ann@example.org")
        assert ann is not None and ann.id is not None
        assert unreachable(s, region, {ann.id}) == []


async def test_an_email_row_falls_back_to_the_log_when_e_mail_is_no_longer_configured(
    engine: sa.Engine, region: Region
) -> None:
    message_id = _enqueue(engine, region)
    with session_scope(engine) as s:
        s.get(OutboxMessage, message_id).channel = "email"
    assert await OutboxWorker(engine, [LogSender()], clock=Clock()).run_until_idle() == 1
    assert (_row(engine, message_id).status, _row(engine, message_id).channel) == (OutboxStatus.UNREACHED, "log")


def test_a_file_reply_is_attached_and_an_english_reader_gets_english() -> None:
    from storage.outbox import Delivery, Recipient

    report = FileReply(
        filename="arsrapport.html", media_type="text/html", description="Årsrapport", content="<p>Ja</p>"
    )
    csv = {"filename": "status.csv", "media_type": "text/csv", "description": "Status", "content": "a,b\r\n"}
    delivery = Delivery(
        id=7,
        channel="log",
        kind="year_report",
        payload={"replies": dump_replies([TextReply(text="The year report"), report]), "attachments": [csv]},
        attempts=1,
        recipient=Recipient(7, "bo@example.org", "Bo", "en", None, None),
    )
    mail = build_message(delivery, delivery.recipient, SENDER, now=NOW)  # type: ignore[arg-type]
    assert mail["Subject"] == "The year report" and mail["Message-ID"] == "<outbox-7.year_report@region.example>"
    body, *files = mail.iter_parts()
    assert body.get_content().rstrip().endswith(CLOSING["en"])
    assert [(f.get_filename(), f.get_content_type()) for f in files] == [
        ("status.csv", "text/csv"),
        ("arsrapport.html", "text/html"),
    ]
    assert files[1].get_content() == "<p>Ja</p>\n"  # text parts end with a line break


def test_smtp_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMTP_HOST", "smtp.region.example")
    monkeypatch.setenv("SMTP_USERNAME", "bot")
    monkeypatch.setenv("SMTP_PASSWORD", "hemligt")
    monkeypatch.setenv("SMTP_FROM", SENDER)
    settings = Settings(_env_file=None)
    assert settings.email_configured and settings.smtp_port == 587 and settings.smtp_starttls
    assert "hemligt" not in repr(settings)
    mailer = from_settings(settings)
    assert mailer is not None and (mailer.host, mailer.password, mailer.starttls) == (
        "smtp.region.example",
        "hemligt",
        True,
    )
    monkeypatch.setenv("SMTP_TLS", "true")
    tls = from_settings(Settings(_env_file=None))
    assert tls is not None and (tls.tls, tls.starttls) == (True, False)
    monkeypatch.setenv("SMTP_FROM", "ingen adress")
    with pytest.raises(ValidationError, match="SMTP_FROM"):
        Settings(_env_file=None)
    monkeypatch.delenv("SMTP_HOST")
    monkeypatch.setenv("SMTP_FROM", SENDER)
    assert from_settings(Settings(_env_file=None)) is None


def test_the_subject_is_the_title_or_the_first_clause_of_the_first_line() -> None:
    from bot.email.sender import subject_of
    from dialogs.types import CardReply

    assert subject_of([CardReply(title="Kallelse: Dans")], "", "sv") == "Kallelse: Dans"
    first = (
        "Bekräfta vilka som var med på träffen i Träblås torsdag 10 september: värdskolan fördelar träffens "
        "kostnad på deltagarna."
    )
    assert (
        subject_of([], f"{first}\nMer text", "sv")
        == "Bekräfta vilka som var med på träffen i Träblås torsdag 10 september"
    )
    assert subject_of([], "Kort rad: med kolon\nMer", "sv") == "Kort rad: med kolon"
    assert subject_of([], "", "en") == "A message from Ämneslagsboten"
    assert len(subject_of([], "x" * 300, "sv")) == 120


async def test_amneslag_outbox_shows_an_unreached_message_as_such(
    env: pytest.MonkeyPatch, engine: sa.Engine, region: Region, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    message_id = _enqueue(engine, region)
    await OutboxWorker(engine, [LogSender()], clock=Clock()).run_until_idle()
    assert main(["outbox", "--status", "unreached"]) == 0
    out = capsys.readouterr().out
    assert "levererat: 0  misslyckat: 0  nådde ingen: 1" in out
    assert f"{message_id}  nådde ingen  log  reminder.notice" in out and "written to the log only" in out
    assert main(["outbox", "--retry", str(message_id)]) == 0  # say, once e-mail is set up
    assert _row(engine, message_id).status == OutboxStatus.PENDING.value
