"""The outbox's Slack sender: `conversations.open` for a direct message, `chat.postMessage`, and
`files_upload_v2` for a message's attachments (the calendar invite of a notice).

A 429 (Retry-After) goes straight back to the outbox, which holds that message, and with it its
conversation, for as long as Slack asks; the sender's client does not wait it out itself (as the
client it is given may), since that would hold every other conversation of the batch too. A dropped
connection is still retried by the client. Errors that will never pass (an unknown user, a
deactivated account) end the message as failed.

Every post carries message metadata naming the outbox row and the part (`event_type`
"amneslag_outbox", `event_payload` {"outbox_id", "part"}), and each part is recorded as posted as
soon as Slack has it. When an earlier attempt ended with no recorded outcome (the worker died
mid-send and its lease ran out: `Delivery.unsure_since`), the sender first reads the conversation
back (`conversations.history` with `include_all_metadata`, from a minute before that attempt began,
at most `HISTORY_WINDOW` messages) and skips the parts already there. Reading a direct chat back needs
`im:history`, which the app has; where Slack refuses (a channel the app may not read), the part is
posted again, so delivery stays at least once. A calendar file has no metadata: one whose upload was
under way at a crash may be uploaded once more.
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import datetime as dtm
import logging
from typing import Any

import aiohttp
import sqlalchemy as sa
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.outbox import DeliveryError, Sender, send_instead
from bot.slack import blocks
from dialogs.types import load_replies
from storage.db import session_scope
from storage.directory import get_region, remember_slack_id, without_slack_id
from storage.outbox import Delivery, Recipient

_LOGGER = logging.getLogger(__name__)

PERMANENT = {
    "user_not_found",
    "users_not_found",
    "channel_not_found",
    "account_inactive",
    "user_disabled",
    "cannot_dm_bot",
    "not_in_channel",
    "is_archived",
    "invalid_blocks",
    "msg_too_long",
}
NOT_SHOWN_THERE = {"channel_not_found", "not_in_channel", "user_not_in_channel"}  # no ephemeral there: the DM
# the person cannot be written to in Slack at all (a closed account, someone Slack no longer has): their e-mail then
NO_LONGER_IN_SLACK = {"user_not_found", "users_not_found", "account_inactive", "user_disabled", "cannot_dm_bot"}
EVENT_TYPE = "amneslag_outbox"  # the metadata event type of every message the outbox posts
HISTORY_WINDOW = 100  # the most messages read back when looking for parts already posted
CLOCK_SKEW = dtm.timedelta(minutes=1)  # read back from this long before the attempt began (Slack's clock is not ours)


class SessionClient(AsyncWebClient):
    """An `AsyncWebClient` that keeps one HTTP session (its connections) for all its calls.

    slack_sdk opens a new session, and so a new connection, for every call unless it is given one; a session
    can only be made in the running event loop, so this one is made at the first call. Copies of the client
    (`without_rate_limit_waits`) share it. `close` ends it.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._shared: list[aiohttp.ClientSession] = []  # the session, shared with the client's copies

    async def _request(self, *, http_verb: str, api_url: str, req_args: dict[str, Any]) -> dict[str, Any]:
        if not self._shared or self._shared[0].closed:
            self._shared[:] = [aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))]
        self.session = self._shared[0]
        return await super()._request(http_verb=http_verb, api_url=api_url, req_args=req_args)

    async def close(self) -> None:
        for session in self._shared:
            await session.close()
        self._shared.clear()
        self.session = None


def web_client(token: str, base_url: str) -> SessionClient:
    """A Web API client at `base_url` (slack_sdk needs the trailing slash), retrying 429s and dropped connections,
    with one HTTP session for all its calls (`SessionClient`)."""
    return SessionClient(
        token=token,
        base_url=base_url if base_url.endswith("/") else base_url + "/",
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
            AsyncRateLimitErrorRetryHandler(max_retry_count=2),
        ],
    )


