"""Messages the bot sends on its own: built in the recipient's language, queued in the outbox."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol

from sqlmodel import Session

from dialogs.i18n import Translator
from dialogs.types import CardReply, ChoicesReply, FormReply, Reply, TextReply, dump_replies
from storage.models import OutboxMessage, Person, Region
from storage.outbox import enqueue
from storage.queries import has_teams_chat


class Addressed(Protocol):
    """What `channel_of` looks at: a `Person`, or the sweep's lighter copy of one."""

    @property
    def slack_user_id(self) -> str | None: ...


def channel_of(person: Addressed, has_teams_address: bool) -> str:
    """Where a person is reached: Slack, Teams (a stored chat), or "log" when the bot has no chat with them.

    A Teams (AAD object) id alone, as the roster may give it, is no chat: a bot can write first only in a chat it
    is part of, so such a person is "log" too, and is looked up or has the app installed for them by that id.
    "log" means no chat, not a decision to only log: the outbox worker sends such a message by e-mail when
    SMTP is configured, and otherwise marks it `unreached`, never delivered (`bot.outbox.OutboxWorker.sender_for`).
    The choice is made there, at delivery, so that dialogs and the sweep need not know the process's settings.
    """
    if person.slack_user_id:
        return "slack"
    if has_teams_address:
        return "teams"
    return "log"


def channel_for(session: Session, person: Person) -> str:
    return channel_of(person, has_teams_chat(session, person))


def fallback_text(replies: list[Reply]) -> str:
    """Plain text of the replies, for notifications and channels without rich messages."""
    parts: list[str] = []
    for reply in replies:
        if isinstance(reply, TextReply | ChoicesReply):
            parts.append(reply.text)
        elif isinstance(reply, CardReply):
            parts.append("\n".join(filter(None, [reply.title, *(f"{k}: {v}" for k, v in reply.facts), reply.text])))
        elif isinstance(reply, FormReply):
            parts.append(reply.title)
    return "\n\n".join(parts)


def notify(
    session: Session,
    *,
    recipients: Iterable[Person],
    region: Region,
    kind: str,
    build: Callable[[Translator], list[Reply]],
    attachments: list[dict[str, Any]] | None = None,
    origin: Person | None = None,
) -> list[OutboxMessage]:
    """Queue a message for each recipient (each once, in their own language) in the caller's transaction.

    `attachments` (such as a calendar invite) travel with the message for the channel sender to attach.
    `origin` is the person whose action this is: told if the message cannot be delivered.
    """
    queued: list[OutboxMessage] = []
    seen: set[int] = set()
    for person in recipients:
        if person.id is None or person.id in seen:
            continue
        seen.add(person.id)
        replies = build(Translator(person.language, region.timezone))
        queued.append(
            enqueue(
                session,
                channel=channel_for(session, person),
                kind=kind,
                payload={
                    "replies": dump_replies(replies),
                    "text": fallback_text(replies),
                    **({"attachments": attachments} if attachments else {}),
                    **({"origin": origin.id} if origin is not None and origin.id != person.id else {}),
                },
                recipient_id=person.id,
            )
        )
    return queued


def _what(tr: Translator, kind: str) -> str:
    names = {
        "meeting_notice": tr._("the meeting notice"),
        "meeting_changed": tr._("the changed meeting notice"),
        "meeting_cancelled": tr._("the cancellation"),
        "notes": tr._("the notes"),
        "absence_reported": tr._("your absence report"),
        "absence_withdrawn": tr._("your withdrawn absence"),
        "team_choice": tr._("your team choice"),
        "membership_confirmed": tr._("the confirmation of the team choice"),
        "memberships_reported": tr._("the report of your school's teams"),
        "network_day_added": tr._("the new network day"),
        "network_day_removed": tr._("the removed network day"),
        "leader_appointed": tr._("the appointment as team leader"),
        "leader_replaced": tr._("the message about the new leader"),
        "cost_share": tr._("the cost share"),
        "cost_entered": tr._("the invoice basis"),
    }
    return names.get(kind, tr._("a message"))


PLATFORMS = {"slack": "Slack", "teams": "Teams"}  # the chats, by the channel names of the outbox


