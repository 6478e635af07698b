"""The real Microsoft Agents Playground (npm) drives the bot over HTTP, as `serve --playground` runs it."""

from __future__ import annotations

import asyncio
import json
import socket
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import sqlalchemy as sa
from aiohttp import web

from bot.cli import link_playground_user
from bot.teams.playground import playground
from storage.db import session_scope
from tests.teams.conftest import start


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _up(url: str, timeout: float = 60.0) -> None:
    async with asyncio.timeout(timeout), aiohttp.ClientSession() as session:
        while True:
            try:
                async with session.get(url) as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)


async def _bot_message(ws: aiohttp.ClientWebSocketResponse, bot_id: str, wanted: str) -> dict[str, Any]:
    """The next message from the bot whose card has a text block containing `wanted`."""
    async with asyncio.timeout(30):
        while True:
            event = json.loads((await ws.receive()).data)
            message = event.get("message") or {}
            if event.get("action") != "createMessage" or (message.get("from") or {}).get("id") != bot_id:
                continue
            for attachment in message.get("attachments") or []:
                texts = [e.get("text", "") for e in attachment["content"]["body"] if e["type"] == "TextBlock"]
                if any(wanted in t for t in texts):
                    return message


async def test_the_agents_playground_chats_with_the_bot(
    demo: sa.Engine, node_tools: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = demo
    with session_scope(engine) as s:
        assert link_playground_user(s) == "Alva Jonsson"
    monkeypatch.setenv("M365_AGENTS_PLAYGROUND_LOGFILE", str(tmp_path / "playground.log"))
    bot_port, pg_port = _free_port(), _free_port()
    command = node_tools / "node_modules" / ".bin" / "agentsplayground"
    endpoint = f"http://127.0.0.1:{bot_port}/api/messages"
    _, _, app = await start(engine, extra=[playground(command, endpoint, pg_port)])
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", bot_port).start()
    base = f"http://127.0.0.1:{pg_port}"
    try:
        await _up(f"{base}/_debug/ping")
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{base}/_internal/v1/config") as response:
                config = (await response.json())["config"]
            chat, me, bot_id = config["personalChat"]["id"], config["currentUser"]["id"], config["bot"]["id"]
            async with http.ws_connect(f"ws://127.0.0.1:{pg_port}/_ws_conversation/v1/conversations/stream") as ws:
                say = {"from": {"id": me}, "text": "hjälp", "textFormat": "plain"}
                async with http.post(f"{base}/_conversation/v1/conversations/{chat}/messages", json=say) as response:
                    assert response.status == 200
                menu = await _bot_message(ws, bot_id, "Hej Alva!")
                card = menu["attachments"][0]["content"]
                actions = [a for e in card["body"] if e["type"] == "ActionSet" for a in e["actions"]]
                (my_team,) = [a for a in actions if a["title"] == "Mitt ämneslag"]
                submit = {
                    "conversation": {"id": chat},
                    "from": {"id": me},
                    "replyToId": menu["messageId"],
                    "value": my_team["data"],
                }
                async with http.post(f"{base}/_conversation/v1/submit", json=submit) as response:
                    assert response.status < 300
                await _bot_message(ws, bot_id, "Bild, form och skapande")
    finally:
        await runner.cleanup()
