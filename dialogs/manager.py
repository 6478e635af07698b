"""The manager's dialogs: own staff and their teams, confirm or assign, report to the coordinator, absences.

A manager acts on the teachers of their own school only; every button is checked again on press.
"""

from __future__ import annotations

from dialogs import access
from dialogs.common import open_year, short
from dialogs.engine import Router, Turn, Values
from dialogs.i18n import Translator
from dialogs.meetings import coordinators
from dialogs.names import Act, Intent
from dialogs.notify import notify
from dialogs.types import Button, CardReply, ChoicesReply, Reply, TextReply
from domain import staff as staff_rules
from domain.meetings import absentees, teams_led
from domain.teams import current_year, membership, year_being_decided
from storage.models import Membership, MembershipReport, Person, School, SchoolYear, Team
from storage.queries import region_meetings

MAX_PERSON_BUTTONS = 10


def _school(turn: Turn) -> School | None:
    return turn.session.get(School, turn.person.school_id) if turn.person.school_id else None


def _tell_teacher(turn: Turn, person: Person, team: Team, year: SchoolYear, assigned: bool) -> None:
    manager = turn.person

    def build(t: Translator) -> list[Reply]:
        values = {"manager": manager.name, "team": team.name, "year": year.label}
        if assigned:
            return [TextReply(text=t._("{manager} has placed you in {team} for the school year {year}.", **values))]
        return [
            TextReply(text=t._("{manager} has confirmed your place in {team} for the school year {year}.", **values))
        ]

    notify(
        turn.session,
        origin=turn.person,
        recipients=[person],
        region=turn.region,
        kind="membership_confirmed",
        build=build,
    )


def staff_card(turn: Turn, year: SchoolYear, lead: str | None = None) -> list[Reply]:
    tr = turn.tr
    school = _school(turn)
    people = staff_rules.staff_of(turn.session, turn.person)
    if school is None or not people:
        return [TextReply(text=tr._("Your roster entry has no school with teachers, so there is no staff to show."))]
    assert year.id is not None
    current = current_year(turn.session, turn.region, turn.now)
    facts: list[tuple[str, str]] = []
    unconfirmed: list[tuple[Person, Membership]] = []
    without: list[Person] = []
    for person in people:
        assert person.id is not None
        own = membership(turn.session, person.id, year.id)
        led = teams_led(turn.session, person.id, year.id) if own is None else []
        if led:  # a leader is in the team they lead (appointed before leaders became members of it)
            state = tr._("{team} (leader)", team=led[0].name)
        elif own is None:
            state = tr._("no team chosen")
            without.append(person)
        else:
            team = turn.session.get(Team, own.team_id)
            state = f"{team.name if team else '?'} ({tr._('confirmed') if own.confirmed_at else tr._('not confirmed')})"
            if own.confirmed_at is None:
                unconfirmed.append((person, own))
        if year.id != current.id and current.id is not None:
            now_in = membership(turn.session, person.id, current.id)
            now_team = turn.session.get(Team, now_in.team_id) if now_in else None
            if now_team is not None:
                state += " " + tr._("(now: {team})", team=now_team.name)
        facts.append((person.name, state))
    buttons: list[Button] = []
    if unconfirmed:
        buttons.append(
            Button(
                label=tr._("Confirm all ({count})", count=len(unconfirmed)),
                action=Act.STAFF_CONFIRM_ALL,
                values={"year": year.label},
                style="primary",
            )
        )
        buttons.extend(
            Button(
                label=short(tr._("Confirm: {name}", name=p.name)),
                action=Act.STAFF_CONFIRM,
                values={"membership_id": m.id},
            )
            for p, m in unconfirmed[:MAX_PERSON_BUTTONS]
        )
    buttons.extend(
        Button(
            label=short(tr._("Choose a {group} for {name}", group=turn.words.group, name=p.name)),
            action=Act.STAFF_ASSIGN,
            values={"person_id": p.id, "year": year.label},
        )
        for p in without[:MAX_PERSON_BUTTONS]
    )
    buttons.append(
        Button(label=tr._("Report to the coordinator"), action=Act.STAFF_REPORT_PREVIEW, values={"year": year.label})
    )
    summary = tr._(
        "{confirmed} confirmed, {unconfirmed} not confirmed, {without} without a {group}.",
        group=turn.words.group,
        confirmed=len(people) - len(unconfirmed) - len(without),
        unconfirmed=len(unconfirmed),
        without=len(without),
    )
    replies: list[Reply] = [TextReply(text=lead)] if lead else []
    replies.append(
        CardReply(
            title=tr._("Staff of {school}, school year {year}", school=school.name, year=year.label),
            facts=facts,
            text=summary,
            buttons=buttons,
        )
    )
    return replies


