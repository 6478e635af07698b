"""Teams in and out: `/api/messages` through botbuilder's `CloudAdapter`, and proactive sends.

`TeamsBot` is our small interface over the Bot Framework SDK; nothing outside `bot/teams/` imports
botbuilder, so its successor (the Microsoft 365 Agents SDK) can replace it here alone. The adapter
only translates. An activity becomes a neutral `Incoming`; the dialogs' replies go into the outbox,
addressed by the turn's conversation reference, claimed there in the turn's transaction and sent by the
turn right after its commit (the worker is woken for anything else the turn queued), so every outbound
message takes the same road. Only an `adaptiveCard/action` invoke is answered directly,
because Teams waits for the refreshed card in the HTTP response.

Each activity is stored in the inbox (`storage.inbound`) before it is processed, and the Bot Connector
gets its answer only after the turn: the turn, its replies and the event's "done" commit together. A
redelivery causes nothing twice; an activity stored before a crash is processed on start (`process`);
when the database is unreachable the answer is 503, so the connector sends the activity again.

Identity: the sender's AAD object id, else the e-mail or the UPN that `TeamsInfo.get_member` gives (both are
tried), after which the object id is stored. The 1:1 conversation reference of everyone who writes to the bot or
installs it is stored; when the app is added to a team, the bot opens a 1:1 chat with each member of
the roster who has none yet, so that notices and reminders reach people who never wrote to it.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
import hashlib
import json
import logging
import re
import urllib.parse
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import aiohttp
import jwt
import sqlalchemy as sa
from aiohttp import web
from azure.core.exceptions import DeserializationError
from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.core.teams import TeamsActivityHandler, TeamsInfo
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import (
    Activity,
    AdaptiveCardInvokeResponse,
    ChannelAccount,
    ConversationParameters,
    ConversationReference,
)
from botbuilder.schema.teams import TeamInfo, TeamsChannelAccount
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import (
    AuthenticateRequestResult,
    ClaimsIdentity,
    ConnectorFactory,
    JwtTokenValidation,
)
from msrest.exceptions import ClientRequestError, HttpOperationError
from sqlmodel import Session

from bot.config import SERVICE_HOSTS
from bot.outbox import OutboxWorker
from bot.teams import cards
from dialogs.engine import Dialogs
from dialogs.notify import fallback_text
from dialogs.types import FileReply, Incoming, Reply, attachments_of, dump_replies
from storage.addresses import TEAMS, address_of, link_teams, person_by_teams_id, save_address
from storage.db import session_scope, unreachable
from storage.errors import AmneslagError
from storage.inbound import AlreadyDone, Stored, finish, finish_alone, first_time, receive
from storage.models import OutboxMessage
from storage.outbox import ENQUEUED, Delivery, claim_enqueued, enqueue

_LOGGER = logging.getLogger(__name__)
_TAGS = re.compile(r"<[^>]+>")
_HOST = re.compile(r"[a-z0-9-]+(\.[a-z0-9-]+)+")  # a DNS name: no backslash, user info or other trick
CARD = "application/vnd.microsoft.card.adaptive"
FILE_CONSENT = "application/vnd.microsoft.teams.card.file.consent"
FILE_INFO = "application/vnd.microsoft.teams.card.file.info"
INBOX = "amneslag.inbox_id"  # the turn state's key of the activity's stored inbox event
REPLAY = "amneslag.replay"  # set when a stored activity is processed again (its HTTP request is gone)


@dataclass(frozen=True)
class _Configuration:
    """What `ConfigurationBotFrameworkAuthentication` reads (single-tenant, the kind Azure creates now)."""

    APP_ID: str | None
    APP_PASSWORD: str | None
    APP_TENANTID: str | None

    @property
    def APP_TYPE(self) -> str:  # noqa: N802 (the SDK's name)
        return "SingleTenant" if self.APP_ID else "MultiTenant"


class _ReusedConnectors(ConnectorFactory):  # type: ignore[misc]  # botbuilder has no types
    """A connector factory that gives the client it made before for the same app, service URL and audience.

    botbuilder's `CloudAdapter` builds a new `ConnectorClient` (credentials, msrest's pipeline and retry
    policy, a new HTTP session) for every activity it receives and every message it sends; a client holds
    no state of a turn, and its credentials fetch and renew their tokens themselves, so one per service URL
    serves them all and keeps its connections.
    """

    def __init__(self, inner: ConnectorFactory, app_id: str | None, clients: dict[tuple[Any, ...], ConnectorClient]):
        self.inner, self.app_id, self.clients = inner, app_id, clients

    async def create(self, service_url: str, audience: str | None = None) -> ConnectorClient:
        key = (self.app_id, service_url, audience)
        client = self.clients.get(key)
        if client is None:
            client = await self.inner.create(service_url, audience)
            if len(self.clients) >= 64:  # service URLs are few; a flood of made-up ones must not grow this
                self.clients.clear()
            self.clients[key] = client
        return client


class _Authentication(ConfigurationBotFrameworkAuthentication):  # type: ignore[misc]
    """botbuilder's authentication, with connector clients reused (`_ReusedConnectors`)."""

    def __init__(self, configuration: Any):
        super().__init__(configuration)
        self.clients: dict[tuple[Any, ...], ConnectorClient] = {}

    def _reused(self, factory: ConnectorFactory, identity: ClaimsIdentity | None) -> ConnectorFactory:
        claims = identity.claims if identity is not None and identity.claims else {}
        return _ReusedConnectors(factory, JwtTokenValidation.get_app_id_from_claims(claims), self.clients)

    async def authenticate_request(self, activity: Activity, auth_header: str) -> AuthenticateRequestResult:
        result = await super().authenticate_request(activity, auth_header)
        if result.connector_factory is not None:
            result.connector_factory = self._reused(result.connector_factory, result.claims_identity)
        return result

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return self._reused(super().create_connector_factory(claims_identity), claims_identity)


