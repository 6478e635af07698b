"""Agenda items: a member suggests something for their group's next meeting ("ta upp … på nästa träff"), and
the coordinator puts a question on every team's next meeting ("bidrar med frågor till deras dagordning", 000).
The leader finds the waiting items in the notice's preview, and the notice carries them (`domain.agenda`).
"""

from __future__ import annotations

import re

from dialogs import access
from dialogs.common import short
from dialogs.engine import Answered, Guard, Refused, Router, Turn, Values, intent_button
from dialogs.names import Act, Intent
from dialogs.types import Button, ChoicesReply, Reply, TextReply
from domain import agenda, groups
from domain.teams import current_year, leaders, subject_teams, upcoming_meetings
from storage.directory import fold
from storage.models import SchoolYear, Team

router = Router()

# What surrounds the item in "kan vi ta upp repertoaren på nästa träff?": taken away to leave the item itself.
_LEAD = re.compile(
    r"^\s*(hej[,!]?\s*)?((kan|skulle|far|kunde) (vi|jag|ni) |jag vill |vi borde |vill )?"
    r"(ta upp|lagga till|foresla|lyfta)( en (punkt|fraga)( om)?)?\s*:?\s*",
)
_TO_ALL = re.compile(r"^.*?\b(alla|varje) (amnes)?lags?( (nasta )?(traff\w*|mote\w*|dagordning\w*))?\s*:?\s*")
_TAIL = re.compile(
    r"\s*(pa|till|vid|under) (var |den )?(nasta|kommande) (traff|mote|traffen|motet)( i \w+)?\s*[?.!]*\s*$"
)


def item_text(text: str) -> str:
    """The item in a request to take something up ("" when the request names none)."""
    folded = fold(text)
    start = _LEAD.match(folded)
    begin = start.end() if start else 0
    tail = _TAIL.search(folded, begin)
    end = tail.start() if tail else len(text)
    if start is None and tail is None:  # "punkt till dagordningen": a request with no item of its own
        return ""
    item = text[begin:end].strip(" :,.?!")
    return item if len(fold(item).split()) >= 1 and not _TAIL.fullmatch(fold(item)) else ""


def _group_of(attempt: str) -> Guard[tuple[Team, SchoolYear]]:
    """A member of the button's group this school year (by choice or role, or its leader)."""

    def check(turn: Turn, values: Values) -> tuple[Team, SchoolYear]:
        team = access.region_team(turn, values, attempt)
        year = current_year(turn.session, turn.region, turn.now)
        assert year.id is not None
        if not groups.is_member(turn.session, turn.person, turn.roles, team, year.id):
            raise Refused(
                attempt,
                "not_in_group",
                turn.tr._("Only the members of {team} can add to its meetings.", team=team.name),
                team=team.id,
            )
        return team, year

    return Guard(f"group_member:{attempt}", frozenset({"teacher", "leader", "manager"}), check)


def _ask_text(turn: Turn, team: Team) -> list[Reply]:
    turn.wait("agenda.text", team_id=team.id)
    return [TextReply(text=turn.tr._("What do you want to take up at the next meeting of {team}?", team=team.name))]


def _save(turn: Turn, team: Team, year: SchoolYear, text: str) -> list[Reply]:
    tr = turn.tr
    text = " ".join(text.split())
    if len(text) > agenda.ITEM_MAX_CHARACTERS:
        turn.wait("agenda.text", team_id=team.id)
        return [TextReply(text=tr._("An item is at most {count} characters.", count=agenda.ITEM_MAX_CHARACTERS))]
    agenda.add(turn.session, team=team, year=year, author=turn.person, text=text, now=turn.now)
    assert team.id is not None and year.id is not None
    names = tr.join(p.name for p in leaders(turn.session, team.id, year.id)) or tr._("the leader")
    next_meeting = next(iter(upcoming_meetings(turn.session, team.id, turn.now, limit=1)), None)
    when = tr.when(next_meeting.starts_at) if next_meeting else tr._("when it is planned")
    return [
        TextReply(
            text=tr._(
                'Thank you: "{item}" is on the next meeting of {team} ({when}). {names} will find it when sending '
                "the notice.",
                item=text,
                team=team.name,
                when=when,
                names=names,
            )
        )
    ]


@router.intent(Intent.AGENDA_ITEM, guard=access.anyone)
def agenda_item(turn: Turn, slots: Values, _: None) -> list[Reply]:
    """ "ta upp repertoaren på nästa träff": in the person's group (asked which, when they are in several)."""
    tr = turn.tr
    year = current_year(turn.session, turn.region, turn.now)
    assert year.id is not None
    mine = groups.groups_of(turn.session, turn.person, turn.roles, year.id)
    text = item_text(turn.incoming.text or "")
    if not mine:
        return [TextReply(text=tr._("You are not in {any_group} this school year.", any_group=turn.words.any_group))]
    if len(mine) > 1:
        return [
            ChoicesReply(
                text=tr._("For which group's next meeting?"),
                buttons=[
                    Button(label=short(t.name), action=Act.AGENDA_START, values={"team_id": t.id, "text": text})
                    for t in mine
                ],
            )
        ]
    return _confirm(turn, mine[0], text) if text else _ask_text(turn, mine[0])


