"""The manager's dialogs: own staff and their teams, confirm or assign, report to the coordinator, absences.

A manager acts on the teachers of their own school only; every button is checked again on press.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from dialogs.common import open_year, short
from dialogs.coordinator import is_coordinator, schools_not_reported
from dialogs.engine import Registry, Turn
from dialogs.i18n import Translator
from dialogs.leader import coordinators
from dialogs.notify import notify
from dialogs.types import Button, CardReply, ChoicesReply, Reply, TextReply
from storage import staff as rules
from storage.meetings import absentees
from storage.models import Meeting, Membership, MembershipReport, Person, Role, School, SchoolYear, Team
from storage.teams import current_year, membership

MAX_PERSON_BUTTONS = 10


def is_manager(turn: Turn) -> bool:
    return Role.MANAGER.value in turn.roles


def _not_a_manager(turn: Turn, attempt: str) -> list[Reply]:
    return turn.refuse(
        attempt,
        "not_a_manager",
        turn.tr._("Only a school's manager can do that, and your roster entry has no manager role."),
    )


def _school(turn: Turn) -> School | None:
    return turn.session.get(School, turn.person.school_id) if turn.person.school_id else None


def _own_staff(turn: Turn, person_id: Any, attempt: str) -> Person | list[Reply]:
    """The teacher of a button, if they are on the manager's staff; else the refusal."""
    person = turn.session.get(Person, person_id) if isinstance(person_id, int) else None
    if person is None:
        return [TextReply(text=turn.tr._("That person is no longer in the roster."))]
    if person not in rules.staff_of(turn.session, turn.person):
        return turn.refuse(
            attempt,
            "not_own_staff",
            turn.tr._("You can only handle the team choices of your own school's teachers."),
            person=person.id,
        )
    return person


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
    people = rules.staff_of(turn.session, turn.person)
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
        if own is None:
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
                action="staff.confirm_all",
                values={"year": year.label},
                style="primary",
            )
        )
        buttons.extend(
            Button(
                label=short(tr._("Confirm: {name}", name=p.name)),
                action="staff.confirm",
                values={"membership_id": m.id},
            )
            for p, m in unconfirmed[:MAX_PERSON_BUTTONS]
        )
    buttons.extend(
        Button(
            label=short(tr._("Choose a team for {name}", name=p.name)),
            action="staff.assign",
            values={"person_id": p.id, "year": year.label},
        )
        for p in without[:MAX_PERSON_BUTTONS]
    )
    buttons.append(
        Button(label=tr._("Report to the coordinator"), action="staff.report.preview", values={"year": year.label})
    )
    summary = tr._(
        "{confirmed} confirmed, {unconfirmed} not confirmed, {without} without a team.",
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


def manager_absences(turn: Turn, slots: dict[str, str]) -> list[Reply]:
    """Absences of the manager's staff from meetings that are still ahead."""
    tr = turn.tr
    people = {p.id: p for p in rules.staff_of(turn.session, turn.person)}
    meetings = turn.session.exec(
        select(Meeting)
        .where(Meeting.ends_at > turn.now, col(Meeting.cancelled_at).is_(None))
        .order_by(col(Meeting.starts_at))
    ).all()
    facts = []
    for meeting in meetings:
        assert meeting.id is not None
        team = turn.session.get(Team, meeting.team_id)
        if team is None or team.region_id != turn.region.id:
            continue
        absent = [p for p in absentees(turn.session, meeting.id) if p.id in people]
        if absent:
            facts.append((f"{tr.date(meeting.starts_at)}, {team.name}", ", ".join(p.name for p in absent)))
    if not facts:
        return [TextReply(text=tr._("None of your staff has reported absence from an upcoming meeting."))]
    return [CardReply(title=tr._("Absence among your staff"), facts=facts)]


def register(registry: Registry) -> None:
    """Add the manager's dialogs to `registry`."""

    @registry.intent("list_staff")
    def list_staff(turn: Turn, slots: dict[str, str]) -> list[Reply]:
        if not is_manager(turn):
            return _not_a_manager(turn, "staff.list")
        return staff_card(turn, rules.planning_year(turn.session, turn.region, turn.now))

    @registry.intent("confirm_memberships")
    def confirm_intent(turn: Turn, slots: dict[str, str]) -> list[Reply]:
        if not is_manager(turn):
            return _not_a_manager(turn, "membership.confirm")
        return staff_card(turn, rules.planning_year(turn.session, turn.region, turn.now))

    @registry.action("staff.confirm")
    def confirm_one(turn: Turn, values: dict[str, Any]) -> list[Reply]:
        tr = turn.tr
        if not is_manager(turn):
            return _not_a_manager(turn, "membership.confirm")
        member_id = values.get("membership_id")
        member = turn.session.get(Membership, member_id) if isinstance(member_id, int) else None
        year = turn.session.get(SchoolYear, member.school_year_id) if member else None
        if member is None or year is None or open_year(turn, year.label) is None:
            return [
                TextReply(text=tr._("That choice has changed since; here is the list as it is now.")),
                *list_staff(turn, {}),
            ]
        person = _own_staff(turn, member.person_id, "membership.confirm")
        if isinstance(person, list):
            return person
        team = turn.session.get(Team, member.team_id)
        assert team is not None
        if not rules.confirm(turn.session, member=member, actor=turn.person, now=turn.now):
            return staff_card(turn, year, tr._("{name}'s choice was already confirmed.", name=person.name))
        _tell_teacher(turn, person, team, year, assigned=False)
        return staff_card(turn, year, tr._("Confirmed: {name} in {team}.", name=person.name, team=team.name))

    @registry.action("staff.confirm_all")
    def confirm_all(turn: Turn, values: dict[str, Any]) -> list[Reply]:
        tr = turn.tr
        if not is_manager(turn):
            return _not_a_manager(turn, "membership.confirm")
        year = open_year(turn, values.get("year"))
        if year is None or year.id is None:
            return [
                TextReply(text=tr._("That list has expired; here is the list as it is now.")),
                *list_staff(turn, {}),
            ]
        confirmed = 0
        for person in rules.staff_of(turn.session, turn.person):
            assert person.id is not None
            own = membership(turn.session, person.id, year.id)
            if own is not None and rules.confirm(turn.session, member=own, actor=turn.person, now=turn.now):
                team = turn.session.get(Team, own.team_id)
                assert team is not None
                _tell_teacher(turn, person, team, year, assigned=False)
                confirmed += 1
        lead = tr.n_("Confirmed {count} choice.", "Confirmed {count} choices.", confirmed)
        return staff_card(turn, year, lead)

    @registry.action("staff.assign")
    def assign_pick(turn: Turn, values: dict[str, Any]) -> list[Reply]:
        tr = turn.tr
        if not is_manager(turn):
            return _not_a_manager(turn, "membership.assign")
        year = open_year(turn, values.get("year"))
        person = _own_staff(turn, values.get("person_id"), "membership.assign")
        if isinstance(person, list):
            return person
        if year is None:
            return [
                TextReply(text=tr._("That list has expired; here is the list as it is now.")),
                *list_staff(turn, {}),
            ]
        return [
            ChoicesReply(
                text=tr._("Which team should {name} be in for {year}?", name=person.name, year=year.label),
                buttons=[
                    Button(
                        label=short(t.name),
                        action="staff.assign.team",
                        values={"person_id": person.id, "year": year.label, "team_id": t.id},
                    )
                    for t in turn.teams()
                ],
            )
        ]

    @registry.action("staff.assign.team")
    def assign_team(turn: Turn, values: dict[str, Any]) -> list[Reply]:
        tr = turn.tr
        if not is_manager(turn):
            return _not_a_manager(turn, "membership.assign")
        person = _own_staff(turn, values.get("person_id"), "membership.assign")
        if isinstance(person, list):
            return person
        year = open_year(turn, values.get("year"))
        team = turn.session.get(Team, values.get("team_id")) if isinstance(values.get("team_id"), int) else None
        if year is None or team is None or team.region_id != turn.region.id:
            return [
                TextReply(text=tr._("That list has expired; here is the list as it is now.")),
                *list_staff(turn, {}),
            ]
        if rules.assign(turn.session, person=person, team=team, year=year, actor=turn.person, now=turn.now) is None:
            return staff_card(
                turn, year, tr._("{name} has already chosen a team for {year}.", name=person.name, year=year.label)
            )
        _tell_teacher(turn, person, team, year, assigned=True)
        return staff_card(
            turn, year, tr._("Done: {name} is in {team} for {year}.", name=person.name, team=team.name, year=year.label)
        )

    @registry.action("staff.absences")
    def absences(turn: Turn, values: dict[str, Any]) -> list[Reply]:
        if not is_manager(turn):
            return _not_a_manager(turn, "staff.absences")
        return manager_absences(turn, {})

    @registry.intent("report_memberships")
    def report_intent(turn: Turn, slots: dict[str, str]) -> list[Reply]:
        if not is_manager(turn):
            if is_coordinator(turn):
                return schools_not_reported(turn)
            return _not_a_manager(turn, "memberships.report")
        year = rules.planning_year(turn.session, turn.region, turn.now)
        return report_preview(turn, {"year": year.label})

    def _counts(turn: Turn, year: SchoolYear) -> tuple[list[tuple[Person, Team | None, bool]], int, int]:
        assert year.id is not None
        rows = []
        for person in rules.staff_of(turn.session, turn.person):
            assert person.id is not None
            own = membership(turn.session, person.id, year.id)
            team = turn.session.get(Team, own.team_id) if own else None
            rows.append((person, team, bool(own and own.confirmed_at)))
        unconfirmed = sum(1 for _, team, ok in rows if team is not None and not ok)
        without = sum(1 for _, team, _ in rows if team is None)
        return rows, unconfirmed, without

    @registry.action("staff.report.preview")
    def report_preview(turn: Turn, values: dict[str, Any]) -> list[Reply]:
        tr = turn.tr
        if not is_manager(turn):
            return _not_a_manager(turn, "memberships.report")
        year = open_year(turn, values.get("year"))
        school = _school(turn)
        if year is None or school is None or school.id is None or year.id is None:
            return [
                TextReply(text=tr._("Your roster entry has no school with teachers, so there is no staff to show."))
            ]
        rows, unconfirmed, without = _counts(turn, year)
        previous = rules.report_of(turn.session, school.id, year.id)
        facts = [
            (tr._("School year"), year.label),
            (tr._("Teachers"), str(len(rows))),
            (tr._("Not confirmed"), str(unconfirmed)),
            (tr._("Without a team"), str(without)),
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
                title=tr._("Report {school}'s teams to the coordinator?", school=school.name),
                facts=facts,
                text=warning,
                buttons=[
                    Button(
                        label=label,
                        action="staff.report",
                        values={"year": year.label, "previous": _stamp(previous)},
                        style="primary",
                    ),
                    Button(label=tr._("My staff"), action="intent", values={"intent": "list_staff"}),
                ],
            )
        ]

    @registry.action("staff.report")
    def report(turn: Turn, values: dict[str, Any]) -> list[Reply]:
        tr = turn.tr
        if not is_manager(turn):
            return _not_a_manager(turn, "memberships.report")
        year = open_year(turn, values.get("year"))
        school = _school(turn)
        if year is None or school is None or school.id is None or year.id is None:
            return [
                TextReply(text=tr._("That list has expired; here is the list as it is now.")),
                *list_staff(turn, {}),
            ]
        previous = rules.report_of(turn.session, school.id, year.id)
        if _stamp(previous) != values.get("previous"):
            assert previous is not None
            return [
                TextReply(
                    text=tr._(
                        "{school} reported its teams {date}; it is not sent twice.",
                        school=school.name,
                        date=tr.date(previous.reported_at),
                    )
                )
            ]
        rows, _, _ = _counts(turn, year)
        rules.report(turn.session, school=school, year=year, actor=turn.person, now=turn.now)
        manager = turn.person

        def build(t: Translator) -> list[Reply]:
            facts = [
                (
                    p.name,
                    f"{team.name} ({t._('confirmed') if ok else t._('not confirmed')})"
                    if team
                    else t._("no team chosen"),
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
                text=tr._("Sent: the coordinator has {school}'s teams for {year}.", school=school.name, year=year.label)
            )
        ]


def manager_help(turn: Turn) -> list[Button]:
    tr = turn.tr
    return [
        Button(label=tr._("My staff"), action="intent", values={"intent": "list_staff"}),
        Button(label=tr._("Report teams"), action="intent", values={"intent": "report_memberships"}),
        Button(label=tr._("Absence among my staff"), action="staff.absences", values={}),
        Button(label=tr._("Cost of a meeting we hosted"), action="intent", values={"intent": "enter_cost"}),
    ]
