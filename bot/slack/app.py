"""Slack in: a slack-bolt `AsyncApp` at `/slack/events` for events, the `/amneslag` command and interactivity.

This adapter only translates. A Slack request becomes a neutral `Incoming`; the dialogs' replies go
into the outbox (addressed to the Slack conversation) and the worker is woken to post them, so every
outbound message takes the same road. Only a modal is opened directly, because Slack's trigger id
lives for three seconds. Each event or interaction is recorded under a unique key first, so Slack's
retries and concurrent duplicates cause nothing twice. Bolt acknowledges before the slow work runs.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from collections.abc import AsyncIterator
from typing import Any

import sqlalchemy as sa
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from sqlmodel import Session, select

from bot.outbox import OutboxWorker
from bot.slack import blocks
from bot.slack.checks import malformed
from bot.slack.sender import slack_error
from dialogs.engine import Dialogs
from dialogs.notify import fallback_text
from dialogs.types import FormReply, Incoming, Reply, dump_replies
from storage.db import session_scope
from storage.directory import person_by_email
from storage.inbound import first_time
from storage.models import Person
from storage.outbox import enqueue

_LOGGER = logging.getLogger(__name__)
_MENTION = re.compile(r"<@[A-Z0-9]+>")


def _digest(body: dict[str, Any]) -> str:
    return hashlib.sha256(repr(sorted(body.items())).encode()).hexdigest()


class SlackBot:
    """The Slack side of the bot: the bolt app, its identity lookups and its way into the dialogs."""

    def __init__(
        self,
        engine: sa.Engine,
        dialogs: Dialogs,
        worker: OutboxWorker,
        client: AsyncWebClient,
        signing_secret: str | None,
        *,
        app_token: str | None = None,
    ):
        """Over HTTP with `signing_secret`, or over Socket Mode with `app_token` (no public endpoint needed)."""
        self.engine = engine
        self.dialogs = dialogs
        self.worker = worker
        self.client = client
        self.app_token = app_token
        self.verifier = SignatureVerifier(signing_secret) if signing_secret else None
        self.app = AsyncApp(
            client=client,
            signing_secret=signing_secret,
            request_verification_enabled=app_token is None,
            process_before_response=False,
        )
        self._register()

    # Identity -----------------------------------------------------------------------------------

    def _by_slack_id(self, user_id: str) -> int | None:
        with Session(self.engine) as session:
            return session.exec(select(Person.id).where(Person.slack_user_id == user_id)).first()

    def _link(self, email: str, user_id: str) -> int | None:
        with session_scope(self.engine) as session:
            person = person_by_email(session, email)
            if person is None or (person.slack_user_id and person.slack_user_id != user_id):
                return None
            person.slack_user_id = user_id
            return person.id

    async def person_id(self, user_id: str) -> int | None:
        """The roster person behind a Slack user: by stored id, else by the e-mail `users.info` gives."""
        found = await asyncio.to_thread(self._by_slack_id, user_id)
        if found is not None:
            return found
        try:
            info = await self.client.users_info(user=user_id)
        except SlackApiError as exc:
            _LOGGER.warning("users.info failed: %s", slack_error(exc))
            return None
        email = ((info.get("user") or {}).get("profile") or {}).get("email")
        return await asyncio.to_thread(self._link, email, user_id) if email else None

    # One turn -----------------------------------------------------------------------------------

    def _queue(self, person_id: int | None, channel: str, replies: list[Reply]) -> None:
        with session_scope(self.engine) as session:
            enqueue(
                session,
                channel="slack",
                kind="reply",
                payload={"replies": dump_replies(replies), "text": fallback_text(replies), "slack_channel": channel},
                recipient_id=person_id,
            )

    async def turn(
        self,
        *,
        inbound_id: str,
        user_id: str,
        channel: str,
        text: str | None = None,
        action: str | None = None,
        values: dict[str, Any] | None = None,
        trigger_id: str | None = None,
    ) -> None:
        if not await asyncio.to_thread(first_time, self.engine, "slack", inbound_id):
            _LOGGER.info("slack %s already handled", inbound_id[:40])
            return
        person_id = await self.person_id(user_id)
        incoming = Incoming(
            person_id=person_id,
            channel="slack",
            conversation_id=channel,
            text=text,
            action=action,
            values=values or {},
            inbound_id=inbound_id,
        )
        replies = await self.dialogs.respond(incoming)
        forms = [r for r in replies if isinstance(r, FormReply)]
        if forms and trigger_id:
            try:
                await self.client.views_open(trigger_id=trigger_id, view=blocks.modal(forms[0]))
                return  # the modal is the answer; the typed alternative would only confuse
            except SlackApiError as exc:
                _LOGGER.warning("views.open failed: %s", slack_error(exc))
        if replies:
            await asyncio.to_thread(self._queue, person_id, channel, replies)
            self.worker.wake()

    # Listeners ----------------------------------------------------------------------------------

    def _register(self) -> None:
        app = self.app

        @app.event("message")
        async def direct_message(body: dict[str, Any], event: dict[str, Any]) -> None:
            if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
                return
            await self.turn(
                inbound_id=body.get("event_id") or f"msg:{event.get('channel')}:{event.get('ts')}",
                user_id=event["user"],
                channel=event["channel"],
                text=event.get("text", ""),
            )

        @app.event("app_mention")
        async def mention(body: dict[str, Any], event: dict[str, Any]) -> None:
            await self.turn(
                inbound_id=body.get("event_id") or f"mention:{event.get('channel')}:{event.get('ts')}",
                user_id=event["user"],
                channel=event["channel"],
                text=_MENTION.sub("", event.get("text", "")).strip(),
            )

        @app.command("/amneslag")
        async def command(ack: Any, body: dict[str, Any]) -> None:
            await ack()
            await self.turn(
                inbound_id=f"cmd:{body.get('trigger_id') or _digest(body)}",
                user_id=body["user_id"],
                channel=body["channel_id"],
                text=body.get("text") or "hjälp",
                trigger_id=body.get("trigger_id"),
            )

        @app.action(re.compile(r"^amneslag_\d+$"))
        async def button(ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
            await ack()
            parsed = blocks.parse_button_value(action.get("value", ""))
            if parsed is None:
                return
            channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
            if not channel:
                opened = await self.client.conversations_open(users=body["user"]["id"])
                channel = opened["channel"]["id"]
            await self.turn(
                inbound_id=f"action:{body.get('trigger_id') or action.get('action_ts')}",
                user_id=body["user"]["id"],
                channel=channel,
                action=parsed[0],
                values=parsed[1],
                trigger_id=body.get("trigger_id"),
            )

        @app.view(blocks.FORM_CALLBACK)
        async def form(ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
            await ack()
            parsed = blocks.submitted(view)
            if parsed is None:
                return
            opened = await self.client.conversations_open(users=body["user"]["id"])
            await self.turn(
                inbound_id=f"view:{view.get('id')}:{view.get('hash')}",
                user_id=body["user"]["id"],
                channel=opened["channel"]["id"],
                action=parsed[0],
                values=parsed[1],
            )

        @app.event("app_home_opened")
        async def home(body: dict[str, Any], event: dict[str, Any]) -> None:
            if event.get("tab") != "home":
                return
            await self.publish_home(event["user"])

        @app.event(re.compile(".*"))
        async def anything_else(body: dict[str, Any]) -> None:
            """Every other subscribed event is answered 200, so Slack does not retry it."""

    async def publish_home(self, user_id: str) -> None:
        """The App Home tab: my menu, my team and the to-dos of my roles (`views.publish`)."""
        person_id = await self.person_id(user_id)
        incoming = Incoming(person_id=person_id, channel="slack", conversation_id="home", action="home")
        replies = await asyncio.to_thread(self.dialogs.handle, incoming)
        view = {"type": "home", "blocks": blocks.message_blocks(replies)[: blocks.MODAL_MAX_BLOCKS]}
        try:
            await self.client.views_publish(user_id=user_id, view=view)
        except SlackApiError as exc:
            _LOGGER.warning("views.publish failed: %s", slack_error(exc))

    async def socket_mode(self, app: web.Application) -> AsyncIterator[None]:
        """An aiohttp cleanup context: connected to Slack over Socket Mode while the server runs."""
        assert self.app_token is not None
        handler = AsyncSocketModeHandler(self.app, self.app_token)
        await handler.connect_async()
        yield
        await handler.close_async()

    async def handle(self, request: web.Request) -> web.Response:
        """The aiohttp handler of `/slack/events`: a request with a missing or malformed timestamp is a 401."""
        timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
        signature = request.headers.get("X-Slack-Signature", "")
        if not timestamp.isdigit() or not signature:
            return web.Response(status=401, text="invalid request")
        body = await request.read()
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:  # Slack sends UTF-8 only; nothing else can even be verified
            return web.Response(status=400, text="not UTF-8")
        if self.verifier is not None and not self.verifier.is_valid(text, timestamp, signature):
            return web.Response(status=401, text="invalid request")
        problem = malformed(body, request.content_type)
        if problem is not None:  # signed by Slack, yet nothing bolt could take: say so instead of a 500
            _LOGGER.info("Slack: a malformed request refused: %s", problem)
            return web.Response(status=400, text=problem)
        response = await self.app.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(response)
