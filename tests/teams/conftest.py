"""A fake Bot Connector on loopback, the bot's server in front of it, and activities shaped as Teams sends them.

The demo region's people are members of a Teams tenant here: each has a Teams id (29:…), an AAD
object id and an e-mail address that the connector's member lookup gives.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import shutil
import subprocess
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.outbox import LogSender, OutboxWorker
from bot.server import create_app
from bot.teams.app import TeamsBot
from bot.teams.sender import TeamsSender
from dialogs.app import build_dialogs
from tests.dialogs.conftest import NOW, chat_as, clock, dialogs  # noqa: F401

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
BOT_ID = "28:4c2a8b3e-5f0d-4e8b-9a6c-0d1e2f3a4b5c"
TEAM_ID = "19:Gq3bN0kX9pT2vYc7Lm4Rz8Hs1Wd6Fj5A@thread.tacv2"


@dataclass(frozen=True)
class Member:
    id: str
    name: str
    email: str
    aad: str
    upn: str = ""  # the sign-in name, when it is not the e-mail address (an alias)

    def account(self) -> dict[str, Any]:
        """The member as the connector's member lookup gives it (a TeamsChannelAccount)."""
        given, _, surname = self.name.partition(" ")
        return {
            "id": self.id,
            "name": self.name,
            "aadObjectId": self.aad,
            "givenName": given,
            "surname": surname,
            "email": self.email,
            "userPrincipalName": self.upn or self.email,
            "tenantId": TENANT,
            "userRole": "user",
        }


def _member(key: str, name: str, email: str, upn: str = "") -> Member:
    return Member(f"29:1{key}", name, email, str(uuid.uuid5(uuid.NAMESPACE_DNS, upn or email)), upn)


ALVA = _member("AlvaJ6pQ", "Alva Jonsson", "alva.jonsson@example.org")  # teacher, member of Bild, form och skapande
JONAS = _member("JonasS2k", "Jonas Sundqvist", "jonas.sundqvist@example.org")  # leader of Bild, form och skapande
PONTUS = _member("PontusR9", "Pontus Rönnlund", "pontus.ronnlund@example.org")  # Alva's manager
STRANGER = _member("Str4nger", "Sam Someone", "someone@elsewhere.example")  # in the tenant, not in the roster
# Her Teams e-mail is an alias; her sign-in name (UPN) is the address in the roster.
SOFIA = _member("SofiaD7w", "Sofia Dahlberg", "sofia.d@kulturskolan.example", upn="sofia.dahlberg@example.org")
# An alias and a UPN, neither of them in the roster.
OTHER = _member("0therX3", "Olle Annan", "olle@kulturskolan.example", upn="olle.annan@kulturskolan.example")
MEMBERS = {m.id: m for m in (ALVA, JONAS, PONTUS, STRANGER)}  # SOFIA and OTHER: added by the tests that want them