def without_rate_limit_waits(client: AsyncWebClient) -> AsyncWebClient:
    """`client` (the same session, token and base URL) with no handler that waits out a 429."""
    own = copy.copy(client)
    own.retry_handlers = [h for h in client.retry_handlers if not isinstance(h, AsyncRateLimitErrorRetryHandler)]
    return own


def slack_error(exc: SlackApiError) -> str:
    """Slack's error code of a failed call (or the HTTP status when the answer was not Slack's JSON)."""
    data = exc.response.data
    return str(data.get("error", "unknown_error")) if isinstance(data, dict) else f"http_{exc.response.status_code}"


def _retry_after(exc: SlackApiError) -> float:
    headers = {str(k).lower(): v for k, v in (exc.response.headers or {}).items()}
    value = headers.get("retry-after", 30)
    value = value[0] if isinstance(value, list) else value
    try:
        return max(float(value), 1.0)
    except (TypeError, ValueError):
        return 30.0


def metadata(delivery: Delivery, part: int) -> dict[str, Any]:
    """The message metadata of one part: which outbox row, which part (no text, no person)."""
    return {"event_type": EVENT_TYPE, "event_payload": {"outbox_id": delivery.id, "part": part}}


def _remember(engine: sa.Engine, person_id: int, user_id: str) -> bool:
    with session_scope(engine) as session:
        return remember_slack_id(session, person_id, user_id)


async def lookup_by_email(client: AsyncWebClient, email: str) -> str | None:
    """The Slack id of the workspace member with this e-mail address (`users.lookupByEmail`, scope
    `users:read.email`), or None when there is none. A 429 is raised as it came."""
    try:
        # POSTed as a form: the SDK's users_lookupByEmail puts the address in the URL, and URLs get logged
        found = await client.api_call("users.lookupByEmail", http_verb="POST", data={"email": email})
    except SlackApiError as exc:
        if exc.response.status_code == 429:
            raise
        error = slack_error(exc)
        if error != "users_not_found":
            _LOGGER.warning("users.lookupByEmail failed: %s", error)
        return None
    user = found.get("user") or {}
    return str(user["id"]) if isinstance(user.get("id"), str) and not user.get("deleted") else None


async def look_up_people(engine: sa.Engine, client: AsyncWebClient, region_key: str) -> tuple[int, int]:
    """Look the region's people without a Slack id up in the workspace by e-mail and store the ids found, so
    notices and reminders reach them before they have ever written to the bot. (found, looked up)."""
    with session_scope(engine) as session:
        people = without_slack_id(session, get_region(session, region_key))
    found = 0
    for person_id, email in people:
        user = await lookup_by_email(client, email)
        if user is not None and await asyncio.to_thread(_remember, engine, person_id, user):
            found += 1
    return found, len(people)


