"""Every card the bot can send is a valid Adaptive Card 1.5 of the elements Teams renders.

Two checks: our own, in Python, fails on an element or action type outside the set we use, a missing
required property, or a duplicate id; then Microsoft's `adaptivecards` parser (npm, run by node when
it is installed) parses and validates the same cards.
"""

from __future__ import annotations

import datetime as dtm
from typing import Any

import pytest

from bot.teams import cards
from dialogs.types import (
    Button,
    CardReply,
    ChoicesReply,
    FormField,
    FormReply,
    Incoming,
    Reply,
    TextReply,
    buttons_of,
)
from tests.dialogs.conftest import Chat
from tests.teams.conftest import adaptivecards_errors

ELEMENTS: dict[str, set[str]] = {  # type -> required properties
    "TextBlock": {"text"},
    "FactSet": {"facts"},
    "ActionSet": {"actions"},
    "Input.Text": {"id"},
    "Input.Date": {"id"},
    "Input.Time": {"id"},
    "Input.ChoiceSet": {"id", "choices"},
}
ACTIONS = {"Action.Execute": {"title", "verb"}}


def validate(card: dict[str, Any]) -> None:
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5" and card["$schema"]
    ids: list[str] = []
    for element in card["body"]:
        kind = element.get("type")
        assert kind in ELEMENTS, f"unknown element {kind!r}"
        assert ELEMENTS[kind] <= set(element), f"{kind} lacks {ELEMENTS[kind] - set(element)}"
        if "id" in element:
            ids.append(element["id"])
        if kind == "FactSet":
            assert all(
                set(f) == {"title", "value"} and all(isinstance(v, str) for v in f.values()) for f in element["facts"]
            )
        if kind == "Input.ChoiceSet":
            assert all(set(c) == {"title", "value"} for c in element["choices"])
        if kind == "TextBlock":
            assert isinstance(element["text"], str) and element["text"]
        for action in element.get("actions", []):
            assert action.get("type") in ACTIONS, f"unknown action {action.get('type')!r}"
            assert ACTIONS[action["type"]] <= set(action)
            assert isinstance(action["data"], dict)
    assert len(ids) == len(set(ids)), f"duplicate ids {ids}"


def test_the_validator_refuses_what_teams_would() -> None:
    good = cards.card([TextReply(text="Hej")])
    validate(good)
    for bad in (
        {**good, "body": [{"type": "Carousel", "pages": []}]},
        {**good, "body": [{"type": "TextBlock"}]},
        {**good, "body": [{"type": "Input.Text", "id": "x"}, {"type": "Input.Date", "id": "x"}]},
        {**good, "body": [{"type": "ActionSet", "actions": [{"type": "Action.Http", "title": "x"}]}]},
    ):
        with pytest.raises(AssertionError):
            validate(bad)


def test_each_kind_of_reply_renders_and_comes_back() -> None:
    form = FormReply(
        title="Anteckningar",
        fields=[
            FormField(name="body", label="Anteckningar", kind="multiline", value="Utkast"),
            FormField(name="day", label="Datum", kind="date", required=False),
            FormField(name="meeting_id", label="Träff", kind="select", options=[("7", "torsdag 11 februari")]),
        ],
        submit=Button(label="Förhandsgranska", action="notes.submit", values={"meeting_id": 7}),
    )
    replies: list[Reply] = [
        TextReply(text="Hej"),
        ChoicesReply(text="Välj", buttons=[Button(label=f"Val {i}", action="a", values={"i": i}) for i in range(8)]),
        CardReply(
            title="Dans",
            facts=[("Läsår", "2026/27")],
            text="Text",
            buttons=[Button(label="Ja", action="b", style="primary")],
        ),
        form,
    ]
    card = cards.card(replies)
    validate(card)
    action_sets = [e for e in card["body"] if e["type"] == "ActionSet"]
    assert [len(s["actions"]) for s in action_sets] == [5, 3, 1, 1]
    assert all(a["associatedInputs"] == "none" for s in action_sets[:-1] for a in s["actions"])  # only submit sends
    body_input = next(e for e in card["body"] if e.get("id") == "body")
    assert body_input["isMultiline"] is True and body_input["value"] == "Utkast"
    submit = action_sets[-1]["actions"][0]
    value = {**submit["data"], "body": "Rad 1\nRad 2", "meeting_id": "99"}  # what Teams sends back, one input forged
    assert cards.submitted(value) == ("notes.submit", {"body": "Rad 1\nRad 2", "meeting_id": 7})
    assert cards.submitted({"text": "x"}) is None and cards.submitted("x") is None
    activity = cards.message(replies)  # one bubble: the card alone, its preview in the summary
    assert "text" not in activity and activity["summary"].startswith("Hej")
    assert activity["attachments"][0]["contentType"].endswith("adaptive")
    assert activity["attachments"][0]["content"]["fallbackText"].startswith("Hej")