def _stamp(report: MembershipReport | None) -> int | None:
    """Which report a button was shown after (None: none yet), so a second press sends nothing."""
    return int(report.reported_at.timestamp()) if report is not None else None


def manager_absences(turn: Turn, slots: Values) -> list[Reply]:
    """Absences of the manager's staff from meetings that are still ahead."""
    tr = turn.tr
    people = {p.id: p for p in staff_rules.staff_of(turn.session, turn.person)}
    facts = []
    for meeting, team in region_meetings(turn.session, turn.region, ending_after=turn.now):
        assert meeting.id is not None
        absent = [p for p in absentees(turn.session, meeting.id) if p.id in people]
        if absent:
            facts.append((f"{tr.date(meeting.starts_at)}, {team.name}", tr.join(p.name for p in absent)))
    if not facts:
        return [TextReply(text=tr._("None of your staff has reported absence from an upcoming meeting."))]
    return [CardReply(title=tr._("Absence among your staff"), facts=facts)]


router = Router()


@router.intent(Intent.LIST_STAFF, guard=access.manager("staff.list"))
def list_staff(turn: Turn, slots: Values, _: None) -> list[Reply]:
    return staff_card(turn, year_being_decided(turn.session, turn.region, turn.now))


@router.intent(Intent.CONFIRM_MEMBERSHIPS, guard=access.manager("membership.confirm"))
def confirm_intent(turn: Turn, slots: Values, _: None) -> list[Reply]:
    year = year_being_decided(turn.session, turn.region, turn.now)
    if slots.get("scope") == "all":  # "bekräfta alla": every choice not yet confirmed
        return confirm_all(turn, {"year": year.label})
    return staff_card(turn, year)


@router.action(Act.STAFF_CONFIRM, guard=access.manager("membership.confirm"))
def confirm_one(turn: Turn, values: Values, _: None) -> list[Reply]:
    tr = turn.tr
    member_id = values.get("membership_id")
    member = turn.session.get(Membership, member_id) if isinstance(member_id, int) else None
    year = turn.session.get(SchoolYear, member.school_year_id) if member else None
    if member is None or year is None or open_year(turn, year.label) is None:
        return [
            TextReply(text=tr._("That choice has changed since; here is the list as it is now.")),
            *list_staff(turn, {}),
        ]
    person = access.manages_person("membership.confirm").check(turn, {"person_id": member.person_id})
    team = turn.session.get(Team, member.team_id)
    assert team is not None
    if not staff_rules.confirm(turn.session, member=member, actor=turn.person, now=turn.now):
        return staff_card(turn, year, tr._("{name}'s choice was already confirmed.", name=person.name))
    _tell_teacher(turn, person, team, year, assigned=False)
    return staff_card(turn, year, tr._("Confirmed: {name} in {team}.", name=person.name, team=team.name))


