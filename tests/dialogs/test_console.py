"""The console channel and the `chat` and `parse` commands, scripted as a newcomer would use them."""

from __future__ import annotations

import io
import json
import re

import pytest

from bot.cli import main
from bot.console import render, run_chat
from dialogs.types import Button, CardReply, ChoicesReply, TextReply
from tests.dialogs.conftest import Chat


def test_render_numbers_buttons_across_replies() -> None:
    text = render(
        [
            TextReply(text="Hej"),
            ChoicesReply(text="Välj", buttons=[Button(label="A", action="a"), Button(label="B", action="b")]),
            CardReply(
                title="Kort", facts=[("Läsår", "2026/27"), ("Ledare", "Ann")], buttons=[Button(label="C", action="c")]
            ),
        ]
    )
    assert text == "Hej\nVälj\n  1. A\n  2. B\n== Kort ==\nLäsår   2026/27\nLedare  Ann\n  3. C"


def test_run_chat_answers_each_line_until_end_of_input(teacher: Chat) -> None:
    lines = iter(["hjälp", "6", "avbryt"])
    written: list[str] = []
    turns = run_chat(teacher.dialogs, teacher.person_id, lambda: next(lines, None), written.append)
    assert turns == 3
    assert written[0].startswith("Hej Alva!") and written[0].endswith("\n\n")
    assert "Vilket ämneslag vill du vara med i läsåret 2027/28?" in written[1]
    assert written[2].startswith("Okej, avbrutet.")


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))


def test_chat_command_scripted(env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _stdin(env, "hjälp\n3\n1\n")
    assert main(["chat", "--demo"]) == 0
    out = capsys.readouterr().out
    blocks = out.rstrip("\n").split("\n\n")
    assert blocks[0].startswith("Hej Alva! Det här kan jag hjälpa dig med:")
    assert "Vilken träff missar du?" in out
    assert "Klart: din frånvaro från träffen i Bild, form och skapande torsdag" in out
    assert "> " not in out and "Du chattar som" not in out  # no prompt text in piped output


def test_chat_as_someone_unknown(env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _stdin(env, "hej\n")
    assert main(["chat", "--as", "nobody@example.org"]) == 0
    assert capsys.readouterr().out.startswith("Hej! Jag känner inte igen dig än")


def test_chat_needs_to_know_who(env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["chat"]) == 1
    assert "--as" in capsys.readouterr().err


def test_parse_one_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["parse", "boka", "fysisk", "träff", "för", "Stråk", "18/9", "i", "Lycksele", "--today", "2026-11-23"])
        == 0
    )
    assert json.loads(capsys.readouterr().out) == {
        "intent": "schedule_meeting",
        "slots": {"team": "Stråk", "date": "2027-09-18", "kind": "physical", "place": "Lycksele"},
    }


def test_parse_lines_from_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _stdin(monkeypatch, "frånvaro 18/9\nvilka saknar ämneslag?\n\nimorgon kan jag inte\n")
    assert main(["parse", "--today", "2026-11-23"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rows == [
        {"intent": "absences", "slots": {"date": "2026-09-18"}},
        {"intent": "people_without_team", "slots": {}},
        {"intent": "unknown", "slots": {}},
        {"intent": "report_absence", "slots": {"date": "2026-11-24"}},
    ]


def test_a_leader_schedules_and_sends_a_notice_in_the_console(chat_as) -> None:
    leader = chat_as("jonas.sundqvist@example.org")
    lines = iter(["boka en träff i Lycksele 11 mars", "2", "1", "1"])
    written: list[str] = []
    run_chat(leader.dialogs, leader.person_id, lambda: next(lines, None), written.append)
    assert written[0].startswith("Vilken tid?")  # the place and the kind came with the request
    assert re.search(r"^Var +Lycksele Musikskola$", written[1], re.M) and "1. Spara träffen" in written[1]
    assert written[2].startswith("Sparad: Bild, form och skapande träffas torsdag 11 mars kl. 13.00.")
    assert "1. Skicka kallelse nu" in written[2]
    assert written[3].startswith("== Skicka kallelsen för Bild, form och skapande? ==")
    assert len([m for m in leader.outbox() if m.kind == "meeting_notice"]) == 0  # the preview sends nothing


def test_the_coordinator_asks_for_status_in_the_console(chat_as) -> None:
    coordinator = chat_as("kalle.forsberg@example.org")
    lines = iter(["status", "1"])
    written: list[str] = []
    run_chat(coordinator.dialogs, coordinator.person_id, lambda: next(lines, None), written.append)
    assert written[0].startswith("== Status Västerbotten, läsåret 2026/27 ==")
    assert "Bild, form och skapande" in written[0] and "1. Utan ämneslag (4)" in written[0]
    assert written[1].startswith("== Utan ämneslag läsåret 2026/27 ==")
