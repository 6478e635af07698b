"""After a physical meeting: the leader confirms who attended, and the host school's cost is divided.

Attendance is one card with every member ticked who did not report absence; the leader unticks whoever
did not come (a form where the channel has forms; buttons that untick and tick again in the console).
The cost is entered by the host school's manager or the team's leader, previewed as the split, then
stored once and sent to each visiting school's manager with their share and their participants. The
rule of the split is fixed (`domain.logistics`); the host enters only the total.
"""

from __future__ import annotations

import datetime as dtm
from typing import Any

from dialogs import access
from dialogs.access import MeetingOf
from dialogs.common import short
from dialogs.engine import Answered, Router, Turn, Values
from dialogs.forms import Draft, Form, Invalid, Question, Slot
from dialogs.host import hosts_meeting
from dialogs.i18n import Translator
from dialogs.names import Act, Intent
from dialogs.notify import not_reached, notify, reached, told_text
from dialogs.reports import money
from dialogs.types import Button, CardReply, ChoicesReply, FormField, FormReply, Reply, TextReply, ticked
from domain import logistics as cost_rules
from domain.meetings import is_leader
from domain.teams import current_year, leaders
from storage.models import Meeting, MeetingCost, MeetingKind, OutboxMessage, Person, School, SchoolYear, Team
from storage.queries import held_meetings, physical_meetings, school_names, year_meetings

MAX_MEETINGS = 10


def _title(turn: Turn, meeting: Meeting, team: Team) -> str:
    return f"{team.name}, {turn.tr.date(meeting.starts_at)}"


# Attendance -----------------------------------------------------------------------------------


def _locked(turn: Turn, meeting: Meeting, team: Team, cost: MeetingCost) -> list[Reply]:
    return [
        TextReply(
            text=turn.tr._(
                "The cost of this meeting was divided by the attendance on {date}, so the attendance can no "
                "longer change.",
                date=turn.tr.date(cost.entered_at),
            )
        ),
        *_invoice_card(turn, meeting, team),
    ]


def _attendance_card(turn: Turn, meeting: Meeting, team: Team, ticks: set[int] | None = None) -> list[Reply]:
    tr = turn.tr
    assert meeting.id is not None
    people = cost_rules.attendance_list(turn.session, meeting)
    if not people:
        return [TextReply(text=tr._("{team} has no members this school year to confirm.", team=team.name))]
    on = {p.id for p, came in people if came} if ticks is None else ticks
    schools = school_names(turn.session, turn.region)
    value = ",".join(str(p.id) for p, _ in people if p.id in on)
    ref = {"meeting_id": meeting.id}
    confirmed = cost_rules.attendance_of(turn.session, meeting.id)
    note = (
        tr._("Confirmed {date}; saving again replaces it.", date=tr.date(confirmed[0].confirmed_at))
        if confirmed
        else tr._("Everyone who did not report absence is ticked. Untick whoever did not come.")
    )
    form = FormReply(
        title=tr._("Who attended {meeting}?", meeting=_title(turn, meeting, team)),
        short_title=tr._("Attendance"),
        close=tr._("Cancel"),
        fields=[
            FormField(
                name="attended",
                label=note,
                kind="checks",
                options=[(str(p.id), short(f"{p.name} ({schools.get(p.school_id, '-')})")) for p, _ in people if p.id],
                required=False,
                value=value,
            )
        ],
        submit=Button(label=tr._("Confirm attendance"), action=Act.ATTENDANCE_SAVE, values=ref, style="primary"),
    )
    came = [p for p, _ in people if p.id in on]
    away = [p for p, _ in people if p.id not in on]
    alternative = ChoicesReply(
        text=tr._(
            "Attended: {came}. Not there: {away}. Press a name to change it, then confirm.",
            came=tr.join(p.name for p in came) or tr._("nobody"),
            away=tr.join(p.name for p in away) or tr._("nobody"),
        ),
        buttons=[
            Button(
                label=tr.n_("Confirm: {count} attended", "Confirm: {count} attended", len(came)),
                action=Act.ATTENDANCE_SAVE,
                values={**ref, "attended": value},
                style="primary",
            ),
            *(
                Button(
                    label=short(
                        tr._("Not there: {name}", name=p.name) if p.id in on else tr._("Was there: {name}", name=p.name)
                    ),
                    action=Act.ATTENDANCE_TOGGLE,
                    values={
                        **ref,
                        "attended": ",".join(str(i) for i in sorted(i for i in on ^ {p.id} if i is not None)),
                    },
                )
                for p, _ in people
            ),
        ],
    )
    return [form, alternative]


