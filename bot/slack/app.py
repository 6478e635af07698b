"""Slack in: a slack-bolt `AsyncApp` at `/slack/events` for events, the `/amneslag` command and interactivity.

This adapter only translates. A Slack request becomes a neutral `Incoming`; the dialogs' replies go
into the outbox (addressed to the Slack conversation), claimed there in the turn's transaction and posted
by the turn right after its commit (the worker is woken for anything else the turn queued), so every
outbound message takes the same road. Only a modal is opened directly, because Slack's trigger id
lives for three seconds. The answer to the `/amneslag` command or to an @mention in a channel (and to a
button of such an answer) is the asker's alone: the outbox message says so (`slack_ephemeral_to`), and the
sender shows it with `chat.postEphemeral` where it was typed, or in the person's direct chat; it is never a
public post.

Every request the bot acts on is stored in the inbox (`storage.inbound`) under the id Slack keeps
across retries before bolt acknowledges it, so an acknowledged request survives a crash and a retry
causes nothing twice; the turn, its replies and the event's "done" commit together. Bolt acknowledges
before the turn runs.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import sqlalchemy as sa
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from sqlmodel import Session, select

from bot.outbox import OutboxWorker
from bot.slack import blocks
from bot.slack.checks import COMMAND, inbound_kind, inbox_key, malformed, our_button
from bot.slack.sender import slack_error
from dialogs.engine import Dialogs
from dialogs.notify import fallback_text
from dialogs.types import FormReply, Incoming, Reply, attachments_of, dump_replies
from storage.db import session_scope, unreachable
from storage.directory import person_by_email
from storage.errors import DatabaseUnavailable
from storage.inbound import AlreadyDone, Stored, finish, finish_alone, give_up, receive
from storage.models import OutboxMessage, Person
from storage.outbox import ENQUEUED, Delivery, claim_enqueued, enqueue

_LOGGER = logging.getLogger(__name__)
_MENTION = re.compile(r"<@[A-Z0-9]+>")


def _sender(body: dict[str, Any]) -> str | None:
    """The Slack user id of whoever sent a request: an event's user, a command's user_id, an interaction's user."""
    event = body.get("event")
    if isinstance(event, dict) and isinstance(event.get("user"), str):
        return str(event["user"])
    if isinstance(body.get("user_id"), str):
        return str(body["user_id"])
    user = body.get("user")
    return str(user["id"]) if isinstance(user, dict) and isinstance(user.get("id"), str) else None


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
        lease: dtm.timedelta = dtm.timedelta(seconds=60),
    ):
        """Over HTTP with `signing_secret`, or over Socket Mode with `app_token` (no public endpoint needed).

        `lease` is how long a stored event is this instance's to process before another may take it.
        """
        self.engine = engine
        self.lease = lease
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

    async def close(self) -> None:
        """End the Web API client's HTTP session (when the server stops)."""
        close = getattr(self.client, "close", None)
        if close is not None:
            await close()

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

    async def _store(
        self, req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[BoltResponse]]
    ) -> BoltResponse:
        """Bolt middleware: a request the bot acts on is stored in the inbox before Slack gets its answer.

        A request already stored (Slack's retry) is answered 200 and nothing more. When the inbox cannot
        be written, the answer is a 503, so Slack sends an event again later, shows a failed button press
        as failed, and keeps a modal open with what was typed; a slash command, which Slack answers with
        a bare "dispatch_failed", gets a sentence instead.
        """
        if "inbox_id" in req.context:  # a stored event processed again
            return await next()
        key = inbox_key(req.body)
        if key is None:
            return await next()
        try:
            event_id, person_id = await asyncio.to_thread(self._receive, key, req.body)
        except DatabaseUnavailable as exc:
            _LOGGER.warning("Slack: a request not taken, the database is unreachable (%s)", exc)
            if req.body.get("command"):
                return BoltResponse(status=200, body=self.dialogs.unavailable())
            return BoltResponse(status=503, body="database unavailable")
        if event_id is None:
            _LOGGER.info("slack %s already received", key[:40])
            return BoltResponse(status=200, body="")
        req.context["inbox_id"] = event_id
        if person_id is not None:
            req.context["person_id"] = person_id
        return await next()

    def _receive(self, key: str, body: dict[str, Any]) -> tuple[int | None, int | None]:
        """Store the request; if it is new, also who sent it by their stored Slack id (in the same trip to a
        thread, which under load costs more than the query)."""
        event_id = receive(self.engine, "slack", key, body, lease=self.lease)
        user = _sender(body)
        return event_id, self._by_slack_id(user) if event_id is not None and user else None

    def _queue(
        self,
        session: Session,
        person_id: int | None,
        channel: str,
        replies: list[Reply],
        alone: str | None = None,
        thread: str | None = None,
    ) -> OutboxMessage:
        """The replies as one outbox message to the Slack conversation; a file (the year report) goes with it as
        an attachment, which the sender uploads into the conversation (`files_upload_v2`).

        With `alone` (a Slack user id) the replies are shown to that person alone in the conversation
        (`chat.postEphemeral`, or their direct chat where Slack cannot show it there): the answer to a slash
        command typed in a channel is nobody else's business. `thread` (the ts of a thread's parent) shows such an
        answer in the thread it was asked in.
        """
        replies, files = attachments_of(replies)
        return enqueue(
            session,
            channel="slack",
            kind="reply",
            payload={
                "replies": dump_replies(replies),
                "text": fallback_text(replies),
                "slack_channel": channel,
                **({"slack_ephemeral_to": alone} if alone else {}),
                **({"slack_thread_ts": thread} if alone and thread else {}),
                **({"attachments": files} if files else {}),
            },
            recipient_id=person_id,
        )

    def _queue_alone(
        self, person_id: int | None, channel: str, replies: list[Reply], alone: str | None, thread: str | None
    ) -> None:
        with session_scope(self.engine) as session:
            self._queue(session, person_id, channel, replies, alone, thread)

    async def turn(
        self,
        context: dict[str, Any],
        *,
        user_id: str,
        channel: str,
        text: str | None = None,
        action: str | None = None,
        values: dict[str, Any] | None = None,
        trigger_id: str | None = None,
        private: bool = False,
        thread: str | None = None,
    ) -> None:
        """One dialog turn for stored event `context["inbox_id"]`: its replies queued and the event done, at once.

        A form answers with a modal when Slack's trigger id is still fresh (three seconds: not when a
        stored event is processed again after a restart); the modal opens after the commit, and if it
        cannot, the form goes out as a message instead. `private` replies are shown to `user_id` alone (see
        `_queue`), in the thread `thread` when they were asked there. When the database is unreachable the event stays
        pending and is processed again later (see `bot.inbox`).
        """
        event_id: int | None = context.get("inbox_id")
        if event_id is None:  # not stored (cannot happen for what bolt routes here; never act unstored)
            return
        modal: list[FormReply] = []
        fresh = trigger_id is not None and not context.get("replay")
        alone = user_id if private else None
        claimed: list[Delivery] = []  # the reply, claimed as it was queued: sent here after the commit
        others: list[int] = []  # how many other messages the turn queued (for the worker)
        held: list[str] = []  # the reply's conversation, when an earlier message of it held the reply back

        def deliver(session: Session, replies: list[Reply]) -> None:
            claimed.clear()  # a turn run again (a collision) or answered again (the model) delivers afresh
            held.clear()
            others[:] = [session.info.get(ENQUEUED, 0)]
            forms = [r for r in replies if isinstance(r, FormReply)]
            if forms and fresh:
                modal.append(forms[0])
            elif replies:
                queued = self._queue(session, person_id, channel, replies, alone, thread)
                reply = claim_enqueued(session, queued, now=self.worker.clock(), lease=self.worker.lease)
                claimed.extend([reply] if reply is not None else [])
                held[:] = [] if reply is not None else [queued.conversation]
            finish(session, event_id)

        try:
            person_id = context.get("person_id") or await self.person_id(user_id)
            incoming = Incoming(
                person_id=person_id,
                channel="slack",
                conversation_id=channel,
                text=text,
                action=action,
                values=values or {},
                inbound_id=str(event_id),
            )
            replies = await self.dialogs.respond(incoming, deliver)
        except AlreadyDone:
            _LOGGER.info("slack inbox event %s was done already", event_id)
            return
        except Exception as exc:
            if unreachable(exc):
                _LOGGER.warning("slack inbox event %s waits: the database is unreachable (%s)", event_id, exc)
            else:  # a fault of ours, which another attempt would repeat
                _LOGGER.exception("slack inbox event %s could not be processed; given up", event_id)
                await asyncio.to_thread(give_up, self.engine, event_id)
            return
        if others and others[0]:  # messages to others: the worker's
            self.worker.wake()
        if held:
            self.worker.held_behind(held[0])
        if claimed:
            await self.worker.send_claimed(claimed[0])
        if modal:
            try:
                await self.client.views_open(trigger_id=trigger_id, view=blocks.modal(modal[0]))
                return  # the modal is the answer; the typed alternative would only confuse
            except SlackApiError as exc:
                _LOGGER.warning("views.open failed: %s", slack_error(exc))
                await asyncio.to_thread(self._queue_alone, person_id, channel, replies, alone, thread)
                self.worker.wake()

    async def _skip(self, context: dict[str, Any]) -> None:
        """A stored request that turned out to need no turn (a button value we cannot read) is done."""
        await asyncio.to_thread(finish_alone, self.engine, context["inbox_id"])

    async def _dm_channel(self, body: dict[str, Any]) -> str:
        opened = await self.client.conversations_open(users=body["user"]["id"])
        return str(opened["channel"]["id"])

    async def message(self, context: dict[str, Any], body: dict[str, Any]) -> None:
        event = body["event"]
        await self.turn(context, user_id=event["user"], channel=event["channel"], text=event.get("text", ""))

    async def mention(self, context: dict[str, Any], body: dict[str, Any]) -> None:
        """An @mention in a channel is answered to the person alone there, like the slash command: what the bot
        says of someone's team, meetings or absence is not for the whole channel."""
        event = body["event"]
        text = _MENTION.sub("", event.get("text", "")).strip()
        thread = event.get("thread_ts") if isinstance(event.get("thread_ts"), str) else None
        await self.turn(
            context, user_id=event["user"], channel=event["channel"], text=text, private=True, thread=thread
        )

    async def command(self, context: dict[str, Any], body: dict[str, Any]) -> None:
        await self.turn(
            context,
            user_id=body["user_id"],
            channel=body["channel_id"],
            text=body.get("text") or "hjälp",
            trigger_id=body.get("trigger_id"),
            private=True,
        )

    async def button(self, context: dict[str, Any], body: dict[str, Any]) -> None:
        parsed = blocks.pressed(our_button(body) or {})
        if parsed is None:
            await self._skip(context)
            return
        container = body.get("container") or {}
        channel = (body.get("channel") or {}).get("id") or container.get("channel_id")
        thread = container.get("thread_ts") if isinstance(container.get("thread_ts"), str) else None
        await self.turn(
            context,
            user_id=body["user"]["id"],
            channel=channel or await self._dm_channel(body),
            action=parsed[0],
            values=parsed[1],
            trigger_id=body.get("trigger_id"),
            private=bool(container.get("is_ephemeral")),  # a button of a private answer
            thread=thread,
        )

    async def form_errors(self, context: dict[str, Any], body: dict[str, Any]) -> dict[str, str]:
        """The fields of a submitted modal that the form's own rules cannot take, each with the reason
        (`Dialogs.form_problems`), as the `errors` of a `response_action` answer (keyed by block id, which is
        the field's name). Asked before the ack, so within Slack's three seconds: a read, nothing written."""
        parsed = blocks.submitted(body["view"])
        if parsed is None:
            return {}
        person_id = context.get("person_id") or await self.person_id(body["user"]["id"])
        if person_id is None:
            return {}
        incoming = Incoming(
            person_id=person_id, channel="slack", conversation_id="modal", action=parsed[0], values=parsed[1]
        )
        problems = await asyncio.to_thread(self.dialogs.form_problems, incoming)
        return {name: blocks.cut(reason, blocks.ERROR_MAX) for name, reason in problems.items()}

    async def form(self, context: dict[str, Any], body: dict[str, Any]) -> None:
        parsed = blocks.submitted(body["view"])
        if parsed is None:
            await self._skip(context)
            return
        channel = await self._dm_channel(body)
        await self.turn(context, user_id=body["user"]["id"], channel=channel, action=parsed[0], values=parsed[1])

    async def process(self, stored: Stored) -> None:
        """Process a stored request again (its first processing did not finish), as Slack sent it.

        It takes the road bolt's listener took, without bolt: the request's signature was checked before
        it was stored, and nobody waits for an ack any more.
        """
        kinds = {
            "message": self.message,
            "mention": self.mention,
            "command": self.command,
            "button": self.button,
            "form": self.form,
        }
        kind = inbound_kind(stored.payload)
        context = {"inbox_id": stored.id, "replay": True}
        if kind is None:
            await self._skip(context)
            return
        await kinds[kind](context, stored.payload)

    # Listeners ----------------------------------------------------------------------------------

    def _register(self) -> None:
        """Bolt's listeners: each acks and hands a stored request (`context["inbox_id"]`) to its method."""
        app = self.app
        app.middleware(self._store)

        @app.event("message")
        async def direct_message(context: dict[str, Any], body: dict[str, Any]) -> None:
            if "inbox_id" in context:
                await self.message(context, body)

        @app.event("app_mention")
        async def mention(context: dict[str, Any], body: dict[str, Any]) -> None:
            if "inbox_id" in context:
                await self.mention(context, body)

        @app.command(COMMAND)
        async def command(ack: Any, context: dict[str, Any], body: dict[str, Any]) -> None:
            await ack()
            await self.command(context, body)

        @app.action(blocks.BUTTON)
        async def button(ack: Any, context: dict[str, Any], body: dict[str, Any]) -> None:
            await ack()
            await self.button(context, body)

        @app.view(blocks.FORM_CALLBACK)
        async def form(ack: Any, context: dict[str, Any], body: dict[str, Any]) -> None:
            errors = await self.form_errors(context, body) if "inbox_id" in context else {}
            if errors:  # the modal stays open with each reason at its field; nothing else happens
                await ack(response_action="errors", errors=errors)
                await self._skip(context)
                return
            await ack()
            await self.form(context, body)

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
