"""Neutral replies as Block Kit, inside Slack's limits (../shared/schemas/slack-blockkit-limits.md)."""

from __future__ import annotations

import json

from slack_sdk.models.views import View

from bot.slack import blocks as bk
from dialogs.types import Button, CardReply, ChoicesReply, FormField, FormReply, Reply, TextReply


def _all_text(message: dict) -> str:
    return "\n".join(b["text"]["text"] for b in message["blocks"] if b["type"] == "section" and "text" in b)


def test_long_notes_are_split_at_line_breaks_and_nothing_is_lost() -> None:
    lines = [f"Rad {i}: " + "å" * 90 for i in range(120)]  # about 12,000 characters
    (message,) = bk.messages([CardReply(title="Anteckningar", text="\n".join(lines))])
    sections = [b for b in message["blocks"] if b["type"] == "section"]
    assert len(sections) >= 4
    assert all(len(s["text"]["text"]) <= bk.SECTION_MAX for s in sections)
    assert _all_text(message).split("\n") == lines
    assert len(message["text"]) <= bk.TEXT_FALLBACK_MAX and message["text"].startswith("Anteckningar")


def test_a_word_longer_than_a_section_is_cut_hard() -> None:
    pieces = bk.split_text("x" * 7000)
    assert [len(p) for p in pieces] == [3000, 3000, 1000]


def test_many_buttons_and_blocks_stay_inside_the_limits() -> None:
    buttons = [Button(label=f"Knapp {i} " + "ö" * 80, action="a", values={"i": i}) for i in range(60)]
    replies: list[Reply] = [ChoicesReply(text="Välj", buttons=buttons)]
    replies += [TextReply(text=f"Stycke {i}") for i in range(60)]
    sent = bk.messages(replies)
    assert len(sent) == 2 and all(len(m["blocks"]) <= bk.MESSAGE_MAX_BLOCKS for m in sent)
    actions = [b for m in sent for b in m["blocks"] if b["type"] == "actions"]
    assert [len(a["elements"]) for a in actions] == [25, 25, 10]
    elements = [e for a in actions for e in a["elements"]]
    assert all(len(e["text"]["text"]) <= bk.BUTTON_TEXT_MAX for e in elements)
    assert len({e["action_id"] for e in elements}) == 60  # unique within the message
    assert bk.parse_button_value(elements[59]["value"]) == ("a", {"i": 59})
    assert all(m["text"] for m in sent)


def test_card_facts_become_fields_ten_to_a_section() -> None:
    card = CardReply(title="T" * 200, facts=[(f"Lag {i}", "x" * 2500) for i in range(12)])
    blocks = bk.message_blocks([card])
    assert len(blocks[0]["text"]["text"]) == bk.HEADER_MAX
    fields = [b["fields"] for b in blocks if b["type"] == "section" and "fields" in b]
    assert [len(f) for f in fields] == [10, 2]
    assert all(len(f["text"]) <= bk.FIELD_MAX for group in fields for f in group)


def test_text_is_escaped_for_mrkdwn() -> None:
    (message,) = bk.messages([TextReply(text="<!channel> & <@U123>")])
    assert message["blocks"][0]["text"]["text"] == "&lt;!channel&gt; &amp; &lt;@U123&gt;"


def test_foreign_button_values_are_not_ours() -> None:
    for value in ("", "nej", "[1]", json.dumps({"a": 1}), json.dumps({"a": "x", "v": []})):
        assert bk.parse_button_value(value) is None


def test_a_form_is_a_modal_and_its_submission_comes_back() -> None:
    form = FormReply(
        title="Anteckningar från Bild, form och skapande, torsdag 11 februari",
        fields=[
            FormField(name="body", label="Anteckningar", kind="multiline", value="Utkast"),
            FormField(name="link", label="Länk (valfri)", required=False),
            FormField(name="day", label="Datum", kind="date", value="2027-02-11"),
            FormField(name="meeting_id", label="Träff", kind="select", options=[("7", "t" * 90)]),
        ],
        submit=Button(label="Förhandsgranska", action="notes.submit", values={"meeting_id": 7}),
        short_title="Anteckningar",
        close="Avbryt",
    )
    view = bk.modal(form)
    assert view["title"]["text"] == "Anteckningar" and view["callback_id"] == bk.FORM_CALLBACK
    assert view["close"]["text"] == "Avbryt"
    header, *fields = view["blocks"]
    assert header["text"]["text"] == "Anteckningar från Bild, form och skapande, torsdag 11 februari"
    view["blocks"] = fields
    assert view["blocks"][0]["element"] == {
        "type": "plain_text_input",
        "action_id": "body",
        "multiline": True,
        "initial_value": "Utkast",
    }
    assert view["blocks"][1]["optional"] is True
    assert view["blocks"][2]["element"] == {"type": "datepicker", "action_id": "day", "initial_date": "2027-02-11"}
    (option,) = view["blocks"][3]["element"]["options"]
    assert len(option["text"]["text"]) == bk.OPTION_MAX and option["value"] == "7"
    submitted = {
        **bk.modal(form),
        "state": {
            "values": {
                "body": {"body": {"type": "plain_text_input", "value": "Rad 1\nRad 2"}},
                "link": {"link": {"type": "plain_text_input", "value": None}},
                "day": {"day": {"type": "datepicker", "selected_date": "2027-02-12"}},
                "meeting_id": {"meeting_id": {"type": "static_select", "selected_option": {"value": "99"}}},  # forged
            }
        },
    }
    assert bk.submitted(submitted) == (
        "notes.submit",
        {"meeting_id": 7, "body": "Rad 1\nRad 2", "link": "", "day": "2027-02-12"},
    )


