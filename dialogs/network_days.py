"""The coordinator's network days: the days the manager network set aside for the teams' meetings.

Adding one is a form (the date, then physical, digital or either); the region's leaders are told.
Removing one keeps the meetings planned that day, and their leaders are told.
"""

from __future__ import annotations

import datetime as dtm

from dialogs import access, nlu
from dialogs.engine import Answered, Router, Turn, Values, intent_button
from dialogs.forms import Draft, Form, Invalid, Question, Slot
from dialogs.i18n import Translator, wording
from dialogs.names import Act, Intent
from dialogs.notify import not_reached, notify, reached, told_text
from dialogs.types import Button, CardReply, ChoicesReply, FormField, Reply, TextReply
from domain import coordination
from domain.teams import current_year, leaders
from storage import schoolyear
from storage.models import NetworkDay, Person, SchoolYear
from storage.queries import network_days_from

router = Router()

MAX_LIST = 25
EITHER = "either"  # the kind of a day meant for physical and digital meetings alike (stored as no kind)


def days_card(turn: Turn, lead: str | None = None) -> list[Reply]:
    """The region's network days of this school year and later."""
    tr = turn.tr
    current = current_year(turn.session, turn.region, turn.now)
    days = network_days_from(turn.session, turn.region, current.starts_on)
    facts = [
        (
            tr.date(d.date) + f" {d.date.year}",
            (tr._("physical") if d.kind == "physical" else tr._("digital") if d.kind == "digital" else tr._("either"))
            + (" " + tr._("(passed)") if d.date < turn.today else ""),
        )
        for d in days
    ]
    replies: list[Reply] = [TextReply(text=lead)] if lead else []
    replies.append(
        CardReply(
            title=tr._("Network days of {region}", region=turn.region.name),
            facts=facts or [("-", tr._("none yet"))],
        )
    )
    return replies


# Adding a day: the form --------------------------------------------------------------------------


def _ask_date(turn: Turn, draft: Draft) -> Question:
    tr = turn.tr
    return Question(
        tr._("Give the date of the new network day, for example 12 March."),
        fields=[FormField(name="picked_date", label=tr._("Date"), kind="date")],
        submit=tr._("Choose the date"),
        inline=True,
    )


def _accept_date(turn: Turn, values: Values, draft: Draft) -> tuple[Draft, str | None]:
    """A date picked in the card (YYYY-MM-DD)."""
    try:
        day = dtm.date.fromisoformat(str(values.get("picked_date", "")).strip())
    except ValueError:
        return {}, turn.tr._("Choose a date.")
    problem = _date_problem(turn, day)
    return ({}, problem) if problem else ({"date": day.isoformat()}, None)


def _date_problem(turn: Turn, day: dtm.date) -> str | None:
    if day <= turn.today:
        return turn.tr._("A network day must be in the future. Write another date.")
    current = current_year(turn.session, turn.region, turn.now)
    if schoolyear.label_for(day) not in (current.label, schoolyear.following(current.label)):
        return turn.tr._("Network days can be added for this school year and the next. Write another date.")
    return None


def _parse_date(turn: Turn, text: str, draft: Draft) -> Draft | Invalid | None:
    day = nlu.find_date(nlu.clean(text), turn.today, forward=True)
    if day is None:
        return None
    problem = _date_problem(turn, day)
    return Invalid(problem) if problem else {"date": day.isoformat()}


def _ask_kind(turn: Turn, draft: Draft) -> Question:
    tr = turn.tr
    day = dtm.date.fromisoformat(draft["date"])
    warning = tr._("Note: {date} is a weekend day.", date=tr.date(day)) + " " if day.weekday() >= 5 else ""
    return Question(
        warning + tr._("Is {date} meant for physical or digital meetings?", date=tr.date(day)),
        [
            (tr._("Physical"), {"kind": "physical"}),
            (tr._("Digital"), {"kind": "digital"}),
            (tr._("Either"), {"kind": EITHER}),
        ],
    )


def _day(turn: Turn, draft: Draft) -> dtm.date:
    try:
        return dtm.date.fromisoformat(str(draft["date"]))
    except ValueError:
        raise Answered(TextReply(text=turn.tr._('That button has expired. Write "help" to start again.'))) from None


def _check(turn: Turn, draft: Draft) -> tuple[str, tuple[str, ...]] | None:
    problem = _date_problem(turn, _day(turn, draft))
    if problem is not None:
        return problem, ("date",)
    if draft["kind"] not in ("physical", "digital", EITHER):
        return turn.tr._("Is {date} meant for physical or digital meetings?", date=turn.tr.date(_day(turn, draft))), (
            "kind",
        )
    return None


def _add(turn: Turn, draft: Draft) -> list[Reply]:
    tr = turn.tr
    day = _day(turn, draft)
    kind = None if draft["kind"] == EITHER else str(draft["kind"])
    _, created = coordination.add_network_day(
        turn.session, region=turn.region, day=day, kind=kind, actor=turn.person, now=turn.now
    )
    if not created:
        return days_card(turn, tr._("{date} is already a network day.", date=tr.date(day)))
    year = schoolyear.get_or_create(turn.session, schoolyear.label_for(day))
    recipients = _all_leaders(turn, year)

    def build(t: Translator) -> list[Reply]:
        return [
            ChoicesReply(
                text=t._(
                    "New network day: {date}. Schedule {the_group}'s meeting when you are ready.",
                    date=t.date(day),
                    the_group=wording(turn.settings.words, t.language).the_group,
                ),
                buttons=[
                    Button(label=t._("Schedule meeting"), action=Act.INTENT, values={"intent": Intent.SCHEDULE_MEETING})
                ],
            )
        ]

    queued = notify(
        turn.session,
        origin=turn.person,
        recipients=recipients,
        region=turn.region,
        kind="network_day_added",
        build=build,
    )
    count = reached(queued, turn.reach)
    added = (
        tr.n_(
            "Added {date}. {count} {leader} has been told.",
            "Added {date}. {count} {leader}s have been told.",
            count,
            date=tr.date(day),
            leader=turn.words.leader,
        )
        if count
        else tr._("Added {date}.", date=tr.date(day))
    )
    return days_card(turn, " ".join(filter(None, [added, not_reached(tr, turn.session, queued, turn.reach)])))