class SlackSender:
    """The outbox's sender of Slack messages (see the module's text).

    A recipient without a Slack id is looked up by their e-mail first (`users.lookupByEmail`); the id
    found is stored on the person when the sender has the database (`engine`). A message to a person whom Slack
    will not let the bot write to (a deactivated account: `NO_LONGER_IN_SLACK`) goes to `fallback` (e-mail) when
    there is one, before any part of it was posted; without one it fails, and whoever caused it is told.
    """

    channel = "slack"

    def __init__(
        self,
        client: AsyncWebClient,
        *,
        history_window: int = HISTORY_WINDOW,
        engine: sa.Engine | None = None,
        fallback: Sender | None = None,
    ):
        self.client = without_rate_limit_waits(client)
        self.history_window = history_window
        self.engine = engine
        self.fallback = fallback

    async def slack_user(self, recipient: Recipient | None) -> str | None:
        """The recipient's Slack id: the stored one, or the one their e-mail finds in the workspace (then stored)."""
        if recipient is None:
            return None
        if recipient.slack_user_id:
            return recipient.slack_user_id
        if not recipient.email:
            return None
        user = await lookup_by_email(self.client, recipient.email)
        if user is not None and self.engine is not None:
            await asyncio.to_thread(_remember, self.engine, recipient.id, user)
        return user

    async def close(self) -> None:
        """End the client's HTTP session, if it keeps one."""
        if isinstance(self.client, SessionClient):
            await self.client.close()

    async def posted_parts(self, target: str, delivery: Delivery, since: dtm.datetime) -> set[int]:
        """The parts of `delivery` that the conversation `target` shows as posted since `since`.

        A refusal other than a rate limit (a channel the app may not read) is logged and read as none.
        """
        oldest = (since - CLOCK_SKEW).timestamp()
        try:
            history = await self.client.conversations_history(
                channel=target, oldest=f"{oldest:.6f}", limit=self.history_window, include_all_metadata=True
            )
        except SlackApiError as exc:
            if exc.response.status_code == 429:
                raise
            _LOGGER.warning(
                "outbox %s: cannot read the Slack conversation back (%s); posting again", delivery.id, slack_error(exc)
            )
            return set()
        found: set[int] = set()
        for message in history.get("messages") or []:
            meta = message.get("metadata") or {}
            values = meta.get("event_payload") or {}
            if meta.get("event_type") == EVENT_TYPE and str(values.get("outbox_id")) == str(delivery.id):
                try:
                    found.add(int(str(values.get("part"))))
                except ValueError:
                    continue
        return found

    async def _direct(self, user: str) -> str:
        opened = await self.client.conversations_open(users=user)
        return str(opened["channel"]["id"])

    async def _where(self, delivery: Delivery) -> tuple[str, str | None, str | None]:
        """Where the message goes: (the conversation, the user it is shown to alone there or None, the user's DM).

        An answer to a slash command (`slack_ephemeral_to`) is shown to that person alone in the conversation it
        was typed in (`chat.postEphemeral`); typed in their direct chat with the bot, it is an ordinary message
        there, which stays. A message with no conversation goes to the recipient's direct chat.
        """
        target = delivery.payload.get("slack_channel")
        alone = delivery.payload.get("slack_ephemeral_to")
        if isinstance(alone, str) and alone:
            direct = await self._direct(alone)
            return (str(target), alone, direct) if target and target != direct else (direct, None, direct)
        if target:
            return str(target), None, None
        user = await self.slack_user(delivery.recipient)
        if not user:
            raise DeliveryError("the recipient has no Slack user id", permanent=True)
        return await self._direct(user), None, None

    async def send(self, delivery: Delivery) -> None:
        """Post the message, split into parts if it must be, then upload its attachments (calendar invites).

        Each part posted and each file uploaded is recorded at once (`delivery.progress`); a retry starts at
        the first part not yet posted and the first file not yet uploaded, and after an attempt that ended
        without an outcome it first skips the parts Slack shows as posted. An ephemeral part cannot be read
        back, so one in flight at a crash may be shown twice; where Slack will not show it (the app is not in
        that channel) it goes to the person's direct chat instead, and so do the files of an ephemeral answer
        (an upload into the channel would be public).
        """
        parts_done = int(delivery.payload.get("slack_parts_posted", 0))
        files_done = int(delivery.payload.get("slack_files_uploaded", 0))
        try:
            target, alone, direct = await self._where(delivery)
            ts = delivery.payload.get("slack_thread_ts")
            thread = ts if isinstance(ts, str) and ts else None  # asked in a thread: answered there
            parts = blocks.messages(load_replies(delivery.payload.get("replies", [])))
            already: set[int] = set()
            if delivery.unsure_since is not None and parts_done < len(parts) and alone is None:
                already = await self.posted_parts(target, delivery, delivery.unsure_since)
                if already:
                    _LOGGER.info("outbox %s: parts %s already posted; not posted again", delivery.id, sorted(already))
            for part in range(parts_done, len(parts)):
                if alone is not None and direct is not None:
                    try:
                        await self.client.chat_postEphemeral(
                            channel=target, user=alone, thread_ts=thread, **parts[part]
                        )
                    except SlackApiError as exc:
                        if slack_error(exc) not in NOT_SHOWN_THERE:
                            raise
                        _LOGGER.info(
                            "outbox %s: no ephemeral there (%s); to the direct chat", delivery.id, slack_error(exc)
                        )
                        target, alone = direct, None
                if alone is None and part not in already:
                    await self.client.chat_postMessage(channel=target, metadata=metadata(delivery, part), **parts[part])
                if part == len(parts) - 1 and files_done >= len(delivery.payload.get("attachments", [])):
                    delivery.progress.finish(slack_parts_posted=part + 1)  # written with "delivered"
                else:
                    await delivery.progress.record(slack_parts_posted=part + 1)
            attachments = delivery.payload.get("attachments", [])
            for index in range(files_done, len(attachments)):
                await self.client.files_upload_v2(
                    channel=direct or target,
                    content=attachments[index]["content"],
                    filename=attachments[index]["filename"],
                    title=attachments[index]["filename"],
                )
                if index == len(attachments) - 1:
                    delivery.progress.finish(slack_files_uploaded=index + 1)
                else:
                    await delivery.progress.record(slack_files_uploaded=index + 1)
        except SlackApiError as exc:
            error = slack_error(exc)
            if exc.response.status_code == 429:
                raise DeliveryError("ratelimited", retry_after=_retry_after(exc), rate_limited=True) from exc
            if self._by_email_instead(delivery, error, parts_done):
                assert self.fallback is not None
                _LOGGER.info("outbox %s: Slack will not write to the person (%s); by e-mail", delivery.id, error)
                await send_instead(self.fallback, delivery)
                return
            raise DeliveryError(f"slack: {error}", permanent=error in PERMANENT) from exc
        except (aiohttp.ClientError, TimeoutError, SlackRequestError) as exc:
            raise DeliveryError(f"slack: {type(exc).__name__}") from exc

    def _by_email_instead(self, delivery: Delivery, error: str, parts_done: int) -> bool:
        """Whether a message Slack refused goes by e-mail: one of the person's own (not an answer in a conversation),
        none of it posted, refused because Slack will not write to them at all, and e-mail configured."""
        own = not delivery.payload.get("slack_channel") and delivery.recipient is not None
        return own and parts_done == 0 and error in NO_LONGER_IN_SLACK and self.fallback is not None


