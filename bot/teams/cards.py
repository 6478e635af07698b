"""Neutral replies as Adaptive Cards 1.5, the way Teams shows them, and card submits read back.

A card uses only what Teams renders: TextBlock, FactSet, Input.Text (multi-line for notes),
Input.Date, Input.ChoiceSet (multi-select and expanded for tick boxes), ActionSet and Action.Submit.
A button's action and values travel in `data.amneslag`, which Teams hands back in the activity's
`value` when the button is pressed; a form's inputs come back next to it under their ids.
"""

from __future__ import annotations

from typing import Any

from dialogs.notify import fallback_text
from dialogs.types import Button, CardReply, ChoicesReply, FormReply, Reply, TextReply

SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"
ACTIONS_PER_SET = 5  # the renderers' default maxActions: a sixth action in a set is a validation error
KEY = "amneslag"


def _submit(button: Button) -> dict[str, Any]:
    action: dict[str, Any] = {
        "type": "Action.Submit",
        "title": button.label,
        "data": {KEY: {"a": button.action, "v": button.values}},
    }
    if button.style == "primary":
        action["style"] = "positive"
    elif button.style == "danger":
        action["style"] = "destructive"
    return action


def _action_sets(buttons: list[Button]) -> list[dict[str, Any]]:
    return [
        {"type": "ActionSet", "actions": [_submit(b) for b in buttons[start : start + ACTIONS_PER_SET]]}
        for start in range(0, len(buttons), ACTIONS_PER_SET)
    ]


def _text(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def _form(form: FormReply) -> list[dict[str, Any]]:
    body: list[dict[str, Any]] = [_text(form.title, weight="Bolder", size="Medium")]
    for field in form.fields:
        element: dict[str, Any]
        if field.kind in ("text", "multiline"):
            element = {"type": "Input.Text", "isMultiline": field.kind == "multiline"}
        elif field.kind == "date":
            element = {"type": "Input.Date"}
        elif field.kind == "checks":  # tick boxes: the answer is the ticked values separated by commas
            element = {
                "type": "Input.ChoiceSet",
                "isMultiSelect": True,
                "style": "expanded",
                "choices": [{"title": label, "value": value} for value, label in field.options],
            }
        else:
            element = {
                "type": "Input.ChoiceSet",
                "style": "compact",
                "choices": [{"title": label, "value": value} for value, label in field.options],
            }
        element.update({"id": field.name, "label": field.label, "isRequired": field.required})
        if field.required and form.missing:
            element["errorMessage"] = form.missing
        if field.value:
            element["value"] = field.value
        body.append(element)
    body.append({"type": "ActionSet", "actions": [_submit(form.submit)]})
    return body


def card(replies: list[Reply]) -> dict[str, Any]:
    """The replies of one turn as one Adaptive Card.

    What follows a form is its typed alternative (for channels without inputs), left out here: in a
    card the form's inputs are the answer.
    """
    body: list[dict[str, Any]] = []
    forms = [i for i, r in enumerate(replies) if isinstance(r, FormReply)]
    for reply in replies[: forms[0] + 1] if forms else replies:
        if isinstance(reply, TextReply):
            body.append(_text(reply.text))
        elif isinstance(reply, ChoicesReply):
            body.append(_text(reply.text))
            body += _action_sets(reply.buttons)
        elif isinstance(reply, CardReply):
            body.append(_text(reply.title, weight="Bolder", size="Medium"))
            if reply.facts:
                body.append({"type": "FactSet", "facts": [{"title": k, "value": v} for k, v in reply.facts]})
            if reply.text:
                body.append(_text(reply.text))
            body += _action_sets(reply.buttons)
        elif isinstance(reply, FormReply):
            body += _form(reply)
    return {"type": "AdaptiveCard", "$schema": SCHEMA, "version": VERSION, "body": body}


def attachment(replies: list[Reply]) -> dict[str, Any]:
    """The card as a Bot Framework attachment."""
    return {"contentType": "application/vnd.microsoft.card.adaptive", "content": card(replies)}


def message(replies: list[Reply]) -> dict[str, Any]:
    """A message activity's text (the notification and fallback) and the card."""
    return {"type": "message", "text": fallback_text(replies), "attachments": [attachment(replies)]}


def submitted(value: Any) -> tuple[str, dict[str, Any]] | None:
    """The action and values of a card submit (`activity.value`); form inputs merged, our own values winning."""
    if not isinstance(value, dict) or not isinstance(value.get(KEY), dict):
        return None
    data = value[KEY]
    if not isinstance(data.get("a"), str) or not isinstance(data.get("v", {}), dict):
        return None
    inputs = {k: v for k, v in value.items() if k != KEY and isinstance(v, str)}
    return data["a"], {**inputs, **data.get("v", {})}
