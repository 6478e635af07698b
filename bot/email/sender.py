"""The outbox's e-mail sender: one message over SMTP (aiosmtplib) for people without Slack or a Teams chat.

Every municipal teacher has an e-mail address (the roster's identity key), so a person the chats cannot reach is
still reached. Dialogs and the sweep queue such a message on the channel "log"; when SMTP is configured the
outbox worker hands it here (see `bot.outbox.OutboxWorker.sender_for`) and the row then says "email".

The message is built with the standard library's `EmailMessage`: the subject is the first reply's title or first
line, the body the replies' plain text (`dialogs.notify.fallback_text`) and a closing line saying where to act,
since buttons cannot be pressed in an e-mail. A notice's calendar invite goes in twice, as Outlook and Gmail
expect: as a `text/calendar; method=REQUEST` alternative to the text (the invitation a mail client offers to
accept), and as the .ics file (`application/ics`, as Google Calendar attaches it); a file reply (the year report,
a CSV) is attached.

Failures: a 4xx answer, a refused or dropped connection and a timeout are transient (the outbox retries with its
backoff, and counts the attempt); a 5xx refusal of the recipient or of the message itself ends it as failed with
the server's answer as `last_error` (the address taken out, since it is logged). A 5xx to our own login or sender
address is a configuration fault, not the message's: retried until the attempts run out.

Once the server has taken the message, the attempt records `email_sent`, and a later attempt sends nothing. A crash
between the server taking it and that record may send it once more (SMTP has no way to ask what was received);
the `Message-ID` is the same each time (`<outbox-ID.…@domain>`), so a mail system can tell the copies apart.
"""

from __future__ import annotations

import datetime as dtm
import email.policy
import email.utils
import logging
from collections.abc import Callable
from email.headerregistry import Address
from email.message import EmailMessage

import aiosmtplib

from bot.config import Settings
from bot.outbox import EMAIL, DeliveryError, NotReached
from dialogs.notify import fallback_text
from dialogs.types import CardReply, FormReply, Reply, attachments_of, load_replies
from storage.outbox import Delivery, Recipient
from storage.text import utcnow

_LOGGER = logging.getLogger(__name__)

SUBJECT_MAX = 120  # characters: a subject line a mail client shows whole
SUBJECT_SHORT = 80  # a first line longer than this is cut at its first ": " or ". " after SUBJECT_CLAUSE characters
SUBJECT_CLAUSE = 20

# The closing line, in the recipient's language: where to act, since an e-mail has no buttons.
CLOSING = {
    "sv": (
        "Du får det här som e-post eftersom du inte har någon chatt med Ämneslagsboten i Slack eller Teams. "
        "Knapparna finns bara där: skriv till Ämneslagsboten i Slack eller Teams, eller be din "
        "kulturskolesamordnare om hjälp. Svar på det här mejlet läses inte."
    ),
    "en": (
        "You get this by e-mail because you have no chat with Ämneslagsboten in Slack or Teams. Its buttons are "
        "only there: write to Ämneslagsboten in Slack or Teams, or ask your regional arts school coordinator "
        "(kulturskolesamordnare) for help. Replies to this e-mail are not read."
    ),
}
FALLBACK_SUBJECT = {"sv": "Meddelande från Ämneslagsboten", "en": "A message from Ämneslagsboten"}


def subject_of(replies: list[Reply], text: str, language: str) -> str:
    """The first reply's title (a card, a form) or the first line of the text, shortened to one line."""
    title = replies[0].title if replies and isinstance(replies[0], CardReply | FormReply) else ""
    line = title or next((line.strip() for line in text.splitlines() if line.strip()), "")
    line = " ".join(line.replace("*", "").split())
    if not line:
        return FALLBACK_SUBJECT.get(language, FALLBACK_SUBJECT["sv"])
    if len(line) > SUBJECT_SHORT:  # a whole sentence: its first clause ("Bekräfta vilka som var med …: …")
        ends = [i for i in (line.find(": ", SUBJECT_CLAUSE), line.find(". ", SUBJECT_CLAUSE)) if i > 0]
        if ends:
            line = line[: min(ends)]
    return line if len(line) <= SUBJECT_MAX else line[: SUBJECT_MAX - 1].rstrip() + "…"


def _media_type(value: str) -> tuple[str, str, dict[str, str]]:
    """Type, subtype, parameters: "text/calendar; method=REQUEST" is ("text", "calendar", {"method": "REQUEST"})."""
    kind, *params = [part.strip() for part in value.split(";")]
    maintype, _, subtype = kind.partition("/")
    found: dict[str, str] = {}
    for param in params:
        key, _, val = param.partition("=")
        if key:
            found[key.strip().lower()] = val.strip().strip('"')
    return maintype.lower() or "application", subtype.lower() or "octet-stream", found


