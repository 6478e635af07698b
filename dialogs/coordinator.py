"""The coordinator's dialogs: status, people without a team, schools not reported, absences of a meeting,
network days and team leaders. A coordinator acts inside their own region only.
"""

from __future__ import annotations

import datetime as dtm
from collections import Counter
from typing import Any

from sqlmodel import col, select

from dialogs import nlu
from dialogs.common import expired, meeting_place, open_year, short
from dialogs.engine import Registry, Turn
from dialogs.i18n import Translator
from dialogs.notify import notify
from dialogs.types import Button, CardReply, ChoicesReply, Reply, TextReply
from storage import coordination, schoolyear
from storage.audit import record
from storage.directory import fold
from storage.meetings import absentees, team_meetings
from storage.models import Meeting, MeetingKind, NetworkDay, Person, PersonRole, Role, School, SchoolYear, Team
from storage.settings import RegionSettings
from storage.staff import planning_year
from storage.status import build_status
from storage.teams import current_year, leaders, membership

MAX_LIST = 25


def is_coordinator(turn: Turn) -> bool:
    return Role.COORDINATOR.value in turn.roles


def _not_a_coordinator(turn: Turn, attempt: str) -> list[Reply]:
    return turn.refuse(
        attempt,
        "not_a_coordinator",
        turn.tr._("Only the regional coordinator can do that, and your roster entry has no coordinator role."),
    )


def _outside_region(turn: Turn, attempt: str, **details: Any) -> list[Reply]:
    return turn.refuse(
        attempt,
        "other_region",
        turn.tr._("That belongs to another region than yours, so you can't change it."),
        **details,
    )


def _region_team(turn: Turn, team_id: Any, attempt: str) -> Team | list[Reply]:
    team = turn.session.get(Team, team_id) if isinstance(team_id, int) else None
    if team is None:
        return [TextReply(text=turn.tr._("That team no longer exists."))]
    if team.region_id != turn.region.id:
        return _outside_region(turn, attempt, team=team.id)
    return team


def _mark(ok: bool) -> str:
    return "✓" if ok else "–"


# Status ----------------------------------------------------------------------------------------


def overview(turn: Turn) -> list[Reply]:
    tr = turn.tr
    year = current_year(turn.session, turn.region, turn.now)
    status = build_status(turn.session, turn.region, year)
    facts = []
    for team in status["teams"]:
        meetings = team["meetings"]
        goals = team["goals"]
        low, high = goals["meetings_goal"]
        facts.append(
            (
                team["name"],
                tr._(
                    "leaders {leaders} · members {confirmed}/{members} · meetings {planned} ({low}-{high}) · "
                    "physical {physical} · notices {notices} · notes {notes} · framework {framework} · goal {goal}",
                    leaders=len(team["leaders"]),
                    confirmed=sum(1 for m in team["members"] if m["confirmed"]),
                    members=len(team["members"]),
                    planned=goals["meetings_planned"],
                    low=low,
                    high=high,
                    physical=goals["physical_meetings"],
                    notices=f"{sum(1 for m in meetings if m['notice_sent'])}/{len(meetings)}",
                    notes=f"{sum(1 for m in meetings if m['notes_distributed'])}/{len(meetings)}",
                    framework=_mark(any(m["framework_reviewed"] for m in meetings)),
                    goal=_mark(goals["met"]),
                ),
            )
        )
    problems: dict[str, int] = {}
    for problem in status["reminder_problems"]:
        problems[problem["problem"]] = problems.get(problem["problem"], 0) + 1
    if problems:
        facts.append(
            (
                tr._("Reminders not possible"),
                ", ".join(f"{_problem_name(turn, kind)}: {count}" for kind, count in sorted(problems.items())),
            )
        )
    planning = planning_year(turn.session, turn.region, turn.now)
    later = build_status(turn.session, turn.region, planning) if planning.id != year.id else status
    return [
        CardReply(
            title=tr._("Status {region}, school year {year}", region=status["region"], year=year.label),
            facts=facts,
            text=tr._(
                "Members: confirmed/all. Notices and notes: meetings done / planned. Goal: {low}-{high} meetings "
                "a year, at least {physical} of them physical.",
                low=turn_settings(turn).meetings_per_year_min,
                high=turn_settings(turn).meetings_per_year_max,
                physical=turn_settings(turn).physical_meetings_min,
            ),
            buttons=[
                Button(
                    label=tr._("Without a team ({count})", count=len(later["people_without_team"])),
                    action="status.without_team",
                    values={},
                ),
                Button(
                    label=tr._("Schools not reported ({count})", count=len(later["schools_not_reported"])),
                    action="status.not_reported",
                    values={},
                ),
                Button(
                    label=tr._("Not reachable ({count})", count=len(status["unreachable"])),
                    action="status.unreachable",
                    values={},
                ),
                Button(label=tr._("One team"), action="status.team.pick", values={}),
                Button(label=tr._("Absence at a meeting"), action="intent", values={"intent": "absences"}),
            ],
        )
    ]


