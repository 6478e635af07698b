"""The tasks of issue 19 in Slack, as people click through them, counted (tests/clicks.py): report absence,
schedule a meeting and send the notice, log notes, attendance and cost."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlmodel import Session, col, select

from storage.models import Meeting, Team
from tests.clicks import Tally, tally
from tests.slack import conftest
from tests.slack.conftest import Slack, block_actions

_ids = itertools.count()


def _blocks(args: dict[str, Any]) -> list[dict[str, Any]]:
    blocks = args.get("blocks") or []
    return json.loads(blocks) if isinstance(blocks, str) else blocks


def _buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for block in blocks:
        for element in [*block.get("elements", []), *([block["accessory"]] if "accessory" in block else [])]:
            if element.get("type") == "button":
                found.append(element)
    return found


def text_of(args: dict[str, Any]) -> str:
    """Everything a person reads in a posted message: its blocks' text, else its text."""
    parts = []
    for block in _blocks(args):
        for part in [block.get("text"), *block.get("elements", []), *block.get("fields", [])]:
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                parts.append(part["text"])
    return "\n".join(parts) or str(args.get("text", ""))


@dataclass
class Person:
    """A member of the Slack workspace who writes to the bot in their DM, presses buttons and fills modals."""

    slack: Slack
    user: str
    count: Tally
    seen: int = -1  # of the bot's calls
    view: dict[str, Any] | None = None  # the modal open now
    shown: list[dict[str, Any]] = field(default_factory=list)  # the messages the last step brought

    def __post_init__(self) -> None:
        self.seen = len(self.slack.api.calls)

    @property
    def channel(self) -> str:
        return "D" + self.user[1:]

    async def _step(self) -> list[dict[str, Any]]:
        await self.slack.settle()
        new = self.slack.api.calls[self.seen :]
        self.seen = len(self.slack.api.calls)
        for method, args in new:
            if method == "views.open":
                self.view = args["view"] if isinstance(args["view"], dict) else json.loads(args["view"])
        self.shown = [
            args
            for method, args in new
            if method in ("chat.postMessage", "chat.postEphemeral", "chat.update")
            and args.get("channel") == self.channel
        ]
        return self.shown

    async def say(self, text: str) -> list[dict[str, Any]]:
        self.count.typed += 1
        await self.slack.dm(self.user, text, f"EvFlow{next(_ids)}")
        return await self._step()

    async def press(self, label: str) -> list[dict[str, Any]]:
        """Press the button whose text starts with `label` in what the last step showed."""
        (button,) = [b for m in self.shown for b in _buttons(_blocks(m)) if b["text"]["text"].startswith(label)]
        self.count.clicks += 1
        self.view = None
        action = {"type": "button", "action_id": button["action_id"], "block_id": "b", "value": button["value"]}
        await self.slack.interaction(block_actions(self.user, self.channel, action, f"trigger-{next(_ids)}"))
        return await self._step()

    @property
    def modal(self) -> dict[str, Any]:
        assert self.view is not None, "no modal is open"
        return self.view

    async def pick_day(self, day: str) -> list[dict[str, Any]]:
        """Pick `day` (YYYY-MM-DD) in the datepicker of what the last step showed."""
        ((block, picker),) = [
            (b, e) for m in self.shown for b in _blocks(m) for e in b.get("elements", []) if e["type"] == "datepicker"
        ]
        self.count.picks += 1
        action = {
            "type": "datepicker",
            "action_id": picker["action_id"],
            "block_id": block["block_id"],
            "selected_date": day,
            "action_ts": f"{next(_ids)}.0",
        }
        await self.slack.interaction(block_actions(self.user, self.channel, action, f"trigger-{next(_ids)}"))
        return await self._step()

    async def submit(self, **answers: str) -> dict[str, Any]:
        """Fill the open modal's fields named in `answers` and press its submit: Slack's answer to the submission."""
        assert self.view is not None, "no modal is open"
        values: dict[str, Any] = {}
        for block in self.view["blocks"]:
            if block.get("type") != "input" or block["block_id"] not in answers:
                continue
            element, answer = block["element"], answers[block["block_id"]]
            kind = element["type"]
            if kind == "plain_text_input":
                self.count.typed += 1
                state = {"type": kind, "value": answer}
            elif kind == "datepicker":
                self.count.picks += 1
                state = {"type": kind, "selected_date": answer}
            elif kind == "timepicker":
                self.count.picks += 1
                state = {"type": kind, "selected_time": answer}
            elif kind == "static_select":
                self.count.picks += 1
                state = {"type": kind, "selected_option": {"value": answer}}
            elif kind == "checkboxes":
                ticked = set(answer.split(",")) if answer else set()
                initial = {o["value"] for o in element.get("initial_options", [])}
                self.count.picks += len(ticked ^ initial)
                state = {"type": kind, "selected_options": [o for o in element["options"] if o["value"] in ticked]}
            else:
                raise AssertionError(kind)
            values[block["block_id"]] = {element["action_id"]: state}
        self.count.clicks += 1
        response = await self.slack.interaction(
            {
                "type": "view_submission",
                "user": {"id": self.user},
                "team": {"id": "T0TEAM"},
                "view": {**self.view, "id": f"V{next(_ids)}", "state": {"values": values}},
            }
        )
        body = await response.text()
        await self._step()
        return json.loads(body) if body else {}


