"""Messages the bot sends on its own: built in the recipient's language, queued in the outbox."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlmodel import Session, select

from dialogs.i18n import Translator
from dialogs.types import CardReply, ChoicesReply, FormReply, Reply, TextReply, dump_replies
from storage.models import ConversationAddress, OutboxMessage, Person, Region
from storage.outbox import enqueue


def channel_of(person: Person, has_teams_address: bool) -> str:
    """Where a person is reached: Slack, Teams, or the log when the bot has no address for them."""
    if person.slack_user_id:
        return "slack"
    if has_teams_address or person.teams_user_id:
        return "teams"
    return "log"


def channel_for(session: Session, person: Person) -> str:
    has_teams_address = session.exec(
        select(ConversationAddress.id).where(
            ConversationAddress.person_id == person.id, ConversationAddress.platform == "teams"
        )
    ).first()
    return channel_of(person, has_teams_address is not None)


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
) -> list[OutboxMessage]:
    """Queue a message for each recipient (each once, in their own language) in the caller's transaction.

    `attachments` (such as a calendar invite) travel with the message for the channel sender to attach.
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
                },
                recipient_id=person.id,
            )
        )
    return queued