def _problem_name(turn: Turn, kind: str) -> str:
    tr = turn.tr
    names = {
        "unreachable": tr._("people without a chat in Slack or Teams"),
        "team_without_leader": tr._("teams without a leader"),
        "school_without_manager": tr._("schools without a manager"),
        "no_coordinator": tr._("no coordinator"),
        "no_network_days": tr._("no network days this school year"),
    }
    return names.get(kind, kind)


def turn_settings(turn: Turn) -> RegionSettings:
    return RegionSettings.model_validate(turn.region.settings)


def team_status(turn: Turn, team: Team) -> list[Reply]:
    tr = turn.tr
    year = current_year(turn.session, turn.region, turn.now)
    assert team.id is not None and year.id is not None
    names = ", ".join(p.name for p in leaders(turn.session, team.id, year.id)) or tr._("none appointed")
    status = build_status(turn.session, turn.region, year)
    row = next((t for t in status["teams"] if t["name"] == team.name), None)
    members = row["members"] if row else []
    by_school = Counter(m["school"] or "-" for m in members)
    facts = [
        (tr._("Leaders"), names),
        (
            tr._("Members"),
            tr._(
                "{count} ({confirmed} confirmed)",
                count=len(members),
                confirmed=sum(1 for m in members if m["confirmed"]),
            ),
        ),
        (tr._("Schools"), ", ".join(f"{school} {n}" for school, n in sorted(by_school.items())) or "-"),
    ]
    buttons = []
    for meeting in team_meetings(turn.session, team.id, year.id):
        assert meeting.id is not None
        absent = len(absentees(turn.session, meeting.id))
        kind = tr._("physical") if meeting.kind == MeetingKind.PHYSICAL.value else tr._("digital")
        state = tr._(
            "{kind}, {place} · notice {notice} · notes {notes} · absent {absent}",
            kind=kind,
            place=meeting_place(turn, meeting),
            notice=_mark(meeting.notice_sent_at is not None),
            notes=_mark(meeting.notes_distributed_at is not None),
            absent=absent,
        )
        if meeting.first_of_year:
            state += " · " + tr._("framework {mark}", mark=_mark(meeting.framework_reviewed_at is not None))
        figures = next((m for m in (row["meetings"] if row else []) if m["id"] == meeting.id), {})
        if figures.get("longest_round_trip_km") is not None:
            state += " · " + tr._(
                "longest trip {km} km, goal {mark}",
                km=figures["longest_round_trip_km"],
                mark=_mark(bool(figures.get("travel_goal_met"))),
            )
        facts.append((tr.date(meeting.starts_at), state))
        buttons.append(
            Button(
                label=short(tr._("Absence {date}", date=tr.date(meeting.starts_at))),
                action="status.absences",
                values={"meeting_id": meeting.id},
            )
        )
    if row:
        goals = row["goals"]
        facts.append((tr._("Goal"), _mark(goals["met"])))
    return [
        CardReply(
            title=tr._("{team}, school year {year}", team=team.name, year=year.label), facts=facts, buttons=buttons
        )
    ]


