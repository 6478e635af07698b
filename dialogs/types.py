"""The neutral types of a conversation: what comes in from any channel, and the replies that go out.

Channel adapters build an `Incoming` and render `Reply` objects (Block Kit, Adaptive Cards, plain
text); the dialogs never see a platform SDK. Replies are pydantic models, so they travel through the
outbox as JSON and come back unchanged.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, TypeAdapter


class Incoming(BaseModel):
    """One thing a person did: wrote `text`, or pressed a button / submitted a form (`action`, `values`).

    `person_id` is None when the channel could not tie the sender to a person in the roster.
    """

    person_id: int | None
    channel: str
    conversation_id: str
    text: str | None = None
    action: str | None = None
    values: dict[str, Any] = Field(default_factory=dict)
    inbound_id: str | None = None


class Button(BaseModel):
    """A button: pressing it sends `action` with `values` back as an `Incoming`."""

    label: str
    action: str
    values: dict[str, Any] = Field(default_factory=dict)
    style: Literal["default", "primary", "danger"] = "default"
    asks_fields: bool = False  # asks, in a form of its own, what its reply's fields ask: left out beside them


class FormField(BaseModel):
    """One input of a form. `checks` is a set of tick boxes (one per option); its `value`, and the answer
    that comes back, are the ticked options' values separated by commas ("" when none is ticked)."""

    name: str
    label: str
    kind: Literal["text", "multiline", "date", "time", "select", "checks"] = "text"  # date: YYYY-MM-DD, time: HH:MM
    options: list[tuple[str, str]] = Field(default_factory=list)  # (value, label)
    required: bool = True
    value: str | None = None


def ticked(answer: Any) -> list[str] | None:
    """The values ticked in a `checks` field's answer, or None when there is no answer at all."""
    if isinstance(answer, list):
        return [str(v) for v in answer if str(v).strip()]
    if not isinstance(answer, str):
        return None
    return [v.strip() for v in answer.split(",") if v.strip()]


class TextReply(BaseModel):
    type: Literal["text"] = "text"
    text: str


class ChoicesReply(BaseModel):
    """A question with buttons; the console numbers them, and a typed number or label also works.

    `fields` (with `submit`) are inputs that answer the question too, where a channel shows inputs beside
    the buttons (a date or time picker under the suggested days); elsewhere the text says what to write.
    Unlike a `FormReply` they are never a form of their own (no Slack modal). A button that `asks_fields`
    ("Another date…") asks them in a form: a channel that shows the fields beside the buttons leaves it out.
    """

    type: Literal["choices"] = "choices"
    text: str
    buttons: list[Button]
    fields: list[FormField] = Field(default_factory=list)
    submit: Button | None = None
    missing: str = ""


class CardReply(BaseModel):
    """A card: a title, facts as label/value pairs, free text, and buttons."""

    type: Literal["card"] = "card"
    title: str
    facts: list[tuple[str, str]] = Field(default_factory=list)
    text: str | None = None
    buttons: list[Button] = Field(default_factory=list)


class FormReply(BaseModel):
    """A form: fields to fill in and the button that sends them; `missing` is said of an empty required field.

    `short_title` is the title where a channel allows only a few characters (a Slack modal's 24); the full
    `title` (naming the meeting) is then shown in the form itself. `close` labels the button that closes the
    form without sending it (Slack would say "Cancel" in English).

    The replies that follow a form in a turn are its typed alternative, for channels without forms (the
    console): a channel that shows the form leaves them out.
    """

    type: Literal["form"] = "form"
    title: str
    fields: list[FormField]
    submit: Button
    missing: str = ""
    short_title: str = ""
    close: str = ""


class FileReply(BaseModel):
    """A file for the person: the year report's HTML page, say. `content` is the file's text (UTF-8), so it
    travels through the outbox's JSON as the calendar invites do.

    The console saves it and says where; Slack uploads it into the conversation (`files_upload_v2`); Teams
    offers it with a file consent card and puts it in the person's OneDrive when they accept. The channels
    take it out of the replies as an attachment of the message (`attachments_of`).
    """

    type: Literal["file"] = "file"
    filename: str
    media_type: str
    description: str
    content: str

    def attachment(self) -> dict[str, Any]:
        """The file as an outbox attachment (the shape of `dialogs.invite.attachment`)."""
        return {
            "filename": self.filename,
            "description": self.description,
            "media_type": self.media_type,
            "content": self.content,
        }


Reply = Annotated[TextReply | ChoicesReply | CardReply | FormReply | FileReply, Field(discriminator="type")]
_REPLIES = TypeAdapter(list[Reply])


def dump_replies(replies: list[Reply]) -> list[dict[str, Any]]:
    """Replies as JSON-ready data (for the outbox)."""
    dumped: list[dict[str, Any]] = _REPLIES.dump_python(replies, mode="json")
    return dumped


def load_replies(data: list[dict[str, Any]]) -> list[Reply]:
    return _REPLIES.validate_python(data)


def attachments_of(replies: list[Reply]) -> tuple[list[Reply], list[dict[str, Any]]]:
    """The replies without their files, and the files as outbox attachments (for Slack's and Teams' senders)."""
    files = [r.attachment() for r in replies if isinstance(r, FileReply)]
    return [r for r in replies if not isinstance(r, FileReply)], files


def buttons_of(replies: list[Reply]) -> list[Button]:
    """Every button of the replies, in the order a person sees them."""
    found: list[Button] = []
    for reply in replies:
        if isinstance(reply, ChoicesReply | CardReply):
            found.extend(reply.buttons)
    return found