def _ids(people: set[int | None]) -> str:
    """Person ids as a button's value: "3,7,12"."""
    return ",".join(str(i) for i in sorted(i for i in people if i is not None))


def _chosen(turn: Turn, meeting: Meeting, answer: Any) -> set[int] | None:
    """The ticked people of an answer, only those on the meeting's list; None when there is no answer."""
    values = ticked(answer)
    if values is None:
        return None
    allowed = {p.id for p, _ in cost_rules.attendance_list(turn.session, meeting)}
    return {int(v) for v in values if v.isdigit() and int(v) in allowed}


# The cost -------------------------------------------------------------------------------------


def _problem_text(turn: Turn, problem: cost_rules.CostProblem, meeting: Meeting, amount: int | None = None) -> str:
    tr = turn.tr
    texts = {
        cost_rules.CostProblem.DIGITAL: tr._(
            "That was a digital meeting: there is no host school and no cost to divide."
        ),
        cost_rules.CostProblem.CANCELLED: tr._("That meeting was cancelled, so there is no cost to divide."),
        cost_rules.CostProblem.NOT_HELD: tr._("The cost is entered after the meeting, and it has not taken place yet."),
        cost_rules.CostProblem.NO_HOST: tr._(
            "The meeting has no host school in the region (place: {place}), so no school invoices the others.",
            place=meeting.place or "-",
        ),
        cost_rules.CostProblem.NOT_A_NUMBER: tr._("Write the total in whole kronor, for example 12 000."),
        cost_rules.CostProblem.NEGATIVE: tr._(
            "A cost cannot be negative. Write the total in whole kronor, for example 12 000."
        ),
        cost_rules.CostProblem.ZERO: tr._("A cost of 0 kr leaves nothing to divide, so nothing is sent."),
        cost_rules.CostProblem.TOO_LARGE: tr._(
            "{amount} is more than {limit}, more than a subject team's meeting costs: please check the figure.",
            amount=money(amount or 0),
            limit=money(cost_rules.COST_MAX_KR),
        ),
        cost_rules.CostProblem.NO_ATTENDANCE: tr._(
            "The team leader has not yet confirmed who attended, and the cost is divided by those who did."
        ),
        cost_rules.CostProblem.NOBODY_ATTENDED: tr._(
            "According to the confirmed attendance nobody attended, so there is nobody to divide the cost among."
        ),
        cost_rules.CostProblem.ALREADY_ENTERED: tr._("The cost of this meeting has already been entered."),
    }
    return texts[problem]


def _entered(turn: Turn, meeting: Meeting, team: Team, cost: MeetingCost) -> list[Reply]:
    tr = turn.tr
    who = turn.session.get(Person, cost.entered_by_id) if cost.entered_by_id else None
    return [
        TextReply(
            text=tr._(
                "The cost of this meeting was entered {date} by {name}: {total}. The shares went out then; "
                "nothing is sent again, and the figures stand.",
                date=tr.date(cost.entered_at),
                name=who.name if who else "-",
                total=money(cost.total_kr),
            )
        ),
        *_invoice_card(turn, meeting, team),
    ]


