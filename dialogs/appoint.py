"""The coordinator appoints a team leader: a form of team, school year, person and (when the team has two
leaders already) whom the new leader replaces; a team has at most two leaders a year. The new leader,
and the one replaced, are told."""

from __future__ import annotations

from dialogs import access
from dialogs.common import open_year, short
from dialogs.engine import Answered, Router, Turn, Values
from dialogs.forms import Draft, Form, Invalid, Question, Slot
from dialogs.i18n import Translator, wording
from dialogs.names import Act, Intent
from dialogs.notify import notify
from dialogs.types import Button, ChoicesReply, Reply, TextReply
from domain import coordination, groups
from domain.teams import current_year, leaders, membership, year_being_decided
from storage import schoolyear
from storage.directory import fold
from storage.models import Person, SchoolYear, Team
from storage.queries import region_people

router = Router()

MAX_LIST = 25
ATTEMPT = "leader.appoint"


def _ask_team(turn: Turn, draft: Draft) -> Question:
    return Question(
        turn.tr._("{which_group} needs a leader for {year}?", which_group=turn.words.which_group, year=draft["year"]),
        [(short(t.name), {"team_id": t.id}) for t in turn.groups()],
    )


def _team_year(turn: Turn, draft: Draft) -> tuple[Team, SchoolYear]:
    """The draft's team (of the coordinator's region) and school year (this one or the next)."""
    team = access.region_team(turn, draft, ATTEMPT)
    year = open_year(turn, draft.get("year"))
    if year is None or year.id is None or team.id is None:
        raise Answered(TextReply(text=turn.tr._('That button has expired. Write "help" to start again.')))
    return team, year


def _ask_person(turn: Turn, draft: Draft) -> Question:
    tr = turn.tr
    team, year = _team_year(turn, draft)
    assert team.id is not None and year.id is not None
    current = leaders(turn.session, team.id, year.id)
    text = tr._(
        "Leaders of {team} for {year}: {names}. Write the name or e-mail address of the new leader.",
        team=team.name,
        year=year.label,
        names=tr.join(p.name for p in current) or tr._("none"),
    )
    if len(current) >= 2:
        text += " " + tr._(
            "{the_group} has two leaders already, so the new one replaces one of them.",
            the_group=turn.words.start(turn.words.the_group),
        )
    current_label = current_year(turn.session, turn.region, turn.now).label
    other = schoolyear.following(current_label) if year.label == current_label else current_label
    return Question(text, [(tr._("School year {year} instead", year=other), {"year": other})])


def _parse_person(turn: Turn, text: str, draft: Draft) -> Draft | Invalid | Question | None:
    words = fold(text).split()
    if not words or turn.is_request:
        return None
    people = region_people(turn.session, turn.region)
    wanted = text.strip().lower()
    found = [p for p in people if p.email == wanted] or [
        p for p in people if all(w in fold(p.name).split() or w in fold(p.name) for w in words)
    ]
    if not found:
        return Invalid(
            turn.tr._(
                'I found nobody in {region} called "{text}". Write the name or e-mail again.',
                region=turn.region.name,
                text=text.strip()[:80],
            )
        )
    if len(found) > 1:
        return Question(
            turn.tr._("Whom do you mean?"),
            [(short(f"{p.name} ({p.email})"), {"person_id": p.id}) for p in found[:MAX_LIST]],
        )
    return {"person_id": found[0].id}


def _person(turn: Turn, draft: Draft, key: str = "person_id") -> Person | None:
    person_id = access.int_value(draft, key)
    person = turn.session.get(Person, person_id) if person_id is not None else None
    if person is not None and person.region_id != turn.region.id:
        raise access.outside_region(turn, ATTEMPT, person=person.id)
    return person


def _full(turn: Turn, draft: Draft) -> bool:
    """The team has two leaders that year already, so the new one replaces one of them."""
    team, year = _team_year(turn, draft)
    assert team.id is not None and year.id is not None
    return len(leaders(turn.session, team.id, year.id)) >= 2


def _already_leads(turn: Turn, team: Team, year: SchoolYear, person: Person) -> None:
    """Ends the form when the person leads the team that year already."""
    assert team.id is not None and year.id is not None
    if any(p.id == person.id for p in leaders(turn.session, team.id, year.id)):
        raise Answered(
            TextReply(
                text=turn.tr._(
                    "{name} already leads {team} in {year}.", name=person.name, team=team.name, year=year.label
                )
            )
        )


def _ask_replacing(turn: Turn, draft: Draft) -> Question:
    team, year = _team_year(turn, draft)
    person = _person(turn, draft)
    assert team.id is not None and year.id is not None and person is not None
    _already_leads(turn, team, year, person)
    return Question(
        turn.tr._(
            "{team} has two leaders for {year}. Whom does {name} replace?",
            team=team.name,
            year=year.label,
            name=person.name,
        ),
        [(short(p.name), {"replacing_id": p.id}) for p in leaders(turn.session, team.id, year.id)],
    )


def _parse_replacing(turn: Turn, text: str, draft: Draft) -> Draft | Invalid | None:
    """A typed name (or part of it) of one of the team's two leaders."""
    team, year = _team_year(turn, draft)
    assert team.id is not None and year.id is not None
    words = fold(text).split()
    current = leaders(turn.session, team.id, year.id)
    found = [p for p in current if words and all(w in fold(p.name) for w in words)]
    if len(found) == 1:
        return {"replacing_id": found[0].id}
    return Invalid(turn.tr._("Choose whom to replace.")) if words else None


