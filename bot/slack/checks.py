"""What makes a signed request to `/slack/events` something no handler could take (answered 400, not 500).

Slack sends events as JSON, and slash commands and interactions as a form (an interaction's JSON in its
`payload` field). A body that is none of these, or lacks what every handler reads, is refused here, after
its signature has been checked and before slack-bolt sees it.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

EVENT_TYPES = ("event_callback", "url_verification", "app_rate_limited")
COMMAND_FIELDS = ("command", "user_id", "team_id", "channel_id")


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
    if payload["type"] == "block_actions" and not isinstance(payload.get("actions"), list):
        return "block actions without actions"
    if payload["type"] in ("view_submission", "view_closed"):
        view = payload.get("view")
        if not isinstance(view, dict) or not isinstance(view.get("state", {}), dict):
            return "a view without its state"
        values = view.get("state", {}).get("values", {})
        if not isinstance(values, dict) or not all(isinstance(block, dict) for block in values.values()):
            return "a view's values of the wrong shape"
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
            event = data.get("event")
            if not isinstance(event, dict) or not isinstance(event.get("type"), str):
                return "an event callback without an event"
        return None
    if content_type != "application/x-www-form-urlencoded":
        return f"content type {content_type!r}"
    form = parse_qs(text, keep_blank_values=True)
    if "payload" in form:
        return _interaction(_json(form["payload"][0]))
    missing = [field for field in COMMAND_FIELDS if not (form.get(field) or [""])[0]]
    return f"a command without {', '.join(missing)}" if missing else None
