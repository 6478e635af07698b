"""The outbox's Teams sender: one Adaptive Card per message, to a stored conversation reference.

A reply goes to the conversation it answers (the reference travels in the payload); a notice or a
reminder goes to the recipient's stored 1:1 chat. A notice's calendar invite follows as a file
consent card (a bot may not put a file in a person's OneDrive without asking): when the person
accepts, `TeamsBot` uploads the file and shows it (see `TeamsBot.file_consent`). A 429 or 5xx from
the Bot Connector is retried here a few times with exponential backoff and jitter (Retry-After when
the connector gives one), then handed back to the outbox with its delay; a refusal that will not
pass (no stored chat, 403, 404) ends the message as failed, and the person who caused it is told
(see `bot.outbox`); a notice whose stored chat is refused so (403, 404) goes by e-mail instead when that is
configured. A recipient without a stored chat gets the app installed through Microsoft Graph
when that is configured (`bot.teams.graph`), and e-mail when Graph cannot (and e-mail is configured).

Each activity is recorded as sent (`Delivery.progress`) as soon as the connector has taken it, so a
retry sends only the rest, whatever ended the attempt. Teams has no way to read a conversation back:
if the worker dies while the connector is taking an activity, that activity may be sent once more
when the lease runs out (delivery is at least once, and a crash repeats at most the activity in flight).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from bot.outbox import DeliveryError, Sender, send_instead
from bot.teams.app import ConnectorError, TeamsBot
from bot.teams.graph import TeamsInstaller
from dialogs.types import load_replies
from storage.addresses import TEAMS, address_of
from storage.outbox import Delivery

PERMANENT = {400, 401, 403, 404, 410, 413}
GONE = {403, 404}  # the person's chat will not take the bot's messages (the app blocked or removed, the chat gone)


class TeamsSender:
    channel = TEAMS

    def __init__(
        self,
        bot: TeamsBot,
        engine: sa.Engine,
        *,
        retries: int = 3,
        base_delay: float = 1.0,
        max_inline_delay: float = 10.0,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        installer: TeamsInstaller | None = None,
        fallback: Sender | None = None,
    ):
        """Up to `retries` quick retries, waiting `base_delay` × 2ⁿ (±50 %), never longer than `max_inline_delay`.

        A recipient with no stored chat gets the app installed through Graph first (`installer`, when that is on);
        if that is not possible the message goes to `fallback` (e-mail) when there is one, else it fails."""
        self.installer = installer
        self.fallback = fallback
        self.bot = bot
        self.engine = engine
        self.retries = retries
        self.base_delay = base_delay
        self.max_inline_delay = max_inline_delay
        self.sleep = sleep

    def _stored(self, person_id: int) -> dict[str, Any] | None:
        with Session(self.engine) as session:
            return address_of(session, person_id, TEAMS)

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """How long to wait before quick retry number `attempt` (0-based): Retry-After, or backoff with jitter."""
        if retry_after is not None:
            return max(retry_after, 0.0)
        return self.base_delay * 2.0**attempt * random.uniform(0.5, 1.5)

    async def send(self, delivery: Delivery) -> None:
        """Send the message's activities, the ones not sent yet. A message of the person's own (a notice, not an
        answer in a conversation) whose stored chat Teams refuses for good (`GONE`) before any of it went goes to
        `fallback` (e-mail) when there is one."""
        reference = delivery.payload.get("teams_reference")
        own = reference is None  # to the person's stored chat, not an answer where they wrote
        if reference is None and delivery.recipient is not None:
            if self.installer is not None:  # the stored chat, else the one installing the app opens
                reference = await self.installer.chat_reference(delivery.recipient)
            else:
                reference = await asyncio.to_thread(self._stored, delivery.recipient.id)
        if reference is None and self.fallback is not None and delivery.recipient is not None:
            await send_instead(self.fallback, delivery)
            return
        if reference is None:
            raise DeliveryError("no Teams chat with the recipient (never wrote to the bot)", permanent=True)
        done = int(delivery.payload.get("teams_parts_sent", 0))
        replies = load_replies(delivery.payload.get("replies", []))
        activities = [self.bot.card_activity(replies)] if replies else []  # a file alone comes with no card
        if delivery.payload.get("teams_file_info"):
            activities = [self.bot.file_info_activity(delivery.payload["teams_file_info"])]
        activities += [
            self.bot.consent_activity(attachment, delivery.id, index)
            for index, attachment in enumerate(delivery.payload.get("attachments", []))
        ]
        for sent, activity in enumerate(activities[done:], start=done):
            try:
                await self._send(reference, activity, {"teams_parts_sent": sent} if sent else None)
            except DeliveryError as exc:
                gone = isinstance(exc.__cause__, ConnectorError) and exc.__cause__.status in GONE
                if not (own and gone and sent == 0 and self.fallback is not None and delivery.recipient is not None):
                    raise
                await send_instead(self.fallback, delivery)
                return
            if sent == len(activities) - 1:
                delivery.progress.finish(teams_parts_sent=sent + 1)  # written with "delivered"
            else:
                await delivery.progress.record(teams_parts_sent=sent + 1)

    async def _send(self, reference: dict[str, Any], activity: dict[str, Any], progress: dict[str, Any] | None) -> None:
        for attempt in range(self.retries + 1):
            try:
                await self.bot.send(reference, activity)
                return
            except ConnectorError as exc:
                if exc.status in PERMANENT:
                    raise DeliveryError(f"teams: {exc}", permanent=True, progress=progress) from exc
                wait = self.delay(attempt, exc.retry_after)
                if attempt == self.retries or wait > self.max_inline_delay:
                    raise DeliveryError(
                        f"teams: {exc}", retry_after=max(wait, 1.0), rate_limited=exc.status == 429, progress=progress
                    ) from exc
                await self.sleep(wait)
