"""The notes of a meeting: the leader writes them (a form, or typed messages), they are saved as a draft at
once, previewed, optionally summarised by the language model, and sent once to the members and the
coordinator."""

from __future__ import annotations

import hashlib

from dialogs import access, nlu
from dialogs.access import MeetingOf
from dialogs.engine import Answered, Router, Turn, Values
from dialogs.i18n import Translator
from dialogs.language_model import SUMMARY_CHARACTERS, ModelRequest
from dialogs.meetings import choose_led, coordinators
from dialogs.names import Act, Intent
from dialogs.notify import notify
from dialogs.types import Button, CardReply, ChoicesReply, FormField, FormReply, Reply, TextReply
from domain import meetings as meeting_rules
from storage.models import Meeting, Team

router = Router()

# Notes ---------------------------------------------------------------------------------------


def _only_leaders(turn: Turn) -> str:
    return turn.tr._("Only team leaders log notes, and you don't lead a subject team this school year or the next.")


@router.intent(Intent.LOG_NOTES, guard=access.leader("notes.log", refusal=_only_leaders))
def notes_intent(turn: Turn, slots: Values, _: object) -> list[Reply]:
    return choose_led(turn, slots, turn.tr._("Which meeting are the notes from?"), notes_start, upcoming=False)


def _notes_form(turn: Turn, meeting: Meeting, team: Team, body: str | None = None) -> list[Reply]:
    tr = turn.tr
    assert meeting.id is not None
    note = meeting_rules.note_of(turn.session, meeting.id)
    turn.wait("notes.body", meeting_id=meeting.id)
    return [
        FormReply(
            missing=tr._("Please fill this in."),
            title=tr._("Notes from {team}, {date}", team=team.name, date=tr.date(meeting.starts_at)),
            fields=[
                FormField(
                    name="body",
                    label=tr._("Notes"),
                    kind="multiline",
                    value=body if body is not None else note.body if note else None,
                ),
                FormField(
                    name="link", label=tr._("Link (optional)"), required=False, value=note.link if note else None
                ),
            ],
            submit=Button(label=tr._("Preview"), action=Act.NOTES_SUBMIT, values={"meeting_id": meeting.id}),
        ),
        TextReply(
            text=tr._(
                "Write the notes as one message (at most {limit} characters). "
                "You see a preview before anything is sent.",
                limit=f"{meeting_rules.NOTES_MAX_CHARACTERS:,}".replace(",", " "),
            )
        ),
    ]


LEADS = access.leads_meeting("notes.log")


def _open_notes(turn: Turn, found: MeetingOf) -> tuple[Meeting, Team]:
    """The meeting and team, if its notes can be logged: it has started and its notes are not yet sent."""
    meeting = found.meeting
    if meeting.starts_at > turn.now:
        raise Answered(TextReply(text=turn.tr._("Notes can be logged once the meeting has started.")))
    if meeting.notes_distributed_at is not None:
        raise Answered(
            TextReply(
                text=turn.tr._(
                    "The notes of this meeting were distributed {date}; they are not sent twice.",
                    date=turn.tr.date(meeting.notes_distributed_at),
                )
            )
        )
    return meeting, found.team


def _notes_meeting(turn: Turn, values: Values) -> tuple[Meeting, Team]:
    return _open_notes(turn, LEADS.check(turn, values))


@router.action(Act.NOTES_START, guard=LEADS)
def notes_start(turn: Turn, values: Values, led: MeetingOf) -> list[Reply]:
    found = _open_notes(turn, led)
    return _notes_form(turn, *found)


