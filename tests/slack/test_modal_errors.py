"""A modal with something the form cannot take stays open, the reason at its field (response_action "errors")."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session, col, select

from bot.slack.blocks import button_value
from dialogs.types import Button
from storage.models import InboxEvent, Meeting, Note, Person, Team
from tests.slack.conftest import Slack


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
    await slack.interaction(
        {
            "type": "block_actions",
            "user": {"id": "U0JONAS"},
            "team": {"id": "T0TEAM"},
            "trigger_id": "trigger-notes-2",
            "container": {"type": "message", "channel_id": "D0JONAS"},
            "channel": {"id": "D0JONAS"},
            "actions": [{"type": "button", "action_id": "amneslag_0", "block_id": "b", "value": value}],
        }
    )
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