def test_a_time_is_asked_on_a_timepicker_and_its_selected_time_comes_back() -> None:
    form = FormReply(
        title="Tid för träffen i Bild, form och skapande",
        fields=[
            FormField(name="picked_start", label="Börjar", kind="time", value="09:00"),
            FormField(name="picked_end", label="Slutar", kind="time"),
        ],
        submit=Button(label="Nästa", action="schedule.set", values={"team_id": 1, "day": "2027-03-18"}),
        short_title="Träffens tid",
        close="Avbryt",
    )
    view = bk.modal(form)
    View(**view).to_dict()  # slack_sdk's models check every element's limits and formats (initial_time is HH:mm)
    _, start, end = view["blocks"]
    assert start == {
        "type": "input",
        "block_id": "picked_start",
        "label": {"type": "plain_text", "text": "Börjar"},
        "optional": False,
        "element": {"type": "timepicker", "action_id": "picked_start", "initial_time": "09:00"},
    }
    assert end["element"] == {"type": "timepicker", "action_id": "picked_end"}
    state = {
        "values": {
            "picked_start": {"picked_start": {"type": "timepicker", "selected_time": "13:15"}},
            "picked_end": {"picked_end": {"type": "timepicker", "selected_time": None}},  # cleared by the person
        }
    }
    assert bk.submitted({**view, "state": state}) == (
        "schedule.set",
        {"picked_start": "13:15", "picked_end": "", "team_id": 1, "day": "2027-03-18"},
    )


def test_a_title_too_long_for_a_modal_is_shown_whole_in_it() -> None:
    form = FormReply(
        title="Vilka var med på Bild, form och skapande, 11 februari?",
        fields=[FormField(name="body", label="Anteckningar")],
        submit=Button(label="Bekräfta närvaro", action="attendance.save"),
    )
    view = bk.modal(form)
    assert len(view["title"]["text"]) == bk.MODAL_TITLE_MAX and "close" not in view
    assert view["blocks"][0] == {"type": "header", "text": {"type": "plain_text", "text": form.title}}


def _date_question(values: dict[str, object]) -> ChoicesReply:
    return ChoicesReply(
        text="Vilken dag?",
        buttons=[
            Button(label="torsdag 11 mars", action="schedule.set", values={"day": "2027-03-11"}),
            Button(label="Annat datum …", action="schedule.set", values={"pick_day": "1"}, asks_fields=True),
        ],
        fields=[FormField(name="picked_day", label="Datum", kind="date")],
        submit=Button(label="Välj datumet", action="schedule.set", values=values),
    )


def test_a_date_is_picked_in_the_message_and_the_picked_day_comes_back_as_the_questions_submit() -> None:
    (message,) = bk.messages([_date_question({"team_id": 1, "year": "2026/27"})])
    View(type="modal", title="x", blocks=message["blocks"]).to_dict()  # slack_sdk's own checks of each block
    elements = [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [e["type"] for e in elements] == ["button", "datepicker"]  # "Annat datum …" is the picker now
    (block,) = [b for b in message["blocks"] if b["type"] == "actions" and b["elements"][0]["type"] == "datepicker"]
    assert len(block["block_id"]) <= bk.BLOCK_ID_MAX and bk.BUTTON.match(block["elements"][0]["action_id"])
    action = {**block["elements"][0], "block_id": block["block_id"], "selected_date": "2027-03-18"}
    assert bk.pressed(action) == ("schedule.set", {"team_id": 1, "year": "2026/27", "picked_day": "2027-03-18"})
    assert bk.pressed({**action, "block_id": "b"}) is None  # a block id not ours
    assert bk.pressed({**action, "selected_date": None}) is None


def test_a_submit_too_long_for_a_block_id_keeps_the_button_that_opens_the_form() -> None:
    (message,) = bk.messages([_date_question({"note": "x" * 300})])
    elements = [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [e["type"] for e in elements] == ["button", "button"]
