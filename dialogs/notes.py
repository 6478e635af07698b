"""The notes of a meeting: the leader writes them (a form, or typed messages), they are saved as a draft at
once, previewed, optionally summarised by the language model, and sent once to the members and the
coordinator."""

from __future__ import annotations

import hashlib

from dialogs import access, nlu
from dialogs.access import MeetingOf
from dialogs.engine import Answered, Router, Turn, Values
from dialogs.forms import Draft, Form, Invalid, Question, Slot
from dialogs.i18n import Translator
from dialogs.language_model import SUMMARY_CHARACTERS, ModelRequest
from dialogs.meetings import choose_led, coordinators
from dialogs.names import Act, Intent
from dialogs.notify import not_reached, notify, reached
from dialogs.types import Button, CardReply, FormField, Reply, TextReply
from domain import meetings as meeting_rules
from storage.models import Meeting, Team

router = Router()

# Notes ---------------------------------------------------------------------------------------


def _only_leaders(turn: Turn) -> str:
    return turn.tr._(
        "Only {leader}s log notes, and you lead {no_group} this school year or the next.",
        leader=turn.words.leader,
        no_group=turn.words.no_group,
    )


@router.intent(Intent.LOG_NOTES, guard=access.leader("notes.log", refusal=_only_leaders))
def notes_intent(turn: Turn, slots: Values, _: object) -> list[Reply]:
    return choose_led(turn, slots, turn.tr._("Which meeting are the notes from?"), notes_start, upcoming=False)


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


def _body_question(turn: Turn, draft: Draft, body: str | None = None) -> Question:
    """The notes as a form (body and an optional link), or typed as one message."""
    tr = turn.tr
    meeting, team = _notes_meeting(turn, draft)
    assert meeting.id is not None
    note = meeting_rules.note_of(turn.session, meeting.id)
    return Question(
        tr._(
            "Write the notes as one message (at most {limit} characters). You see a preview before anything is sent.",
            limit=f"{meeting_rules.NOTES_MAX_CHARACTERS:,}".replace(",", " "),
        ),
        fields=[
            FormField(
                name="body",
                label=tr._("Notes"),
                kind="multiline",
                value=body if body is not None else note.body if note else None,
            ),
            FormField(name="link", label=tr._("Link (optional)"), required=False, value=note.link if note else None),
        ],
        title=tr._("Notes from {team}, {date}", team=team.name, date=tr.date(meeting.starts_at)),
        submit=tr._("Preview"),
        short_title=tr._("Notes"),
    )


def _body_problem(turn: Turn, body: str) -> str | None:
    if not body:
        return turn.tr._("The notes are empty. Write the notes as one message.")
    if len(body) > meeting_rules.NOTES_MAX_CHARACTERS:
        return turn.tr._(
            "The notes are {length} characters; at most {limit} fit in a chat message. Shorten them, "
            "or put the full text in a shared document and send a summary with its link.",
            length=len(body),
            limit=meeting_rules.NOTES_MAX_CHARACTERS,
        )
    return None


def _bad_link(link: str) -> bool:
    return not meeting_rules.is_web_link(link) or len(link) > meeting_rules.LINK_MAX_CHARACTERS


def _link_problem(turn: Turn) -> str:
    return turn.tr._(
        'A link must be a web address starting with https:// or http://. Write it again, or write "no link".'
    )


def _save(turn: Turn, draft: Draft, body: str, link: str | None) -> None:
    """The notes are saved as a draft at once, so nothing typed is lost before they are sent."""
    meeting, _ = _notes_meeting(turn, draft)
    meeting_rules.save_notes(turn.session, meeting=meeting, body=body, link=link, actor=turn.person, now=turn.now)


def _parse_body(turn: Turn, text: str, draft: Draft) -> Draft | Invalid | None:
    body = text.strip()
    problem = _body_problem(turn, body)
    if problem is not None:
        return Invalid(problem)
    _save(turn, draft, body, None)
    return {"typed": "1"}  # typed as a message: the link is asked next


def _accept_form(turn: Turn, values: Values, draft: Draft) -> tuple[Draft, str | None]:
    body, link = str(values.get("body") or "").strip(), str(values.get("link") or "").strip()
    problem = _body_problem(turn, body)
    if problem is not None:
        return {}, problem
    if link and _bad_link(link):
        _save(turn, draft, body, None)
        return {"typed": "1"}, _link_problem(turn)
    _save(turn, draft, body, link or None)
    return {}, None


def _form_problems(turn: Turn, values: Values, draft: Draft) -> dict[str, str]:
    """The form's fields that cannot be taken: the notes (empty, too long) and the link (not a web address)."""
    problems: dict[str, str] = {}
    body, link = str(values.get("body") or "").strip(), str(values.get("link") or "").strip()
    problem = _body_problem(turn, body)
    if problem is not None:
        problems["body"] = problem
    if link and _bad_link(link):
        problems["link"] = turn.tr._("A link must be a web address starting with https:// or http://.")
    return problems


def _ask_link(turn: Turn, draft: Draft) -> Question:
    tr = turn.tr
    return Question(
        tr._("Saved as a draft. Add a link to a document? Write the link, or choose:"),
        [(tr._("No link"), {"link_done": "1"})],
    )


def _parse_link(turn: Turn, text: str, draft: Draft) -> Draft | Invalid | None:
    link = text.strip()
    if turn.is_request and not meeting_rules.is_web_link(link):
        return None
    meeting, _ = _notes_meeting(turn, draft)
    note = meeting_rules.note_of(turn.session, meeting.id or 0)
    if note is None:
        return {}  # the draft is gone: the form asks for the notes again
    if nlu.clean(link) in ("ingen lank", "ingen", "nej", "no link", "no", "none"):
        link = ""
    if link and _bad_link(link):
        return Invalid(_link_problem(turn))
    _save(turn, draft, note.body, link or None)
    return {"link_done": "1"}