class ConnectorError(AmneslagError):
    """The Bot Connector refused or failed a call: its HTTP status (None when it was not reached)."""

    def __init__(self, status: int | None, retry_after: float | None, reason: str):
        super().__init__(reason)
        self.status = status
        self.retry_after = retry_after


def _connector_error(exc: Exception) -> ConnectorError:
    if isinstance(exc, HttpOperationError) and exc.response is not None:
        response = exc.response
        header = response.headers.get("Retry-After") if response.headers is not None else None
        try:
            retry_after = float(header) if header is not None else None
        except ValueError:
            retry_after = None
        return ConnectorError(response.status_code, retry_after, f"HTTP {response.status_code}")
    return ConnectorError(None, None, type(exc).__name__)


def allowed_service_url(url: str, hosts: tuple[str, ...]) -> bool:
    """Whether `url` is an https URL on one of `hosts` (a name, or `*.domain` for any name under it)."""
    try:
        parsed = urllib.parse.urlsplit(url)
        port = parsed.port
    except ValueError:
        return False
    host = (parsed.hostname or "").lower()
    if parsed.scheme != "https" or port not in (None, 443) or parsed.username is not None:
        return False
    if not _HOST.fullmatch(host):
        return False
    return any(host.endswith(h[1:]) if h.startswith("*.") else host == h for h in hosts)


def _plain(text: str | None) -> str:
    """The words of a Teams message: tags (mentions, paragraphs) and non-breaking spaces removed."""
    return " ".join(_TAGS.sub(" ", text or "").replace("\xa0", " ").split())


def _mentions_bot(activity: Activity) -> bool:
    for entity in activity.entities or []:
        mentioned = (entity.additional_properties or {}).get("mentioned") or {}
        if entity.type == "mention" and mentioned.get("id") == activity.recipient.id:
            return True
    return False


def _key(activity: Activity) -> str | None:
    if not activity.id:
        return None
    conversation = activity.conversation.id if activity.conversation else ""
    return hashlib.sha256(f"{conversation}|{activity.type}|{activity.id}".encode()).hexdigest()


