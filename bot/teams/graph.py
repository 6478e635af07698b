"""Proactive installation of the Teams app through Microsoft Graph, for people the bot has no chat with yet.

A bot can write first only in a conversation it is part of: a person who never opened the app and is in no
team the app was added to has none. Where the tenant grants the bot's Entra app the application permission
`TeamsAppInstallation.ReadWriteSelfForUser.All` (with admin consent), the bot installs its own app for such a
person and then writes in the 1:1 chat that the installation creates, as Microsoft documents it
("Send proactive installation messages", Teams platform docs):

1. a token by client credentials (the bot's app id and password) from the tenant's login endpoint, for
   Graph's `.default` scope; kept until shortly before it expires, so one token serves many people;
2. `POST /users/{id}/teamwork/installedApps` with `teamsApp@odata.bind` to the app in the organisation's
   catalog (`AMNESLAG_TEAMS_APP_CATALOG_ID`); 201 installed, 409 already installed;
3. `GET /users/{id}/teamwork/installedApps?$expand=teamsApp&$filter=teamsApp/id eq '{app}'`: the installation;
4. `GET /users/{id}/teamwork/installedApps/{installation}/chat`: the chat, whose id is the conversation id;
5. a conversation reference to that chat on the Bot Connector's service URL, stored like the one a person's
   first message stores, so the message (and every later one) goes out through Teams and the outbox.

`{id}` is the person's AAD object id when the bot knows it, else their roster e-mail as the UPN. A person
Graph refuses (403: an app permission policy or no consent; 404: no such user; any other 4xx) cannot be
reached this way: `chat_reference` says None and the outbox tries the next way (e-mail, else `unreached`). A
429, a 5xx or a lost connection is `DeliveryError` with a delay, so the outbox tries again later.

Nothing here imports botbuilder: the reference is the Bot Framework's JSON, which `TeamsSender` reads.
Tokens and the password never reach the log; a line names the person by id, the status and Graph's error code.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import time
import urllib.parse
from collections.abc import Callable
from typing import Any

import aiohttp
import sqlalchemy as sa
from sqlmodel import Session

from bot.outbox import DeliveryError, Sender, send_instead
from storage.addresses import TEAMS, address_of, latest_service_url, save_address
from storage.db import session_scope
from storage.errors import AmneslagError
from storage.outbox import Delivery, Recipient

_LOGGER = logging.getLogger(__name__)

GRAPH_URL = "https://graph.microsoft.com/v1.0"
LOGIN_URL = "https://login.microsoftonline.com"
PUBLIC_SERVICE_URL = "https://smba.trafficmanager.net/teams/"  # Microsoft's for proactive messages without one
TOKEN_MARGIN = 300.0  # a token is renewed this many seconds before it expires


class _Refused(AmneslagError):
    """Graph (or the login endpoint) said no for good: the person cannot be reached by installing the app."""

    def __init__(self, status: int, code: str):
        super().__init__(f"{status} {code}")
        self.status = status
        self.code = code


async def _error_code(response: aiohttp.ClientResponse) -> str:
    """Graph's (or the login endpoint's) error code, without the message (which may name the person)."""
    try:
        body = await response.json(content_type=None)
    except (ValueError, aiohttp.ClientError):
        return "-"
    if not isinstance(body, dict):
        return "-"
    error = body.get("error")
    if isinstance(error, dict):
        return str(error.get("code") or "-")
    return str(error or "-")  # the token endpoint: {"error": "invalid_client", ...}


def _retry_after(response: aiohttp.ClientResponse) -> float | None:
    try:
        return float(response.headers["Retry-After"])
    except (KeyError, ValueError):
        return None


class TeamsInstaller:
    """Finds or makes the 1:1 chat with a person: a stored one, else one opened by installing the app for them.

    `clock` (monotonic seconds) is the token cache's time; tests pass their own.
    """

    def __init__(
        self,
        engine: sa.Engine,
        *,
        app_id: str,
        app_password: str,
        tenant_id: str,
        catalog_app_id: str,
        graph_url: str = GRAPH_URL,
        login_url: str = LOGIN_URL,
        service_url: str | None = None,
        timeout: float = 20.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        """`service_url` is the Bot Connector's URL the reference gets; without it, the one of the chat stored
        last (Microsoft: prefer a service URL Teams gave), else Microsoft's public one for proactive messages."""
        self.engine = engine
        self.app_id = app_id
        self._password = app_password
        self.tenant_id = tenant_id
        self.catalog_app_id = catalog_app_id
        self.graph_url = graph_url.rstrip("/")
        self.login_url = login_url.rstrip("/")
        self.service_url = service_url
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self.clock = clock
        self._token: tuple[str, float] | None = None  # (access token, monotonic instant it is renewed at)
        self._token_lock = asyncio.Lock()

    def __repr__(self) -> str:  # never the password or the token
        return f"TeamsInstaller(app_id={self.app_id!r}, tenant_id={self.tenant_id!r}, graph_url={self.graph_url!r})"

    # Graph ----------------------------------------------------------------------------------------

    def _scope(self) -> str:
        parts = urllib.parse.urlsplit(self.graph_url)
        return f"{parts.scheme}://{parts.netloc}/.default"

    async def _access_token(self, http: aiohttp.ClientSession) -> str:
        async with self._token_lock:
            if self._token is not None and self.clock() < self._token[1]:
                return self._token[0]
            form = {
                "grant_type": "client_credentials",
                "client_id": self.app_id,
                "client_secret": self._password,
                "scope": self._scope(),
            }
            url = f"{self.login_url}/{urllib.parse.quote(self.tenant_id, safe='')}/oauth2/v2.0/token"
            async with http.post(url, data=form) as response:
                if response.status == 429 or response.status >= 500:
                    raise DeliveryError(
                        f"graph: the token endpoint answered {response.status}",
                        retry_after=_retry_after(response),
                        rate_limited=response.status == 429,
                    )
                if response.status != 200:
                    code = await _error_code(response)
                    _LOGGER.error(
                        "Teams installation: no Graph token (%s %s); check MICROSOFT_APP_PASSWORD and the tenant",
                        response.status,
                        code,
                    )
                    raise _Refused(response.status, code)
                body = await response.json(content_type=None)
            token = str(body["access_token"])
            lifetime = float(body.get("expires_in", 3599))
            self._token = (token, self.clock() + max(lifetime - TOKEN_MARGIN, lifetime / 2))
            return token

    async def _call(
        self, http: aiohttp.ClientSession, method: str, path: str, *, ok: tuple[int, ...] = (200,), **kwargs: Any
    ) -> tuple[int, Any]:
        """One Graph request with the token; a 401 once renews the token. `_Refused` for a 4xx not in `ok`,
        `DeliveryError` (try again later) for a 429 or 5xx."""
        for fresh in (False, True):
            token = await self._access_token(http)
            headers = {"Authorization": f"Bearer {token}"}
            async with http.request(method, f"{self.graph_url}{path}", headers=headers, **kwargs) as response:
                if response.status in ok:
                    text = await response.text()
                    return response.status, json.loads(text) if text.strip() else None
                if response.status == 401 and not fresh:
                    self._token = None  # revoked or expired early: once more with a new one
                    continue
                if response.status == 429 or response.status >= 500:
                    raise DeliveryError(
                        f"graph: {method} installedApps answered {response.status}",
                        retry_after=_retry_after(response),
                        rate_limited=response.status == 429,
                    )
                raise _Refused(response.status, await _error_code(response))
        raise AssertionError("unreachable: the second round returns or raises")

    async def _install(self, http: aiohttp.ClientSession, user: str) -> str:
        """Install the app for `user` (if it is not) and return the id of the chat it has with them."""
        apps = f"/users/{urllib.parse.quote(user, safe='@')}/teamwork/installedApps"
        bind = {"teamsApp@odata.bind": f"{self.graph_url}/appCatalogs/teamsApps/{self.catalog_app_id}"}
        await self._call(http, "POST", apps, ok=(200, 201, 204, 409), json=bind)  # 409: installed already
        query = {"$expand": "teamsApp", "$filter": f"teamsApp/id eq '{self.catalog_app_id}'"}
        _, found = await self._call(http, "GET", apps, params=query)
        installations = found.get("value", []) if isinstance(found, dict) else []
        if not installations:  # installed a moment ago and not listed yet
            raise DeliveryError("graph: the installation is not listed yet", retry_after=30.0)
        _, chat = await self._call(http, "GET", f"{apps}/{urllib.parse.quote(installations[0]['id'], safe='')}/chat")
        return str(chat["id"])

    # The reference --------------------------------------------------------------------------------

    def _stored(self, person_id: int) -> tuple[dict[str, Any] | None, str | None]:
        with Session(self.engine) as session:
            return address_of(session, person_id, TEAMS), latest_service_url(session)

    def _save(self, person_id: int, reference: dict[str, Any]) -> None:
        with session_scope(self.engine) as session:
            save_address(session, person_id, TEAMS, reference)

    def reference(self, recipient: Recipient, chat_id: str, service_url: str | None) -> dict[str, Any]:
        """The Bot Framework conversation reference of the person's 1:1 chat `chat_id` (as `ConversationReference`
        serializes it)."""
        user: dict[str, Any] = {"id": "", "name": recipient.name}
        if recipient.teams_user_id:
            user["aadObjectId"] = recipient.teams_user_id
        return {
            "channelId": "msteams",
            "serviceUrl": self.service_url or service_url or PUBLIC_SERVICE_URL,
            "bot": {"id": f"28:{self.app_id}"},
            "user": user,
            "conversation": {
                "id": chat_id,
                "conversationType": "personal",
                "isGroup": False,
                "tenantId": self.tenant_id,
            },
        }

    async def chat_reference(self, recipient: Recipient) -> dict[str, Any] | None:
        """The reference of the person's 1:1 chat: the stored one, else one made by installing the app for them
        (and stored). None when Graph will not install it for them; `DeliveryError` when it cannot now."""
        stored, service_url = await asyncio.to_thread(self._stored, recipient.id)
        if stored is not None:
            return stored
        user = recipient.teams_user_id or recipient.email
        try:
            async with aiohttp.ClientSession(timeout=self.timeout) as http:
                chat_id = await self._install(http, user)
        except _Refused as refused:
            _LOGGER.warning(
                "Teams installation for person %s refused by Graph (%s %s)", recipient.id, refused.status, refused.code
            )
            return None
        except (aiohttp.ClientError, TimeoutError, KeyError, TypeError, ValueError) as exc:
            raise DeliveryError(f"graph: {type(exc).__name__}") from exc
        reference = self.reference(recipient, chat_id, service_url)
        await asyncio.to_thread(self._save, recipient.id, reference)
        _LOGGER.info("Teams installation for person %s: the app is installed and the chat stored", recipient.id)
        return reference


class InstallingSender:
    """The "log" channel (people with no chat) where Graph installation is on: the app is installed for the person
    and the message goes to Teams (`teams()`, the Teams sender); where Graph refuses, to `fallback` (e-mail, or the
    log and `unreached`)."""

    channel = "log"
    looks_up = True  # the worker lets it run before e-mail: a chat is better than a mail (`OutboxWorker.sender_for`)

    def __init__(self, installer: TeamsInstaller, teams: Callable[[], Sender], fallback: Sender):
        self.installer = installer
        self.teams = teams
        self.fallback = fallback

    async def send(self, delivery: Delivery) -> None:
        recipient = delivery.recipient
        if recipient is not None and not recipient.slack_user_id:
            reference = await self.installer.chat_reference(recipient)
            if reference is not None:
                delivery.progress.via = TEAMS
                payload = {**delivery.payload, "teams_reference": reference}
                await self.teams().send(dataclasses.replace(delivery, payload=payload))
                return
        await send_instead(self.fallback, delivery)
