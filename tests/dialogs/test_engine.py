"""The engine under concurrency: two turns of one conversation at once, in one process and in two."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from dialogs.app import build_dialogs
from storage.directory import person_by_email
from storage.models import DialogState
from tests.dialogs.conftest import Chat, Clock

LEADER = "jonas.sundqvist@example.org"
SORRY = "Förlåt, något gick fel"


def _at_once(chats: list[Chat], texts: list[str]) -> list[Any]:
    together = threading.Barrier(len(chats))

    def turn(chat: Chat, text: str) -> list[Any]:
        together.wait()
        return chat.say(text)

    with ThreadPoolExecutor(len(chats)) as pool:
        return list(pool.map(turn, chats, texts))


@pytest.mark.parametrize("instances", [1, 2], ids=["one process", "two instances"])
def test_two_turns_of_one_conversation_at_once_are_both_answered(
    demo: sa.Engine, clock: Clock, chat_as: Callable[..., Chat], instances: int
) -> None:
    """A double send, or two devices, or two servers behind a load balancer: no apology, one waiting step."""
    with Session(demo) as s:
        person = person_by_email(s, LEADER)
        assert person is not None
    engines = [build_dialogs(demo, clock=clock) for _ in range(instances)]
    chats = [Chat(engines[n % instances], demo, person.id, "same") for n in range(2)]
    for _ in range(10):
        chats[0].say("boka träff")  # a waiting step, which both turns read and write
        answers = _at_once(chats, ["hjälp", "status"])
        texts = [getattr(reply, "text", "") or "" for replies in answers for reply in replies]
        assert not [t for t in texts if t.startswith(SORRY)], texts
        with Session(demo) as s:
            assert len(s.exec(select(DialogState).where(DialogState.person_id == person.id)).all()) <= 1
