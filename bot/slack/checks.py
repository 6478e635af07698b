"""What makes a signed request to `/slack/events` something no handler could take (answered 400, not 500).

Slack sends events as JSON, and slash commands and interactions as a form (an interaction's JSON in its
`payload` field). A body that is none of these, or lacks what every handler reads, is refused here, after
its signature has been checked and before slack-bolt sees it.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import parse_qs

from bot.slack.blocks import BUTTON, FORM_CALLBACK

EVENT_TYPES = ("event_callback", "url_verification", "app_rate_limited")
COMMAND_FIELDS = ("command", "user_id", "team_id", "channel_id")
COMMAND = "/amneslag"


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def _interaction(payload: Any) -> str | None:
    if not isinstance(payload, dict) or not isinstance(payload.get("type"), str):
        return "an interaction without a type"
    user = payload.get("user")
    if not isinstance(user, dict) or not isinstance(user.get("id"), str):
        return "an interaction without a user"
    if payload["type"] == "block_actions":
        actions = payload.get("actions")
        if not isinstance(actions, list) or not all(isinstance(action, dict) for action in actions):
            return "block actions without actions"
    if payload["type"] in ("view_submission", "view_closed"):
        view = payload.get("view")
        if not isinstance(view, dict) or not isinstance(view.get("type"), str):
            return "a view without its type"
        if not isinstance(view.get("state", {}), dict):
            return "a view without its state"
        values = view.get("state", {}).get("values", {})
        if not isinstance(values, dict) or not all(isinstance(block, dict) for block in values.values()):
            return "a view's values of the wrong shape"
    return None


def _event(data: dict[str, Any]) -> str | None:
    event = data.get("event")
    if not isinstance(event, dict) or not isinstance(event.get("type"), str):
        return "an event callback without an event"
    if not isinstance(data.get("event_id", ""), str):
        return "an event id that is not a string"
    if event["type"] in ("message", "app_mention") and not event.get("subtype") and not event.get("bot_id"):
        if not isinstance(event.get("user"), str) or not isinstance(event.get("channel"), str):
            return "a message without its user or channel"
        if not isinstance(event.get("text", ""), str):
            return "a message whose text is not text"
    if event["type"] == "app_home_opened" and not isinstance(event.get("user"), str):
        return "an App Home event without its user"
    return None


def malformed(body: bytes, content_type: str) -> str | None:
    """Why `body` is no request Slack sends, or None when it could be one."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return "not UTF-8"
    if content_type == "application/json":
        data = _json(text)
        if not isinstance(data, dict) or data.get("type") not in EVENT_TYPES:
            return "not an event"
        if data["type"] == "event_callback":
            return _event(data)
        return None
    if content_type != "application/x-www-form-urlencoded":
        return f"content type {content_type!r}"
    form = parse_qs(text, keep_blank_values=True)
    if "payload" in form:
        return _interaction(_json(form["payload"][0]))
    missing = [field for field in COMMAND_FIELDS if not (form.get(field) or [""])[0]]
    return f"a command without {', '.join(missing)}" if missing else None


def _digest(body: dict[str, Any]) -> str:
    return hashlib.sha256(repr(sorted(body.items())).encode()).hexdigest()


def inbound_kind(body: dict[str, Any]) -> str | None:
    """What the bot does with a request: "message", "mention", "command", "button", "form", or None (nothing).

    These are the requests that become dialog turns: a direct message, a mention, the `/amneslag`
    command, a press of one of our buttons and the submission of one of our modals.
    """
    kind = body.get("type")
    if kind == "event_callback":
        event = body.get("event") if isinstance(body.get("event"), dict) else {}
        assert isinstance(event, dict)
        direct = event.get("type") == "message" and event.get("channel_type") == "im"
        if direct and not event.get("subtype") and not event.get("bot_id"):
            return "message"
        return "mention" if event.get("type") == "app_mention" else None
    if body.get("command") == COMMAND:
        return "command"
    if kind == "block_actions":
        return "button" if our_button(body) is not None else None
    if kind == "view_submission":
        view = body.get("view") if isinstance(body.get("view"), dict) else {}
        assert isinstance(view, dict)
        return "form" if view.get("callback_id") == FORM_CALLBACK else None
    return None


def our_button(body: dict[str, Any]) -> dict[str, Any] | None:
    """The first of our buttons (or datepickers, see `blocks.pressed`) among a block action's actions."""
    actions = body.get("actions") if isinstance(body.get("actions"), list) else []
    assert isinstance(actions, list)
    return next((a for a in actions if isinstance(a, dict) and BUTTON.match(str(a.get("action_id")))), None)


def inbox_key(body: dict[str, Any]) -> str | None:
    """The id under which a request is stored in the inbox (what Slack keeps across its retries: the event
    id; for interactions, the trigger id), or None for a request the bot does not act on."""
    kind = inbound_kind(body)
    event = body.get("event") or {}
    if kind in ("message", "mention"):
        return str(body.get("event_id") or f"{kind}:{event.get('channel')}:{event.get('ts')}")
    if kind == "command":
        return f"cmd:{body.get('trigger_id') or _digest(body)}"
    if kind == "button":
        return f"action:{body.get('trigger_id') or (our_button(body) or {}).get('action_ts')}"
    if kind == "form":  # what was typed too: a modal kept open with errors is sent again with the same view hash
        view = body["view"]
        return f"view:{view.get('id')}:{view.get('hash')}:{_digest((view.get('state') or {}).get('values') or {})}"
    return None
