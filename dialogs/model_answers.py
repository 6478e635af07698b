"""Turns that take the language model's results: a confirmation of its interpretation, an answer to
the coordinator's question, and the coordinator's digest of notes (see `dialogs.language_model`).

Each works without a model too: the interpretation is then never offered, a question gets the closest
status view, and the digest is a list of the period's notes.
"""

from __future__ import annotations

import datetime as dtm

from dialogs import access, nlu
from dialogs.access import is_coordinator
from dialogs.coordinator import overview, team_status
from dialogs.engine import Router, Turn, Values, intent_button
from dialogs.language_model import ModelRequest, looks_like_question
from dialogs.meanings import meaning as _meaning
from dialogs.meanings import slot_text as _slot_text
from dialogs.names import Act, Intent
from dialogs.roles import help_
from dialogs.types import Button, CardReply, ChoicesReply, Reply, TextReply
from storage.queries import distributed_notes_since

DIGEST_DAYS = 90  # a digest without a date covers this many days back
DIGEST_CHARACTERS = 12_000  # at most this much of the notes goes to the model


router = Router()


@router.action(Act.ASSIST_CONFIRM, guard=access.anyone)
def confirm(turn: Turn, values: Values, _: None) -> list[Reply]:
    """The model's interpretation, for the person to confirm: nothing happens until they press yes."""
    tr = turn.tr
    intent = values.get("intent")
    given = values.get("slots")
    slots = {k: str(v) for k, v in given.items() if k in nlu.SLOTS} if isinstance(given, dict) else {}
    if intent not in tuple(Intent) or intent in (Intent.UNKNOWN, Intent.CANCEL):
        return [TextReply(text=tr._("Sorry, I didn't understand that.")), *help_(turn, {})]
    detail = _slot_text(tr, slots)
    question = (
        tr._("Did you mean: {what} ({detail})?", what=_meaning(tr, turn.words, intent), detail=detail)
        if detail
        else tr._("Did you mean: {what}?", what=_meaning(tr, turn.words, intent))
    )
    return [
        ChoicesReply(
            text=question,
            buttons=[
                Button(label=tr._("Yes"), action=Act.INTENT, values={"intent": intent, **slots}, style="primary"),
                intent_button(tr._("No, show the menu"), Intent.HELP),
            ],
        )
    ]


@router.fallback
def question(turn: Turn, text: str, parsed: nlu.Parsed) -> list[Reply] | None:
    """A coordinator's free question: the model may answer it; without one, the closest status view."""
    if not is_coordinator(turn) or not looks_like_question(text):
        return None
    turn.model_request = ModelRequest("question", text, then=Act.ASSIST_ANSWER)
    team = turn.team_named(nlu.find_team(nlu.clean(text), [t.name for t in turn.teams()]))  # unknown has no slots
    lead = TextReply(text=turn.tr._("I can't answer that question myself. This is the closest view of the status:"))
    return [lead, *(team_status(turn, team) if team else overview(turn))]


@router.action(Act.ASSIST_ANSWER, guard=access.coordinator("assist.answer"))
def answer(turn: Turn, values: Values, _: None) -> list[Reply]:
    tr = turn.tr
    used = [str(u) for u in values.get("used", []) if isinstance(u, str)]
    return [
        CardReply(
            title=tr._("Answer (language model, from the status data)"),
            text=str(values.get("result", "")),
            facts=[(tr._("Based on"), ", ".join(used))] if used else [],
            buttons=[intent_button(tr._("Status"), Intent.STATUS)],
        )
    ]


@router.intent(Intent.NOTES_DIGEST, guard=access.coordinator("notes_digest"))
def digest(turn: Turn, slots: Values, _: None) -> list[Reply]:
    tr = turn.tr
    since = dtm.date.fromisoformat(slots["date"]) if "date" in slots else turn.today - dtm.timedelta(DIGEST_DAYS)
    start = dtm.datetime.combine(since, dtm.time(0), tr.zone)
    rows = distributed_notes_since(turn.session, turn.region, start)
    if not rows:
        return [TextReply(text=tr._("No notes have been distributed since {date}.", date=tr.date(start)))]
    text = "\n\n".join(f"## {team.name}, {tr.date(meeting.starts_at)}\n{note.body}" for meeting, note, team in rows)
    turn.model_request = ModelRequest(
        "digest", text[:DIGEST_CHARACTERS], then=Act.NOTES_DIGEST, values={"since": since.isoformat()}
    )
    return [
        CardReply(
            title=tr._("Notes distributed since {date}", date=tr.date(start)),
            facts=[
                (f"{team.name}, {tr.date(meeting.starts_at)}", _first_line(note.body)) for meeting, note, team in rows
            ],
        )
    ]


@router.action(Act.NOTES_DIGEST, guard=access.coordinator("notes.digest"))
def digest_shown(turn: Turn, values: Values, _: None) -> list[Reply]:
    tr = turn.tr
    try:
        since = dtm.date.fromisoformat(str(values.get("since")))
    except ValueError:
        since = turn.today
    start = dtm.datetime.combine(since, dtm.time(0), tr.zone)
    return [
        CardReply(
            title=tr._("Digest of the notes since {date} (language model)", date=tr.date(start)),
            text=str(values.get("result", "")),
        )
    ]


def _first_line(body: str, limit: int = 120) -> str:
    line = body.strip().splitlines()[0] if body.strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"