@router.action(Act.STAFF_CONFIRM_ALL, guard=access.manager("membership.confirm"))
def confirm_all(turn: Turn, values: Values, _: None) -> list[Reply]:
    tr = turn.tr
    year = open_year(turn, values.get("year"))
    if year is None or year.id is None:
        return [
            TextReply(text=tr._("That list has expired; here is the list as it is now.")),
            *list_staff(turn, {}),
        ]
    confirmed = 0
    waiting = [
        p.id for p in staff_rules.staff_of(turn.session, turn.person)
        if p.id is not None and (own := membership(turn.session, p.id, year.id)) and own.confirmed_at is None
    ]  # fmt: skip
    if not waiting:
        return staff_card(turn, year, tr._("There are no choices waiting to be confirmed."))
    turn.intends(
        tr.n_(
            "Confirm {count} choice not yet confirmed?", "Confirm all {count} choices not yet confirmed?", len(waiting)
        ),
        Act.STAFF_CONFIRM_ALL,
        year=year.label,
    )
    for person in staff_rules.staff_of(turn.session, turn.person):
        assert person.id is not None
        own = membership(turn.session, person.id, year.id)
        if own is not None and staff_rules.confirm(turn.session, member=own, actor=turn.person, now=turn.now):
            team = turn.session.get(Team, own.team_id)
            assert team is not None
            _tell_teacher(turn, person, team, year, assigned=False)
            confirmed += 1
    lead = tr.n_("Confirmed {count} choice.", "Confirmed {count} choices.", confirmed)
    return staff_card(turn, year, lead)


@router.action(Act.STAFF_ASSIGN, guard=access.manages_person("membership.assign"))
def assign_pick(turn: Turn, values: Values, person: Person) -> list[Reply]:
    tr = turn.tr
    year = open_year(turn, values.get("year"))
    if year is None:
        return [
            TextReply(text=tr._("That list has expired; here is the list as it is now.")),
            *list_staff(turn, {}),
        ]
    return [
        ChoicesReply(
            text=tr._(
                "{which_group} should {name} be in for {year}?",
                which_group=turn.words.which_group,
                name=person.name,
                year=year.label,
            ),
            buttons=[
                Button(
                    label=short(t.name),
                    action=Act.STAFF_ASSIGN_TEAM,
                    values={"person_id": person.id, "year": year.label, "team_id": t.id},
                )
                for t in turn.teams()
            ],
        )
    ]


@router.action(Act.STAFF_ASSIGN_TEAM, guard=access.manages_person("membership.assign"))
def assign_team(turn: Turn, values: Values, person: Person) -> list[Reply]:
    tr = turn.tr
    year = open_year(turn, values.get("year"))
    team = turn.session.get(Team, values.get("team_id")) if isinstance(values.get("team_id"), int) else None
    if year is None or team is None or team.region_id != turn.region.id:
        return [
            TextReply(text=tr._("That list has expired; here is the list as it is now.")),
            *list_staff(turn, {}),
        ]
    if staff_rules.assign(turn.session, person=person, team=team, year=year, actor=turn.person, now=turn.now) is None:
        return staff_card(
            turn,
            year,
            tr._(
                "{name} has already chosen a {group} for {year}.",
                name=person.name,
                group=turn.words.group,
                year=year.label,
            ),
        )
    _tell_teacher(turn, person, team, year, assigned=True)
    return staff_card(
        turn, year, tr._("Done: {name} is in {team} for {year}.", name=person.name, team=team.name, year=year.label)
    )


@router.action(Act.STAFF_ABSENCES, guard=access.manager("staff.absences"))
def absences(turn: Turn, values: Values, _: None) -> list[Reply]:
    return manager_absences(turn, {})


def report_of_school(turn: Turn) -> list[Reply]:
    """The preview of the school's report for the year being decided."""
    year = year_being_decided(turn.session, turn.region, turn.now)
    return report_preview(turn, {"year": year.label})


def _counts(turn: Turn, year: SchoolYear) -> tuple[list[tuple[Person, Team | None, bool]], int, int]:
    assert year.id is not None
    rows = []
    for person in staff_rules.staff_of(turn.session, turn.person):
        assert person.id is not None
        own = membership(turn.session, person.id, year.id)
        led = teams_led(turn.session, person.id, year.id) if own is None else []
        team = turn.session.get(Team, own.team_id) if own else led[0] if led else None
        rows.append((person, team, bool(own and own.confirmed_at) or bool(led)))
    unconfirmed = sum(1 for _, team, ok in rows if team is not None and not ok)
    without = sum(1 for _, team, _ in rows if team is None)
    return rows, unconfirmed, without


