"""People without a chat: the Teams app installed for them through Microsoft Graph, then the message in that chat.

A fake Graph and a fake token endpoint on loopback answer as Microsoft documents them (client credentials at
`/{tenant}/oauth2/v2.0/token`; `/users/{id}/teamwork/installedApps` and its `chat`); the fake Bot Connector of
`conftest` takes the message.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlmodel import Session, select

from bot.outbox import LogSender
from bot.teams.graph import InstallingSender, TeamsInstaller
from bot.teams.sender import TeamsSender
from dialogs.notify import notify
from dialogs.types import TextReply
from storage.addresses import TEAMS, address_of
from storage.db import session_scope
from storage.directory import person_by_email
from storage.models import OutboxMessage, Person, Region
from storage.outbox import Delivery
from tests.teams.conftest import ALVA, TENANT, Teams, card_of, texts_of

APP_ID = "4c2a8b3e-5f0d-4e8b-9a6c-0d1e2f3a4b5c"
PASSWORD = "s3cr3t-Pa55w0rd~not-for-logs"
CATALOG_ID = "b1c5353a-7aca-41b3-830f-27d5218fe0e5"
PONTUS = "pontus.ronnlund@example.org"
JONAS = "jonas.sundqvist@example.org"


@dataclass
class FakeGraph:
    """Microsoft's token endpoint and Graph's teamwork/installedApps, as far as the installer uses them."""

    tokens: list[dict[str, str]] = field(default_factory=list)  # the forms posted to the token endpoint
    calls: list[tuple[str, str]] = field(default_factory=list)  # (method, path) of each Graph request
    installed: set[str] = field(default_factory=set)  # users the app is installed for
    refuse: dict[str, int] = field(default_factory=dict)  # user -> the status an installation gets
    token_status: int = 200
    issued: int = 0

    async def token(self, request: web.Request) -> web.Response:
        form = {k: str(v) for k, v in (await request.post()).items()}
        self.tokens.append(form)
        if self.token_status != 200:
            return web.json_response(
                {"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided."},
                status=self.token_status,
            )
        assert request.match_info["tenant"] == TENANT
        self.issued += 1
        return web.json_response({"token_type": "Bearer", "expires_in": 3599, "access_token": f"eyJ0eX.{self.issued}"})

    def _authorised(self, request: web.Request) -> bool:
        return request.headers.get("Authorization") == f"Bearer eyJ0eX.{self.issued}"

    async def install(self, request: web.Request) -> web.Response:
        user = request.match_info["user"]
        self.calls.append(("POST", request.path))
        if not self._authorised(request):
            return web.json_response({"error": {"code": "InvalidAuthenticationToken"}}, status=401)
        body = await request.json()
        assert body == {"teamsApp@odata.bind": f"{request.url.origin()}/v1.0/appCatalogs/teamsApps/{CATALOG_ID}"}
        if user in self.refuse:
            code = {403: "Forbidden", 404: "NotFound"}.get(self.refuse[user], "BadRequest")
            return web.json_response(
                {"error": {"code": code, "message": f"App installation for {user} is blocked by policy."}},
                status=self.refuse[user],
            )
        if user in self.installed:
            error = {"code": "Conflict", "message": "App is already installed."}
            return web.json_response({"error": error}, status=409)
        self.installed.add(user)
        return web.Response(status=201)

    async def list_installed(self, request: web.Request) -> web.Response:
        user = request.match_info["user"]
        self.calls.append(("GET", request.path))
        assert self._authorised(request)
        assert request.query["$filter"] == f"teamsApp/id eq '{CATALOG_ID}'"
        assert request.query["$expand"] == "teamsApp"
        value = [{"id": f"inst-{user}", "teamsApp": {"id": CATALOG_ID}}] if user in self.installed else []
        return web.json_response({"value": value})

    async def chat(self, request: web.Request) -> web.Response:
        user = request.match_info["user"]
        self.calls.append(("GET", request.path))
        assert self._authorised(request) and request.match_info["installation"] == f"inst-{user}"
        return web.json_response({"id": chat_of(user), "chatType": "oneOnOne"})

    def installs(self) -> list[str]:
        return [path.split("/")[3] for method, path in self.calls if method == "POST"]

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/{tenant}/oauth2/v2.0/token", self.token)
        app.router.add_post("/v1.0/users/{user}/teamwork/installedApps", self.install)
        app.router.add_get("/v1.0/users/{user}/teamwork/installedApps", self.list_installed)
        app.router.add_get("/v1.0/users/{user}/teamwork/installedApps/{installation}/chat", self.chat)
        return app


def chat_of(user: str) -> str:
    return f"19:{user.split('@')[0]}_{APP_ID}@unq.gbl.spaces"


@dataclass
class Mail:
    """The e-mail channel, recording what it was given."""

    sent: list[Delivery] = field(default_factory=list)
    channel: str = "email"

    async def send(self, delivery: Delivery) -> None:
        self.sent.append(delivery)


@pytest.fixture
async def graph() -> AsyncIterator[tuple[FakeGraph, str]]:
    fake = FakeGraph()
    server = TestServer(fake.app())
    await server.start_server(access_log=None)  # the URLs name people: Graph's own log is Microsoft's, not the bot's
    try:
        yield fake, str(server.make_url("")).rstrip("/")
    finally:
        await server.close()


def _installing(teams: Teams, base: str, *, service_url: str | None, fallback: Any = None) -> TeamsInstaller:
    """The worker's senders as `serve` builds them with AMNESLAG_TEAMS_INSTALL on."""
    installer = TeamsInstaller(
        teams.db,
        app_id=APP_ID,
        app_password=PASSWORD,
        tenant_id=TENANT,
        catalog_app_id=CATALOG_ID,
        graph_url=f"{base}/v1.0",
        login_url=base,
        service_url=service_url,
    )
    teams.worker.register(InstallingSender(installer, lambda: teams.worker.senders[TEAMS], fallback or LogSender()))
    teams.worker.register(TeamsSender(teams.bot, teams.db, base_delay=0.01, installer=installer, fallback=fallback))
    return installer