def _stored(turn: Turn, draft: Draft) -> Draft:
    """The saved draft of the notes, which counts as answered (the body is too long to travel in a button)."""
    meeting, _ = _notes_meeting(turn, draft)
    note = meeting_rules.note_of(turn.session, meeting.id or 0)
    return {"body": note.body} if note is not None else {}


def _start(turn: Turn, draft: Draft) -> Draft:
    _notes_meeting(turn, draft)  # the meeting is still open for notes
    return draft


def _revision(body: str, link: str | None) -> str:
    return hashlib.sha256(f"{body}\x00{link or ''}".encode()).hexdigest()[:16]


def _preview(turn: Turn, draft: Draft) -> list[Reply]:
    tr = turn.tr
    meeting, team = _notes_meeting(turn, draft)
    assert meeting.id is not None
    note = meeting_rules.note_of(turn.session, meeting.id)
    assert note is not None  # the form asks for the notes until there is a draft
    members = meeting_rules.team_members(turn.session, team.id or 0, meeting.school_year_id)
    ref = {"meeting_id": meeting.id, "revision": _revision(note.body, note.link)}
    return [
        CardReply(
            title=tr._("Preview: notes from {team}, {date}", team=team.name, date=tr.date(meeting.starts_at)),
            facts=[
                *([(tr._("Link"), note.link)] if note.link else []),
                (
                    tr._("To"),
                    tr.n_("{count} member and the coordinator", "{count} members and the coordinator", len(members))
                    if coordinators(turn)
                    else tr.n_("{count} member", "{count} members", len(members)),
                ),
            ],
            text=note.body,
            buttons=[
                NOTES_FORM.save_button(tr._("Send the notes"), ref),
                Button(label=tr._("Edit"), action=Act.NOTES_START, values={"meeting_id": meeting.id}),
                *(
                    [Button(label=tr._("Suggest a summary"), action=Act.NOTES_SUMMARISE, values=ref)]
                    if turn.assistant_on and len(note.body) > SUMMARY_CHARACTERS
                    else []
                ),
            ],
        )
    ]


@router.action(Act.NOTES_START, guard=LEADS)
def notes_start(turn: Turn, values: Values, led: MeetingOf) -> list[Reply]:
    """The notes form, filled with the draft so far (to write or edit them)."""
    _open_notes(turn, led)
    return NOTES_FORM.ask(turn, "body", {"meeting_id": led.meeting.id})


@router.action(Act.NOTES_PREVIEW, guard=LEADS)
def notes_preview(turn: Turn, values: Values, led: MeetingOf) -> list[Reply]:
    _open_notes(turn, led)
    return NOTES_FORM.go_on(turn, {"meeting_id": led.meeting.id})


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
    problem = _body_problem(turn, summary)
    if problem is not None:
        return NOTES_FORM.ask(turn, "body", {"meeting_id": meeting.id}, _body_question(turn, values, summary))
    _save(turn, {"meeting_id": meeting.id}, summary, note.link if note else None)
    return NOTES_FORM.go_on(turn, {"meeting_id": meeting.id})


@router.action(Act.NOTES_EDIT_SUMMARY, guard=LEADS)
def notes_edit_summary(turn: Turn, values: Values, led: MeetingOf) -> list[Reply]:
    meeting, _, summary = _offered_summary(turn, values, led)
    return NOTES_FORM.ask(turn, "body", {"meeting_id": meeting.id}, _body_question(turn, values, summary))


def _distribute(turn: Turn, draft: Draft) -> list[Reply]:
    """Send the notes once, to the members and the coordinator, as the preview showed them."""
    tr = turn.tr
    meeting, team = _notes_meeting(turn, draft)
    assert meeting.id is not None
    note = meeting_rules.note_of(turn.session, meeting.id)
    assert note is not None  # the form asks for the notes until there is a draft
    if draft.get("revision") != _revision(note.body, note.link):
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
    told = reached(sent, turn.reach)  # the log reaches nobody
    missed = not_reached(tr, turn.session, sent, turn.reach)
    if not coordinators(turn):  # a region without a coordinator (Sjuhärad): the members alone
        text = tr.n_(
            "Sent: the notes went to {count} person (the members).",
            "Sent: the notes went to {count} people (the members).",
            told,
        )
    else:
        text = tr.n_(
            "Sent: the notes went to {count} person (the members and the coordinator).",
            "Sent: the notes went to {count} people (the members and the coordinator).",
            told,
        )
    return [TextReply(text=" ".join(filter(None, [text, missed])))]


NOTES_FORM = Form(
    name="notes",
    guard=LEADS,
    set_action=Act.NOTES_SUBMIT,
    save_action=Act.NOTES_DISTRIBUTE,
    slots=[
        Slot(
            "body",
            ("body",),
            _body_question,
            _parse_body,
            free_text=True,
            accept=_accept_form,
            submitted=("body", "link"),
            problems=_form_problems,
        ),
        Slot("link", ("link_done",), _ask_link, _parse_link, needed=lambda _, d: "typed" in d, free_text=True),
    ],
    keys=("meeting_id", "typed", "link_done", "revision"),
    load=_stored,
    start=_start,
    check=lambda turn, draft: None,
    preview=_preview,
    save=_distribute,
)
NOTES_FORM.register(router)
