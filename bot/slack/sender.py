"""The outbox's Slack sender: `conversations.open` for a direct message, `chat.postMessage`, and
`files_upload_v2` for a message's attachments (the calendar invite of a notice).

A 429 (Retry-After) goes straight back to the outbox, which holds that message, and with it its
conversation, for as long as Slack asks; the sender's client does not wait it out itself (as the
client it is given may), since that would hold every other conversation of the batch too. A dropped
connection is still retried by the client. Errors that will never pass (an unknown user, a
deactivated account) end the message as failed.
"""

from __future__ import annotations

import copy

import aiohttp
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.outbox import DeliveryError
from bot.slack import blocks
from dialogs.types import load_replies
from storage.outbox import Delivery

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


def web_client(token: str, base_url: str) -> AsyncWebClient:
    """A Web API client at `base_url` (slack_sdk needs the trailing slash), retrying 429s and dropped connections."""
    return AsyncWebClient(
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


class SlackSender:
    channel = "slack"

    def __init__(self, client: AsyncWebClient):
        self.client = without_rate_limit_waits(client)

    async def send(self, delivery: Delivery) -> None:
        """Post the message, split into parts if it must be, then upload its attachments (calendar invites).

        Each part posted and each file uploaded is recorded at once (`delivery.progress`); a retry starts at
        the first part not yet posted and the first file not yet uploaded.
        """
        parts_done = int(delivery.payload.get("slack_parts_posted", 0))
        files_done = int(delivery.payload.get("slack_files_uploaded", 0))
        try:
            target = delivery.payload.get("slack_channel")
            if not target:
                user = delivery.recipient.slack_user_id if delivery.recipient else None
                if not user:
                    raise DeliveryError("the recipient has no Slack user id", permanent=True)
                opened = await self.client.conversations_open(users=user)
                target = opened["channel"]["id"]
            parts = blocks.messages(load_replies(delivery.payload.get("replies", [])))
            for part in range(parts_done, len(parts)):
                await self.client.chat_postMessage(channel=target, **parts[part])
                await delivery.progress.record(slack_parts_posted=part + 1)
            attachments = delivery.payload.get("attachments", [])
            for index in range(files_done, len(attachments)):
                await self.client.files_upload_v2(
                    channel=target,
                    content=attachments[index]["content"],
                    filename=attachments[index]["filename"],
                    title=attachments[index]["filename"],
                )
                await delivery.progress.record(slack_files_uploaded=index + 1)
        except SlackApiError as exc:
            error = slack_error(exc)
            if exc.response.status_code == 429:
                raise DeliveryError("ratelimited", retry_after=_retry_after(exc), rate_limited=True) from exc
            raise DeliveryError(f"slack: {error}", permanent=error in PERMANENT) from exc
        except (aiohttp.ClientError, TimeoutError, SlackRequestError) as exc:
            raise DeliveryError(f"slack: {type(exc).__name__}") from exc