@router.action(Act.STAFF_REPORT_PREVIEW, guard=access.manager("memberships.report"))
def report_preview(turn: Turn, values: Values, _: None) -> list[Reply]:
    tr = turn.tr
    year = open_year(turn, values.get("year"))
    school = _school(turn)
    if year is None or school is None or school.id is None or year.id is None:
        return [TextReply(text=tr._("Your roster entry has no school with teachers, so there is no staff to show."))]
    rows, unconfirmed, without = _counts(turn, year)
    previous = staff_rules.report_of(turn.session, school.id, year.id)
    facts = [
        (tr._("School year"), year.label),
        (tr._("Teachers"), str(len(rows))),
        (tr._("Not confirmed"), str(unconfirmed)),
        (tr._("No {group}", group=turn.words.group), str(without)),
    ]
    if previous is not None:
        facts.append((tr._("Reported before"), tr.date(previous.reported_at)))
    warning = (
        tr._("Some choices are not confirmed or missing; you can report now and send an update later.")
        if unconfirmed or without
        else None
    )
    label = tr._("Send an updated report") if previous else tr._("Send the report")
    return [
        CardReply(
            title=tr._(
                "Report {the_groups} of {school} to the coordinator?",
                the_groups=turn.words.the_groups,
                school=school.name,
            ),
            facts=facts,
            text=warning,
            buttons=[
                Button(
                    label=label,
                    action=Act.STAFF_REPORT,
                    values={"year": year.label, "previous": _stamp(previous)},
                    style="primary",
                ),
                Button(label=tr._("My staff"), action=Act.INTENT, values={"intent": Intent.LIST_STAFF}),
            ],
        )
    ]


@router.action(Act.STAFF_REPORT, guard=access.manager("memberships.report"))
def report(turn: Turn, values: Values, _: None) -> list[Reply]:
    tr = turn.tr
    year = open_year(turn, values.get("year"))
    school = _school(turn)
    if year is None or school is None or school.id is None or year.id is None:
        return [
            TextReply(text=tr._("That list has expired; here is the list as it is now.")),
            *list_staff(turn, {}),
        ]
    previous = staff_rules.report_of(turn.session, school.id, year.id)
    if _stamp(previous) != values.get("previous"):
        assert previous is not None
        return [
            TextReply(
                text=tr._(
                    "{school} reported its {groups} {date}; it is not sent twice.",
                    groups=turn.words.groups,
                    school=school.name,
                    date=tr.date(previous.reported_at),
                )
            )
        ]
    rows = _counts(turn, year)[0]
    staff_rules.report(turn.session, school=school, year=year, actor=turn.person, now=turn.now)
    manager = turn.person

    def build(t: Translator) -> list[Reply]:
        facts = [
            (
                p.name,
                f"{team.name} ({t._('confirmed') if ok else t._('not confirmed')})" if team else t._("no team chosen"),
            )
            for p, team, ok in rows
        ]
        title = (
            t._("Updated report: {school}, school year {year}", school=school.name, year=year.label)
            if previous
            else t._("Report: {school}, school year {year}", school=school.name, year=year.label)
        )
        return [CardReply(title=title, facts=facts, text=t._("Reported by {name}.", name=manager.name))]

    notify(
        turn.session,
        origin=turn.person,
        recipients=coordinators(turn),
        region=turn.region,
        kind="memberships_reported",
        build=build,
    )
    return [
        TextReply(
            text=tr._(
                "Sent: the coordinator has {the_groups} of {school} for {year}.",
                the_groups=turn.words.the_groups,
                school=school.name,
                year=year.label,
            )
        )
    ]


def manager_help(turn: Turn) -> list[Button]:
    tr = turn.tr
    return [
        Button(label=tr._("My staff"), action=Act.INTENT, values={"intent": Intent.LIST_STAFF}),
        Button(
            label=tr._("Report {groups}", groups=turn.words.groups),
            action=Act.INTENT,
            values={"intent": Intent.REPORT_MEMBERSHIPS},
        ),
        Button(label=tr._("Absence among my staff"), action=Act.STAFF_ABSENCES, values={}),
        Button(label=tr._("Move a teacher"), action=Act.MOVE_START, values={}),
        Button(label=tr._("Cost of a meeting we hosted"), action=Act.INTENT, values={"intent": Intent.ENTER_COST}),
    ]