def meeting_absences(turn: Turn, meeting: Meeting) -> list[Reply]:
    tr = turn.tr
    team = turn.session.get(Team, meeting.team_id)
    assert meeting.id is not None and team is not None
    absent = absentees(turn.session, meeting.id)
    schools = {s.id: s for s in turn.session.exec(select(School).where(School.region_id == turn.region.id)).all()}
    facts = [(p.name, schools[p.school_id].name if p.school_id in schools else "-") for p in absent]
    return [
        CardReply(
            title=tr._("Absence: {team}, {when}", team=team.name, when=tr.when(meeting.starts_at)),
            facts=facts,
            text=None if absent else tr._("Nobody has reported absence."),
        )
    ]


def coordinator_absences(turn: Turn, slots: dict[str, str]) -> list[Reply]:
    """Absences of one meeting (team and date), of every meeting on a date, or a choice of dates."""
    tr = turn.tr
    year = current_year(turn.session, turn.region, turn.now)
    assert year.id is not None
    region_teams = {t.id: t for t in turn.teams()}
    meetings = [
        m
        for m in turn.session.exec(
            select(Meeting)
            .where(Meeting.school_year_id == year.id, col(Meeting.cancelled_at).is_(None))
            .order_by(col(Meeting.starts_at))
        ).all()
        if m.team_id in region_teams
    ]
    team = turn.team_named(slots.get("team"))
    if team is not None:
        meetings = [m for m in meetings if m.team_id == team.id]
    if slots.get("date"):
        day = dtm.date.fromisoformat(slots["date"])
        on_day = [m for m in meetings if m.starts_at.astimezone(tr.zone).date() == day]
        if not on_day:
            return [TextReply(text=tr._("There is no meeting on {date}.", date=tr.date(day)))]
        meetings = on_day
    elif team is not None:
        ahead = [m for m in meetings if m.ends_at > turn.now]
        meetings = ahead[:1] or meetings[-1:]
    else:
        days = sorted({m.starts_at.astimezone(tr.zone).date() for m in meetings if m.ends_at > turn.now})
        if not days:
            return [TextReply(text=tr._("There are no upcoming meetings this school year."))]
        meetings = [m for m in meetings if m.starts_at.astimezone(tr.zone).date() == days[0]]
    if len(meetings) == 1:
        return meeting_absences(turn, meetings[0])
    if not meetings:
        return [TextReply(text=tr._("There are no upcoming meetings this school year."))]
    facts = []
    for meeting in meetings:
        assert meeting.id is not None
        absent = absentees(turn.session, meeting.id)
        facts.append((region_teams[meeting.team_id].name, ", ".join(p.name for p in absent) or tr._("nobody")))
    return [
        CardReply(
            title=tr._("Absence {date}", date=tr.date(meetings[0].starts_at)),
            facts=facts,
            text=tr._('For another day, write for example "absence 12/2".'),
        )
    ]


def _without_team(turn: Turn) -> list[Reply]:
    tr = turn.tr
    year = planning_year(turn.session, turn.region, turn.now)
    assert year.id is not None
    schools = {s.id: s.name for s in turn.session.exec(select(School).where(School.region_id == turn.region.id)).all()}
    teachers = turn.session.exec(
        select(Person)
        .join(PersonRole, col(PersonRole.person_id) == Person.id)
        .where(Person.region_id == turn.region.id, PersonRole.role == Role.TEACHER.value)
        .order_by(col(Person.name))
    ).all()
    grouped: dict[str, list[str]] = {}
    for person in teachers:
        assert person.id is not None
        if membership(turn.session, person.id, year.id) is None:
            grouped.setdefault(schools.get(person.school_id, "-"), []).append(person.name)
    title = tr._("Without a team for {year}", year=year.label)
    if not grouped:
        return [TextReply(text=tr._("Every teacher has a team for {year}.", year=year.label))]
    count = sum(len(v) for v in grouped.values())
    return [
        CardReply(
            title=title,
            facts=[(school, ", ".join(names)) for school, names in sorted(grouped.items())],
            text=tr.n_("{count} teacher.", "{count} teachers.", count),
        )
    ]


