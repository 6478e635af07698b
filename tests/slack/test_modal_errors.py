"""A modal with something the form cannot take stays open, the reason at its field (response_action "errors")."""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.models.views import View
from sqlmodel import Session, col, select

from bot.slack.blocks import button_value
from dialogs.types import Button
from storage.models import InboxEvent, Meeting, Note, Person, Team
from tests.slack.conftest import Slack, block_actions


async def _notes_modal(slack: Slack) -> tuple[dict[str, Any], int]:
    """Jonas, leader of Bild, presses "Logga anteckningar" for September: the modal Slack was asked to open."""
    with Session(slack.db) as s:
        jonas = s.exec(select(Person).where(Person.email == "jonas.sundqvist@example.org")).one()
        jonas.slack_user_id = "U0JONAS"
        bild = s.exec(select(Team).where(Team.name == "Bild, form och skapande")).one()
        september = s.exec(select(Meeting).where(Meeting.team_id == bild.id).order_by(col(Meeting.starts_at))).first()
        assert september is not None and september.id is not None
        september.notes_distributed_at = None
        s.add(jonas)
        s.add(september)
        s.commit()
        meeting_id = september.id
    value = button_value(Button(label="Logga anteckningar", action="notes.start", values={"meeting_id": meeting_id}))
    pressed = {"type": "button", "action_id": "amneslag_0", "block_id": "b", "value": value}
    await slack.interaction(block_actions("U0JONAS", "D0JONAS", pressed, "trigger-notes-2"))
    (opened,) = await slack.api.wait_for("views.open")
    await slack.settle()
    view = opened["view"] if isinstance(opened["view"], dict) else json.loads(opened["view"])
    return view, meeting_id


def _submission(view: dict[str, Any], body: str, link: str | None, view_id: str = "V0NOTES") -> dict[str, Any]:
    return {
        "type": "view_submission",
        "user": {"id": "U0JONAS"},
        "team": {"id": "T0TEAM"},
        "view": {
            **view,
            "id": view_id,
            "hash": "156772938.1827394",
            "state": {
                "values": {
                    "body": {"body": {"type": "plain_text_input", "value": body}},
                    "link": {"link": {"type": "plain_text_input", "value": link}},
                }
            },
        },
    }


async def test_a_bad_link_keeps_the_modal_open_with_the_reason_at_the_link(slack: Slack) -> None:
    view, meeting_id = await _notes_modal(slack)
    response = await slack.interaction(_submission(view, "Rad ett", "www.exempel.se/protokoll"))
    assert response.status == 200
    assert await response.json() == {
        "response_action": "errors",
        "errors": {"link": "En länk måste vara en webbadress som börjar med https:// eller http://."},
    }
    await slack.settle()
    assert slack.api.of("chat.postMessage") == []  # no DM with the error, no preview
    with Session(slack.db) as s:
        notes = s.exec(select(Note).where(Note.meeting_id == meeting_id)).all()
        assert all(n.body != "Rad ett" for n in notes)  # nothing saved
        assert all(e.status == "done" for e in s.exec(select(InboxEvent)).all())  # and never processed again

    # corrected in the modal kept open, and sent again: the same view and hash, other values
    fixed = await slack.interaction(_submission(view, "Rad ett", "https://exempel.se/protokoll"))
    assert fixed.status == 200 and (await fixed.text()) == ""  # accepted: the modal closes
    (preview,) = await slack.api.wait_for("chat.postMessage")
    assert preview["channel"] == "D0JONAS" and "Rad ett" in json.dumps(preview["blocks"], ensure_ascii=False)


async def test_notes_too_long_are_refused_at_the_notes(slack: Slack) -> None:
    view, _ = await _notes_modal(slack)
    response = await slack.interaction(_submission(view, "x" * 40_000, None))
    errors = (await response.json())["errors"]
    assert list(errors) == ["body"] and "40000" in errors["body"]