def _where(reference: dict[str, Any]) -> dict[str, Any]:
    """A reference without the id of the activity it was taken from: where the chat is, which is what may change."""
    return {key: value for key, value in reference.items() if key != "activityId"}


def _personal(activity: Activity) -> bool:
    conversation = activity.conversation
    return conversation is None or conversation.conversation_type in (None, "personal")


def _tenant(activity: Activity) -> str | None:
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = data.get("tenant") or {}
    return tenant.get("id") or (activity.conversation.tenant_id if activity.conversation else None)


class TeamsBot:
    """The Teams side of the bot: the adapter, identity, the conversation references and the way in."""

    def __init__(
        self,
        engine: sa.Engine,
        dialogs: Dialogs,
        worker: OutboxWorker,
        *,
        app_id: str | None = None,
        app_password: str | None = None,
        tenant_id: str | None = None,
        lease: dtm.timedelta = dtm.timedelta(seconds=60),
        service_hosts: tuple[str, ...] = SERVICE_HOSTS,
    ):
        """Authenticated with `app_id`, password and tenant; with no app id, open for local testing only.

        `lease` is how long a stored activity is this instance's to process before another may take it.
        With an app id, an activity's `serviceUrl` (where its replies go) must be on `service_hosts`.
        """
        self.engine = engine
        self.lease = lease
        self.service_hosts = service_hosts
        self.dialogs = dialogs
        self.worker = worker
        self.app_id = app_id
        configuration = _Configuration(app_id, app_password, tenant_id)
        self.adapter = CloudAdapter(_Authentication(configuration))
        self._addresses: dict[int, dict[str, Any]] = {}  # person id -> where the 1:1 chat was, as last saved here
        self.handler = _Handler(self)

    # HTTP ---------------------------------------------------------------------------------------

    def mounted(self) -> None:
        """Said when `/api/messages` is served: without an app id it takes requests without a token."""
        if self.app_id is None:
            _LOGGER.warning(
                "Teams: MICROSOFT_APP_ID is not set, so /api/messages accepts requests without a token. "
                "Use this only for local testing."
            )

    async def handle(self, request: web.Request) -> web.Response:
        """The aiohttp handler of `/api/messages`; with an app id, a request without a valid token is a 401."""
        if "application/json" not in request.headers.get("Content-Type", ""):
            return web.Response(status=415, text="expected application/json")
        body = await request.read()
        problem = malformed(body)
        if problem is not None:
            _LOGGER.info("Teams: a malformed activity refused: %s", problem)
            return web.Response(status=400, text=problem)
        service_url = json.loads(body)["serviceUrl"]
        if self.app_id and not allowed_service_url(service_url, self.service_hosts):
            host = urllib.parse.urlsplit(service_url).hostname
            _LOGGER.warning("Teams: an activity whose serviceUrl is not a Bot Framework host was refused: %s", host)
            return web.Response(status=403, text="serviceUrl not allowed")
        if self.app_id and not request.headers.get("Authorization"):
            return web.Response(status=401, text="missing token")
        try:
            response = await self.adapter.process(request, self.handler)
        except web.HTTPException as exc:
            return web.Response(status=exc.status, text=exc.reason)
        except jwt.PyJWTError:  # a token that is not even a JWT: botbuilder lets the parser's error through
            return web.Response(status=401, text="invalid token")
        except Exception as exc:
            if not unreachable(exc):
                raise
            _LOGGER.warning("Teams: an activity not taken, the database is unreachable (%s)", type(exc).__name__)
            return web.Response(status=503, text="database unavailable")
        return response or web.Response(status=201)

    async def receive(self, turn_context: TurnContext) -> bool:
        """Store the activity in the inbox before it is processed; False when it was stored before.

        An activity without an id (nothing to tell a redelivery by) is processed without being stored.
        `DatabaseUnavailable` goes up to `handle`, which answers 503, so the Bot Connector sends it again.
        """
        if INBOX in turn_context.turn_state:  # a stored activity processed again
            return True
        activity = turn_context.activity
        key = _key(activity)
        if key is None:
            return True
        event_id = await asyncio.to_thread(receive, self.engine, "teams", key, activity.serialize(), lease=self.lease)
        if event_id is None:
            return False
        turn_context.turn_state[INBOX] = event_id
        return True

    async def done(self, turn_context: TurnContext) -> None:
        """The activity's processing is over: its event is done (if a turn has not marked it so already)."""
        event_id = turn_context.turn_state.get(INBOX)
        if event_id is not None:
            await asyncio.to_thread(finish_alone, self.engine, event_id)

    async def process(self, stored: Stored) -> None:
        """Process a stored activity again (its first processing did not finish), through the same handler.

        Its HTTP request is gone, so the turn runs in a context made for its conversation, as for a
        proactive message; an invoke's answer (a refreshed card) comes as a message instead.
        """
        activity = Activity().deserialize(stored.payload)
        reference = TurnContext.get_conversation_reference(activity)

        async def run(context: TurnContext) -> None:
            replayed = TurnContext(self.adapter, activity)
            replayed.turn_state.update(context.turn_state)
            replayed.turn_state[INBOX] = stored.id
            replayed.turn_state[REPLAY] = True
            await self.handler.on_turn(replayed)

        with contextlib.suppress(AlreadyDone):
            await self.adapter.continue_conversation(reference, run, bot_app_id=self.app_id)

    # Identity and addresses ---------------------------------------------------------------------

    def _person_by_aad(self, aad: str) -> int | None:
        with Session(self.engine) as session:
            person = person_by_teams_id(session, aad)
            return person.id if person else None

    def _link(self, addresses: list[str], aad: str) -> int | None:
        """The roster person named by the first of `addresses` (the e-mail, then the UPN) that names one, tied to
        `aad` from now on."""
        with session_scope(self.engine) as session:
            for address in addresses:
                person = link_teams(session, address, aad)
                if person is not None:
                    return person.id
            return None

    async def person_id(self, turn_context: TurnContext, account: ChannelAccount | None = None) -> int | None:
        """The roster person behind a Teams account: by AAD object id, else by the e-mail or the UPN Teams gives
        for it (either may be the one in the roster: an e-mail alias often differs from the sign-in name).

        An activity without an AAD object id names nobody (so a forged one cannot claim a roster e-mail).
        """
        account = account or turn_context.activity.from_property
        if account is None or not account.aad_object_id:
            return None
        aad = account.aad_object_id
        found = await asyncio.to_thread(self._person_by_aad, aad)
        if found is not None:
            return found
        member = account if isinstance(account, TeamsChannelAccount) and account.email else None
        if member is None:
            try:
                member = await TeamsInfo.get_member(turn_context, account.id)
            except (HttpOperationError, ClientRequestError, ValueError, TypeError) as exc:
                _LOGGER.warning("Teams: member lookup failed: %s", _connector_error(exc))
                return None
        addresses = list(dict.fromkeys(a for a in (member.email, member.user_principal_name) if a))
        if not addresses:
            return None
        return await asyncio.to_thread(self._link, addresses, aad)

    def _save(self, person_id: int, reference: ConversationReference) -> None:
        address = reference.serialize()
        with session_scope(self.engine) as session:
            save_address(session, person_id, TEAMS, address)
        self._remember(person_id, address)

    def _remember(self, person_id: int, address: dict[str, Any]) -> None:
        """The reference this process stored last for the person: the same one again is not written again."""
        if len(self._addresses) >= 10_000:
            self._addresses.clear()
        self._addresses[person_id] = _where(address)

    def _has_address(self, person_id: int) -> bool:
        with Session(self.engine) as session:
            return address_of(session, person_id, TEAMS) is not None

    # One turn -----------------------------------------------------------------------------------

    def _queue(
        self,
        session: Session,
        person_id: int | None,
        reference: ConversationReference,
        replies: list[Reply],
        kind: str,
    ) -> OutboxMessage:
        """The replies as one outbox message to the turn's conversation; a file (the year report) goes with it as
        an attachment, which the sender offers with a file consent card (see `file_consent`)."""
        replies, files = attachments_of(replies)
        return enqueue(
            session,
            channel=TEAMS,
            kind=kind,
            payload={
                "replies": dump_replies(replies),
                "text": fallback_text(replies),
                "teams_reference": reference.serialize(),
                **({"attachments": files} if files else {}),
            },
            recipient_id=person_id,
        )

    def _queue_alone(
        self, person_id: int | None, reference: ConversationReference, replies: list[Reply], kind: str
    ) -> None:
        with session_scope(self.engine) as session:
            self._queue(session, person_id, reference, replies, kind)

    async def answer(
        self,
        turn_context: TurnContext,
        *,
        text: str | None = None,
        action: str | None = None,
        values: dict[str, Any] | None = None,
        kind: str = "reply",
        queue: bool = True,
    ) -> list[Reply]:
        """Run one dialog turn for the activity's sender, and its replies.

        With `queue`, the replies go into the outbox to the turn's conversation, in the turn's own
        transaction, which also marks the activity's inbox event done; without it the caller shows them
        (an invoke's refreshed card). An event another instance finished meanwhile gives no replies.
        """
        activity = turn_context.activity
        person_id = await self.person_id(turn_context)
        reference = TurnContext.get_conversation_reference(activity)
        address: dict[str, Any] | None = None  # the 1:1 reference to store, when it is not the one stored last
        if person_id is not None and _personal(activity):
            address = reference.serialize()
            if self._addresses.get(person_id) == _where(address):
                address = None
        incoming = Incoming(
            person_id=person_id,
            channel=TEAMS,
            conversation_id=activity.conversation.id if activity.conversation else "teams",
            text=text,
            action=action,
            values=values or {},
            inbound_id=activity.id,
        )
        event_id = turn_context.turn_state.get(INBOX)
        claimed: list[Delivery] = []  # the reply, claimed as it was queued: sent here after the commit
        others: list[int] = []  # how many other messages the turn queued (for the worker)
        held: list[str] = []  # the reply's conversation, when an earlier message of it held the reply back

        def deliver(session: Session, replies: list[Reply]) -> None:
            claimed.clear()  # a turn run again (a collision) or answered again (the model) delivers afresh
            held.clear()
            others[:] = [session.info.get(ENQUEUED, 0)]
            if address is not None and person_id is not None:
                save_address(session, person_id, TEAMS, address)
            if queue and replies:
                queued = self._queue(session, person_id, reference, replies, kind)
                reply = claim_enqueued(session, queued, now=self.worker.clock(), lease=self.worker.lease)
                claimed.extend([reply] if reply is not None else [])
                held[:] = [] if reply is not None else [queued.conversation]
            elif files := [r for r in replies if isinstance(r, FileReply)]:  # a card answered in place carries none
                self._queue(session, person_id, reference, list(files), kind)
                others[:] = [others[0] + 1]
            if event_id is not None:
                finish(session, event_id)

        try:
            replies = await self.dialogs.respond(incoming, deliver)
        except AlreadyDone:
            _LOGGER.info("teams inbox event %s was done already", event_id)
            return []
        if address is not None and person_id is not None:
            self._remember(person_id, address)
        if others and others[0]:  # messages to others: the worker's
            self.worker.wake()
        if held:
            self.worker.held_behind(held[0])
        if claimed:
            await self.worker.send_claimed(claimed[0])
        return replies

    def _welcome_channel(self, reference: ConversationReference, event_id: int | None) -> None:
        with session_scope(self.engine) as session:
            self._queue(session, None, reference, self.dialogs.channel_welcome(), "welcome")
            if event_id is not None:
                finish(session, event_id)

    async def welcome(self, turn_context: TurnContext) -> None:
        """The bot's menu as a welcome card, once per conversation (Teams announces an install twice)."""
        activity = turn_context.activity
        conversation = activity.conversation.id if activity.conversation else ""
        if not await asyncio.to_thread(first_time, self.engine, "teams-welcome", conversation):
            return
        if _personal(activity):
            await self.answer(turn_context, text="hjälp", kind="welcome")
            return
        reference = TurnContext.get_conversation_reference(activity)
        try:
            await asyncio.to_thread(self._welcome_channel, reference, turn_context.turn_state.get(INBOX))
        except AlreadyDone:
            return
        self.worker.wake()

    async def reach_members(self, turn_context: TurnContext, accounts: list[TeamsChannelAccount]) -> int:
        """Open a 1:1 chat with each roster person among `accounts` who has none yet; returns how many."""
        activity = turn_context.activity
        opened = 0
        for account in accounts:
            if account.id == activity.recipient.id:
                continue
            person_id = await self.person_id(turn_context, account)
            if person_id is None or await asyncio.to_thread(self._has_address, person_id):
                continue
            try:
                reference = await self._open_chat(activity, account)
            except (HttpOperationError, ClientRequestError) as exc:
                _LOGGER.warning("Teams: could not open a chat with person %s: %s", person_id, _connector_error(exc))
                continue
            await asyncio.to_thread(self._save, person_id, reference)
            welcome = await asyncio.to_thread(
                self.dialogs.handle,
                Incoming(person_id=person_id, channel=TEAMS, conversation_id=reference.conversation.id, text="hjälp"),
            )
            await asyncio.to_thread(self._queue_alone, person_id, reference, welcome, "welcome")
            opened += 1
        if opened:
            self.worker.wake()
        return opened

    async def _open_chat(self, activity: Activity, account: TeamsChannelAccount) -> ConversationReference:
        tenant = _tenant(activity)
        parameters = ConversationParameters(
            is_group=False,
            bot=activity.recipient,
            members=[ChannelAccount(id=account.id, name=account.name)],
            tenant_id=tenant,
            channel_data={"tenant": {"id": tenant}} if tenant else None,
        )
        created: list[ConversationReference] = []

        async def keep(context: TurnContext) -> None:
            reference = TurnContext.get_conversation_reference(context.activity)
            reference.user = ChannelAccount(id=account.id, name=account.name, aad_object_id=account.aad_object_id)
            created.append(reference)

        await self.adapter.create_conversation(
            self.app_id or "",
            keep,
            parameters,
            channel_id=activity.channel_id,
            service_url=activity.service_url,
        )
        return created[0]

    # Out ----------------------------------------------------------------------------------------

    @staticmethod
    def card_activity(replies: list[Reply]) -> dict[str, Any]:
        """The replies as one message with an Adaptive Card."""
        return cards.message(replies)

    @staticmethod
    def consent_activity(attachment: dict[str, Any], outbox_id: int, index: int) -> dict[str, Any]:
        """A file consent card offering an attachment (a calendar invite, the year report) of outbox message
        `outbox_id`."""
        context = {"outbox": outbox_id, "file": index}
        return {
            "type": "message",
            "attachments": [
                {
                    "contentType": FILE_CONSENT,
                    "name": attachment["filename"],
                    "content": {
                        "description": attachment.get("description", attachment["filename"]),
                        "sizeInBytes": len(attachment["content"].encode()),
                        "acceptContext": context,
                        "declineContext": context,
                    },
                }
            ],
        }

    @staticmethod
    def file_info_activity(info: dict[str, Any]) -> dict[str, Any]:
        """The card Teams shows for a file the bot uploaded to the person's OneDrive."""
        return {
            "type": "message",
            "attachments": [
                {
                    "contentType": FILE_INFO,
                    "contentUrl": info["contentUrl"],
                    "name": info["name"],
                    "content": {"uniqueId": info["uniqueId"], "fileType": info["fileType"]},
                }
            ],
        }

    def _offered_file(self, outbox_id: Any, index: Any, person_id: int | None) -> dict[str, Any] | None:
        """The attachment a consent card offered, if it was offered to `person_id`."""
        if not isinstance(outbox_id, int) or not isinstance(index, int) or person_id is None:
            return None
        with Session(self.engine) as session:
            message = session.get(OutboxMessage, outbox_id)
            if message is None or message.recipient_id != person_id or message.channel != TEAMS:
                return None
            files = message.payload.get("attachments", [])
            return files[index] if 0 <= index < len(files) else None

    async def file_consent(self, turn_context: TurnContext) -> InvokeResponse:
        """The person accepted (or declined) a file (a calendar invite, the year report): upload it to their OneDrive
        and show it.

        Only the person the invite was sent to can accept it. The upload is a PUT to the URL Teams
        gives, as Teams documents; the file card that shows it goes through the outbox.
        """
        value = turn_context.activity.value if isinstance(turn_context.activity.value, dict) else {}
        context = found if isinstance(found := value.get("context"), dict) else {}
        if value.get("action") != "accept":
            return InvokeResponse(status=int(HTTPStatus.OK))
        person_id = await self.person_id(turn_context)
        offered = await asyncio.to_thread(self._offered_file, context.get("outbox"), context.get("file"), person_id)
        upload = given if isinstance(given := value.get("uploadInfo"), dict) else {}
        if offered is None:
            _LOGGER.warning("Teams: a file consent for a file not offered to this person was refused")
            return InvokeResponse(status=int(HTTPStatus.FORBIDDEN))
        data = offered["content"].encode()
        headers = {"Content-Length": str(len(data)), "Content-Range": f"bytes 0-{len(data) - 1}/{len(data)}"}
        try:
            async with aiohttp.ClientSession() as http, http.put(upload["uploadUrl"], data=data, headers=headers) as r:
                if r.status >= 300:
                    raise aiohttp.ClientResponseError(r.request_info, r.history, status=r.status)
        except (aiohttp.ClientError, KeyError, TimeoutError) as exc:
            _LOGGER.warning("Teams: uploading an offered file failed: %s", type(exc).__name__)
            return InvokeResponse(status=int(HTTPStatus.INTERNAL_SERVER_ERROR))
        info = {k: upload.get(k) for k in ("contentUrl", "name", "uniqueId", "fileType")}
        reference = TurnContext.get_conversation_reference(turn_context.activity)
        await asyncio.to_thread(self._queue_file_info, person_id, reference, info)
        self.worker.wake()
        return InvokeResponse(status=int(HTTPStatus.OK))

    def _queue_file_info(self, person_id: int | None, reference: ConversationReference, info: dict[str, Any]) -> None:
        with session_scope(self.engine) as session:
            enqueue(
                session,
                channel=TEAMS,
                kind="file_info",
                payload={"teams_file_info": info, "teams_reference": reference.serialize()},
                recipient_id=person_id,
            )

    async def send(self, reference: dict[str, Any], activity: dict[str, Any]) -> None:
        """Send one activity to the conversation of a stored `reference`; `ConnectorError` if refused."""
        conversation = ConversationReference().deserialize(reference)
        message = Activity().deserialize(activity)

        async def deliver(context: TurnContext) -> None:
            await context.send_activity(message)

        try:
            await self.adapter.continue_conversation(conversation, deliver, bot_app_id=self.app_id)
        except (HttpOperationError, ClientRequestError) as exc:
            raise _connector_error(exc) from exc