def schools_not_reported(turn: Turn) -> list[Reply]:
    tr = turn.tr
    year = planning_year(turn.session, turn.region, turn.now)
    missing = build_status(turn.session, turn.region, year)["schools_not_reported"]
    if not missing:
        return [TextReply(text=tr._("Every school has reported its teams for {year}.", year=year.label))]
    return [
        CardReply(
            title=tr._("Schools that have not reported {year}", year=year.label),
            facts=[(str(i), name) for i, name in enumerate(missing, start=1)],
        )
    ]


def unreachable_people(turn: Turn) -> list[Reply]:
    tr = turn.tr
    year = current_year(turn.session, turn.region, turn.now)
    emails = build_status(turn.session, turn.region, year)["unreachable"]
    if not emails:
        return [TextReply(text=tr._("I can reach everyone in Teams or Slack."))]
    names = {p.email: p.name for p in turn.session.exec(select(Person).where(col(Person.email).in_(emails))).all()}
    return [
        CardReply(
            title=tr._("People I cannot reach ({count})", count=len(emails)),
            facts=[(names.get(email, email), email) for email in emails],
            text=tr._(
                "They have no chat with me in Teams or Slack, or my last message to them failed. Ask them to "
                "write to me once; in Teams, adding the app to the team opens a chat with every member."
            ),
        )
    ]


# Registration ----------------------------------------------------------------------------------


