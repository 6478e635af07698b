"""The flows of issue 19 in Teams, as people click through them: each reply one bubble, a pressed button
answered by the card changing in place (Action.Execute), dates and times picked, problems said in the card."""

from __future__ import annotations

import datetime as dtm
from typing import Any

import pytest

from tests.clicks import Tally, tally
from tests.teams import conftest
from tests.teams.conftest import ALVA, JONAS, PONTUS, Member, Teams, _member, card_of, personal
from tests.teams.test_cards import validate

ALBIN = _member("AlbinH7x", "Albin Hedlund", "albin.hedlund@example.org")  # leads Piano/keyboard
SARA = _member("SaraS3tr", "Sara Strömberg", "sara.stromberg@example.org")  # manager of Piano's September host


@pytest.fixture(autouse=True)
def _piano(monkeypatch: pytest.MonkeyPatch) -> None:
    for member in (ALBIN, SARA):
        monkeypatch.setitem(conftest.MEMBERS, member.id, member)


def _all(element: dict[str, Any]) -> list[dict[str, Any]]:
    """The element and everything inside it."""
    found = [element]
    for key in ("body", "items", "columns", "actions"):
        for child in element.get(key, []) or []:
            found += _all(child)
    return found


def words(card: dict[str, Any]) -> str:
    """Everything a person reads on the card."""
    parts: list[str] = []
    for e in _all(card):
        if e.get("type") == "TextBlock":
            parts.append(e["text"])
        if e.get("type") == "FactSet":
            parts += [f"{f['title']}: {f['value']}" for f in e["facts"]]
        if e.get("label"):
            parts.append(e["label"])
        if e.get("type", "").startswith("Action."):
            parts.append(f"[{e['title']}]")
    return "\n".join(parts)


def action(card: dict[str, Any], label: str) -> dict[str, Any]:
    """The button with `label` (its title, or the whole label of a numbered button)."""
    (found,) = [e for e in _all(card) if e.get("type") == "Action.Execute" and label in (e["title"], e.get("tooltip"))]
    return found


def inputs(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["id"]: e for e in _all(card) if e.get("type", "").startswith("Input.")}


def _count(count: Tally | None, card: dict[str, Any] | None, typed: dict[str, str]) -> None:
    """What pressing a button with `typed` in the card's inputs took: the click, each text typed, each pick."""
    if count is None:
        return
    count.clicks += 1
    fields = inputs(card) if card is not None else {}
    for name, value in typed.items():
        field = fields.get(name, {})
        if field.get("type") in ("Input.Text", "Input.Number"):
            count.typed += 1
        elif field.get("isMultiSelect"):
            count.picks += len(set(value.split(",")) ^ set((field.get("value") or "").split(",")))
        else:
            count.picks += 1


async def execute(
    teams: Teams,
    member: Member,
    pressed: dict[str, Any],
    count: Tally | None = None,
    card: dict[str, Any] | None = None,
    **typed: str,
) -> dict[str, Any]:
    """Press an Action.Execute button (with the card's inputs `typed`): the refreshed card Teams shows in its place.

    With `count`, the press is counted (tests/clicks.py), its inputs read from `card`, the card it is on."""
    _count(count, card, typed)
    invoke = teams.activity(
        member,
        type="invoke",
        name="adaptiveCard/action",
        value={
            "action": {"type": "Action.Execute", "verb": pressed["verb"], "data": {**pressed["data"], **typed}},
            "trigger": "manual",
        },
    )
    response = await teams.post(invoke)
    assert response.status == 200, await response.text()
    body = await response.json()
    assert body["statusCode"] == 200 and body["type"] == "application/vnd.microsoft.card.adaptive"
    await teams.worker.run_until_idle()
    validate(body["value"])
    return body["value"]