class LookupSender:
    """The "log" channel (people the bot has no address for) where Slack is configured: the person is looked up
    in the workspace by e-mail first, and found there the message goes to Slack and the id is stored, so the
    next message is queued for Slack at once; not found, it goes to `fallback` (the log) as before."""

    channel = "log"
    looks_up = True  # the worker lets it run before e-mail: a chat is better than a mail (`OutboxWorker.sender_for`)

    def __init__(self, slack: SlackSender, fallback: Sender):
        self.slack = slack
        self.fallback = fallback

    async def send(self, delivery: Delivery) -> None:
        recipient = delivery.recipient
        if recipient is not None and not recipient.slack_user_id:  # (a Teams id alone is no chat: see `channel_of`)
            try:
                user = await self.slack.slack_user(recipient)
            except SlackApiError as exc:
                if exc.response.status_code == 429:
                    raise DeliveryError("ratelimited", retry_after=_retry_after(exc), rate_limited=True) from exc
                raise
            except (aiohttp.ClientError, TimeoutError, SlackRequestError) as exc:
                raise DeliveryError(f"slack: {type(exc).__name__}") from exc
            if user is not None:
                found = dataclasses.replace(recipient, slack_user_id=user)
                await send_instead(self.slack, dataclasses.replace(delivery, recipient=found))
                return
        await send_instead(self.fallback, delivery)
