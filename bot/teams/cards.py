"""Neutral replies as Adaptive Cards 1.5, the way Teams shows them, and card submits read back.

One turn is one card, sent as one activity with no text of its own (a text next to a card is a second
bubble in Teams); the notification's preview is the activity's `summary` and the card's `fallbackText`.

A card uses only what Teams renders: TextBlock, FactSet, Input.Text (multi-line for notes),
Input.Date, Input.Time, Input.ChoiceSet (multi-select and expanded for tick boxes), ActionSet and
Action.Execute. A text's lines are TextBlocks of their own (a card's TextBlock runs the lines of a
markdown paragraph together), and a line that starts with "- " or "• " is a bullet. A button whose
label is too long for Teams' one-line button titles is numbered: the labels stand in the body as a
FactSet ("1", the whole label) and the buttons say only their number, which is also what a typed
number answers.

A button's action and values travel in `data.amneslag`; Teams hands them back in an
`adaptiveCard/action` invoke (answered with the refreshed card, so the card changes in place and a
form's problem is said inside it), or, from an older card's Action.Submit, in a message's `value`.
A form's inputs come back next to it under their ids.
"""

from __future__ import annotations

import re
from typing import Any

from dialogs.notify import fallback_text
from dialogs.types import Button, CardReply, ChoicesReply, FormField, FormReply, Reply, TextReply

SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"
ACTIONS_PER_SET = 5  # the renderers' default maxActions: a sixth action in a set is a validation error
KEY = "amneslag"
VERB = "amneslag"  # Action.Execute's verb: every button is one of ours, its data says which
TITLE_FITS = 30  # longer button titles are cut by Teams ("…kl. 09.0…"): such buttons are numbered instead
SUMMARY_MAX = 200  # the notification's preview
_BULLET = re.compile(r"^\s*[-•*]\s+")
_PARAGRAPHS = re.compile(r"\n\s*\n")


def _action(button: Button, number: int | None = None, *, inputs: bool = True) -> dict[str, Any]:
    """An Action.Execute; `inputs` False for a button that must not wait for (or send) the card's inputs."""
    action: dict[str, Any] = {
        "type": "Action.Execute",
        "verb": VERB,
        "title": str(number) if number is not None else button.label,
        "data": {KEY: {"a": button.action, "v": button.values}},
    }
    if number is not None:
        action["tooltip"] = button.label
    if not inputs:
        action["associatedInputs"] = "none"
    if button.style == "primary":
        action["style"] = "positive"
    elif button.style == "danger":
        action["style"] = "destructive"
    return action


