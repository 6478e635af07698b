"""Moving a teacher to another team during the school year: their manager or the coordinator, audited, and
both teams' leaders and the teacher told. (Before the year starts a teacher switches team themself.)"""

from __future__ import annotations

from dialogs import access
from dialogs.common import short
from dialogs.engine import Answered, Guard, Refused, Router, Turn, Values
from dialogs.i18n import Translator
from dialogs.names import Act
from dialogs.notify import notify, told_text
from dialogs.types import Button, ChoicesReply, Reply, TextReply
from domain import staff
from domain.teams import current_year, leaders, membership
from storage.directory import fold
from storage.models import Person, Role, SchoolYear, Team
from storage.queries import people_with_role

router = Router()
ATTEMPT = "membership.move"
MAX_PEOPLE = 25


def _moves_person(attempt: str) -> Guard[Person]:
    """The manager of the teacher's school (values["person_id"]), or the region's coordinator."""

    def check(turn: Turn, values: Values) -> Person:
        person_id = access.int_value(values, "person_id")
        person = turn.session.get(Person, person_id) if person_id is not None else None
        if person is None:
            raise Answered(TextReply(text=turn.tr._("That person is no longer in the roster.")))
        if person.region_id != turn.region.id:
            raise access.outside_region(turn, attempt, person=person.id)
        if access.is_coordinator(turn) or person in staff.staff_of(turn.session, turn.person):
            return person
        raise Refused(
            attempt,
            "not_own_staff",
            turn.tr._(
                "Only the teacher's manager or the coordinator can move them to {another_group}.",
                another_group=turn.words.another_group,
            ),
            person=person.id,
        )

    return Guard(f"moves_person:{attempt}", frozenset({"manager", "coordinator"}), check)


def _placed(turn: Turn, people: list[Person], year: SchoolYear) -> list[tuple[Person, Team]]:
    found = []
    for person in people:
        assert person.id is not None and year.id is not None
        own = membership(turn.session, person.id, year.id)
        team = turn.session.get(Team, own.team_id) if own else None
        if team is not None:
            found.append((person, team))
    return found


def _pick_person(turn: Turn, placed: list[tuple[Person, Team]], year: SchoolYear) -> list[Reply]:
    tr = turn.tr
    return [
        ChoicesReply(
            text=tr._(
                "Whom do you want to move to {another_group} in {year}?",
                another_group=turn.words.another_group,
                year=year.label,
            ),
            buttons=[
                Button(
                    label=short(f"{p.name} ({t.name})"),
                    action=Act.MOVE_PERSON,
                    values={"person_id": p.id, "year": year.label},
                )
                for p, t in placed[:MAX_PEOPLE]
            ],
        )
    ]


@router.action(Act.MOVE_START, guard=access.manager_or_coordinator(ATTEMPT))
def move_start(turn: Turn, values: Values, _: None) -> list[Reply]:
    """A manager picks among their staff; the coordinator writes the name (the region has too many for buttons)."""
    tr = turn.tr
    year = current_year(turn.session, turn.region, turn.now)
    if access.is_manager(turn):
        placed = _placed(turn, staff.staff_of(turn.session, turn.person), year)
        if placed:
            return _pick_person(turn, placed, year)
        if not access.is_coordinator(turn):
            return [
                TextReply(text=tr._("None of your staff is in {a_group} this school year.", a_group=turn.words.a_group))
            ]
    turn.wait("move.name")
    return [
        TextReply(
            text=tr._(
                "Whom do you want to move to {another_group}? Write the name or e-mail address.",
                another_group=turn.words.another_group,
            )
        )
    ]


@router.step("move.name", free_text=True)
def move_name(turn: Turn, text: str) -> list[Reply] | None:
    if turn.is_request or not access.is_coordinator(turn):
        return None
    words = fold(text).split()
    year = current_year(turn.session, turn.region, turn.now)
    teachers = people_with_role(turn.session, turn.region, Role.TEACHER.value)
    found = [p for p in teachers if p.email == text.strip().lower()] or [
        p for p in teachers if words and all(w in fold(p.name) for w in words)
    ]
    placed = _placed(turn, found, year)
    if not placed:
        turn.wait("move.name")
        return [
            TextReply(
                text=turn.tr._(
                    'I found no teacher in {a_group} called "{text}". Write the name again.',
                    a_group=turn.words.a_group,
                    text=text.strip()[:80],
                )
            )
        ]
    return _pick_person(turn, placed, year)