@pytest.fixture(autouse=True)
def _albin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(conftest.USERS, "U0ALBIN", "albin.hedlund@example.org")  # leads Piano/keyboard


async def at_menu(slack: Slack, user: str, task: str) -> Person:
    """`user` with the bot's menu in front of them, where every task starts (writing "hjälp" is not counted)."""
    person = Person(slack, user, tally("slack", task))
    await person.say("hjälp")
    person.count.typed = 0
    return person


async def test_a_teacher_reports_absence_from_the_menu(slack: Slack) -> None:
    await at_menu(slack, "U0JONAS", "log notes")  # the leader has a chat, to be told
    alva = await at_menu(slack, "U0ALVA", "report absence")
    await alva.press("Anmäl frånvaro")
    assert [o["text"]["text"] for o in alva.modal["blocks"][0]["element"]["options"]] == [
        "torsdag 11 februari kl. 09.00",
        "torsdag 8 april kl. 09.00",
    ]
    assert await alva.submit(meeting_id=alva.modal["blocks"][0]["element"]["options"][0]["value"]) == {}
    assert text_of(alva.shown[0]).startswith("Klart: din frånvaro från träffen i Bild, form och skapande")
    assert tuple(alva.count) == (2, 1, 0)  # the button and the modal's submit; the meeting picked


async def test_a_leader_schedules_a_meeting_and_sends_the_notice(slack: Slack) -> None:
    jonas = await at_menu(slack, "U0JONAS", "schedule a meeting and send the notice")
    await jonas.press("Planera träff")
    assert not [b for m in jonas.shown for b in _buttons(_blocks(m)) if b["text"]["text"].startswith("Välj datum")]
    await jonas.pick_day("2027-03-11")  # in the message: no modal, and no button to open one
    await jonas.press("Fysisk träff")
    await jonas.press("Lycksele Musikskola")
    await jonas.press("13.00–16.00")
    assert "torsdag 11 mars" in text_of(jonas.shown[0]) and "13.00–16.00" in text_of(jonas.shown[0])
    await jonas.press("Spara träffen")
    await jonas.press("Skicka kallelse nu")
    await jonas.press("Skicka kallelse nu")
    assert any(text_of(m).startswith("Skickat: kallelsen till träffen torsdag 11 mars") for m in jonas.shown)
    assert tuple(jonas.count) == (7, 1, 0)


async def test_a_leader_logs_notes(slack: Slack) -> None:
    with Session(slack.db) as s:
        bild = s.exec(select(Team).where(Team.name == "Bild, form och skapande")).one()
        september = s.exec(select(Meeting).where(Meeting.team_id == bild.id).order_by(col(Meeting.starts_at))).first()
        assert september is not None
        september.notes_distributed_at = None
        s.add(september)
        s.commit()
    jonas = await at_menu(slack, "U0JONAS", "log notes")
    await jonas.press("Logga anteckningar")
    assert await jonas.submit(body="Vi gick igenom ramarna.") == {}
    await jonas.press("Skicka anteckningarna")
    shown = [text_of(m) for m in jonas.shown]
    assert any(t.startswith("Skickat:") for t in shown), shown
    assert any(t.startswith("Jag kunde inte leverera anteckningarna till ") for t in shown)  # not found in Slack
    assert tuple(jonas.count) == (3, 0, 1)  # the button, preview, send; the notes typed


async def test_a_leader_confirms_attendance_then_enters_the_cost(slack: Slack) -> None:
    albin = await at_menu(slack, "U0ALBIN", "attendance")
    await albin.press("Närvaro och kostnad")
    ticks = albin.modal["blocks"][1]["element"]
    assert await albin.submit(attended=",".join(o["value"] for o in ticks["initial_options"])) == {}
    assert text_of(albin.shown[0]).startswith("Sparat: 5 av 5 var med på Piano/keyboard")
    assert tuple(albin.count) == (2, 0, 0)  # everyone who came is ticked already
    albin.count = tally("slack", "cost")
    await albin.press("Lägg in kostnaden")
    assert await albin.submit(total="4000") == {}
    assert text_of(albin.shown[0]).startswith("Dela 4\u00a0000\u00a0kr på 5 deltagare?")
    await albin.press("Skicka andelarna")
    assert text_of(albin.shown[0]).startswith("Klart: 4\u00a0000\u00a0kr är fördelat.")
    assert tuple(albin.count) == (3, 0, 1)  # the button, the modal's submit, send; the total typed
