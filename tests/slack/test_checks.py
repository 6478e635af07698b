"""Tick boxes (a `checks` form field) in a Slack modal: ten to a checkboxes element, read back as one answer."""

from __future__ import annotations

from bot.slack import blocks as bk
from dialogs.types import Button, FormField, FormReply, ticked


def _form(people: int, ticked_ids: list[int]) -> FormReply:
    return FormReply(
        title="Vilka var med?",
        fields=[
            FormField(
                name="attended",
                label="Bocka ur den som inte kom.",
                kind="checks",
                options=[(str(i), f"Person {i}") for i in range(1, people + 1)],
                required=False,
                value=",".join(str(i) for i in ticked_ids),
            )
        ],
        submit=Button(label="Bekräfta närvaro", action="attendance.save", values={"meeting_id": 7}),
    )


def test_tick_boxes_are_split_ten_to_an_element_and_come_back_as_one_answer() -> None:
    modal = bk.modal(_form(23, [1, 2, 12, 23]))
    boxes = [b for b in modal["blocks"] if b["element"]["type"] == "checkboxes"]
    assert [b["block_id"] for b in boxes] == ["attended", "attended~1", "attended~2"]
    assert [len(b["element"]["options"]) for b in boxes] == [10, 10, 3]
    assert all(b["optional"] for b in boxes)  # nobody ticked is an answer too
    assert [o["value"] for o in boxes[0]["element"]["initial_options"]] == ["1", "2"]
    assert [o["value"] for o in boxes[1]["element"]["initial_options"]] == ["12"]
    view = {
        "private_metadata": modal["private_metadata"],
        "state": {
            "values": {
                "attended": {"attended": {"type": "checkboxes", "selected_options": [{"value": "1"}, {"value": "3"}]}},
                "attended~1": {"attended": {"type": "checkboxes", "selected_options": []}},
                "attended~2": {"attended": {"type": "checkboxes", "selected_options": [{"value": "23"}]}},
            }
        },
    }
    submitted = bk.submitted(view)
    assert submitted is not None
    action, values = submitted
    assert action == "attendance.save" and values["meeting_id"] == 7
    assert ticked(values["attended"]) == ["1", "3", "23"]


def test_nothing_ticked_is_an_empty_answer_not_a_missing_one() -> None:
    modal = bk.modal(_form(3, []))
    (box,) = modal["blocks"]
    assert "initial_options" not in box["element"]
    view = {
        "private_metadata": modal["private_metadata"],
        "state": {"values": {"attended": {"attended": {"type": "checkboxes", "selected_options": []}}}},
    }
    submitted = bk.submitted(view)
    assert submitted is not None
    _, values = submitted
    assert values["attended"] == "" and ticked(values["attended"]) == []
    assert ticked(None) is None
