"""A fake Slack Web API on loopback, the bot's server in front of it, and requests signed as Slack signs them."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa
from aiohttp import ClientResponse, web
from aiohttp.test_utils import TestClient, TestServer
from slack_bolt.listener.asyncio_runner import AsyncioListenerRunner
from slack_sdk.web.async_client import AsyncWebClient

from bot.outbox import LogSender, OutboxWorker
from bot.server import create_app
from bot.slack.app import SlackBot
from bot.slack.sender import LookupSender, SlackSender, web_client
from dialogs.app import build_dialogs
from tests.dialogs.conftest import NOW

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
USERS = {  # the Slack workspace's members, as users.info gives them
    "U0ALVA": "alva.jonsson@example.org",
    "U0JONAS": "jonas.sundqvist@example.org",
    "U0PONTUS": "pontus.ronnlund@example.org",
    "U0STRANGER": "someone@elsewhere.example",
}


@dataclass
class FakeSlack:
    """Answers the Web API methods the bot uses and records every call.

    What the bot posts is kept per channel (`posted`), with its metadata and a `ts` from `clock` (a test on a
    virtual clock passes its own), and `conversations.history` reads it back as Slack does: newest first,
    after `oldest`, at most `limit`, with each message's metadata only when `include_all_metadata` is set.
    `rate_limits` answers 429 (Retry-After: 1) to the next calls of a method ("chat.postMessage"), or of a
    method in one channel ("chat.postMessage C0A"), as many times as it says.
    """

    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    rate_limit_next: int = 0
    fail_nth_post: int = 0  # the n-th chat.postMessage (counting from 1) fails once with a server error
    fail_uploads: int = 0  # this many file uploads (step 2 of files_upload_v2) fail with HTTP 500
    uploads: list[bytes] = field(default_factory=list)
    rate_limits: dict[str, int] = field(default_factory=dict)
    outside: set[str] = field(default_factory=set)  # channels the app is not in: chat.postEphemeral is refused
    disabled: set[str] = field(default_factory=set)  # deactivated users: conversations.open says user_disabled
    posted: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    clock: Callable[[], float] = time.time
    _posts: int = 0
    _last_ts: float = 0.0
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def of(self, method: str) -> list[dict[str, Any]]:
        return [args for name, args in self.calls if name == method]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[dict[str, Any]]:
        """The calls of `method` once there are `count` of them (the outbox worker posts in the background)."""
        async with asyncio.timeout(timeout):
            while len(self.of(method)) < count:
                self.changed.clear()
                await self.changed.wait()
        return self.of(method)

    def _ts(self) -> str:
        """A message timestamp from `clock`, later than every one before (Slack's ts are unique in a channel)."""
        self._last_ts = max(self.clock(), self._last_ts + 0.000001)
        return f"{self._last_ts:.6f}"

    def _rate_limited(self, method: str, args: dict[str, Any]) -> bool:
        for key in (f"{method} {args.get('channel')}", method):
            if self.rate_limits.get(key, 0) > 0:
                self.rate_limits[key] -= 1
                return True
        return False

    def _post(self, args: dict[str, Any]) -> str:
        ts = self._ts()
        meta = args.get("metadata")
        message = {
            "type": "message",
            "user": "U0BOT",
            "bot_id": "B0BOT",
            "ts": ts,
            "text": args.get("text", ""),
            **({"blocks": args["blocks"]} if args.get("blocks") else {}),
            **({"metadata": json.loads(meta) if isinstance(meta, str) else meta} if meta else {}),
        }
        self.posted.setdefault(str(args.get("channel")), []).append(message)
        return ts

    def history(self, args: dict[str, Any]) -> dict[str, Any]:
        """conversations.history: newest first, `ts` after `oldest`, at most `limit` (default 100)."""
        oldest = float(args.get("oldest") or 0)
        limit = int(args.get("limit") or 100)
        with_metadata = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
        newest_first = [m for m in reversed(self.posted.get(str(args.get("channel")), [])) if float(m["ts"]) > oldest]
        shown = [m if with_metadata else {k: v for k, v in m.items() if k != "metadata"} for m in newest_first[:limit]]
        return {"ok": True, "messages": shown, "has_more": len(newest_first) > limit}

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args: dict[str, Any] = dict(request.query)  # slack_sdk sends some arguments in the query string
        if request.method == "POST" and request.content_type == "application/json":
            args.update(await request.json())
        elif request.method == "POST":
            args.update(await request.post())
        if method == "chat.postMessage":
            self._posts += 1
            if self._posts == self.fail_nth_post:
                self.calls.append(("error", args))
                return web.json_response({"ok": False, "error": "internal_error"})
        limited = method == "chat.postMessage" and self.rate_limit_next > 0
        if limited:
            self.rate_limit_next -= 1
        if limited or self._rate_limited(method, args):
            self.calls.append(("429", args))
            return web.json_response({"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": "1"})
        self.calls.append((method, args))
        self.changed.set()
        if method == "auth.test":
            return web.json_response({"ok": True, "user_id": "U0BOT", "bot_id": "B0BOT", "team_id": "T0TEAM"})
        if method == "users.info":
            email = USERS.get(str(args.get("user")))
            if email is None:
                return web.json_response({"ok": False, "error": "user_not_found"})
            return web.json_response({"ok": True, "user": {"id": args["user"], "profile": {"email": email}}})
        if method == "files.getUploadURLExternal":
            upload = str(request.url.with_path(f"/upload/F{len(self.of(method))}").with_query(None))
            return web.json_response({"ok": True, "upload_url": upload, "file_id": f"F{len(self.of(method))}"})
        if method == "files.completeUploadExternal":
            files = json.loads(args["files"]) if isinstance(args.get("files"), str) else args.get("files")
            return web.json_response({"ok": True, "files": files})
        if method == "conversations.open" and str(args.get("users")) in self.disabled:
            return web.json_response({"ok": False, "error": "user_disabled"})
        if method == "conversations.open":
            return web.json_response({"ok": True, "channel": {"id": "D" + str(args.get("users"))[1:]}})
        if method == "users.lookupByEmail":
            user = next((u for u, e in USERS.items() if e == str(args.get("email")).lower()), None)
            if user is None:
                return web.json_response({"ok": False, "error": "users_not_found"})
            return web.json_response({"ok": True, "user": {"id": user, "profile": {"email": args["email"]}}})
        if method == "chat.postEphemeral" and str(args.get("channel")) in self.outside:
            return web.json_response({"ok": False, "error": "not_in_channel"})
        if method == "conversations.history":
            return web.json_response(self.history(args))
        if method == "chat.postMessage":
            return web.json_response({"ok": True, "ts": self._post(args), "channel": args.get("channel")})
        return web.json_response({"ok": True, "ts": self._ts(), "channel": args.get("channel")})

    async def upload(self, request: web.Request) -> web.Response:
        """Step 2 of files_upload_v2: the file's bytes POSTed to the upload URL."""
        if self.fail_uploads > 0:
            self.fail_uploads -= 1
            self.calls.append(("upload-error", {}))
            return web.Response(status=500, text="error")
        self.uploads.append(await request.read())
        self.calls.append(("upload", {"file_id": request.match_info["file_id"]}))
        self.changed.set()
        return web.Response(text=f"OK - {len(self.uploads[-1])}")


class Listeners:
    """Bolt's listener runs under way. The bot acks Slack first and does the work after the HTTP answer."""

    def __init__(self, runner: AsyncioListenerRunner) -> None:
        self.running = 0
        self.idle = asyncio.Event()
        self.idle.set()
        start, done = runner.listener_start_handler, runner.listener_completion_handler

        async def started(request: Any, response: Any) -> None:
            self.running += 1
            self.idle.clear()
            await start.handle(request=request, response=response)

        async def finished(request: Any, response: Any) -> None:
            try:
                await done.handle(request=request, response=response)
            finally:
                self.running -= 1
                if self.running == 0:
                    self.idle.set()

        runner.listener_start_handler = SimpleNamespace(handle=started)  # type: ignore[assignment]
        runner.listener_completion_handler = SimpleNamespace(handle=finished)  # type: ignore[assignment]


@dataclass
class Slack:
    api: FakeSlack
    client: TestClient
    db: sa.Engine
    bot_client: AsyncWebClient
    worker: OutboxWorker
    listeners: Listeners

    async def settle(self, timeout: float = 10.0) -> None:
        """Everything the bot will send for what was posted so far is in `api`: the listeners still running after
        their ack have finished (bolt starts one before it answers the request), and nothing is due in the outbox.
        """
        async with asyncio.timeout(timeout):
            await self.listeners.idle.wait()
            await self.worker.run_until_idle()

    async def post(self, body: str, *, content_type: str, headers: dict[str, str] | None = None) -> ClientResponse:
        return await self.client.post(
            "/slack/events",
            data=body.encode(),
            headers={"Content-Type": content_type, **signed(body), **(headers or {})},
        )

    async def event(self, event: dict[str, Any], event_id: str = "Ev0001", retry: int | None = None) -> Any:
        body = json.dumps(
            {
                "token": "legacy",
                "team_id": "T0TEAM",
                "api_app_id": "A0APP",
                "event": event,
                "type": "event_callback",
                "event_id": event_id,
                "event_time": int(time.time()),
                "authorizations": [{"team_id": "T0TEAM", "user_id": "U0BOT", "is_bot": True}],
            }
        )
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry is not None else {}
        return await self.post(body, content_type="application/json", headers=headers)

    async def dm(self, user: str, text: str, event_id: str = "Ev0001") -> Any:
        return await self.event(
            {
                "type": "message",
                "channel_type": "im",
                "channel": "D" + user[1:],
                "user": user,
                "text": text,
                "ts": f"{time.time():.6f}",
                "event_ts": f"{time.time():.6f}",
            },
            event_id,
        )

    async def interaction(self, payload: dict[str, Any]) -> Any:
        return await self.post(
            urlencode({"payload": json.dumps(payload)}), content_type="application/x-www-form-urlencoded"
        )


def block_actions(user: str, channel: str, action: dict[str, Any], trigger: str) -> dict[str, Any]:
    """A press (or a pick) of `action` in a message of the direct chat `channel`, as Slack sends it."""
    return {
        "type": "block_actions",
        "user": {"id": user},
        "team": {"id": "T0TEAM"},
        "trigger_id": trigger,
        "container": {"type": "message", "channel_id": channel},
        "channel": {"id": channel},
        "actions": [action],
    }


def dm_body(event_id: str, channel: str, text: str = "hjälp", user: str = "U0ALVA") -> dict[str, Any]:
    """A direct message's event callback, as Slack sends it (the body `Slack.dm` posts)."""
    return {
        "token": "legacy",
        "team_id": "T0TEAM",
        "api_app_id": "A0APP",
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()),
        "event": {
            "type": "message",
            "channel_type": "im",
            "channel": channel,
            "user": user,
            "text": text,
            "ts": f"{time.time():.6f}",
        },
    }


def signed(body: str, timestamp: str | None = None, secret: str = SECRET) -> dict[str, str]:
    """The headers Slack adds: a timestamp and `v0=` HMAC-SHA256 of `v0:{timestamp}:{body}`."""
    timestamp = timestamp or str(int(time.time()))
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": f"v0={digest}"}


@pytest.fixture
async def slack(demo: sa.Engine) -> AsyncIterator[Slack]:
    engine = demo
    api = FakeSlack()
    fake = web.Application()
    fake.router.add_route("*", "/api/{method}", api.handle)
    fake.router.add_post("/upload/{file_id}", api.upload)
    async with TestServer(fake) as fake_server:
        client = web_client("xoxb-test-token", str(fake_server.make_url("/api/")))
        sender = SlackSender(client, engine=engine)
        worker = OutboxWorker(engine, [LookupSender(sender, LogSender()), sender], poll_seconds=0.2)
        bot = SlackBot(engine, build_dialogs(engine, clock=lambda: NOW, reach="slack"), worker, client, SECRET)
        listeners = Listeners(bot.app.listener_runner)
        app = create_app(engine, worker, sweep_minutes=None, slack=bot)
        async with TestClient(TestServer(app)) as http:
            yield Slack(api, http, engine, client, worker, listeners)
