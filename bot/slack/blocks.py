"""Neutral replies as Slack Block Kit: messages, modals, and the way back from an interaction.

Slack's limits (../shared/schemas/slack-blockkit-limits.md) are respected here, never left to Slack
to reject: a section holds at most 3000 characters, so long text (notes) is split at line breaks;
a message holds at most 50 blocks, so a long answer becomes several messages; an actions block holds
25 buttons; button text is at most 75 characters. Every message has a plain `text` for notifications.
"""

from __future__ import annotations

import json
import re
from typing import Any

from dialogs.notify import fallback_text
from dialogs.types import Button, CardReply, ChoicesReply, FormField, FormReply, Reply, TextReply

SECTION_MAX = 3000
FIELD_MAX = 2000
FIELDS_PER_SECTION = 10
HEADER_MAX = 150
BUTTON_TEXT_MAX = 75
BUTTON_VALUE_MAX = 2000
BUTTONS_PER_ACTIONS = 25
MESSAGE_MAX_BLOCKS = 50
MODAL_MAX_BLOCKS = 100
MODAL_TITLE_MAX = 24
OPTION_MAX = 75
OPTIONS_MAX = 100
CHECKBOXES_MAX = 10  # a checkboxes element holds at most 10 options
CHECKBOXES_PART = "~"  # block ids of the further parts of a long list of tick boxes: name~1, name~2, …
PRIVATE_METADATA_MAX = 3000
TEXT_FALLBACK_MAX = 3000
BLOCK_ID_MAX = 255
ERROR_MAX = 2000  # a reason shown at a modal's field (response_action "errors"); kept as long as a field's text
FORM_CALLBACK = "amneslag_form"
BUTTON = re.compile(r"^amneslag_\d+$")  # the action ids of our buttons and datepickers: amneslag_0, amneslag_1, …


def cut(text: str, limit: int) -> str:
    """`text` in at most `limit` characters (an ellipsis where it was cut)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def split_text(text: str, limit: int = SECTION_MAX) -> list[str]:
    """Text in pieces of at most `limit` characters, cut at line breaks (or spaces) where possible."""
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit)
        if cut <= 0:
            cut = rest.rfind(" ", 0, limit)
        if cut <= 0:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n ")
    if rest or not pieces:
        pieces.append(rest)
    return pieces


def _escape(text: str) -> str:
    """Slack's mrkdwn needs &, < and > escaped; everything else is shown as written."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _sections(text: str) -> list[dict[str, Any]]:
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": piece}} for piece in split_text(_escape(text)) if piece
    ]


def button_value(button: Button) -> str:
    value = json.dumps({"a": button.action, "v": button.values}, ensure_ascii=False, separators=(",", ":"))
    if len(value) > BUTTON_VALUE_MAX:
        raise ValueError(f"button {button.action!r} carries {len(value)} characters; Slack allows {BUTTON_VALUE_MAX}")
    return value


def parse_button_value(value: str) -> tuple[str, dict[str, Any]] | None:
    """The action and values of a pressed button, or None when the value is not one of ours."""
    try:
        data = json.loads(value)
    except (TypeError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("a"), str) or not isinstance(data.get("v", {}), dict):
        return None
    return data["a"], data.get("v", {})


def _actions(buttons: list[Button], offset: int) -> list[dict[str, Any]]:
    blocks = []
    for start in range(0, len(buttons), BUTTONS_PER_ACTIONS):
        elements = []
        for index, button in enumerate(buttons[start : start + BUTTONS_PER_ACTIONS], start=offset + start):
            element: dict[str, Any] = {
                "type": "button",
                "action_id": f"amneslag_{index}",
                "text": {"type": "plain_text", "text": cut(button.label, BUTTON_TEXT_MAX), "emoji": True},
                "value": button_value(button),
            }
            if button.style != "default":
                element["style"] = button.style
            elements.append(element)
        blocks.append({"type": "actions", "elements": elements})
    return blocks