def _invoice_card(turn: Turn, meeting: Meeting, team: Team) -> list[Reply]:
    tr = turn.tr
    basis = cost_rules.invoice_basis(turn.session, meeting)
    if basis is None:
        return []
    facts = [
        (tr._("Host school"), basis["host_school"] or "-"),
        (
            tr._("Total"),
            tr._("{total}, {count} participants", total=money(basis["total_kr"]), count=basis["participants"]),
        ),
    ]
    for school in basis["schools"]:
        names = tr.join(p["name"] for p in school["people"])
        what = tr._("host school's own share") if school["host"] else tr._("invoiced")
        facts.append((school["school"], f"{money(school['share_kr'])} ({what}) · {names}"))
    host = cost_rules.host_of(turn.session, meeting)
    hosting = host is not None and any(
        p.id == turn.person.id for p in cost_rules.managers_of(turn.session, host.id or 0)
    )
    buttons = (
        [Button(label=tr._("Reopen the invoice basis"), action=Act.COST_REOPEN, values={"meeting_id": meeting.id})]
        if hosting
        else []
    )
    title = tr._("Invoice basis: {meeting}", meeting=_title(turn, meeting, team))
    return [CardReply(title=title, facts=facts, buttons=buttons)]


ENTERS_COST = access.enters_cost("cost.enter")


def _cost_open(turn: Turn, found: MeetingOf) -> tuple[Meeting, Team]:
    """The meeting of a cost button, if its cost can be entered now (held, physical, no cost yet)."""
    meeting, team = found.meeting, found.team
    problem = cost_rules.meeting_problem(turn.session, meeting, turn.now)
    if problem is not None:
        raise Answered(TextReply(text=_problem_text(turn, problem, meeting)))
    cost = cost_rules.cost_of(turn.session, meeting.id or 0)
    if cost is not None:
        raise Answered(*_entered(turn, meeting, team, cost))
    return meeting, team


def _ask_total(turn: Turn, draft: Draft) -> Question:
    tr = turn.tr
    meeting, team = _cost_open(turn, ENTERS_COST.check(turn, draft))
    return Question(
        tr._("Write the total cost in whole kronor, for example 12 000. You see the split first."),
        fields=[FormField(name="total", label=tr._("Total cost in whole kronor"))],
        title=tr._("Cost of {meeting}", meeting=_title(turn, meeting, team)),
        submit=tr._("Preview the split"),
        short_title=tr._("Cost of the meeting"),
    )


def _parse_total(turn: Turn, text: str, draft: Draft) -> Draft | Invalid | None:
    amount = cost_rules.parse_kronor(text)
    problem = cost_rules.amount_problem(amount)
    if problem is not None:
        meeting, _ = _cost_open(turn, ENTERS_COST.check(turn, draft))
        return Invalid(_problem_text(turn, problem, meeting, amount))
    return {"total": amount}


def _total_problems(turn: Turn, values: Values, draft: Draft) -> dict[str, str]:
    """The total of the cost form, if it cannot be read as an amount (the problem `_parse_total` says)."""
    result = _parse_total(turn, str(values.get("total") or ""), draft)
    return {"total": result.reason} if isinstance(result, Invalid) else {}


_AMOUNT_PROBLEMS = (
    cost_rules.CostProblem.NOT_A_NUMBER,
    cost_rules.CostProblem.NEGATIVE,
    cost_rules.CostProblem.ZERO,
    cost_rules.CostProblem.TOO_LARGE,
)


def _split(
    turn: Turn, draft: Draft
) -> tuple[Meeting, Team, int | None, list[cost_rules.Share] | cost_rules.CostProblem]:
    meeting, team = _cost_open(turn, ENTERS_COST.check(turn, draft))
    amount = _amount(draft.get("total"))
    return meeting, team, amount, cost_rules.plan_split(turn.session, meeting, amount, turn.now)