def undeliverable_text(tr: Translator, message: OutboxMessage, recipient: Person, refused: bool) -> str:
    """Why `message` did not reach `recipient`, true to the channel that tried, and what the sender can do.

    `refused`: the channel turned it away for good (an address that bounced, an account the chat will not write
    to); otherwise the channel did not take it however often the worker tried (a server down)."""
    what, name = _what(tr, message.kind), recipient.name
    platform = PLATFORMS.get(message.channel)
    if message.channel == "email" and refused:
        return tr._(
            "I could not deliver {what} to {name}: the e-mail address {address} could not be delivered to. Please "
            "tell them yourself, and have the address corrected in the roster (the coordinator can help).",
            what=what,
            name=name,
            address=recipient.email,
        )
    if message.channel == "email":
        return tr._(
            "I could not send {what} to {name} by e-mail: the mail server did not take it, though I tried several "
            "times. Please tell them yourself; an admin can send it again once the mail server works.",
            what=what,
            name=name,
        )
    if platform is not None and refused:
        return tr._(
            "I could not deliver {what} to {name} in {platform}: {platform} does not let me write to them (perhaps "
            "they have never opened a chat with me, or their account is closed). Please tell them yourself; the "
            "coordinator sees in the status who I cannot reach.",
            what=what,
            name=name,
            platform=platform,
        )
    if platform is not None:
        return tr._(
            "I could not deliver {what} to {name} in {platform}: {platform} did not take it, though I tried "
            "several times. Please tell them yourself; an admin can send it again later.",
            what=what,
            name=name,
            platform=platform,
        )
    return tr._(
        "I could not deliver {what} to {name}. Please tell them yourself; the coordinator sees in the status who I "
        "cannot reach.",
        what=what,
        name=name,
    )


def tell_undeliverable(session: Session, message_id: int, *, refused: bool) -> OutboxMessage | None:
    """Tell the person who caused a message that it could not be delivered, and why (once; never about this
    message). `refused`: the channel that tried (the message's `channel` by now) turned it away for good."""
    message = session.get(OutboxMessage, message_id)
    origin_id = message.payload.get("origin") if message is not None else None
    if message is None or not isinstance(origin_id, int) or message.recipient_id is None:
        return None
    origin = session.get(Person, origin_id)
    recipient = session.get(Person, message.recipient_id)
    region = session.get(Region, origin.region_id) if origin is not None else None
    if origin is None or recipient is None or region is None:
        return None
    told = message

    def build(tr: Translator) -> list[Reply]:
        return [TextReply(text=undeliverable_text(tr, told, recipient, refused))]

    sent = notify(session, recipients=[origin], region=region, kind="undeliverable", build=build)
    return sent[0] if sent else None


def unreached(queued: Iterable[OutboxMessage]) -> list[int]:
    """The people whose message reaches no one: queued for the log, since the bot has no chat (nor e-mail) for
    them. The log never counts as told."""
    return [m.recipient_id for m in queued if m.channel == "log" and m.recipient_id is not None]


def reached(queued: list[OutboxMessage], reach: str) -> int:
    """How many of the queued messages reach their person: all when e-mail takes the ones without a chat."""
    return len(queued) if reach == "email" else len(queued) - len(unreached(queued))


def reached_people(people: Iterable[Person], queued: list[OutboxMessage], reach: str) -> list[Person]:
    """Those of `people` whose queued message reaches them: all when e-mail takes the ones without a chat, else
    those with a chat (the log tells nobody). A reply names only these as told."""
    missed = set() if reach == "email" else set(unreached(queued))
    return [p for p in people if p.id not in missed]


def told_text(
    tr: Translator, session: Session, people: Iterable[Person], queued: list[OutboxMessage], reach: str
) -> str:
    """ "A and B have been told." naming only those of `people` whom their message reaches, then who it does not
    reach and what to do ("" when there was nobody to tell)."""
    told = reached_people({p.id: p for p in people}.values(), queued, reach)
    said = tr.n_("{who} has been told.", "{who} have been told.", len(told), who=tr.join(p.name for p in told))
    return " ".join(filter(None, [said if told else "", not_reached(tr, session, queued, reach)]))


def not_reached(tr: Translator, session: Session, queued: Iterable[OutboxMessage], reach: str = "none") -> str:
    """The sentence naming who has no chat with the bot and what happens to their message ("" when everyone has):
    it goes by e-mail (`reach` "email"), the bot installs its Teams app for them through Graph ("teams") or looks
    them up in Slack ("slack") and says so if it cannot, or
    it reaches nobody and the person should tell them ("none")."""
    people = [p for i in unreached(queued) if (p := session.get(Person, i)) is not None]
    if not people:
        return ""
    names = tr.join(p.name for p in people)
    if reach == "email":
        return tr.n_("{names} gets it by e-mail.", "{names} get it by e-mail.", len(people), names=names)
    if reach == "teams":
        return tr.n_(
            "{names} has no chat with the bot yet: I add the app for them in Teams; if that is not allowed, it does "
            "not reach them.",
            "{names} have no chat with the bot yet: I add the app for them in Teams; those it is not allowed for are "
            "not reached.",
            len(people),
            names=names,
        )
    if reach == "slack":
        return tr.n_(
            "{names} has no chat with the bot yet: I look for them in Slack; if they are not there, it does not reach "
            "them.",
            "{names} have no chat with the bot yet: I look for them in Slack; those not there are not reached.",
            len(people),
            names=names,
        )
    return tr.n_(
        "{names} cannot be reached by the bot (no chat with it): tell them yourself.",
        "{names} cannot be reached by the bot (no chat with it): tell them yourself.",
        len(people),
        names=names,
    )