def malformed(body: bytes) -> str | None:
    """What makes a request body no Bot Framework activity (answered 400 before botbuilder sees it), or None."""
    try:
        activity = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return "not JSON"
    if not isinstance(activity, dict):
        return "not an object"
    if not isinstance(activity.get("type"), str) or not isinstance(activity.get("serviceUrl"), str):
        return "no type or serviceUrl"
    conversation = activity.get("conversation")
    if not isinstance(conversation, dict) or not isinstance(conversation.get("id"), str):
        return "no conversation"
    for key in ("from", "recipient", "channelData"):
        if activity.get(key) is not None and not isinstance(activity[key], dict):
            return f"{key} is not an object"
    for key in ("membersAdded", "membersRemoved", "entities", "attachments"):
        items = activity.get(key)
        if items is not None and not (isinstance(items, list) and all(isinstance(i, dict) for i in items)):
            return f"{key} is not a list of objects"
    if activity.get("text") is not None and not isinstance(activity["text"], str):
        return "text is not text"
    try:
        Activity().deserialize(activity)
    except (DeserializationError, ValueError, TypeError, AttributeError) as exc:
        return f"not an activity ({type(exc).__name__})"
    return None


class _Handler(TeamsActivityHandler):  # type: ignore[misc]  # botbuilder has no types: its base class is Any
    """botbuilder's dispatch by activity type, each kind handed to `TeamsBot`."""

    def __init__(self, bot: TeamsBot):
        self.bot = bot

    async def on_turn(self, turn_context: TurnContext) -> None:
        if not await self.bot.receive(turn_context):
            _LOGGER.info("teams activity already received")
            if turn_context.activity.type == "invoke":
                await turn_context.send_activity(
                    Activity(type="invokeResponse", value=InvokeResponse(status=int(HTTPStatus.OK)))
                )
            return
        await super().on_turn(turn_context)
        await self.bot.done(turn_context)

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        text = activity.text
        if not _personal(activity):
            if not _mentions_bot(activity):
                return
            text = TurnContext.remove_recipient_mention(activity)
        submitted = cards.submitted(activity.value)
        if submitted is not None:
            await self.bot.answer(turn_context, action=submitted[0], values=submitted[1])
        elif _plain(text):
            await self.bot.answer(turn_context, text=_plain(text))

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        """An `adaptiveCard/action` (Action.Execute) is answered with the refreshed card; other invokes with 501.

        The response body is handed over as a model: botbuilder 4.17's own `on_adaptive_card_invoke`
        path serializes it twice and fails (microsoft/teams-sdk#2547).
        """
        activity = turn_context.activity
        if activity.name == "fileConsent/invoke":
            return await self.bot.file_consent(turn_context)
        if activity.name != "adaptiveCard/action":
            return InvokeResponse(status=int(HTTPStatus.NOT_IMPLEMENTED))
        action = activity.value.get("action") if isinstance(activity.value, dict) else None
        submitted = cards.submitted(action.get("data") if isinstance(action, dict) else None)
        queue = bool(turn_context.turn_state.get(REPLAY))  # replayed: the card's HTTP answer is gone
        if submitted is None:
            replies = await self.bot.answer(turn_context, text="hjälp", queue=queue)
        else:
            replies = await self.bot.answer(turn_context, action=submitted[0], values=submitted[1], queue=queue)
        body = AdaptiveCardInvokeResponse(status_code=200, type=CARD, value=cards.card(replies))
        return InvokeResponse(status=int(HTTPStatus.OK), body=body)

    async def on_teams_members_added(
        self, teams_members_added: list[TeamsChannelAccount], team_info: TeamInfo, turn_context: TurnContext
    ) -> None:
        activity = turn_context.activity
        bot_added = any(m.id == activity.recipient.id for m in teams_members_added)
        if bot_added:
            await self.bot.welcome(turn_context)
        if team_info is None:
            return
        members = await self._team_members(turn_context) if bot_added else teams_members_added
        await self.bot.reach_members(turn_context, members)

    async def _team_members(self, turn_context: TurnContext) -> list[TeamsChannelAccount]:
        members: list[TeamsChannelAccount] = []
        token: str | None = None
        try:
            while True:
                page = await TeamsInfo.get_paged_members(turn_context, token, 500)
                members += page.members or []
                token = page.continuation_token
                if not token:
                    return members
        except (HttpOperationError, ClientRequestError) as exc:
            _LOGGER.warning("Teams: listing the team's members failed: %s", _connector_error(exc))
            return members

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        await self.bot.welcome(turn_context)