def _check(turn: Turn, draft: Draft) -> tuple[str, tuple[str, ...]] | None:
    """An amount that cannot be divided is asked for again; a meeting that cannot be divided yet is said."""
    meeting, team, amount, shares = _split(turn, draft)
    if shares == cost_rules.CostProblem.NO_ATTENDANCE and is_leader(
        turn.session, turn.person.id or 0, meeting.team_id, meeting.school_year_id
    ):
        raise Answered(
            TextReply(text=turn.tr._("First confirm who attended: the cost is divided by those who did.")),
            *_attendance_card(turn, meeting, team),
        )
    if shares in _AMOUNT_PROBLEMS:
        assert isinstance(shares, cost_rules.CostProblem)
        return _problem_text(turn, shares, meeting, amount), ("total",)
    if isinstance(shares, cost_rules.CostProblem):
        raise Answered(TextReply(text=_problem_text(turn, shares, meeting, amount)))
    return None


def _preview(turn: Turn, draft: Draft) -> list[Reply]:
    tr = turn.tr
    meeting, _, amount, shares = _split(turn, draft)
    assert meeting.id is not None and amount is not None and not isinstance(shares, cost_rules.CostProblem)
    facts = []
    for share in shares:
        what = tr._("host school's own share") if share.host else tr._("invoiced")
        facts.append(
            (
                share.school,
                tr.n_(
                    "{count} participant · {amount} ({what})",
                    "{count} participants · {amount} ({what})",
                    len(share.people),
                    amount=money(share.share_kr),
                    what=what,
                ),
            )
        )
    visiting = [s.school for s in shares if not s.host]
    participants = sum(len(s.people) for s in shares)
    confirm = {
        "meeting_id": meeting.id,
        "total": amount,
        "attendance": cost_rules.attendance_fingerprint(turn.session, meeting.id),
    }
    return [
        CardReply(
            title=tr._("Divide {total} among {count} participants?", total=money(amount), count=participants),
            facts=facts,
            text=tr._(
                "The rule, decided in the manager network: the total is divided equally per participant who "
                "attended, in whole kronor that add up to the total. The managers of {schools} get their share "
                "with the list of their participants. The cost is entered once; only the host school's manager can "
                "reopen it to correct it.",
                schools=tr.join(visiting) or "-",
            ),
            buttons=[
                COST_FORM.save_button(tr._("Send the shares"), confirm),
                Button(label=tr._("Change the amount"), action=Act.COST_START, values={"meeting_id": meeting.id}),
            ],
        )
    ]