def conversation_cards(chat_as, clock) -> list[dict[str, Any]]:
    """Every role's answers, as cards: the help, my team, the leader's meeting cards and forms, status."""
    leader: Chat = chat_as("jonas.sundqvist@example.org")
    coordinator: Chat = chat_as("kalle.forsberg@example.org")
    manager: Chat = chat_as("pontus.ronnlund@example.org")
    made: list[dict[str, Any]] = []
    for chat, texts in (
        (leader, ["hjälp", "mitt ämneslag", "kommande träffar", "planera en träff", "skicka kallelse", "frånvaro"]),
        (coordinator, ["status", "status dans", "vilka saknar ämneslag?", "nätverksdagar", "utse ny ledare"]),
        (manager, ["min personal", "rapportera"]),
    ):
        for text in texts:
            made.append(cards.card(chat.say(text)))
    clock.now = dtm.datetime(2027, 2, 12, 9, 0, tzinfo=dtm.UTC)
    made.append(cards.card(leader.say("logga anteckningar")))
    assert any(e["type"] == "Input.Text" for e in made[-1]["body"])
    replies = leader.dialogs.handle(
        Incoming(
            person_id=leader.person_id,
            channel="teams",
            conversation_id="t",
            action="intent",
            values={"intent": "report_absence"},
        )
    )
    made.append(cards.card(replies))
    assert any(e["type"] == "Input.ChoiceSet" for e in made[-1]["body"])
    asked = leader.click(Button(label="Närvaro", action="intent", values={"intent": "confirm_attendance"}))
    september = next(b for b in buttons_of(asked) if b.action == "attendance.start")
    made.append(cards.card(leader.click(september)))  # tick boxes: a multi-select ChoiceSet
    assert any(e.get("isMultiSelect") for e in made[-1]["body"])
    return made


def test_every_card_of_a_whole_conversation_is_valid(chat_as, clock) -> None:
    made = conversation_cards(chat_as, clock)
    assert len(made) == 16
    for card in made:
        validate(card)


def test_microsofts_parser_accepts_every_card_and_refuses_broken_ones(chat_as, clock, node_tools) -> None:
    made = conversation_cards(chat_as, clock)
    assert adaptivecards_errors(node_tools, made) == [[]] * len(made)
    good = cards.card([TextReply(text="Hej")])
    broken = [
        {**good, "body": [{"type": "Carousel"}]},
        {**good, "body": [{"type": "Input.Text", "id": "x"}, {"type": "Input.Date", "id": "x"}]},
        {**good, "body": [{"type": "Input.ChoiceSet", "id": "m", "choices": []}]},
        {**good, "body": [{"type": "ActionSet", "actions": [{"type": "Action.Nope", "title": "x"}]}]},
    ]
    assert all(errors for errors in adaptivecards_errors(node_tools, broken))


def _pickers_and_long_labels() -> list[Reply]:
    return [
        TextReply(text="Det datumet har redan varit.\n\nMitt ämneslag:\n- Bild\n- Form\ntorsdag 11 februari"),
        ChoicesReply(
            text="Vilken träff?",
            buttons=[
                Button(label="Bild, form och skapande: torsdag 26 november kl. 09.00–15.00", action="a", values={}),
                Button(label="Bild, form och skapande: torsdag 11 februari kl. 09.00–15.00", action="a", values={}),
            ],
        ),
        ChoicesReply(
            text="Vilken tid?",
            buttons=[Button(label="09.00–15.00", action="t", values={"start": "09:00", "end": "15:00"})],
            fields=[
                FormField(name="picked_start", label="Börjar", kind="time"),
                FormField(name="picked_end", label="Slutar", kind="time"),
            ],
            submit=Button(label="Välj tiden", action="t", values={}),
            missing="Fyll i det här.",
        ),
    ]


def test_lines_bullets_numbered_buttons_and_pickers() -> None:
    card = cards.card(_pickers_and_long_labels())
    validate(card)
    texts = [e for e in card["body"] if e["type"] == "TextBlock"]
    assert [t["text"] for t in texts[:5]] == [
        "Det datumet har redan varit.",
        "Mitt ämneslag:",
        "• Bild",
        "• Form",
        "torsdag 11 februari",
    ]
    assert [t.get("spacing") for t in texts[:5]] == [
        None,
        None,
        "None",
        "None",
        "None",
    ]  # a gap between paragraphs only
    (listed,) = [e for e in card["body"] if e["type"] == "FactSet"]  # the long labels in the body, numbered
    assert [f["title"] for f in listed["facts"]] == ["1", "2"] and listed["facts"][0]["value"].endswith("09.00–15.00")
    actions = [a for e in card["body"] if e["type"] == "ActionSet" for a in e["actions"]]
    assert [a["title"] for a in actions] == ["1", "2", "09.00–15.00", "Välj tiden"]  # short titles, numbered per card
    assert all(len(a["title"]) <= cards.TITLE_FITS for a in actions)
    assert [a.get("associatedInputs") for a in actions] == ["none", "none", "none", None]  # only the submit sends
    times = [e for e in card["body"] if e["type"] == "Input.Time"]
    assert [t["id"] for t in times] == ["picked_start", "picked_end"] and all(t["isRequired"] for t in times)


def test_microsofts_parser_accepts_pickers_and_numbered_buttons(node_tools) -> None:
    assert adaptivecards_errors(node_tools, [cards.card(_pickers_and_long_labels())]) == [[]]