def _save_body(turn: Turn, meeting: Meeting, team: Team, body: str, link: str | None, ask_link: bool) -> list[Reply]:
    tr = turn.tr
    body = body.strip()
    if not body:
        turn.wait("notes.body", meeting_id=meeting.id)
        return [TextReply(text=tr._("The notes are empty. Write the notes as one message."))]
    if len(body) > meeting_rules.NOTES_MAX_CHARACTERS:
        turn.wait("notes.body", meeting_id=meeting.id)
        return [
            TextReply(
                text=tr._(
                    "The notes are {length} characters; at most {limit} fit in a chat message. Shorten them, "
                    "or put the full text in a shared document and send a summary with its link.",
                    length=len(body),
                    limit=meeting_rules.NOTES_MAX_CHARACTERS,
                )
            )
        ]
    if (
        link is not None
        and link
        and (not meeting_rules.is_web_link(link) or len(link) > meeting_rules.LINK_MAX_CHARACTERS)
    ):
        meeting_rules.save_notes(turn.session, meeting=meeting, body=body, link=None, actor=turn.person, now=turn.now)
        turn.wait("notes.link", meeting_id=meeting.id)
        return [
            TextReply(
                text=tr._(
                    "A link must be a web address starting with https:// or http://. "
                    'Write it again, or write "no link".'
                )
            )
        ]
    meeting_rules.save_notes(
        turn.session, meeting=meeting, body=body, link=link or None, actor=turn.person, now=turn.now
    )
    if ask_link:
        turn.wait("notes.link", meeting_id=meeting.id)
        return [
            ChoicesReply(
                text=tr._("Saved as a draft. Add a link to a document? Write the link, or choose:"),
                buttons=[Button(label=tr._("No link"), action=Act.NOTES_PREVIEW, values={"meeting_id": meeting.id})],
            )
        ]
    return notes_preview(turn, {"meeting_id": meeting.id})


@router.step("notes.body", free_text=True)
def notes_body(turn: Turn, text: str) -> list[Reply] | None:
    found = _notes_meeting(turn, turn.waiting_data)
    return _save_body(turn, *found, body=text, link=None, ask_link=True)


@router.action(Act.NOTES_SUBMIT, guard=LEADS)
def notes_submit(turn: Turn, values: Values, led: MeetingOf) -> list[Reply]:
    found = _open_notes(turn, led)
    link = str(values.get("link") or "").strip()
    return _save_body(turn, *found, body=str(values.get("body") or ""), link=link, ask_link=False)


@router.step("notes.link", free_text=True)
def notes_link(turn: Turn, text: str) -> list[Reply] | None:
    if turn.is_request and not meeting_rules.is_web_link(text.strip()):
        return None
    found = _notes_meeting(turn, turn.waiting_data)
    meeting, team = found
    assert meeting.id is not None
    note = meeting_rules.note_of(turn.session, meeting.id)
    if note is None:
        return _notes_form(turn, meeting, team)
    link = text.strip()
    if nlu.clean(link) in ("ingen lank", "ingen", "nej", "no link", "no", "none"):
        link = ""
    return _save_body(turn, meeting, team, body=note.body, link=link, ask_link=False)


def _revision(body: str, link: str | None) -> str:
    return hashlib.sha256(f"{body}\x00{link or ''}".encode()).hexdigest()[:16]


@router.action(Act.NOTES_PREVIEW, guard=LEADS)
def notes_preview(turn: Turn, values: Values, led: MeetingOf) -> list[Reply]:
    tr = turn.tr
    found = _open_notes(turn, led)
    meeting, team = found
    assert meeting.id is not None
    note = meeting_rules.note_of(turn.session, meeting.id)
    if note is None:
        return _notes_form(turn, meeting, team)
    members = meeting_rules.team_members(turn.session, team.id or 0, meeting.school_year_id)
    ref = {"meeting_id": meeting.id, "revision": _revision(note.body, note.link)}
    return [
        CardReply(
            title=tr._("Preview: notes from {team}, {date}", team=team.name, date=tr.date(meeting.starts_at)),
            facts=[
                *([(tr._("Link"), note.link)] if note.link else []),
                (
                    tr._("To"),
                    tr.n_("{count} member and the coordinator", "{count} members and the coordinator", len(members)),
                ),
            ],
            text=note.body,
            buttons=[
                Button(label=tr._("Send the notes"), action=Act.NOTES_DISTRIBUTE, values=ref, style="primary"),
                Button(label=tr._("Edit"), action=Act.NOTES_START, values={"meeting_id": meeting.id}),
                *(
                    [Button(label=tr._("Suggest a summary"), action=Act.NOTES_SUMMARISE, values=ref)]
                    if turn.assistant_on and len(note.body) > SUMMARY_CHARACTERS
                    else []
                ),
            ],
        )
    ]