def _notice(teams: Teams, email: str, text: str) -> OutboxMessage:
    with session_scope(teams.db) as s:
        person = person_by_email(s, email)
        assert person is not None
        region = s.get(Region, person.region_id)
        assert region is not None
        (queued,) = notify(
            s, recipients=[person], region=region, kind="meeting_notice", build=lambda tr: [TextReply(text=text)]
        )
        s.flush()
        s.expunge(queued)
    teams.worker.wake()
    return queued


def _row(teams: Teams, message: OutboxMessage) -> OutboxMessage:
    with Session(teams.db) as s:
        row = s.get(OutboxMessage, message.id)
        assert row is not None
        s.expunge(row)
        return row


def _person(teams: Teams, email: str) -> Person:
    with Session(teams.db) as s:
        return s.exec(select(Person).where(Person.email == email)).one()


async def test_the_app_is_installed_and_the_notice_arrives_in_the_new_chat_once(
    teams: Teams, graph: tuple[FakeGraph, str]
) -> None:
    fake, base = graph
    _installing(teams, base, service_url=teams.service_url)
    first = _notice(teams, PONTUS, "Kallelse: Bild 11 februari")
    assert first.channel == "log"  # no Slack id, no Teams chat
    ((conversation, activity),) = await teams.connector.wait_for(1)
    await teams.worker.run_until_idle()
    assert conversation == chat_of(PONTUS)
    assert texts_of(card_of(activity)) == ["Kallelse: Bild 11 februari"]
    assert fake.installs() == [PONTUS]
    row = _row(teams, first)
    assert (row.status, row.channel) == ("delivered", "teams")
    pontus = _person(teams, PONTUS)
    with Session(teams.db) as s:
        reference = address_of(s, pontus.id or 0, TEAMS)
    assert reference is not None and reference["conversation"]["id"] == chat_of(PONTUS)
    assert reference["serviceUrl"] == teams.service_url and reference["bot"]["id"] == f"28:{APP_ID}"
    assert reference["conversation"]["tenantId"] == TENANT

    second = _notice(teams, PONTUS, "Påminnelse: Bild i morgon")
    assert second.channel == "teams"  # the chat is stored: queued for Teams at once
    await teams.connector.wait_for(2)
    await teams.worker.run_until_idle()
    assert [c for c, _ in teams.connector.activities] == [chat_of(PONTUS)] * 2
    assert fake.installs() == [PONTUS]  # not installed again

    third = _notice(teams, JONAS, "Kallelse: Bild 11 februari")
    await teams.connector.wait_for(3)
    await teams.worker.run_until_idle()
    assert _row(teams, third).status == "delivered" and teams.connector.activities[2][0] == chat_of(JONAS)
    assert len(fake.tokens) == 1  # one token for both people, not one each
    (form,) = fake.tokens
    assert form["grant_type"] == "client_credentials" and form["client_id"] == APP_ID
    assert form["scope"] == f"{base}/.default"


async def test_an_app_installed_before_is_a_409_and_its_chat_is_used(
    teams: Teams, graph: tuple[FakeGraph, str]
) -> None:
    fake, base = graph
    fake.installed.add(PONTUS)  # installed earlier (say, by an admin), but the bot never stored the chat
    await teams.say(ALVA, "hjälp")  # Alva's chat is stored: its service URL is the one Teams gave
    await teams.connector.wait_for(1)
    _installing(teams, base, service_url=None)
    queued = _notice(teams, PONTUS, "Kallelse")
    await teams.connector.wait_for(2)
    await teams.worker.run_until_idle()
    assert teams.connector.activities[1][0] == chat_of(PONTUS)
    assert fake.installs() == [PONTUS] and _row(teams, queued).status == "delivered"
    with Session(teams.db) as s:
        reference = address_of(s, _person(teams, PONTUS).id or 0, TEAMS)
    assert reference is not None and reference["serviceUrl"] == teams.service_url  # Alva's chat's