def register(registry: Registry) -> None:
    """Add the coordinator's dialogs to `registry`."""
    _register_framework(registry)

    @registry.intent("status")
    def status(turn: Turn, slots: dict[str, str]) -> list[Reply]:
        if not is_coordinator(turn):
            return _not_a_coordinator(turn, "status")
        team = turn.team_named(slots.get("team"))
        return team_status(turn, team) if team is not None else overview(turn)

    @registry.action("status.team.pick")
    def pick_team(turn: Turn, values: dict[str, Any]) -> list[Reply]:
        if not is_coordinator(turn):
            return _not_a_coordinator(turn, "status")
        return [
            ChoicesReply(
                text=turn.tr._("Which team?"),
                buttons=[
                    Button(label=short(t.name), action="status.team", values={"team_id": t.id}) for t in turn.teams()
                ],
            )
        ]

    @registry.action("status.team")
    def one_team(turn: Turn, values: dict[str, Any]) -> list[Reply]:
        if not is_coordinator(turn):
            return _not_a_coordinator(turn, "status")
        team = _region_team(turn, values.get("team_id"), "status")
        return team if isinstance(team, list) else team_status(turn, team)

    @registry.intent("people_without_team")
    def without(turn: Turn, slots: dict[str, str]) -> list[Reply]:
        if not is_coordinator(turn):
            return _not_a_coordinator(turn, "status.without_team")
        return _without_team(turn)

    @registry.action("status.without_team")
    def without_button(turn: Turn, values: dict[str, Any]) -> list[Reply]:
        return without(turn, {})

    @registry.action("status.not_reported")
    def not_reported(turn: Turn, values: dict[str, Any]) -> list[Reply]:
        if not is_coordinator(turn):
            return _not_a_coordinator(turn, "status.not_reported")
        return schools_not_reported(turn)

    @registry.action("status.unreachable")
    def unreachable(turn: Turn, values: dict[str, Any]) -> list[Reply]:
        if not is_coordinator(turn):
            return _not_a_coordinator(turn, "status.unreachable")
        return unreachable_people(turn)

    @registry.action("status.absences")
    def absences_of(turn: Turn, values: dict[str, Any]) -> list[Reply]:
        if not is_coordinator(turn):
            return _not_a_coordinator(turn, "status.absences")
        meeting = (
            turn.session.get(Meeting, values.get("meeting_id")) if isinstance(values.get("meeting_id"), int) else None
        )
        team = turn.session.get(Team, meeting.team_id) if meeting else None
        if meeting is None or team is None:
            return [TextReply(text=turn.tr._("That meeting no longer exists."))]
        if team.region_id != turn.region.id:
            return _outside_region(turn, "status.absences", meeting=meeting.id)
        return meeting_absences(turn, meeting)

    # Network days ------------------------------------------------------------------------------

    def _days_card(turn: Turn, lead: str | None = None) -> list[Reply]:
        tr = turn.tr
        current = current_year(turn.session, turn.region, turn.now)
        days = turn.session.exec(
            select(NetworkDay)
            .where(NetworkDay.region_id == turn.region.id, NetworkDay.date >= current.starts_on)
            .order_by(col(NetworkDay.date))
        ).all()
        facts = [
            (
                tr.date(d.date) + f" {d.date.year}",
                (
                    tr._("physical")
                    if d.kind == "physical"
                    else tr._("digital")
                    if d.kind == "digital"
                    else tr._("either")
                )
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

    @registry.intent("add_network_day")
    def add_day(turn: Turn, slots: dict[str, str]) -> list[Reply]:
        tr = turn.tr
        if not is_coordinator(turn):
            return _not_a_coordinator(turn, "network_day.add")
        if not slots.get("date"):
            turn.wait("network_day.date", kind=slots.get("kind"))
            return [
                *_days_card(turn),
                TextReply(text=tr._("Write the date of the new network day, for example 12 March.")),
            ]
        return _ask_kind(turn, dtm.date.fromisoformat(slots["date"]), slots.get("kind"))

    def _ask_kind(turn: Turn, day: dtm.date, kind: str | None) -> list[Reply]:
        tr = turn.tr
        if day <= turn.today:
            turn.wait("network_day.date", kind=kind)
            return [TextReply(text=tr._("A network day must be in the future. Write another date."))]
        if schoolyear.label_for(day) not in (
            (current := current_year(turn.session, turn.region, turn.now)).label,
            schoolyear.following(current.label),
        ):
            turn.wait("network_day.date", kind=kind)
            return [
                TextReply(text=tr._("Network days can be added for this school year and the next. Write another date."))
            ]
        if kind in ("physical", "digital"):
            return add_confirm(turn, {"date": day.isoformat(), "kind": kind})
        warning = tr._("Note: {date} is a weekend day.", date=tr.date(day)) + " " if day.weekday() >= 5 else ""
        values = {"date": day.isoformat()}
        return [
            ChoicesReply(
                text=warning + tr._("Is {date} meant for physical or digital meetings?", date=tr.date(day)),
                buttons=[
                    Button(label=tr._("Physical"), action="network_day.add", values={**values, "kind": "physical"}),
                    Button(label=tr._("Digital"), action="network_day.add", values={**values, "kind": "digital"}),
                    Button(label=tr._("Either"), action="network_day.add", values={**values, "kind": ""}),
                ],
            )
        ]

    @registry.step("network_day.date")
    def day_text(turn: Turn, text: str) -> list[Reply] | None:
        day = nlu.find_date(nlu.clean(text), turn.today)
        if day is None:
            return None
        return _ask_kind(turn, day, turn.waiting_data.get("kind"))

    @registry.action("network_day.add")
    def add_confirm(turn: Turn, values: dict[str, Any]) -> list[Reply]:
        tr = turn.tr
        if not is_coordinator(turn):
            return _not_a_coordinator(turn, "network_day.add")
        try:
            day = dtm.date.fromisoformat(str(values.get("date")))
        except ValueError:
            return expired(turn)
        kind = values.get("kind") or None
        if kind not in (None, "physical", "digital") or day <= turn.today:
            return [TextReply(text=tr._("A network day must be in the future. Write another date."))]
        created_day, created = coordination.add_network_day(
            turn.session, region=turn.region, day=day, kind=kind, actor=turn.person, now=turn.now
        )
        if not created:
            return _days_card(turn, tr._("{date} is already a network day.", date=tr.date(day)))
        year = schoolyear.get_or_create(turn.session, schoolyear.label_for(day))
        recipients = _all_leaders(turn, year)

        def build(t: Translator) -> list[Reply]:
            return [
                ChoicesReply(
                    text=t._(
                        "New network day: {date}. Schedule your team's meeting when you are ready.", date=t.date(day)
                    ),
                    buttons=[
                        Button(label=t._("Schedule meeting"), action="intent", values={"intent": "schedule_meeting"})
                    ],
                )
            ]

        notify(
            turn.session,
            origin=turn.person,
            recipients=recipients,
            region=turn.region,
            kind="network_day_added",
            build=build,
        )
        assert created_day.id is not None
        return _days_card(
            turn,
            tr.n_(
                "Added {date}. {count} team leader has been told.",
                "Added {date}. {count} team leaders have been told.",
                len(recipients),
                date=tr.date(day),
            ),
        )

    def _all_leaders(turn: Turn, year: SchoolYear) -> list[Person]:
        found: dict[int | None, Person] = {}
        for team in turn.teams():
            assert team.id is not None and year.id is not None
            for person in leaders(turn.session, team.id, year.id):
                found[person.id] = person
        return list(found.values())

    @registry.intent("remove_network_day")
    def remove_day(turn: Turn, slots: dict[str, str]) -> list[Reply]:
        tr = turn.tr
        if not is_coordinator(turn):
            return _not_a_coordinator(turn, "network_day.remove")
        days = turn.session.exec(
            select(NetworkDay)
            .where(NetworkDay.region_id == turn.region.id, NetworkDay.date > turn.today)
            .order_by(col(NetworkDay.date))
        ).all()
        if slots.get("date"):
            days = [d for d in days if d.date.isoformat() == slots["date"]] or days
        if not days:
            return [TextReply(text=tr._("There are no upcoming network days to remove."))]
        return [
            ChoicesReply(
                text=tr._("Which network day do you want to remove?"),
                buttons=[
                    Button(label=tr.date(d.date), action="network_day.remove", values={"day_id": d.id}, style="danger")
                    for d in days[:MAX_LIST]
                ],
            )
        ]

    @registry.action("network_day.remove")
    def remove_confirm(turn: Turn, values: dict[str, Any]) -> list[Reply]:
        tr = turn.tr
        if not is_coordinator(turn):
            return _not_a_coordinator(turn, "network_day.remove")
        day = turn.session.get(NetworkDay, values.get("day_id")) if isinstance(values.get("day_id"), int) else None
        if day is None:
            return [TextReply(text=tr._("That network day has already been removed."))]
        if day.region_id != turn.region.id:
            return _outside_region(turn, "network_day.remove", network_day=day.id)
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
                return [
                    TextReply(
                        text=t._(
                            "{date} is no longer a network day. Your team's meeting that day is kept; "
                            "move or cancel it if it should not take place.",
                            date=t.date(date),
                        )
                    )
                ]

            notify(
                turn.session,
                origin=turn.person,
                recipients=told,
                region=turn.region,
                kind="network_day_removed",
                build=build,
            )
            lead += " " + tr.n_(
                "{count} meeting was planned that day; it is kept, and its leaders have been told.",
                "{count} meetings were planned that day; they are kept, and their leaders have been told.",
                len(kept),
            )
        return _days_card(turn, lead)

    # Team leaders ------------------------------------------------------------------------------

    @registry.intent("appoint_leader")
    def appoint(turn: Turn, slots: dict[str, str]) -> list[Reply]:
        tr = turn.tr
        if not is_coordinator(turn):
            return _not_a_coordinator(turn, "leader.appoint")
        year = planning_year(turn.session, turn.region, turn.now)
        team = turn.team_named(slots.get("team"))
        if team is not None:
            return appoint_team(turn, {"team_id": team.id, "year": year.label})
        return [
            ChoicesReply(
                text=tr._("Which team needs a leader for {year}?", year=year.label),
                buttons=[
                    Button(label=short(t.name), action="leader.team", values={"team_id": t.id, "year": year.label})
                    for t in turn.teams()
                ],
            )
        ]

    @registry.action("leader.team")
    def appoint_team(turn: Turn, values: dict[str, Any]) -> list[Reply]:
        tr = turn.tr
        if not is_coordinator(turn):
            return _not_a_coordinator(turn, "leader.appoint")
        team = _region_team(turn, values.get("team_id"), "leader.appoint")
        if isinstance(team, list):
            return team
        year = open_year(turn, values.get("year"))
        if year is None or year.id is None or team.id is None:
            return expired(turn)
        current = leaders(turn.session, team.id, year.id)
        current_label = current_year(turn.session, turn.region, turn.now).label
        other = schoolyear.following(current_label) if year.label == current_label else current_label
        turn.wait("leader.person", team_id=team.id, year=year.label)
        text = tr._(
            "Leaders of {team} for {year}: {names}. Write the name or e-mail address of the new leader.",
            team=team.name,
            year=year.label,
            names=", ".join(p.name for p in current) or tr._("none"),
        )
        if len(current) >= 2:
            text += " " + tr._("The team has two leaders already, so the new one replaces one of them.")
        buttons = (
            [
                Button(
                    label=tr._("School year {year} instead", year=other),
                    action="leader.team",
                    values={"team_id": team.id, "year": other},
                )
            ]
            if other
            else []
        )
        return [ChoicesReply(text=text, buttons=buttons)] if buttons else [TextReply(text=text)]

    @registry.step("leader.person", free_text=True)
    def appoint_person(turn: Turn, text: str) -> list[Reply] | None:
        tr = turn.tr
        data = dict(turn.waiting_data)
        words = fold(text).split()
        if not words or turn.is_request:
            return None
        people = turn.session.exec(
            select(Person).where(Person.region_id == turn.region.id).order_by(col(Person.name))
        ).all()
        wanted = text.strip().lower()
        found = [p for p in people if p.email == wanted] or [
            p for p in people if all(w in fold(p.name).split() or w in fold(p.name) for w in words)
        ]
        if not found:
            turn.wait("leader.person", **data)
            return [
                TextReply(
                    text=tr._(
                        'I found nobody in {region} called "{text}". Write the name or e-mail again.',
                        region=turn.region.name,
                        text=text.strip()[:80],
                    )
                )
            ]
        if len(found) > 1:
            return [
                ChoicesReply(
                    text=tr._("Whom do you mean?"),
                    buttons=[
                        Button(
                            label=short(f"{p.name} ({p.email})"),
                            action="leader.person",
                            values={**data, "person_id": p.id},
                        )
                        for p in found[:MAX_LIST]
                    ],
                )
            ]
        return appoint_ask(turn, {**data, "person_id": found[0].id})

    @registry.action("leader.person")
    def appoint_ask(turn: Turn, values: dict[str, Any]) -> list[Reply]:
        tr = turn.tr
        if not is_coordinator(turn):
            return _not_a_coordinator(turn, "leader.appoint")
        team = _region_team(turn, values.get("team_id"), "leader.appoint")
        if isinstance(team, list):
            return team
        year = open_year(turn, values.get("year"))
        person = turn.session.get(Person, values.get("person_id")) if isinstance(values.get("person_id"), int) else None
        if year is None or year.id is None or person is None or team.id is None:
            return expired(turn)
        if person.region_id != turn.region.id:
            return _outside_region(turn, "leader.appoint", person=person.id)
        current = leaders(turn.session, team.id, year.id)
        if any(p.id == person.id for p in current):
            return [
                TextReply(
                    text=tr._(
                        "{name} already leads {team} in {year}.", name=person.name, team=team.name, year=year.label
                    )
                )
            ]
        base = {"team_id": team.id, "year": year.label, "person_id": person.id}
        if len(current) >= 2:
            return [
                ChoicesReply(
                    text=tr._(
                        "{team} has two leaders for {year}. Whom does {name} replace?",
                        team=team.name,
                        year=year.label,
                        name=person.name,
                    ),
                    buttons=[
                        Button(label=short(p.name), action="leader.appoint", values={**base, "replacing_id": p.id})
                        for p in current
                    ],
                )
            ]
        return [
            ChoicesReply(
                text=tr._(
                    "Appoint {name} leader of {team} for {year}?", name=person.name, team=team.name, year=year.label
                ),
                buttons=[Button(label=tr._("Yes, appoint"), action="leader.appoint", values=base, style="primary")],
            )
        ]

    @registry.action("leader.appoint")
    def appoint_do(turn: Turn, values: dict[str, Any]) -> list[Reply]:
        tr = turn.tr
        if not is_coordinator(turn):
            return _not_a_coordinator(turn, "leader.appoint")
        team = _region_team(turn, values.get("team_id"), "leader.appoint")
        if isinstance(team, list):
            return team
        year = open_year(turn, values.get("year"))
        person = turn.session.get(Person, values.get("person_id")) if isinstance(values.get("person_id"), int) else None
        replacing_id = values.get("replacing_id")
        replacing = turn.session.get(Person, replacing_id) if isinstance(replacing_id, int) else None
        if year is None or person is None:
            return expired(turn)
        if person.region_id != turn.region.id:
            return _outside_region(turn, "leader.appoint", person=person.id)
        created = coordination.appoint_leader(
            turn.session, team=team, year=year, person=person, replacing=replacing, actor=turn.person, now=turn.now
        )
        if created is None:
            assert team.id is not None and year.id is not None
            now_leading = leaders(turn.session, team.id, year.id)
            if any(p.id == person.id for p in now_leading):
                return [
                    TextReply(
                        text=tr._(
                            "{name} already leads {team} in {year}.", name=person.name, team=team.name, year=year.label
                        )
                    )
                ]
            return [
                TextReply(
                    text=tr._(
                        "{team} already has two leaders for {year}; a team has at most two. Choose whom to replace.",
                        team=team.name,
                        year=year.label,
                    )
                ),
                *appoint_ask(turn, {"team_id": team.id, "year": year.label, "person_id": person.id}),
            ]

        def welcome(t: Translator) -> list[Reply]:
            return [
                ChoicesReply(
                    text=t._(
                        "You are now a leader of {team} for the school year {year}. I will help you with meetings, "
                        "notices and notes.",
                        team=team.name,
                        year=year.label,
                    ),
                    buttons=[Button(label=t._("My team's meetings"), action="leader.meetings", values={})],
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
        if replacing is not None:
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
                )
            ]
        return [
            TextReply(
                text=tr._(
                    "Done: {name} is a leader of {team} for {year}.", name=person.name, team=team.name, year=year.label
                )
            )
        ]


def _register_framework(registry: Registry) -> None:
    @registry.action("framework.revised")
    def revised(turn: Turn, values: dict[str, Any]) -> list[Reply]:
        """The coordinator marks the framework revised for a school year: its yearly reminder stops."""
        tr = turn.tr
        if not is_coordinator(turn):
            return _not_a_coordinator(turn, "framework.revised")
        year = open_year(turn, values.get("year"))
        if year is None:
            return expired(turn)
        if turn.region.framework_version == year.label:
            return [TextReply(text=tr._("The framework is already marked as revised for {year}.", year=year.label))]
        before = {"framework_version": turn.region.framework_version}
        turn.region.framework_version = year.label
        record(
            turn.session,
            action="framework.revised",
            entity="region",
            entity_id=turn.region.id,
            actor_id=turn.person.id,
            before=before,
            after={"framework_version": year.label},
        )
        return [TextReply(text=tr._("Noted: the framework is revised for {year}.", year=year.label))]


def coordinator_help(turn: Turn) -> list[Button]:
    tr = turn.tr
    return [
        Button(label=tr._("Status"), action="intent", values={"intent": "status"}),
        Button(label=tr._("Without a team"), action="intent", values={"intent": "people_without_team"}),
        Button(label=tr._("Schools not reported"), action="status.not_reported", values={}),
        Button(label=tr._("Absence at a meeting"), action="intent", values={"intent": "absences"}),
        Button(label=tr._("Network days"), action="intent", values={"intent": "add_network_day"}),
        Button(label=tr._("Appoint leader"), action="intent", values={"intent": "appoint_leader"}),
    ]