def _check(turn: Turn, draft: Draft) -> tuple[str, tuple[str, ...]] | None:
    team, year = _team_year(turn, draft)
    person = _person(turn, draft)
    if person is None:
        raise Answered(TextReply(text=turn.tr._('That button has expired. Write "help" to start again.')))
    assert team.id is not None and year.id is not None
    _already_leads(turn, team, year, person)
    current = leaders(turn.session, team.id, year.id)
    replacing = draft.get("replacing_id")
    if replacing is not None and replacing not in {p.id for p in current}:
        return turn.tr._("Choose whom to replace."), ("replacing_id",)
    return None


def _preview(turn: Turn, draft: Draft) -> list[Reply]:
    tr = turn.tr
    team, year = _team_year(turn, draft)
    person, replacing = _person(turn, draft), _person(turn, draft, "replacing_id")
    assert person is not None
    values = {"name": person.name, "team": team.name, "year": year.label}
    text = (
        tr._("Appoint {name} leader of {team} for {year}, in place of {old}?", old=replacing.name, **values)
        if replacing is not None
        else tr._("Appoint {name} leader of {team} for {year}?", **values)
    )
    if groups.chosen(team) and _without_team(turn, year, person):
        text += " " + tr._(
            "{name} has {no_group} in {year} and so becomes a member of {team} too.",
            no_group=turn.words.no_group,
            **values,
        )
    return [ChoicesReply(text=text, buttons=[APPOINT_FORM.save_button(tr._("Yes, appoint"), draft)])]


def _without_team(turn: Turn, year: SchoolYear, person: Person) -> bool:
    assert person.id is not None and year.id is not None
    return membership(turn.session, person.id, year.id) is None


def _appoint(turn: Turn, draft: Draft) -> list[Reply]:
    tr = turn.tr
    team, year = _team_year(turn, draft)
    person, replacing = _person(turn, draft), _person(turn, draft, "replacing_id")
    assert person is not None
    # a leader is in the team they lead (domain.coordination); the groups of roles have no chosen members
    joins = groups.chosen(team) and _without_team(turn, year, person)
    created = coordination.appoint_leader(
        turn.session, team=team, year=year, person=person, replacing=replacing, actor=turn.person, now=turn.now
    )
    if created is None:  # a third leader: someone else filled the second place meanwhile
        return [
            TextReply(
                text=tr._(
                    "{team} already has two leaders for {year}; {a_group} has at most two. Choose whom to replace.",
                    a_group=turn.words.a_group,
                    team=team.name,
                    year=year.label,
                )
            ),
            *APPOINT_FORM.go_on(turn, APPOINT_FORM.without(draft, "replacing")),
        ]

    def welcome(t: Translator) -> list[Reply]:
        words = wording(turn.settings.words, t.language)
        return [
            ChoicesReply(
                text=t._(
                    "You are now a leader of {team} for the school year {year}. I will help you with meetings, "
                    "notices and notes.",
                    team=team.name,
                    year=year.label,
                ),
                buttons=[
                    Button(
                        label=t._("{the_group}'s meetings", the_group=words.start(words.the_group)),
                        action=Act.LEADER_MEETINGS,
                        values={},
                    )
                ],
            )
        ]

    notify(
        turn.session,
        origin=turn.person,
        recipients=[person],
        region=turn.region,
        kind="leader_appointed",
        build=welcome,
    )
    member = (
        " "
        + tr._(
            "{name} is now a member of {team} too (not yet confirmed by the manager).", name=person.name, team=team.name
        )
        if joins
        else ""
    )
    if replacing is None:
        return [
            TextReply(
                text=tr._(
                    "Done: {name} is a leader of {team} for {year}.", name=person.name, team=team.name, year=year.label
                )
                + member
            )
        ]
    notify(
        turn.session,
        origin=turn.person,
        recipients=[replacing],
        region=turn.region,
        kind="leader_replaced",
        build=lambda t: [
            TextReply(
                text=t._(
                    "{name} takes over your place as leader of {team} for {year}. Thank you for your work!",
                    name=person.name,
                    team=team.name,
                    year=year.label,
                )
            )
        ],
    )
    return [
        TextReply(
            text=tr._(
                "Done: {name} replaces {old} as leader of {team} for {year}.",
                name=person.name,
                old=replacing.name,
                team=team.name,
                year=year.label,
            )
            + member
        )
    ]


APPOINT_FORM = Form(
    name="leader",
    guard=access.coordinator(ATTEMPT),
    set_action=Act.LEADER_SET,
    save_action=Act.LEADER_APPOINT,
    slots=[
        Slot("team", ("team_id",), _ask_team),
        Slot("person", ("person_id",), _ask_person, _parse_person, free_text=True, clears=("replacing_id",)),
        Slot("replacing", ("replacing_id",), _ask_replacing, _parse_replacing, needed=_full, free_text=True),
    ],
    keys=("team_id", "year", "person_id", "replacing_id"),
    check=_check,
    preview=_preview,
    save=_appoint,
)
APPOINT_FORM.register(router)


@router.intent(Intent.APPOINT_LEADER, guard=access.coordinator(ATTEMPT))
def appoint(turn: Turn, slots: Values, _: None) -> list[Reply]:
    """ "utse ledare för Stråk": the team from the sentence, the school year being planned."""
    draft: Draft = {"year": year_being_decided(turn.session, turn.region, turn.now).label}
    team = turn.team_named(slots.get("team"))
    if team is not None:
        draft["team_id"] = team.id
    return APPOINT_FORM.go_on(turn, draft)