def _date_picker(reply: ChoicesReply, index: int) -> dict[str, Any] | None:
    """A question's one date field as a datepicker beside its buttons: picking a day sends the question's
    submit with the day (see `pressed`), with no modal. None where the fields are not one date, or the submit's
    values do not fit the block id that carries them."""
    if reply.submit is None or [f.kind for f in reply.fields] != ["date"]:
        return None
    field = reply.fields[0]
    carried = json.dumps(
        {"a": reply.submit.action, "v": reply.submit.values, "f": field.name}, ensure_ascii=False, separators=(",", ":")
    )
    if len(carried) > BLOCK_ID_MAX:
        return None
    element: dict[str, Any] = {
        "type": "datepicker",
        "action_id": f"amneslag_{index}",
        "placeholder": {"type": "plain_text", "text": cut(field.label, OPTION_MAX)},
    }
    if field.value:
        element["initial_date"] = field.value
    return {"type": "actions", "block_id": carried, "elements": [element]}


def pressed(action: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """The action and values of one of our buttons pressed, or of a day picked in one of our datepickers (the
    submit its block carries, with the day in its field); None when it is not ours."""
    if action.get("type") != "datepicker":
        return parse_button_value(str(action.get("value", "")))
    parsed = parse_button_value(str(action.get("block_id", "")))
    try:
        field = json.loads(str(action.get("block_id", ""))).get("f")
    except (TypeError, ValueError, AttributeError):
        return None
    day = action.get("selected_date")
    if parsed is None or not isinstance(field, str) or not isinstance(day, str):
        return None
    return parsed[0], {**parsed[1], field: day}


def _card(card: CardReply, offset: int) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": cut(card.title, HEADER_MAX)}}
    ]
    fields = [
        {"type": "mrkdwn", "text": cut(f"*{_escape(label)}*\n{_escape(value)}", FIELD_MAX)}
        for label, value in card.facts
    ]
    for start in range(0, len(fields), FIELDS_PER_SECTION):
        blocks.append({"type": "section", "fields": fields[start : start + FIELDS_PER_SECTION]})
    if card.text:
        blocks += _sections(card.text)
    return blocks + _actions(card.buttons, offset)


def message_blocks(replies: list[Reply]) -> list[dict[str, Any]]:
    """All blocks of the replies, in order (maybe more than one message holds: see `messages`)."""
    blocks: list[dict[str, Any]] = []
    offset = 0
    for reply in replies:
        if isinstance(reply, TextReply):
            blocks += _sections(reply.text)
        elif isinstance(reply, ChoicesReply):
            picker = _date_picker(reply, offset + len(reply.buttons))
            buttons = [b for b in reply.buttons if not (picker and b.asks_fields)]
            blocks += _sections(reply.text) + _actions(buttons, offset) + ([picker] if picker else [])
            offset += len(reply.buttons) + 1
        elif isinstance(reply, CardReply):
            blocks += _card(reply, offset)
            offset += len(reply.buttons)
        elif isinstance(reply, FormReply):
            blocks += _sections(f"*{reply.title}*")
    return blocks


def messages(replies: list[Reply]) -> list[dict[str, Any]]:
    """The replies as `chat.postMessage` arguments (`text` and `blocks`), split to fit Slack's limits."""
    blocks = message_blocks(replies)
    text = cut(fallback_text(replies), TEXT_FALLBACK_MAX) or " "
    if not blocks:
        return [{"text": text}]
    return [
        {
            "text": text if start == 0 else cut(fallback_text(replies), 150),
            "blocks": blocks[start : start + MESSAGE_MAX_BLOCKS],
        }
        for start in range(0, len(blocks), MESSAGE_MAX_BLOCKS)
    ]