async def said(teams: Teams, member: Member, text: str, count: Tally | None = None) -> dict[str, Any]:
    """Write `text` (counted as typed in `count`): the one activity (bubble) that answers it."""
    if count is not None:
        count.typed += 1
    before = len(teams.connector.to(personal(member)))
    await teams.say(member, text)
    await teams.worker.run_until_idle()
    new = teams.connector.to(personal(member))[before:]
    assert len(new) == 1, f"{len(new)} bubbles"
    assert "text" not in new[0] and new[0]["summary"]
    validate(card_of(new[0]))
    return card_of(new[0])


def _sent(teams: Teams) -> int:
    return len(teams.connector.activities)


async def test_a_teacher_reports_absence_with_two_presses_in_one_card(teams: Teams) -> None:
    for member in (JONAS, PONTUS):  # the leader and the manager have written to the bot once
        await said(teams, member, "hjälp")
    menu = await said(teams, ALVA, "hjälp")
    before = _sent(teams)
    count = tally("teams", "report absence")
    form = await execute(teams, ALVA, action(menu, "Anmäl frånvaro"), count, menu)  # press 1: the form, in its place
    assert _sent(teams) == before  # no new bubble
    (choice,) = inputs(form).values()
    assert choice["type"] == "Input.ChoiceSet" and choice["choices"][0]["title"] == "torsdag 11 februari kl. 09.00"
    assert "skriv datumet" not in words(form).lower()  # the typed alternative is not shown above the form
    done = await execute(
        teams, ALVA, action(form, "Anmäl frånvaro"), count, form, meeting_id=choice["choices"][0]["value"]
    )
    assert words(done).startswith("Klart: din frånvaro från träffen i Bild, form och skapande")  # press 2
    assert tuple(count) == (2, 1, 0)
    told = teams.connector.activities[before:]
    assert sorted(c for c, _ in told) == sorted([personal(JONAS), personal(PONTUS)])  # one bubble each
    assert all("text" not in a and a["summary"].startswith("Alva Jonsson har anmält frånvaro") for _, a in told)


async def test_a_leader_picks_the_date_and_time_and_sends_the_notice(teams: Teams) -> None:
    await said(teams, ALVA, "hjälp")  # a member with a chat, to get the notice
    count = tally("teams", "schedule a meeting and send the notice")
    menu = await said(teams, JONAS, "hjälp")
    asked = await execute(teams, JONAS, action(menu, "Planera träff"), count, menu)
    assert inputs(asked)["picked_day"]["type"] == "Input.Date"
    assert "Ange datumet för träffen" in words(asked)
    assert "Välj datum …" not in words(asked)  # the date input is in the card: no button to a form of its own
    again = await execute(teams, JONAS, action(asked, "Välj datumet"), picked_day="2026-11-20")
    assert words(again).startswith("Det datumet har redan varit")  # the problem, in the card, the picker again
    assert "picked_day" in inputs(again)
    kind = await execute(teams, JONAS, action(again, "Välj datumet"), count, again, picked_day="2027-03-11")
    place = await execute(teams, JONAS, action(kind, "Fysisk träff"), count, kind)
    time = await execute(teams, JONAS, action(place, "Lycksele Musikskola"), count, place)
    assert [i["type"] for i in inputs(time).values()] == ["Input.Time", "Input.Time"]
    assert "[13.00–16.00]" in words(time) and "Annan tid …" not in words(time)
    wrong = await execute(teams, JONAS, action(time, "Välj tiden"), picked_start="16:00", picked_end="13:00")
    assert words(wrong).startswith("Träffen måste sluta efter att den har börjat.")
    preview = await execute(
        teams, JONAS, action(wrong, "Välj tiden"), count, wrong, picked_start="13:00", picked_end="16:00"
    )
    assert "Tid: 13.00–16.00" in words(preview) and "Dag: torsdag 11 mars" in words(preview)
    saved = await execute(teams, JONAS, action(preview, "Spara träffen"), count, preview)
    assert words(saved).startswith("Sparad: Bild, form och skapande träffas torsdag 11 mars kl. 13.00.")
    notice = await execute(teams, JONAS, action(saved, "Skicka kallelse nu"), count, saved)
    assert words(notice).startswith("Skicka kallelsen för Bild, form och skapande?")
    before = _sent(teams)
    sent = await execute(teams, JONAS, action(notice, "Skicka kallelse nu"), count, notice)
    assert words(sent)
    (card, invite) = [a for c, a in teams.connector.activities[before:] if c == personal(ALVA)]
    assert "text" not in card and card["summary"].startswith(
        "Kallelse: Bild, form och skapande träffas torsdag 11 mars"
    )
    assert invite["attachments"][0]["contentType"] == "application/vnd.microsoft.teams.card.file.consent"
    # the menu's button, the date, physical, the school, the time, save, send notice, send (the mistakes aside)
    assert tuple(count) == (8, 3, 0)