def build_message(delivery: Delivery, recipient: Recipient, sender: str, *, now: dtm.datetime) -> EmailMessage:
    """The e-mail of an outbox message: subject, plain text with the closing line, invite and files."""
    replies, files = attachments_of(load_replies(delivery.payload.get("replies", [])))
    files = [*delivery.payload.get("attachments", []), *files]
    text = fallback_text(replies) if replies else str(delivery.payload.get("text", ""))
    language = recipient.language if recipient.language in CLOSING else "sv"
    body = f"{text.strip()}\n\n-- \n{CLOSING[language]}\n"  # "-- ": the signature line mail clients know

    message = EmailMessage(policy=email.policy.SMTP)
    name, address = email.utils.parseaddr(sender)
    domain = address.rpartition("@")[2] or "localhost"
    message["From"] = Address(display_name=name, addr_spec=address)
    message["To"] = Address(display_name=recipient.name, addr_spec=recipient.email)
    message["Subject"] = subject_of(replies, text, language)
    message["Date"] = email.utils.format_datetime(now.astimezone(dtm.UTC))
    message["Message-ID"] = f"<outbox-{delivery.id}.{delivery.kind}@{domain}>"
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to the bot
    message.set_content(body, subtype="plain", charset="utf-8")

    invite = next((f for f in files if _media_type(str(f.get("media_type", "")))[:2] == ("text", "calendar")), None)
    if invite is not None:
        params = _media_type(str(invite["media_type"]))[2]
        method = params.get("method", "REQUEST").upper()
        message.add_alternative(str(invite["content"]), subtype="calendar", charset="utf-8", params={"method": method})
    for file in files:
        maintype, subtype, _ = _media_type(str(file.get("media_type", "application/octet-stream")))
        content = str(file.get("content", ""))
        filename = str(file.get("filename", "bilaga"))
        if file is invite:  # the file as Google Calendar attaches it, so no client takes it for a second invite
            maintype, subtype = "application", "ics"
        if maintype == "text":
            message.add_attachment(content, subtype=subtype, charset="utf-8", filename=filename)
        else:
            message.add_attachment(content.encode("utf-8"), maintype=maintype, subtype=subtype, filename=filename)
    return message


def _answer(exc: aiosmtplib.SMTPResponseException, recipient: Recipient) -> str:
    """The server's answer without the recipient's address (it ends up in the log)."""
    answer = " ".join(str(exc.message).split()).replace(recipient.email, "<recipient>")
    return f"{exc.code} {answer}"


class EmailSender:
    """Sends outbox messages by SMTP; see the module's docstring for what is retried and what fails."""

    channel = EMAIL

    def __init__(
        self,
        *,
        host: str,
        port: int = 587,
        sender: str,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = True,
        tls: bool = False,
        timeout: float = 30.0,
        clock: Callable[[], dtm.datetime] = utcnow,
    ):
        self.host = host
        self.port = port
        self.sender = sender
        self.username = username
        self.password = password
        self.starttls = starttls and not tls
        self.tls = tls
        self.timeout = timeout
        self.clock = clock

    async def send(self, delivery: Delivery) -> None:
        if delivery.payload.get("email_sent"):
            return  # an earlier attempt's server took it; its outcome was not recorded
        recipient = delivery.recipient
        if recipient is None or not recipient.email:
            raise NotReached("no recipient with an e-mail address")
        message = build_message(delivery, recipient, self.sender, now=self.clock())
        try:
            await aiosmtplib.send(
                message,
                hostname=self.host,
                port=self.port,
                username=self.username if self.username and self.password else None,
                password=self.password if self.username and self.password else None,
                use_tls=self.tls,
                start_tls=self.starttls,
                timeout=self.timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            refusals = exc.recipients or []
            answer = "; ".join(_answer(r, recipient) for r in refusals) or "refused"
            transient = any(400 <= r.code < 500 for r in refusals)
            raise DeliveryError(f"SMTP: the recipient was refused: {answer}", permanent=not transient) from exc
        except aiosmtplib.SMTPResponseException as exc:
            ours = isinstance(
                exc, aiosmtplib.SMTPAuthenticationError | aiosmtplib.SMTPSenderRefused | aiosmtplib.SMTPHeloError
            )
            permanent = exc.code >= 500 and not ours and not isinstance(exc, aiosmtplib.SMTPConnectError)
            what = "the message was refused" if permanent else "the server answered"
            raise DeliveryError(f"SMTP: {what}: {_answer(exc, recipient)}", permanent=permanent) from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"SMTP: {self.host}:{self.port} not reached ({type(exc).__name__}: {exc})") from exc
        delivery.progress.finish(email_sent=True)
        _LOGGER.info("outbox %s: %s sent by e-mail to person %s", delivery.id, delivery.kind, recipient.id)


def from_settings(settings: Settings) -> EmailSender | None:
    """The sender of `bot.config.Settings`' SMTP_* settings, or None when SMTP_HOST is not set."""
    if not settings.smtp_host:
        return None
    return EmailSender(
        host=settings.smtp_host,
        port=settings.smtp_port,
        sender=settings.smtp_from,
        username=settings.smtp_username,
        password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
        starttls=settings.smtp_starttls,
        tls=settings.smtp_tls,
        timeout=settings.smtp_timeout_seconds,
    )