@dataclass
class FakeConnector:
    """The Bot Connector REST API (v3) as far as the bot uses it; records every call."""

    activities: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (conversation id, activity)
    created: list[dict[str, Any]] = field(default_factory=list)
    lookups: list[str] = field(default_factory=list)
    fail_next: list[int] = field(default_factory=list)  # HTTP statuses to answer the next sends with
    refused: list[int] = field(default_factory=list)
    uploads: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)  # (name, headers, body)
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    _ids: itertools.count[int] = field(default_factory=itertools.count)

    def to(self, conversation: str) -> list[dict[str, Any]]:
        return [a for c, a in self.activities if c == conversation]

    async def wait_for(self, count: int, timeout: float = 10.0) -> list[tuple[str, dict[str, Any]]]:
        """The sent activities once there are `count` of them (the outbox worker sends in the background)."""
        async with asyncio.timeout(timeout):
            while len(self.activities) < count:
                self.changed.clear()
                await self.changed.wait()
        return self.activities

    async def send(self, request: web.Request) -> web.Response:
        if self.fail_next:
            status = self.fail_next.pop(0)
            self.refused.append(status)
            headers = {"Retry-After": "0"} if status == 429 else {}
            return web.json_response(
                {"error": {"code": "Throttled", "message": "Too many requests"}}, status=status, headers=headers
            )
        conversation = request.match_info["conversation"]
        self.activities.append((conversation, await request.json()))
        self.changed.set()
        return web.json_response({"id": f"1700000{next(self._ids):06d}"}, status=201)

    async def member(self, request: web.Request) -> web.Response:
        member_id = request.match_info["member"]
        self.lookups.append(member_id)
        member = MEMBERS.get(member_id)
        if member is None:
            return web.json_response(
                {"error": {"code": "MemberNotFoundInConversation", "message": "Member not found"}}, status=404
            )
        return web.json_response(member.account())

    async def paged_members(self, request: web.Request) -> web.Response:
        return web.json_response({"members": [m.account() for m in MEMBERS.values()]})

    async def create(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.created.append(body)
        return web.json_response({"id": f"a:1chat-{body['members'][0]['id'][3:]}"}, status=201)

    async def upload(self, request: web.Request) -> web.Response:
        """The person's OneDrive, where an accepted file is PUT (the uploadUrl of a file consent)."""
        self.uploads.append((request.match_info["name"], dict(request.headers), await request.read()))
        self.changed.set()
        return web.json_response({"id": "onedrive-item"}, status=201)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_put("/upload/{name}", self.upload)
        app.router.add_post("/v3/conversations/{conversation}/activities", self.send)
        app.router.add_post("/v3/conversations/{conversation}/activities/{reply_to}", self.send)
        app.router.add_get("/v3/conversations/{conversation}/members/{member}", self.member)
        app.router.add_get("/v3/conversations/{conversation}/pagedmembers", self.paged_members)
        app.router.add_post("/v3/conversations", self.create)
        return app


@dataclass
class Teams:
    """The bot's server, the fake connector behind it, and activities as Teams posts them."""

    connector: FakeConnector
    client: TestClient
    db: sa.Engine
    service_url: str
    bot: TeamsBot
    worker: OutboxWorker
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def activity(self, member: Member, **fields: Any) -> dict[str, Any]:
        """An activity from `member` in their 1:1 chat with the bot, with Teams' channelData and tenant."""
        return {
            "type": "message",
            "id": f"17323524{next(self._ids):05d}",
            "timestamp": "2026-11-23T09:00:00.123Z",
            "localTimestamp": "2026-11-23T10:00:00.123+01:00",
            "channelId": "msteams",
            "serviceUrl": self.service_url,
            "from": {"id": member.id, "name": member.name, "aadObjectId": member.aad},
            "conversation": {"conversationType": "personal", "tenantId": TENANT, "id": personal(member)},
            "recipient": {"id": BOT_ID, "name": "Ämneslagsboten"},
            "entities": [
                {
                    "locale": "sv-SE",
                    "country": "SE",
                    "platform": "Web",
                    "timezone": "Europe/Stockholm",
                    "type": "clientInfo",
                }
            ],
            "channelData": {"tenant": {"id": TENANT}},
            "locale": "sv-SE",
            "localTimezone": "Europe/Stockholm",
            **fields,
        }

    def channel(self, member: Member, text: str, *, mention: bool = True) -> dict[str, Any]:
        """A message in a team channel, with or without an @mention of the bot."""
        at = "<at>Ämneslagsboten</at>"
        entities = [{"mentioned": {"id": BOT_ID, "name": "Ämneslagsboten"}, "text": at, "type": "mention"}]
        return self.activity(
            member,
            text=f"{at} {text}" if mention else text,
            conversation={
                "isGroup": True,
                "conversationType": "channel",
                "tenantId": TENANT,
                "id": f"{TEAM_ID};messageid=1732352400000",
            },
            entities=entities if mention else [],
            channelData={
                "teamsChannelId": TEAM_ID,
                "teamsTeamId": TEAM_ID,
                "channel": {"id": TEAM_ID},
                "team": {"id": TEAM_ID},
                "tenant": {"id": TENANT},
            },
        )

    async def post(self, activity: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
        return await self.client.post("/api/messages", json=activity, headers=headers or {})

    async def say(self, member: Member, text: str) -> Any:
        return await self.post(self.activity(member, text=text))


def personal(member: Member) -> str:
    return f"a:1personal-{member.id[3:]}"


def card_of(activity: dict[str, Any]) -> dict[str, Any]:
    (attachment,) = activity["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    return attachment["content"]


def texts_of(card: dict[str, Any]) -> list[str]:
    return [e["text"] for e in card["body"] if e["type"] == "TextBlock"]


def submits_of(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for e in card["body"] if e["type"] == "ActionSet" for a in e["actions"]]


async def start(
    engine: sa.Engine, *, app_id: str | None = None, extra: list[Any] | None = None
) -> tuple[TeamsBot, OutboxWorker, web.Application]:
    """The bot as `amneslag serve` builds it (no reminder sweeps, quick retries)."""
    dialogs_ = build_dialogs(engine, clock=lambda: NOW)
    worker = OutboxWorker(engine, [LogSender()], poll_seconds=0.2)
    bot = TeamsBot(
        engine,
        dialogs_,
        worker,
        app_id=app_id,
        app_password="secret" if app_id else None,
        tenant_id=TENANT if app_id else None,
    )
    worker.register(TeamsSender(bot, engine, base_delay=0.01))
    return bot, worker, create_app(engine, worker, sweep_minutes=None, teams=bot, extra=extra)


@pytest.fixture
async def teams(demo: sa.Engine) -> AsyncIterator[Teams]:
    engine = demo
    connector = FakeConnector()
    async with TestServer(connector.app()) as fake:
        service_url = str(fake.make_url("/"))
        bot, worker, app = await start(engine)
        async with TestClient(TestServer(app)) as http:
            yield Teams(connector, http, engine, service_url, bot, worker)


JS = Path(__file__).parent / "js"  # Microsoft's adaptivecards parser and the Agents Playground (npm)


@pytest.fixture(scope="session")
def node_tools() -> Path:
    """tests/teams/js with its npm packages installed from the lock file (skipped when node is absent)."""
    npm = shutil.which("npm")
    if shutil.which("node") is None or npm is None:
        pytest.skip("node and npm are not installed")
    if not (JS / "node_modules" / ".package-lock.json").exists():
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--prefix", str(JS)], check=True, capture_output=True, timeout=600
        )
    return JS


def adaptivecards_errors(js: Path, cards_: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """What Microsoft's `adaptivecards` parser finds wrong with each card (an empty list: nothing)."""
    done = subprocess.run(
        ["node", str(js / "validate-cards.js")], input=json.dumps(cards_), capture_output=True, text=True, timeout=120
    )
    assert done.returncode in (0, 1), done.stderr
    return [result["errors"] for result in json.loads(done.stdout)]
