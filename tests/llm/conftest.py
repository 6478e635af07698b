"""A fake OpenAI-compatible server on loopback (scripted answers, delays, errors), and chats through it."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import sqlalchemy as sa
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlmodel import Session, select

from bot.llm import OpenAIChat
from dialogs.app import build_dialogs
from dialogs.engine import Dialogs
from dialogs.language_model import Assistant
from dialogs.types import Button, Incoming, Reply, buttons_of
from storage.directory import person_by_email
from storage.models import Person
from tests.dialogs.conftest import Clock, clock  # noqa: F401


def answer(content: str | None = None, tool_calls: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A chat completion as the API returns it."""
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if tool_calls:
        message["tool_calls"] = tool_calls
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 1764000000,
        "model": "test-model",
        "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls" if tool_calls else "stop"}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }


def interpretation(intent: str, **slots: str | None) -> dict[str, Any]:
    return answer(json.dumps({"intent": intent, "team": None, "date": None, "kind": None, "place": None, **slots}))


def tool_call(name: str, arguments: str = "{}", call_id: str = "call_1") -> dict[str, Any]:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}


@dataclass
class Step:
    """One scripted reply: a body, or an HTTP error status, after an optional delay."""

    body: dict[str, Any] | str | Callable[[dict[str, Any]], dict[str, Any]] | None = None
    status: int = 200
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class FakeOpenAI:
    script: list[Step] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    raw: list[str] = field(default_factory=list)

    def then(self, *bodies: dict[str, Any] | str | Step) -> None:
        self.script += [b if isinstance(b, Step) else Step(body=b) for b in bodies]

    async def completions(self, request: web.Request) -> web.Response:
        text = await request.text()
        self.raw.append(text)
        self.requests.append(json.loads(text))
        step = self.script.pop(0) if self.script else Step(body=answer("(no script)"))
        if step.delay:
            await asyncio.sleep(step.delay)
        if step.status != 200:
            return web.json_response(
                {"error": {"message": "scripted", "type": "server_error"}}, status=step.status, headers=step.headers
            )
        if isinstance(step.body, str):
            return web.Response(text=step.body, content_type="application/json")
        return web.json_response(step.body(self.requests[-1]) if callable(step.body) else step.body)


@dataclass
class Chat:
    dialogs: Dialogs
    person_id: int
    conversation: str = "llm"
    last: list[Reply] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=itertools.count)

    async def say(self, text: str) -> list[Reply]:
        self.last = await self.dialogs.respond(
            Incoming(person_id=self.person_id, channel="console", conversation_id=self.conversation, text=text)
        )
        return self.last

    async def click(self, button: Button) -> list[Reply]:
        self.last = await self.dialogs.respond(
            Incoming(
                person_id=self.person_id,
                channel="console",
                conversation_id=self.conversation,
                action=button.action,
                values=button.values,
            )
        )
        return self.last

    async def press(self, label: str) -> list[Reply]:
        return await self.click(next(b for b in buttons_of(self.last) if b.label == label))


@dataclass
class Model:
    server: FakeOpenAI
    url: str
    db: sa.Engine
    clock: Clock

    def dialogs(self, *, timeout: float = 2.0, retries: int = 2) -> Dialogs:
        chat = OpenAIChat(
            api_key="sk-test-key", base_url=self.url, model="test-model", timeout=timeout, retries=retries
        )
        return build_dialogs(self.db, clock=self.clock, assistant=Assistant(chat, budget=timeout * (retries + 1) + 1))

    def chat(self, email: str, *, dialogs: Dialogs | None = None) -> Chat:
        with Session(self.db) as s:
            person = person_by_email(s, email)
            assert person is not None and person.id is not None
        return Chat(dialogs or self.dialogs(), person.id)

    def roster(self) -> list[tuple[str, str]]:
        with Session(self.db) as s:
            return [(p.name, p.email) for p in s.exec(select(Person)).all()]


@pytest.fixture
async def model(demo: sa.Engine, clock: Clock) -> AsyncIterator[Model]:  # noqa: F811
    server = FakeOpenAI()
    app = web.Application()
    app.router.add_post("/v1/chat/completions", server.completions)
    async with TestServer(app) as fake:
        yield Model(server, str(fake.make_url("/v1")), demo, clock)