def _all_leaders(turn: Turn, year: SchoolYear) -> list[Person]:
    found: dict[int | None, Person] = {}
    for team in turn.teams():
        assert team.id is not None and year.id is not None
        for person in leaders(turn.session, team.id, year.id):
            found[person.id] = person
    return list(found.values())


NETWORK_DAY_FORM = Form(
    name="network_day",
    guard=access.coordinator("network_day.add"),
    set_action=Act.NETWORK_DAY_SET,
    save_action=Act.NETWORK_DAY_ADD,
    slots=[
        Slot("date", ("date",), _ask_date, _parse_date, accept=_accept_date, submitted=("picked_date",)),
        Slot("kind", ("kind",), _ask_kind),
    ],
    keys=("date", "kind"),
    check=_check,
    preview=None,
    save=_add,
)
NETWORK_DAY_FORM.register(router)


@router.intent(Intent.ADD_NETWORK_DAY, guard=access.coordinator("network_day.add"))
def add_day(turn: Turn, slots: Values, _: None) -> list[Reply]:
    """ "lägg till nätverksdag 12 mars": the form, filled with what the sentence says."""
    draft: Draft = {k: v for k, v in (("date", slots.get("date")), ("kind", slots.get("kind"))) if v}
    if "date" not in draft:
        return [*days_card(turn), *NETWORK_DAY_FORM.go_on(turn, draft)]
    problem = _date_problem(turn, dtm.date.fromisoformat(draft["date"]))
    if problem is not None:
        return NETWORK_DAY_FORM.go_on(turn, NETWORK_DAY_FORM.without(draft, "date"), problem)
    return NETWORK_DAY_FORM.go_on(turn, draft)


@router.intent(Intent.NETWORK_DAYS, guard=access.coordinator("network_day.list"))
def see_days(turn: Turn, slots: Values, _: None) -> list[Reply]:
    """ "nätverksdagar": the days, with a button to add one (writing the word alone never starts adding)."""
    return [
        *days_card(turn),
        ChoicesReply(
            text=turn.tr._("Add or remove a network day?"),
            buttons=[
                intent_button(turn.tr._("Add network day"), Intent.ADD_NETWORK_DAY),
                intent_button(turn.tr._("Remove network day"), Intent.REMOVE_NETWORK_DAY),
            ],
        ),
    ]


# Removing a day ----------------------------------------------------------------------------------


@router.intent(Intent.REMOVE_NETWORK_DAY, guard=access.coordinator("network_day.remove"))
def remove_day(turn: Turn, slots: Values, _: None) -> list[Reply]:
    tr = turn.tr
    days = network_days_from(turn.session, turn.region, turn.today, inclusive=False)
    if slots.get("date"):
        days = [d for d in days if d.date.isoformat() == slots["date"]] or days
    if not days:
        return [TextReply(text=tr._("There are no upcoming network days to remove."))]
    return [
        ChoicesReply(
            text=tr._("Which network day do you want to remove?"),
            buttons=[
                Button(label=tr.date(d.date), action=Act.NETWORK_DAY_REMOVE, values={"day_id": d.id}, style="danger")
                for d in days[:MAX_LIST]
            ],
        )
    ]


@router.action(Act.NETWORK_DAY_REMOVE, guard=access.coordinates_network_day("network_day.remove"))
def remove_confirm(turn: Turn, values: Values, day: NetworkDay) -> list[Reply]:
    tr = turn.tr
    if day.date <= turn.today:
        return [TextReply(text=tr._("That network day has passed and stays in the record."))]
    date = day.date
    kept = coordination.remove_network_day(turn.session, day=day, actor=turn.person)
    lead = tr._("Removed {date}.", date=tr.date(date))
    if kept:
        told: list[Person] = []
        for meeting in kept:
            told.extend(leaders(turn.session, meeting.team_id, meeting.school_year_id))

        def build(t: Translator) -> list[Reply]:
            words = wording(turn.settings.words, t.language)
            return [
                TextReply(
                    text=t._(
                        "{date} is no longer a network day. {the_group}'s meeting that day is kept; "
                        "move or cancel it if it should not take place.",
                        date=t.date(date),
                        the_group=words.start(words.the_group),
                    )
                )
            ]

        queued = notify(
            turn.session,
            origin=turn.person,
            recipients=told,
            region=turn.region,
            kind="network_day_removed",
            build=build,
        )
        lead += " " + tr.n_(
            "{count} meeting was planned that day; it is kept, and its leaders are told to move or cancel it.",
            "{count} meetings were planned that day; they are kept, and their leaders are told to move or cancel them.",
            len(kept),
        )
        lead = " ".join(filter(None, [lead, told_text(tr, turn.session, told, queued, turn.reach)]))
    return days_card(turn, lead)
