"""A demo region and a conversation engine on a fixed clock: Monday 23 November 2026, 10.00 in Stockholm."""

from __future__ import annotations

import datetime as dtm
from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select

from dialogs.app import build_dialogs
from dialogs.engine import Dialogs
from dialogs.types import Button, Incoming, Reply, buttons_of
from storage.directory import person_by_email
from storage.models import OutboxMessage

NOW = dtm.datetime(2026, 11, 23, 9, 0, tzinfo=dtm.UTC)
TEACHER = "alva.jonsson@example.org"  # demo teacher at Kulturskolan i Umeå, member of Bild, form och skapande


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> dtm.datetime:
        return self.now


@dataclass
class Chat:
    """One person's conversation with the engine, as a test drives it."""

    dialogs: Dialogs
    db: sa.Engine
    person_id: int | None
    conversation: str = "test"
    last: list[Reply] = field(default_factory=list)

    def say(self, text: str) -> list[Reply]:
        self.last = self.dialogs.handle(
            Incoming(person_id=self.person_id, channel="console", conversation_id=self.conversation, text=text)
        )
        return self.last

    def say_yes(self, text: str) -> list[Reply]:
        """Say `text` and, when the bot asks first whether to do it (Ja/Nej), answer Ja."""
        self.say(text)
        if any(b.action == "confirm.no" for b in buttons_of(self.last)):
            return self.press("Ja")
        return self.last

    def press(self, label: str) -> list[Reply]:
        button = next(b for b in buttons_of(self.last) if b.label == label)
        return self.click(button)

    def click(self, button: Button) -> list[Reply]:
        self.last = self.dialogs.handle(
            Incoming(
                person_id=self.person_id,
                channel="console",
                conversation_id=self.conversation,
                action=button.action,
                values=button.values,
            )
        )
        return self.last

    def outbox(self) -> list[OutboxMessage]:
        with Session(self.db) as s:
            return list(s.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all())


def text_of(replies: list[Reply]) -> str:
    from bot.console import render

    return render(replies)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def dialogs(demo: sa.Engine, clock: Clock) -> Dialogs:
    return build_dialogs(demo, clock=clock)


@pytest.fixture
def chat_as(dialogs: Dialogs, demo: sa.Engine):
    def start(email: str, conversation: str = "test") -> Chat:
        with Session(demo) as s:
            person = person_by_email(s, email)
        return Chat(dialogs, demo, person.id if person else None, conversation)

    return start


@pytest.fixture
def teacher(chat_as) -> Chat:
    return chat_as(TEACHER)