async def test_a_meetings_date_is_picked_in_the_messages_datepicker_and_a_past_date_is_said_and_asked_again(
    slack: Slack,
) -> None:
    with Session(slack.db) as s:
        jonas = s.exec(select(Person).where(Person.email == "jonas.sundqvist@example.org")).one()
        jonas.slack_user_id = "U0JONAS"
        s.add(jonas)
        s.commit()
    await slack.dm("U0JONAS", "boka träff", "EvBoka")
    (question,) = await slack.api.wait_for("chat.postMessage")
    await slack.settle()
    elements = [e for b in question["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert not [e for e in elements if e["type"] == "button" and e["text"]["text"].startswith("Välj datum")]
    (block,) = [b for b in question["blocks"] if b["type"] == "actions" and b["elements"][0]["type"] == "datepicker"]

    async def pick(day: str, trigger: str) -> None:
        picker = block["elements"][0]
        action = {"type": "datepicker", "action_id": picker["action_id"], "block_id": block["block_id"]}
        picked = {**action, "selected_date": day, "action_ts": trigger}
        await slack.interaction(block_actions("U0JONAS", "D0JONAS", picked, trigger))
        await slack.settle()

    await pick("2026-01-07", "trigger-day-1")
    (_, past) = slack.api.of("chat.postMessage")
    assert past["text"].startswith("Det datumet har redan varit; en träff måste ligga framåt i tiden.")
    assert "datepicker" in json.dumps(past["blocks"])  # asked again, the picker with it
    assert slack.api.of("views.open") == []  # no modal
    await pick("2027-03-18", "trigger-day-2")
    (_, _, kind) = slack.api.of("chat.postMessage")
    assert kind["channel"] == "D0JONAS" and "Digital träff" in json.dumps(kind["blocks"], ensure_ascii=False)


async def test_a_meetings_time_is_picked_on_timepickers_and_an_end_before_the_start_keeps_it_open(slack: Slack) -> None:
    with Session(slack.db) as s:
        jonas = s.exec(select(Person).where(Person.email == "jonas.sundqvist@example.org")).one()
        jonas.slack_user_id = "U0JONAS"
        s.add(jonas)
        s.commit()
    await slack.dm("U0JONAS", "boka träff 18 mars i Lycksele", "EvTid")
    (question,) = await slack.api.wait_for("chat.postMessage")
    await slack.settle()
    assert "Vilken tid?" in json.dumps(question["blocks"], ensure_ascii=False)
    other = next(
        e
        for b in question["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["text"]["text"] == "Annan tid …"
    )
    pressed = {"type": "button", "action_id": other["action_id"], "block_id": "b", "value": other["value"]}
    await slack.interaction(block_actions("U0JONAS", "D0JONAS", pressed, "trigger-time-1"))
    (opened,) = await slack.api.wait_for("views.open")
    await slack.settle()
    view = opened["view"] if isinstance(opened["view"], dict) else json.loads(opened["view"])
    View(**view).to_dict()  # inside Block Kit's limits and formats, by slack_sdk's models
    assert view["title"]["text"] == "Träffens tid" and view["close"]["text"] == "Avbryt"
    assert view["blocks"][0]["text"]["text"] == "Tid för träffen i Bild, form och skapande"
    assert [b["element"] for b in view["blocks"][1:]] == [
        {"type": "timepicker", "action_id": "picked_start", "initial_time": "09:00"},
        {"type": "timepicker", "action_id": "picked_end", "initial_time": "15:00"},
    ]

    def submission(start: str, end: str) -> dict[str, Any]:
        state = {
            "values": {
                "picked_start": {"picked_start": {"type": "timepicker", "selected_time": start}},
                "picked_end": {"picked_end": {"type": "timepicker", "selected_time": end}},
            }
        }
        return {
            "type": "view_submission",
            "user": {"id": "U0JONAS"},
            "team": {"id": "T0TEAM"},
            "view": {**view, "id": "V0TIME", "hash": "1.3", "state": state},
        }

    backwards = await slack.interaction(submission("16:00", "13:00"))
    assert await backwards.json() == {
        "response_action": "errors",
        "errors": {"picked_end": "Träffen måste sluta efter att den har börjat."},
    }
    await slack.settle()
    assert len(slack.api.of("chat.postMessage")) == 1  # nothing more was said; the modal stays open
    fixed = await slack.interaction(submission("13:15", "16:45"))  # the same view, sent again
    assert fixed.status == 200 and (await fixed.text()) == ""  # accepted: the modal closes
    (_, preview) = await slack.api.wait_for("chat.postMessage", 2)
    shown = json.dumps(preview["blocks"], ensure_ascii=False)
    assert preview["channel"] == "D0JONAS" and "13.15–16.45" in shown and "torsdag 18 mars" in shown