@pytest.mark.parametrize("status", [403, 404])
async def test_a_person_graph_will_not_install_for_gets_e_mail(
    teams: Teams, graph: tuple[FakeGraph, str], status: int
) -> None:
    fake, base = graph
    fake.refuse[PONTUS] = status  # 403: an app permission policy; 404: no such user in the tenant
    mail = Mail()
    _installing(teams, base, service_url=teams.service_url, fallback=mail)
    queued = _notice(teams, PONTUS, "Kallelse")
    await teams.worker.run_until_idle()
    assert teams.connector.activities == []
    (mailed,) = mail.sent
    assert mailed.id == queued.id
    row = _row(teams, queued)
    assert (row.status, row.channel) == ("delivered", "email")
    with Session(teams.db) as s:
        assert address_of(s, _person(teams, PONTUS).id or 0, TEAMS) is None


async def test_without_e_mail_a_refused_person_stays_unreached_and_in_the_coordinators_list(
    teams: Teams, graph: tuple[FakeGraph, str]
) -> None:
    fake, base = graph
    fake.refuse[PONTUS] = 403
    _installing(teams, base, service_url=teams.service_url)
    queued = _notice(teams, PONTUS, "Kallelse")
    await teams.worker.run_until_idle()
    assert teams.connector.activities == [] and fake.installs() == [PONTUS]
    assert _row(teams, queued).status == "unreached"  # only the log: never "delivered"


async def test_a_person_known_by_aad_id_without_a_chat_is_installed_for_by_that_id(
    teams: Teams, graph: tuple[FakeGraph, str]
) -> None:
    fake, base = graph
    aad = "5b0c7d1e-2f3a-4b5c-8d6e-7f8091a2b3c4"
    with session_scope(teams.db) as s:
        pontus = person_by_email(s, PONTUS)
        assert pontus is not None
        pontus.teams_user_id = aad  # from the roster's teams_user_id column: an id, no chat
    _installing(teams, base, service_url=teams.service_url)
    queued = _notice(teams, PONTUS, "Kallelse")
    assert queued.channel == "log"  # an id is no chat: queued for "no chat", and installed for by that id
    ((conversation, _),) = await teams.connector.wait_for(1)
    await teams.worker.run_until_idle()
    assert fake.installs() == [aad] and conversation == chat_of(aad)
    assert _row(teams, queued).status == "delivered"


async def test_a_refused_secret_falls_back_and_no_secret_or_token_reaches_the_log(
    teams: Teams, graph: tuple[FakeGraph, str], caplog: pytest.LogCaptureFixture
) -> None:
    fake, base = graph
    fake.token_status = 401
    with caplog.at_level(logging.DEBUG):
        _installing(teams, base, service_url=teams.service_url)
        queued = _notice(teams, PONTUS, "Kallelse")
        await teams.worker.run_until_idle()
    assert _row(teams, queued).status == "unreached" and fake.calls == []
    assert "invalid_client" in caplog.text and PASSWORD not in caplog.text

    fake.token_status = 200
    caplog.clear()
    with caplog.at_level(logging.DEBUG):
        _notice(teams, JONAS, "Kallelse")
        await teams.connector.wait_for(1)
        await teams.worker.run_until_idle()
    assert PASSWORD not in caplog.text and "eyJ0eX" not in caplog.text and JONAS not in caplog.text


@pytest.mark.parametrize(
    ("variables", "missing"),
    [
        ({}, "MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD och MICROSOFT_APP_TENANT_ID"),
        (
            {"MICROSOFT_APP_ID": APP_ID, "MICROSOFT_APP_PASSWORD": PASSWORD, "MICROSOFT_APP_TENANT_ID": TENANT},
            "AMNESLAG_TEAMS_APP_CATALOG_ID saknas",
        ),
    ],
)
def test_serve_refuses_installation_without_what_it_needs(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], variables: dict[str, str], missing: str
) -> None:
    from bot.cli import main
    from bot.config import get_settings

    for name in ("MICROSOFT_APP_ID", "MICROSOFT_APP_PASSWORD", "MICROSOFT_APP_TENANT_ID", "SLACK_BOT_TOKEN"):
        env.delenv(name, raising=False)
    for name, value in {"AMNESLAG_TEAMS_INSTALL": "true", **variables}.items():
        env.setenv(name, value)
    get_settings.cache_clear()
    assert main(["serve", "--port", "1"]) == 1
    err = capsys.readouterr().err
    assert missing in err and PASSWORD not in err


async def test_a_token_graph_no_longer_takes_is_renewed_once(teams: Teams, graph: tuple[FakeGraph, str]) -> None:
    fake, base = graph
    _installing(teams, base, service_url=teams.service_url)
    _notice(teams, PONTUS, "Kallelse")
    await teams.connector.wait_for(1)
    await teams.worker.run_until_idle()
    fake.issued += 1  # the cached token revoked: Graph answers 401 to it
    queued = _notice(teams, JONAS, "Kallelse")
    await teams.connector.wait_for(2)
    await teams.worker.run_until_idle()
    assert len(fake.tokens) == 2 and fake.installs() == [PONTUS, JONAS, JONAS]  # the 401, then with a new token
    assert _row(teams, queued).status == "delivered"