def _checkboxes(field: FormField) -> list[dict[str, Any]]:
    """Tick boxes as input blocks of at most 10 options each (Slack's limit for one checkboxes element).

    The blocks are `name`, `name~1`, `name~2`, …; `submitted` joins their answers into one, comma-separated.
    """
    wanted = set((field.value or "").split(","))
    blocks = []
    for start in range(0, max(len(field.options), 1), CHECKBOXES_MAX):
        options = [
            {"text": {"type": "plain_text", "text": cut(label, OPTION_MAX)}, "value": value[:OPTION_MAX]}
            for value, label in field.options[start : start + CHECKBOXES_MAX]
        ]
        element: dict[str, Any] = {"type": "checkboxes", "action_id": field.name, "options": options}
        initial = [o for o in options if o["value"] in wanted]
        if initial:
            element["initial_options"] = initial
        part = start // CHECKBOXES_MAX
        blocks.append(
            {
                "type": "input",
                "block_id": field.name if part == 0 else f"{field.name}{CHECKBOXES_PART}{part}",
                "label": {"type": "plain_text", "text": cut(field.label if part == 0 else "…", FIELD_MAX)},
                "optional": True,  # nobody ticked is an answer too
                "element": element,
            }
        )
    return blocks


def modal(form: FormReply) -> dict[str, Any]:
    """A form as a modal view; its submit comes back as a `view_submission` with our metadata."""
    blocks: list[dict[str, Any]] = []
    for field in form.fields:
        element: dict[str, Any]
        if field.kind in ("text", "multiline"):
            element = {"type": "plain_text_input", "action_id": field.name, "multiline": field.kind == "multiline"}
            if field.value:
                element["initial_value"] = field.value
        elif field.kind == "date":
            element = {"type": "datepicker", "action_id": field.name}
            if field.value:
                element["initial_date"] = field.value
        elif field.kind == "time":  # HH:MM both ways; the picker shows the person's own clock format
            element = {"type": "timepicker", "action_id": field.name}
            if field.value:
                element["initial_time"] = field.value
        elif field.kind == "checks":
            blocks += _checkboxes(field)
            continue
        else:
            element = {
                "type": "static_select",
                "action_id": field.name,
                "options": [
                    {"text": {"type": "plain_text", "text": cut(label, OPTION_MAX)}, "value": value[:OPTION_MAX]}
                    for value, label in field.options[:OPTIONS_MAX]
                ],
            }
        blocks.append(
            {
                "type": "input",
                "block_id": field.name,
                "label": {"type": "plain_text", "text": cut(field.label, FIELD_MAX)},
                "optional": not field.required,
                "element": element,
            }
        )
    metadata = button_value(form.submit)
    if len(metadata) > PRIVATE_METADATA_MAX:
        raise ValueError("form metadata too long for Slack")
    title = form.short_title or form.title
    if len(title) > MODAL_TITLE_MAX or title != form.title:  # the full title (the meeting) heads the form
        blocks.insert(0, {"type": "header", "text": {"type": "plain_text", "text": cut(form.title, HEADER_MAX)}})
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": FORM_CALLBACK,
        "private_metadata": metadata,
        "title": {"type": "plain_text", "text": cut(title, MODAL_TITLE_MAX)},
        "submit": {"type": "plain_text", "text": cut(form.submit.label, MODAL_TITLE_MAX)},
        "blocks": blocks[:MODAL_MAX_BLOCKS],
    }
    if form.close:
        view["close"] = {"type": "plain_text", "text": cut(form.close, MODAL_TITLE_MAX)}
    return view


def submitted(view: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """The action and values of a submitted form modal (the fields' answers merged into the values)."""
    parsed = parse_button_value(view.get("private_metadata", ""))
    if parsed is None:
        return None
    action, values = parsed
    answers: dict[str, Any] = {}
    for block_id, elements in (view.get("state", {}).get("values", {}) or {}).items():
        for element in elements.values():
            kind = element.get("type")
            if kind == "plain_text_input":
                answers[block_id] = element.get("value") or ""
            elif kind == "datepicker":
                answers[block_id] = element.get("selected_date") or ""
            elif kind == "timepicker":
                answers[block_id] = element.get("selected_time") or ""
            elif kind == "static_select":
                answers[block_id] = (element.get("selected_option") or {}).get("value", "")
            elif kind == "checkboxes":
                name = block_id.split(CHECKBOXES_PART)[0]
                ticked = [o.get("value", "") for o in element.get("selected_options") or []]
                answers[name] = ",".join(v for v in [answers.get(name, ""), *ticked] if v)
    return action, {**answers, **values}  # our own values win over anything typed or forged