@router.action(Act.MOVE_PERSON, guard=_moves_person(ATTEMPT))
def move_person(turn: Turn, values: Values, person: Person) -> list[Reply]:
    tr = turn.tr
    year = current_year(turn.session, turn.region, turn.now)
    assert person.id is not None and year.id is not None
    own = membership(turn.session, person.id, year.id)
    if own is None:
        return [
            TextReply(
                text=tr._(
                    "{name} is not in {any_group} in {year}.",
                    name=person.name,
                    any_group=turn.words.any_group,
                    year=year.label,
                )
            )
        ]
    return [
        ChoicesReply(
            text=tr._(
                "To {which_group} should {name} move?", which_group=turn.words.which_group.lower(), name=person.name
            ),
            buttons=[
                Button(
                    label=short(t.name),
                    action=Act.MOVE_TEAM,
                    values={"person_id": person.id, "team_id": t.id, "year": year.label},
                )
                for t in turn.teams()
                if t.id != own.team_id
            ],
        )
    ]


def _target(turn: Turn, values: Values, person: Person) -> tuple[SchoolYear, Team, Team]:
    """The current year, the team the teacher is in now, and the team of the button (of the region)."""
    year = current_year(turn.session, turn.region, turn.now)
    assert person.id is not None and year.id is not None
    own = membership(turn.session, person.id, year.id)
    team = access.region_team(turn, values, ATTEMPT)
    now_in = turn.session.get(Team, own.team_id) if own else None
    if values.get("year") != year.label or now_in is None:
        raise Answered(TextReply(text=turn.tr._('That button has expired. Write "help" to start again.')))
    return year, now_in, team


@router.action(Act.MOVE_TEAM, guard=_moves_person(ATTEMPT))
def move_team(turn: Turn, values: Values, person: Person) -> list[Reply]:
    tr = turn.tr
    year, old, new = _target(turn, values, person)
    if old.id == new.id:
        return [TextReply(text=tr._("{name} is already in {team}.", name=person.name, team=new.name))]
    return [
        ChoicesReply(
            text=tr._(
                "Move {name} from {old} to {new} for the rest of {year}? {name} and the leaders of both of "
                "{the_groups} are told.",
                the_groups=turn.words.the_groups,
                name=person.name,
                old=old.name,
                new=new.name,
                year=year.label,
            ),
            buttons=[Button(label=tr._("Yes, move"), action=Act.MOVE_SAVE, values=dict(values), style="primary")],
        )
    ]


@router.action(Act.MOVE_SAVE, guard=_moves_person(ATTEMPT))
def move_save(turn: Turn, values: Values, person: Person) -> list[Reply]:
    tr = turn.tr
    year, old, new = _target(turn, values, person)
    if old.id == new.id:  # a double click: the first moved them
        return [TextReply(text=tr._("{name} is already in {team}.", name=person.name, team=new.name))]
    assert person.id is not None and year.id is not None
    member = membership(turn.session, person.id, year.id)
    assert member is not None
    staff.move(turn.session, member=member, team=new, actor=turn.person, now=turn.now)
    mover = turn.person

    def to_teacher(t: Translator) -> list[Reply]:
        return [
            TextReply(
                text=t._(
                    "{mover} has moved you from {old} to {new} for the rest of the school year {year}.",
                    mover=mover.name,
                    old=old.name,
                    new=new.name,
                    year=year.label,
                )
            )
        ]

    def to_leaders(t: Translator) -> list[Reply]:
        return [
            TextReply(
                text=t._(
                    "{name} moves from {old} to {new} for the rest of the school year {year} ({mover}).",
                    name=person.name,
                    old=old.name,
                    new=new.name,
                    year=year.label,
                    mover=mover.name,
                )
            )
        ]

    queued = notify(
        turn.session,
        origin=turn.person,
        recipients=[person],
        region=turn.region,
        kind="membership_moved",
        build=to_teacher,
    )
    told = [*leaders(turn.session, old.id or 0, year.id), *leaders(turn.session, new.id or 0, year.id)]
    told = [p for p in told if p.id not in (person.id, turn.person.id)]
    queued += notify(
        turn.session, origin=turn.person, recipients=told, region=turn.region, kind="membership_moved", build=to_leaders
    )
    said = [
        tr._("Done: {name} is in {new} from now on.", name=person.name, new=new.name),
        told_text(tr, turn.session, [person, *told], queued, turn.reach),
        "" if told else tr._("Neither team has a leader to tell."),
    ]
    return [TextReply(text=" ".join(filter(None, said)))]