@router.action(Act.NOTES_SUMMARISE, guard=LEADS)
def notes_summarise(turn: Turn, values: Values, led: MeetingOf) -> list[Reply]:
    """Ask the language model for a shorter draft; until it answers (or if it cannot), the preview stands."""
    found = _open_notes(turn, led)
    meeting, _ = found
    note = meeting_rules.note_of(turn.session, meeting.id or 0)
    if note is None:
        return notes_preview(turn, values)
    turn.model_request = ModelRequest("summarise", note.body, then=Act.NOTES_SUMMARY, values={"meeting_id": meeting.id})
    return [
        TextReply(text=turn.tr._("The language model could not make a summary just now; your notes are unchanged.")),
        *notes_preview(turn, values),
    ]


@router.action(Act.NOTES_SUMMARY, guard=LEADS)
def notes_summary(turn: Turn, values: Values, led: MeetingOf) -> list[Reply]:
    """The model's summary as a draft: the leader accepts it, edits it, or keeps the original."""
    tr = turn.tr
    found = _open_notes(turn, led)
    meeting, _ = found
    summary = str(values.get("result", "")).strip()[: meeting_rules.NOTES_MAX_CHARACTERS]
    if not summary:
        return notes_preview(turn, values)
    turn.wait("notes.summary_offered", meeting_id=meeting.id, summary=summary)
    ref = {"meeting_id": meeting.id}
    return [
        CardReply(
            title=tr._("Suggested summary (language model)"),
            text=summary,
            buttons=[
                Button(label=tr._("Use the summary"), action=Act.NOTES_USE_SUMMARY, values=ref, style="primary"),
                Button(label=tr._("Edit the summary"), action=Act.NOTES_EDIT_SUMMARY, values=ref),
                Button(label=tr._("Keep my notes"), action=Act.NOTES_PREVIEW, values=ref),
            ],
        )
    ]


def _offered_summary(turn: Turn, values: Values, led: MeetingOf) -> tuple[Meeting, Team, str]:
    found = _open_notes(turn, led)
    summary = turn.waiting_data.get("summary")
    if not isinstance(summary, str) or turn.waiting_data.get("meeting_id") != found[0].id:
        raise Answered(
            TextReply(text=turn.tr._("That suggestion has expired. Here are your notes:")),
            *notes_preview(turn, values),
        )
    return (*found, summary)


@router.action(Act.NOTES_USE_SUMMARY, guard=LEADS)
def notes_use_summary(turn: Turn, values: Values, led: MeetingOf) -> list[Reply]:
    found = _offered_summary(turn, values, led)
    meeting, team, summary = found
    note = meeting_rules.note_of(turn.session, meeting.id or 0)
    return _save_body(turn, meeting, team, body=summary, link=note.link if note else None, ask_link=False)


@router.action(Act.NOTES_EDIT_SUMMARY, guard=LEADS)
def notes_edit_summary(turn: Turn, values: Values, led: MeetingOf) -> list[Reply]:
    found = _offered_summary(turn, values, led)
    return _notes_form(turn, *found)


@router.action(Act.NOTES_DISTRIBUTE, guard=LEADS)
def notes_distribute(turn: Turn, values: Values, led: MeetingOf) -> list[Reply]:
    tr = turn.tr
    found = _open_notes(turn, led)
    meeting, team = found
    assert meeting.id is not None
    note = meeting_rules.note_of(turn.session, meeting.id)
    if note is None:
        return _notes_form(turn, meeting, team)
    if values.get("revision") != _revision(note.body, note.link):
        return [
            TextReply(text=tr._("The notes have changed since that preview. Here is the latest version:")),
            *notes_preview(turn, {"meeting_id": meeting.id}),
        ]
    meeting_rules.mark_notes_distributed(turn.session, meeting=meeting, actor=turn.person, now=turn.now)
    members = meeting_rules.team_members(turn.session, team.id or 0, meeting.school_year_id)
    recipients = [*members, *coordinators(turn)]
    body, link = note.body, note.link

    def build(t: Translator) -> list[Reply]:
        return [
            CardReply(
                title=t._("Notes from {team}, {date}", team=team.name, date=t.date(meeting.starts_at)),
                facts=[(t._("Link"), link)] if link else [],
                text=body,
            )
        ]

    sent = notify(
        turn.session, origin=turn.person, recipients=recipients, region=turn.region, kind="notes", build=build
    )
    return [
        TextReply(
            text=tr.n_(
                "Sent: the notes went to {count} person (the members and the coordinator).",
                "Sent: the notes went to {count} people (the members and the coordinator).",
                len(sent),
            )
        )
    ]