def _amount(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    return cost_rules.parse_kronor(value) if isinstance(value, str) else None


def _tell_schools(
    turn: Turn, meeting: Meeting, team: Team, cost: MeetingCost, shares: list[cost_rules.Share]
) -> tuple[int, list[str], str]:
    """Each visiting school's managers get their share and their participants; the host's managers the whole basis.

    Returns how many managers were reached, the visiting schools without a manager in the roster, and the sentence
    naming the managers the bot cannot reach.
    """
    host = turn.session.get(School, cost.host_school_id)
    host_name = host.name if host else "-"
    told = 0
    shared: list[OutboxMessage] = []
    without: list[str] = []
    starts = meeting.starts_at
    for share in shares:
        if share.host:
            continue
        managers = cost_rules.managers_of(turn.session, share.school_id)
        if not managers:
            without.append(share.school)
            continue

        def build(t: Translator, share: cost_rules.Share = share) -> list[Reply]:
            return [
                CardReply(
                    title=t._("Your share: {team}, {date}", team=team.name, date=t.date(starts)),
                    facts=[
                        (t._("Host school"), host_name),
                        (t._("Your share"), money(share.share_kr)),
                        (
                            t._("Your participants"),
                            t.join(p.name for p in share.people),
                        ),
                        (
                            t._("Total"),
                            t._("{total}, {count} participants", total=money(cost.total_kr), count=cost.participants),
                        ),
                    ],
                    text=t._(
                        "{host} invoices {school} {amount}: the meeting's total divided equally by the participants "
                        "who attended, the rule of the manager network.",
                        host=host_name,
                        school=share.school,
                        amount=money(share.share_kr),
                    ),
                )
            ]

        queued = notify(
            turn.session,
            recipients=managers,
            region=turn.region,
            kind="cost_share",
            build=build,
            origin=turn.person,
        )
        shared += queued
        told += reached(queued, turn.reach)  # the log reaches nobody
    host_managers = [m for m in cost_rules.managers_of(turn.session, cost.host_school_id) if m.id != turn.person.id]
    if host_managers:
        lines = [
            f"{s.school}: {money(s.share_kr)} ({', '.join(p.name for p in s.people)})" for s in shares if not s.host
        ]

        def build_host(t: Translator) -> list[Reply]:
            return [
                CardReply(
                    title=t._("Invoice basis: {meeting}", meeting=f"{team.name}, {t.date(starts)}"),
                    facts=[
                        (
                            t._("Total"),
                            t._("{total}, {count} participants", total=money(cost.total_kr), count=cost.participants),
                        )
                    ],
                    text=t._(
                        "{name} entered the cost. Invoice the visiting schools: {lines}.",
                        name=turn.person.name,
                        lines="; ".join(lines) or "-",
                    ),
                    buttons=[
                        Button(label=t._("Invoice basis"), action=Act.COST_SHOW, values={"meeting_id": meeting.id})
                    ],
                )
            ]

        notify(
            turn.session,
            recipients=host_managers,
            region=turn.region,
            kind="cost_entered",
            build=build_host,
            origin=turn.person,
        )
    return told, without, not_reached(turn.tr, turn.session, shared, turn.reach)


def _cost_candidates(turn: Turn) -> list[tuple[Meeting, Team]]:
    """Held physical meetings whose cost the person may enter and that have none yet, latest first."""
    year = current_year(turn.session, turn.region, turn.now)
    found: dict[int, tuple[Meeting, Team]] = {}
    for team, team_year in access.led_teams(turn):
        for meeting in year_meetings(turn.session, team, team_year):
            found[meeting.id or 0] = (meeting, team)
    if access.is_manager(turn) and turn.person.school_id is not None:
        for meeting, team in physical_meetings(turn.session, turn.region, year):
            if cost_rules.may_enter_cost(turn.session, turn.person, turn.roles, meeting):
                found[meeting.id or 0] = (meeting, team)
    held = [
        (m, t)
        for m, t in found.values()
        if m.kind == MeetingKind.PHYSICAL.value and m.cancelled_at is None and m.starts_at <= turn.now
    ]
    return sorted(held, key=lambda pair: pair[0].starts_at, reverse=True)


def _on_day(turn: Turn, pairs: list[tuple[Meeting, Team]], slots: Values) -> list[tuple[Meeting, Team]]:
    if slots.get("team"):
        pairs = [(m, t) for m, t in pairs if t.name == slots["team"]] or pairs
    if slots.get("date"):
        day = dtm.date.fromisoformat(slots["date"])
        pairs = [(m, t) for m, t in pairs if m.starts_at.astimezone(turn.tr.zone).date() == day] or pairs
    return pairs


def _pick(turn: Turn, pairs: list[tuple[Meeting, Team]], question: str, action: str, **extra: Any) -> list[Reply]:
    return [
        ChoicesReply(
            text=question,
            buttons=[
                Button(
                    label=short(f"{t.name}: {turn.tr.when(m.starts_at)}"),
                    action=action,
                    values={"meeting_id": m.id, **extra},
                )
                for m, t in pairs[:MAX_MEETINGS]
            ],
        )
    ]


router = Router()


def _only_leaders(turn: Turn) -> str:
    return turn.tr._(
        "Only {leader}s confirm who attended, and you lead {no_group} this year.",
        leader=turn.words.leader,
        no_group=turn.words.no_group,
    )


@router.intent(Intent.CONFIRM_ATTENDANCE, guard=access.leader("attendance.confirm", refusal=_only_leaders))
def attendance_intent(turn: Turn, slots: Values, led: list[tuple[Team, SchoolYear]]) -> list[Reply]:
    held = [(m, team) for team, year in led for m in held_meetings(turn.session, team, year, turn.now)]
    held = _on_day(turn, sorted(held, key=lambda pair: pair[0].starts_at, reverse=True), slots)
    if not held:
        return [
            TextReply(
                text=turn.tr._(
                    "{your_group} has held no meetings yet this school year.",
                    your_group=turn.words.start(turn.words.your_group),
                )
            )
        ]
    if len(held) == 1:
        return attendance_start(turn, {"meeting_id": held[0][0].id})
    return _pick(turn, held, turn.tr._("Which meeting's attendance?"), Act.ATTENDANCE_START)


@router.action(Act.ATTENDANCE_START, guard=access.leads_held_meeting("attendance.confirm"))
def attendance_start(turn: Turn, values: Values, found: MeetingOf) -> list[Reply]:
    meeting, team = found.meeting, found.team
    cost = cost_rules.cost_of(turn.session, meeting.id or 0)
    if cost is not None:
        return _locked(turn, meeting, team, cost)
    return _attendance_card(turn, meeting, team)


@router.action(Act.ATTENDANCE_TOGGLE, guard=access.leads_held_meeting("attendance.confirm"))
def attendance_toggle(turn: Turn, values: Values, found: MeetingOf) -> list[Reply]:
    meeting, team = found.meeting, found.team
    chosen = _chosen(turn, meeting, values.get("attended"))
    return _attendance_card(turn, meeting, team, chosen)


@router.action(Act.ATTENDANCE_SAVE, guard=access.leads_held_meeting("attendance.confirm"))
def attendance_save(turn: Turn, values: Values, found: MeetingOf) -> list[Reply]:
    tr = turn.tr
    meeting, team = found.meeting, found.team
    cost = cost_rules.cost_of(turn.session, meeting.id or 0)
    if cost is not None:
        return _locked(turn, meeting, team, cost)
    chosen = _chosen(turn, meeting, values.get("attended"))
    if chosen is None:
        return _attendance_card(turn, meeting, team)
    rows = cost_rules.confirm_attendance(
        turn.session, meeting=meeting, attended=chosen, actor=turn.person, now=turn.now
    )
    came = sum(1 for r in rows if r.attended)
    text = tr.n_(
        "Saved: {count} of {total} attended {meeting}.",
        "Saved: {count} of {total} attended {meeting}.",
        came,
        total=len(rows),
        meeting=_title(turn, meeting, team),
    )
    buttons = []
    if meeting.kind == MeetingKind.PHYSICAL.value and came:
        buttons.append(Button(label=tr._("Enter the cost"), action=Act.COST_START, values={"meeting_id": meeting.id}))
        text += " " + tr._("The host school's manager, or you, can now enter the meeting's cost to divide it.")
    return [ChoicesReply(text=text, buttons=buttons)] if buttons else [TextReply(text=text)]


def _latest_led(turn: Turn) -> tuple[Meeting, Team] | None:
    """The latest meeting of the person's teams that has started (of any kind): what "the meeting" means."""
    held = [
        (m, team) for team, year in access.led_teams(turn) for m in held_meetings(turn.session, team, year, turn.now)
    ]
    return max(held, key=lambda pair: pair[0].starts_at, default=None)


@router.intent(Intent.ENTER_COST, guard=access.leader_or_manager("cost.enter"))
def cost_intent(turn: Turn, slots: Values, _: None) -> list[Reply]:
    """The cost of the held physical meeting that has none yet; a day names the meeting. A cost is only ever
    about a physical meeting: a digital one, or only meetings whose cost is in, is said plainly."""
    tr = turn.tr
    held = _cost_candidates(turn)
    if slots.get("team"):
        held = [(m, t) for m, t in held if t.name == slots["team"]] or held
    amount = cost_rules.kronor_in_text(turn.incoming.text or "")
    extra = {"total": amount} if amount is not None else {}
    if slots.get("date"):
        day = dtm.date.fromisoformat(slots["date"])
        held = [(m, t) for m, t in held if m.starts_at.astimezone(tr.zone).date() == day]
        latest = _latest_led(turn)
        if (
            not held
            and latest is not None
            and latest[0].kind != MeetingKind.PHYSICAL.value
            and latest[0].starts_at.astimezone(tr.zone).date() == day
        ):
            return [TextReply(text=_problem_text(turn, cost_rules.CostProblem.DIGITAL, latest[0]))]
        if not held:
            return [
                TextReply(text=tr._("You have no physical meeting on {date} to enter a cost for.", date=tr.date(day)))
            ]
        if len(held) == 1:  # that meeting, whatever its state (a cost already in is shown)
            return cost_start(turn, {"meeting_id": held[0][0].id, **extra})
    waiting = [(m, t) for m, t in held if cost_rules.cost_of(turn.session, m.id or 0) is None]
    if len(waiting) == 1:
        return cost_start(turn, {"meeting_id": waiting[0][0].id, **extra})
    if waiting:
        return _pick(turn, waiting, tr._("Which meeting's cost?"), Act.COST_START, **extra)
    said = []
    latest = _latest_led(turn)
    if latest is not None and latest[0].kind != MeetingKind.PHYSICAL.value:
        meeting, team = latest
        said.append(
            tr._(
                "{team}'s meeting {when} was digital: a cost is entered only for physical meetings.",
                team=team.name,
                when=tr.when(meeting.starts_at),
            )
        )
    if held:
        entered = [(m, t, cost_rules.cost_of(turn.session, m.id or 0)) for m, t in held]
        said.append(
            tr._(
                "Every held physical meeting you can enter a cost for already has one: {meetings}.",
                meetings="; ".join(
                    f"{t.name}, {tr.date(m.starts_at)} ({money(c.total_kr)})" for m, t, c in entered if c is not None
                ),
            )
        )
    else:
        said.append(tr._("There is no physical meeting held that you can enter a cost for."))
    return [TextReply(text=" ".join(said))]


@router.action(Act.COST_START, guard=ENTERS_COST)
def cost_start(turn: Turn, values: Values, found: MeetingOf) -> list[Reply]:
    """The cost form of a meeting (with the amount, when the request named one)."""
    meeting, _ = _cost_open(turn, found)
    draft = COST_FORM.draft_of({"meeting_id": meeting.id, "total": values.get("total")})
    if "total" not in draft and not any(a.attended for a in cost_rules.attendance_of(turn.session, meeting.id or 0)):
        _check(turn, {**draft, "total": 1})  # nobody attended (yet): says what is missing before asking an amount
    return COST_FORM.go_on(turn, draft)


def _enter(turn: Turn, draft: Draft) -> list[Reply]:
    """Store the cost once and send each visiting school's manager their share."""
    tr = turn.tr
    meeting, team = _cost_open(turn, ENTERS_COST.check(turn, draft))
    assert meeting.id is not None
    amount = _amount(draft.get("total"))
    if draft.get("attendance") != cost_rules.attendance_fingerprint(turn.session, meeting.id):
        return [
            TextReply(text=tr._("The attendance has changed since that preview. Here is the split now:")),
            *_preview(turn, COST_FORM.draft_of({"meeting_id": meeting.id, "total": amount})),
        ]
    entered = cost_rules.enter_cost(turn.session, meeting=meeting, total_kr=amount, actor=turn.person, now=turn.now)
    if entered == cost_rules.CostProblem.ALREADY_ENTERED:
        cost = cost_rules.cost_of(turn.session, meeting.id)
        return _entered(turn, meeting, team, cost) if cost else [TextReply(text=_problem_text(turn, entered, meeting))]
    if isinstance(entered, cost_rules.CostProblem):
        return COST_FORM.go_on(turn, COST_FORM.draft_of({"meeting_id": meeting.id, "total": amount}))
    cost, shares = entered
    told, without, missed = _tell_schools(turn, meeting, team, cost, shares)
    text = (
        tr.n_(
            "Done: {total} is divided and {count} manager of the visiting schools has their share.",
            "Done: {total} is divided and the {count} managers of the visiting schools have their shares.",
            told,
            total=money(cost.total_kr),
        )
        if told
        else tr._("Done: {total} is divided.", total=money(cost.total_kr))
    )
    if without:
        text += " " + tr._("No manager in the roster for {schools}: tell them yourself.", schools=tr.join(without))
    if missed:
        text += " " + missed
    return [TextReply(text=text), *_invoice_card(turn, meeting, team)]


COST_FORM = Form(
    name="cost",
    guard=ENTERS_COST,
    set_action=Act.COST_PREVIEW,
    save_action=Act.COST_CONFIRM,
    slots=[Slot("total", ("total",), _ask_total, _parse_total, free_text=True, problems=_total_problems)],
    keys=("meeting_id", "total", "attendance"),
    check=_check,
    preview=_preview,
    save=_enter,
)
COST_FORM.register(router)


@router.action(Act.COST_SHOW, guard=access.sees_invoice("cost.show"))
def cost_show(turn: Turn, values: Values, found: MeetingOf) -> list[Reply]:
    meeting, team = found.meeting, found.team
    card = _invoice_card(turn, meeting, team)
    return card or [TextReply(text=turn.tr._("No cost has been entered for that meeting."))]


@router.action(Act.COST_REOPEN, guard=hosts_meeting("cost.reopen"))
def cost_reopen(turn: Turn, values: Values, found: MeetingOf) -> list[Reply]:
    tr = turn.tr
    meeting, team = found.meeting, found.team
    title = _title(turn, meeting, team)
    if cost_rules.cost_of(turn.session, meeting.id or 0) is None:
        return [
            TextReply(text=tr._("The invoice basis of {meeting} is open already.", meeting=_title(turn, meeting, team)))
        ]
    return [
        ChoicesReply(
            text=tr._(
                "Reopen the invoice basis of {meeting}? The attendance and the cost can then be entered again; the "
                "managers of the visiting schools are told to wait for the new split.",
                meeting=title,
            ),
            buttons=[
                Button(label=tr._("Yes, reopen"), action=Act.COST_REOPEN_CONFIRM, values={"meeting_id": meeting.id}),
                Button(label=tr._("No"), action=Act.COST_SHOW, values={"meeting_id": meeting.id}),
            ],
        )
    ]


@router.action(Act.COST_REOPEN_CONFIRM, guard=hosts_meeting("cost.reopen"))
def cost_reopen_confirm(turn: Turn, values: Values, found: MeetingOf) -> list[Reply]:
    tr = turn.tr
    meeting, team = found.meeting, found.team
    title = _title(turn, meeting, team)
    cost = cost_rules.reopen_cost(turn.session, meeting=meeting, actor=turn.person)
    if cost is None:  # a double click: the first reopened it
        return [
            TextReply(text=tr._("The invoice basis of {meeting} is open already.", meeting=_title(turn, meeting, team)))
        ]
    visiting = [
        p
        for share in cost.shares
        if not share.get("host")
        for p in cost_rules.managers_of(turn.session, int(share["school_id"]))
    ]
    told = [*visiting, *leaders(turn.session, team.id or 0, meeting.school_year_id)]
    told = [p for p in {p.id: p for p in told}.values() if p.id != turn.person.id]
    person = turn.person

    def build(t: Translator) -> list[Reply]:
        return [
            TextReply(
                text=t._(
                    "{name} has reopened the invoice basis of {meeting} to correct it: wait with paying your share; "
                    "the new split comes when the cost is entered again.",
                    name=person.name,
                    meeting=title,
                )
            )
        ]

    queued = notify(
        turn.session, origin=turn.person, recipients=told, region=turn.region, kind="cost_reopened", build=build
    )
    reopened = tr._("Reopened: the attendance and the cost of {meeting} can be entered again.", meeting=title)
    return [
        ChoicesReply(
            text=" ".join(filter(None, [reopened, told_text(tr, turn.session, told, queued, turn.reach)])),
            buttons=[
                Button(label=tr._("Confirm attendance"), action=Act.ATTENDANCE_START, values={"meeting_id": meeting.id})
            ],
        )
    ]
