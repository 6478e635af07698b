"""Socket Mode: the same bot over a WebSocket from Slack, for schools without a public endpoint."""

from __future__ import annotations

import asyncio
import json

import sqlalchemy as sa
from aiohttp import WSMsgType, web
from aiohttp.test_utils import TestServer

from bot.outbox import LogSender, OutboxWorker
from bot.server import create_app
from bot.slack.app import SlackBot
from bot.slack.sender import SlackSender, web_client
from dialogs.app import build_dialogs
from tests.dialogs.conftest import NOW
from tests.slack.conftest import FakeSlack


async def test_a_direct_message_over_socket_mode(demo: sa.Engine) -> None:
    engine = demo
    api = FakeSlack()
    sockets: asyncio.Queue[web.WebSocketResponse] = asyncio.Queue()
    acks: asyncio.Queue[dict] = asyncio.Queue()

    async def link(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_str(json.dumps({"type": "hello", "num_connections": 1}))
        await sockets.put(ws)
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                await acks.put(json.loads(message.data))
        return ws

    async def connections_open(request: web.Request) -> web.Response:
        assert request.headers["Authorization"] == "Bearer xapp-test"
        return web.json_response({"ok": True, "url": str(request.url.with_path("/link")).replace("http", "ws", 1)})

    fake = web.Application()
    fake.router.add_get("/link", link)
    fake.router.add_post("/api/apps.connections.open", connections_open)
    fake.router.add_route("*", "/api/{method}", api.handle)
    async with TestServer(fake) as fake_server:
        client = web_client("xoxb-test-token", str(fake_server.make_url("/api/")))
        worker = OutboxWorker(engine, [LogSender(), SlackSender(client)], poll_seconds=0.2)
        bot = SlackBot(engine, build_dialogs(engine, clock=lambda: NOW), worker, client, None, app_token="xapp-test")
        app = create_app(engine, worker, sweep_minutes=None, slack=bot)
        assert not any(r.resource.canonical == "/slack/events" for r in app.router.routes() if r.resource)
        async with TestServer(app):
            ws = await asyncio.wait_for(sockets.get(), 10)
            envelope = {
                "envelope_id": "57d6a792-4d35-4d0b-b6aa-3361493e1caf",
                "type": "events_api",
                "accepts_response_payload": False,
                "payload": {
                    "type": "event_callback",
                    "event_id": "EvSocket",
                    "team_id": "T0TEAM",
                    "event": {
                        "type": "message",
                        "channel_type": "im",
                        "channel": "D0ALVA",
                        "user": "U0ALVA",
                        "text": "hjälp",
                        "ts": "1700000000.000200",
                    },
                },
            }
            await ws.send_str(json.dumps(envelope))
            ack = await asyncio.wait_for(acks.get(), 10)
            assert ack["envelope_id"] == envelope["envelope_id"]
            (posted,) = await api.wait_for("chat.postMessage")
            assert posted["channel"] == "D0ALVA" and posted["text"].startswith("Hej Alva!")