def _confirm(turn: Turn, team: Team, text: str) -> list[Reply]:
    """A typed request is confirmed before anything is saved; the buttons carry what was understood."""
    tr = turn.tr
    return [
        ChoicesReply(
            text=tr._('Put "{item}" on the next meeting of {team}?', item=text, team=team.name),
            buttons=[
                Button(label=tr._("Yes"), action=Act.AGENDA_SAVE, values={"team_id": team.id, "text": text}),
                intent_button(tr._("No"), Intent.HELP),
            ],
        )
    ]


@router.action(Act.AGENDA_START, guard=_group_of("agenda.add"))
def agenda_start(turn: Turn, values: Values, found: tuple[Team, SchoolYear]) -> list[Reply]:
    team, year = found
    text = values.get("text")
    return _save(turn, team, year, text) if isinstance(text, str) and text.strip() else _ask_text(turn, team)


@router.action(Act.AGENDA_SAVE, guard=_group_of("agenda.add"))
def agenda_save(turn: Turn, values: Values, found: tuple[Team, SchoolYear]) -> list[Reply]:
    team, year = found
    text = values.get("text")
    if not isinstance(text, str) or not text.strip():
        return _ask_text(turn, team)
    return _save(turn, team, year, text)


@router.step("agenda.text", free_text=True)
def agenda_typed(turn: Turn, text: str) -> list[Reply] | None:
    if turn.is_request:
        return None
    team, year = _group_of("agenda.add").check(turn, turn.waiting_data)
    return _save(turn, team, year, text)


# The coordinator's question to every team ----------------------------------------------------------


def _teams_for_all(turn: Turn) -> list[Team]:
    assert turn.region.id is not None
    return subject_teams(turn.session, turn.region.id)


def _preview_all(turn: Turn, text: str) -> list[Reply]:
    tr = turn.tr
    teams = _teams_for_all(turn)
    return [
        ChoicesReply(
            text=tr.n_(
                'Put "{item}" on the next meeting of the {count} {groups}?',
                'Put "{item}" on the next meeting of all {count} {groups}?',
                len(teams),
                item=text,
                groups=turn.settings.words.groups if tr.language == "sv" else tr._("teams"),
            ),
            buttons=[
                Button(label=tr._("Yes, add it"), action=Act.AGENDA_ALL_SAVE, values={"text": text}, style="primary")
            ],
        )
    ]


@router.intent(Intent.AGENDA_ALL, guard=access.coordinator("agenda.all"))
def agenda_all(turn: Turn, slots: Values, _: None) -> list[Reply]:
    typed = turn.incoming.text or ""
    match = _TO_ALL.match(fold(typed))  # "en fråga till alla ämneslags nästa träff: hur går rekryteringen?"
    text = typed[match.end() :].strip(" :,.!") if match else ""
    if not text:
        turn.wait("agenda.all.text")
        return [
            TextReply(
                text=turn.tr._(
                    "Which question do you want on the next meeting of all {groups}?", groups=turn.words.groups
                )
            )
        ]
    return _preview_all(turn, text)


@router.step("agenda.all.text", free_text=True)
def agenda_all_typed(turn: Turn, text: str) -> list[Reply] | None:
    if turn.is_request or not access.is_coordinator(turn):
        return None
    return _preview_all(turn, " ".join(text.split()))


@router.action(Act.AGENDA_ALL_SAVE, guard=access.coordinator("agenda.all"))
def agenda_all_save(turn: Turn, values: Values, _: None) -> list[Reply]:
    tr = turn.tr
    text = values.get("text")
    if not isinstance(text, str) or not text.strip():
        raise Answered(TextReply(text=tr._('That button has expired. Write "help" to start again.')))
    if len(text) > agenda.ITEM_MAX_CHARACTERS:
        return [TextReply(text=tr._("An item is at most {count} characters.", count=agenda.ITEM_MAX_CHARACTERS))]
    year = current_year(turn.session, turn.region, turn.now)
    teams = _teams_for_all(turn)
    already = 0
    for team in teams:
        assert team.id is not None and year.id is not None
        if any(item.text == text for item in agenda.waiting(turn.session, team.id, year.id)):
            already += 1  # a double click: on each team's next meeting once
            continue
        agenda.add(turn.session, team=team, year=year, author=turn.person, text=text, now=turn.now)
    if already == len(teams):
        return [
            TextReply(
                text=tr._("That question is already on the next meeting of all {groups}.", groups=turn.words.groups)
            )
        ]
    return [
        TextReply(
            text=tr.n_(
                "Done: the question is on the next meeting of {count} team; its leaders find it when sending the "
                "notice.",
                "Done: the question is on the next meeting of {count} teams; their leaders find it when sending "
                "the notice.",
                len(teams) - already,
            )
        )
    ]
