"""`amneslag serve` killed with SIGKILL while Slack sends direct messages, and started again: 0 lost, 0 twice.

The server runs as a subprocess, exactly as an operator runs it, against a fake Slack Web API on loopback
(`SLACK_API_URL`). Slack is emulated as Slack behaves: a request not answered 2xx (a 5xx, or no answer
because the process died) is sent again with `X-Slack-Retry-Num`, one answered 2xx never. Each direct
message goes to a conversation of its own, so the replies can be counted per message.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import sqlalchemy as sa
from aiohttp import web
from aiohttp.test_utils import TestServer

from tests.slack.conftest import SECRET, FakeSlack, dm_body, signed

MESSAGES = 120
KILLS = 6  # more than an inbox event's attempts (5): a crash must cost only the event under way an attempt


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """`amneslag serve --demo` in a subprocess, to kill and start again."""

    def __init__(self, database_url: str, slack_api: str, workdir: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workdir = workdir
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "SLACK_BOT_TOKEN": "xoxb-test-token",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": slack_api,
            "AMNESLAG_INBOX_LEASE_SECONDS": "1",
            "AMNESLAG_OUTBOX_LEASE_SECONDS": "3",
            "AMNESLAG_OUTBOX_POLL_SECONDS": "0.2",
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self.groups: list[int] = []  # the process group of each server started (each leads its own)

    def start(self) -> None:
        command = [str(Path(sys.executable).parent / "amneslag"), "serve", "--demo", "--port", str(self.port)]
        log = (self.workdir / f"serve-{self.starts}.log").open("wb")
        self.process = subprocess.Popen(  # a process group of its own, for `stop` to end its sweeps too
            command, env=self.env, cwd=self.workdir, stdout=log, stderr=log, start_new_session=True
        )
        self.groups.append(self.process.pid)
        self.starts += 1

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """End the server and whatever it started: a sweep runs in a child process (`bot.sweep_process`), which
        outlives a SIGKILL of its server and would otherwise write into the next test's emptied database."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        for pgid in self.groups:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        for pgid in self.groups:
            while time.monotonic() < deadline:
                try:
                    os.killpg(pgid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.05)

    async def health(self, http: aiohttp.ClientSession) -> dict[str, Any] | None:
        try:
            async with http.get(f"{self.url}/healthz") as response:
                return dict(await response.json()) if response.status == 200 else None
        except aiohttp.ClientError:
            return None

    async def ready(self, http: aiohttp.ClientSession) -> None:
        async with asyncio.timeout(60):
            while await self.health(http) is None:
                assert self.process is not None and self.process.poll() is None, "serve did not start"
                await asyncio.sleep(0.1)

    def tracebacks(self) -> list[str]:
        return [
            line
            for path in sorted(self.workdir.glob("serve-*.log"))
            for line in path.read_text(errors="replace").splitlines()
            if line.startswith("Traceback")
        ]


def _dm(number: int) -> str:
    return json.dumps(dm_body(f"Ev{number:05d}", f"D{number:05d}"))


@pytest.fixture
def fresh_database(database_url: str, engine: sa.Engine) -> str:
    """The test database, emptied (the server loads the demo itself)."""
    return database_url


@pytest.fixture
async def fake_slack() -> AsyncIterator[tuple[FakeSlack, str]]:
    api = FakeSlack()
    fake = web.Application()
    fake.router.add_route("*", "/api/{method}", api.handle)
    async with TestServer(fake) as server:
        yield api, str(server.make_url("/api/"))


@pytest.fixture
def server(fresh_database: str, fake_slack: tuple[FakeSlack, str], tmp_path: Path) -> Iterator[Server]:
    served = Server(fresh_database, fake_slack[1], tmp_path)
    yield served
    served.stop()


async def test_sigkill_mid_stream_loses_nothing_and_doubles_nothing(
    server: Server, fake_slack: tuple[FakeSlack, str]
) -> None:
    api, _ = fake_slack
    unanswered: list[tuple[int, int]] = []  # (message, retries so far)
    statuses: Counter[int] = Counter()
    async with aiohttp.ClientSession() as http:

        async def send(number: int, retry: int = 0) -> None:
            body = _dm(number)
            headers = {"Content-Type": "application/json", **signed(body)}
            if retry:
                headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
            try:
                async with http.post(f"{server.url}/slack/events", data=body.encode(), headers=headers) as response:
                    status = response.status
            except aiohttp.ClientError:
                status = 0  # the process died before it answered
            statuses[status] += 1
            if not 200 <= status < 300:
                unanswered.append((number, retry + 1))

        server.start()
        await server.ready(http)
        kill_after = {MESSAGES * (k + 1) // (KILLS + 1) for k in range(KILLS)}
        pending: set[asyncio.Task[None]] = set()
        for number in range(MESSAGES):
            pending.add(asyncio.create_task(send(number)))
            if number in kill_after:
                await asyncio.sleep(0.05)  # let the last ones reach the server, so the kill lands mid-flight
                server.kill()
                await asyncio.gather(*pending)
                pending.clear()
                server.start()
                await server.ready(http)
                for again, retry in unanswered[:]:  # Slack's retries of what was not answered
                    unanswered.remove((again, retry))
                    await send(again, retry)
        await asyncio.gather(*pending)
        while unanswered:
            again, retry = unanswered.pop()
            await send(again, retry)

        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:  # until the server has nothing left to do
            health = await server.health(http) or {}
            outbox = health.get("outbox") or {}
            unfinished = {"inbox": health.get("inbox_pending"), **{k: outbox.get(k) for k in ("pending", "sending")}}
            if health and not any(unfinished.values()):
                break
            await asyncio.sleep(0.2)

    replies = Counter(call["channel"] for call in api.of("chat.postMessage") if call["channel"][1:].isdigit())
    lost = [number for number in range(MESSAGES) if replies[f"D{number:05d}"] == 0]
    twice = {channel: count for channel, count in replies.items() if count > 1}
    assert (lost, twice, {k: v for k, v in unfinished.items() if v}) == ([], {}, {})
    assert server.tracebacks() == []