async def test_notes_too_long_are_said_in_the_card_and_the_form_comes_back(teams: Teams) -> None:
    teams.bot.dialogs.clock = lambda: dtm.datetime(2027, 2, 12, 9, 0, tzinfo=dtm.UTC)  # the day after a meeting
    count = tally("teams", "log notes")
    menu = await said(teams, JONAS, "hjälp")
    form = await execute(teams, JONAS, action(menu, "Logga anteckningar"), count, menu)
    assert inputs(form)["body"]["isMultiline"] is True
    assert "Skriv anteckningarna som ett meddelande" not in words(form)  # the console's way is not shown
    long = "x" * 10_001
    again = await execute(teams, JONAS, action(form, "Förhandsgranska"), body=long)
    assert "tecken" in words(again).split("\n")[0] and "body" in inputs(again)
    preview = await execute(
        teams, JONAS, action(again, "Förhandsgranska"), count, again, body="Vi gick igenom ramarna.\n- Bild\n- Form"
    )
    assert "• Bild" in words(preview)
    sent = await execute(teams, JONAS, action(preview, "Skicka anteckningarna"), count, preview)
    assert words(sent).startswith("Skickat:")
    assert tuple(count) == (3, 0, 1)


async def test_attendance_by_tick_boxes_then_the_cost_each_one_card(teams: Teams) -> None:
    count = tally("teams", "attendance")
    menu = await said(teams, ALBIN, "hjälp")
    asked = await execute(teams, ALBIN, action(menu, "Närvaro och kostnad"), count, menu)
    (ticks,) = inputs(asked).values()
    assert ticks["isMultiSelect"] and ticks["style"] == "expanded" and len(ticks["choices"]) == 5
    shown = words(asked)
    assert "Tryck på ett namn" not in shown and "Var inte där" not in shown  # the console's alternative is left out
    everyone = ticks["value"]
    saved = await execute(teams, ALBIN, action(asked, "Bekräfta närvaro"), count, asked, attended=everyone)
    assert words(saved).startswith("Sparat: 5 av 5 var med")
    assert tuple(count) == (2, 0, 0)  # everyone who came is ticked already
    count = tally("teams", "cost")
    cost = await execute(teams, ALBIN, action(saved, "Lägg in kostnaden"), count, saved)
    assert "total" in inputs(cost)
    wrong = await execute(teams, ALBIN, next(a for a in _all(cost) if a.get("type") == "Action.Execute"), total="x")
    assert "total" in inputs(wrong)  # asked again, in the card
    preview = await execute(
        teams, ALBIN, next(a for a in _all(wrong) if a.get("type") == "Action.Execute"), count, wrong, total="4000"
    )
    assert "4" in words(preview) and "total" not in inputs(preview)
    shared = await execute(teams, ALBIN, action(preview, "Skicka andelarna"), count, preview)
    assert words(shared).startswith("Klart: 4\u00a0000\u00a0kr är fördelat.")
    assert tuple(count) == (3, 0, 1)


async def test_line_breaks_and_lists_stay_lines(teams: Teams) -> None:
    team = await said(teams, ALVA, "mitt ämneslag")
    blocks = [e["text"] for e in team["body"] if e["type"] == "TextBlock"]
    assert any(t.startswith("torsdag 11 februari kl. 09.00") for t in blocks)
    assert any(t.startswith("torsdag 8 april kl. 09.00") for t in blocks)  # each meeting its own line
    assert not any("\n" in t for t in blocks)