def _text(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def _texts(text: str, **style: Any) -> list[dict[str, Any]]:
    """A text as TextBlocks: a paragraph's lines one under the other, a gap between paragraphs, bullets as "•"."""
    blocks: list[dict[str, Any]] = []
    for paragraph in _PARAGRAPHS.split(text.strip()):
        lines = [line.rstrip() for line in paragraph.split("\n") if line.strip()]
        for index, line in enumerate(lines):
            line = _BULLET.sub("• ", line)
            block = _text(line, **style)
            if index and blocks:
                block["spacing"] = "None"
            blocks.append(block)
    return blocks


class _Buttons:
    """The buttons of one card: numbered across the card, as the buttons of a turn are for a typed number."""

    def __init__(self, inputs: bool):
        self.count = 0
        self.inputs = inputs  # whether the card has inputs (which only a form's submit sends)

    def sets(self, buttons: list[Button]) -> list[dict[str, Any]]:
        first = self.count
        self.count += len(buttons)
        if not buttons:
            return []
        numbered = any(len(b.label) > TITLE_FITS for b in buttons)
        actions = [
            _action(b, first + i + 1 if numbered else None, inputs=not self.inputs) for i, b in enumerate(buttons)
        ]
        listed: list[dict[str, Any]] = []
        if numbered:
            facts = [{"title": str(first + i + 1), "value": b.label} for i, b in enumerate(buttons)]
            listed.append({"type": "FactSet", "facts": facts})
        return listed + [
            {"type": "ActionSet", "actions": actions[start : start + ACTIONS_PER_SET]}
            for start in range(0, len(actions), ACTIONS_PER_SET)
        ]


def _input(field: FormField, missing: str) -> dict[str, Any]:
    element: dict[str, Any]
    if field.kind in ("text", "multiline"):
        element = {"type": "Input.Text", "isMultiline": field.kind == "multiline"}
    elif field.kind == "date":
        element = {"type": "Input.Date"}
    elif field.kind == "time":
        element = {"type": "Input.Time"}
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
    if field.required and missing:
        element["errorMessage"] = missing
    if field.value:
        element["value"] = field.value
    return element


def _inputs(fields: list[FormField], submit: Button, missing: str) -> list[dict[str, Any]]:
    return [
        *(_input(field, missing) for field in fields),
        {"type": "ActionSet", "actions": [_action(submit)]},
    ]


def shown(replies: list[Reply]) -> list[Reply]:
    """The replies a card shows: what follows a form is its typed alternative (for channels without inputs),
    which a card leaves out, since there the form's inputs are the answer."""
    forms = [i for i, r in enumerate(replies) if isinstance(r, FormReply)]
    return replies[: forms[0] + 1] if forms else list(replies)


def card(replies: list[Reply]) -> dict[str, Any]:
    """The replies of one turn as one Adaptive Card."""
    replies = shown(replies)
    has_inputs = any(isinstance(r, FormReply) or (isinstance(r, ChoicesReply) and r.fields) for r in replies)
    buttons = _Buttons(has_inputs)
    body: list[dict[str, Any]] = []
    for reply in replies:
        if isinstance(reply, TextReply):
            body += _texts(reply.text)
        elif isinstance(reply, ChoicesReply):
            body += _texts(reply.text)
            inline = bool(reply.fields and reply.submit is not None)  # the fields beside the buttons, so not
            body += buttons.sets([b for b in reply.buttons if not (inline and b.asks_fields)])  # asked in a form
            if reply.fields and reply.submit is not None:
                body += _inputs(reply.fields, reply.submit, reply.missing)
        elif isinstance(reply, CardReply):
            body.append(_text(reply.title, weight="Bolder", size="Medium"))
            if reply.facts:
                body.append({"type": "FactSet", "facts": [{"title": k, "value": v} for k, v in reply.facts]})
            if reply.text:
                body += _texts(reply.text)
            body += buttons.sets(reply.buttons)
        elif isinstance(reply, FormReply):
            body.append(_text(reply.title, weight="Bolder", size="Medium"))
            body += _inputs(reply.fields, reply.submit, reply.missing)
    made: dict[str, Any] = {"type": "AdaptiveCard", "$schema": SCHEMA, "version": VERSION, "body": body}
    text = fallback_text(replies)
    if text:
        made["fallbackText"] = text
    return made


def summary(replies: list[Reply]) -> str:
    """The notification's preview: the start of what the card says."""
    text = " ".join(fallback_text(shown(replies)).split())
    return text if len(text) <= SUMMARY_MAX else text[: SUMMARY_MAX - 1] + "…"


def attachment(replies: list[Reply]) -> dict[str, Any]:
    """The card as a Bot Framework attachment."""
    return {"contentType": "application/vnd.microsoft.card.adaptive", "content": card(replies)}


def message(replies: list[Reply]) -> dict[str, Any]:
    """One message activity: the card alone (one bubble), its preview in `summary`."""
    return {"type": "message", "summary": summary(replies), "attachments": [attachment(replies)]}


def submitted(value: Any) -> tuple[str, dict[str, Any]] | None:
    """The action and values of a card submit (`activity.value`); form inputs merged, our own values winning."""
    if not isinstance(value, dict) or not isinstance(value.get(KEY), dict):
        return None
    data = value[KEY]
    if not isinstance(data.get("a"), str) or not isinstance(data.get("v", {}), dict):
        return None
    inputs = {k: v for k, v in value.items() if k != KEY and isinstance(v, str)}
    return data["a"], {**inputs, **data.get("v", {})}
