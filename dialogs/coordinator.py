"""The coordinator's views: status of the region or a team, people without a team, schools not reported,
people the bot cannot reach, absences; and marking the framework revised. Network days and appointing
leaders are in their own modules. A coordinator acts inside their own region only.
"""

from __future__ import annotations

import datetime as dtm
import re
from collections import Counter

from sqlmodel import select

from dialogs import access
from dialogs.common import meeting_place, short
from dialogs.engine import Answered, Router, Turn, Values
from dialogs.i18n import Translator
from dialogs.names import Act, Intent
from dialogs.reports import problem_name, status_csv
from dialogs.types import Button, CardReply, ChoicesReply, FileReply, Reply, TextReply
from dialogs.year_report import MEDIA_TYPE, report_filename, report_html
from domain.meetings import absentees, team_meetings, teams_led
from domain.report import build_report
from domain.status import build_status, figures
from domain.teams import current_year, leaders, membership, year_being_decided
from storage import schoolyear
from storage.audit import record
from storage.models import Meeting, MeetingKind, Role, SchoolYear, Team
from storage.queries import people_by_email, people_with_role, region_meetings, school_names
from storage.settings import RegionSettings

MAX_LIST = 25


def _framework(tr: Translator, reviewed: bool) -> str:
    return tr._("framework reviewed") if reviewed else tr._("framework not reviewed yet")


def _goal(tr: Translator, met: bool) -> str:
    return tr._("goal reached") if met else tr._("goal not reached yet")


# Status ----------------------------------------------------------------------------------------


_YEAR = re.compile(r"\b(20\d\d)\s*/\s*(\d\d)\b")


def asked_year(turn: Turn) -> SchoolYear | None:
    """A school year written in the request ("status 2025/26"), if the bot has it; None when none is written.
    `Answered` when one is written that the bot knows nothing of."""
    found = _YEAR.search(turn.incoming.text or "")
    if found is None:
        return None
    label = f"{found.group(1)}/{found.group(2)}"
    year = turn.session.exec(select(SchoolYear).where(SchoolYear.label == label)).first()
    if year is None:
        raise Answered(TextReply(text=turn.tr._("I have nothing about the school year {year}.", year=label)))
    return year


def overview(turn: Turn) -> list[Reply]:
    tr = turn.tr
    asked = asked_year(turn)  # "status 2025/26": that year, its teams as they were decided
    year = asked or current_year(turn.session, turn.region, turn.now)
    deciding = asked or year_being_decided(turn.session, turn.region, turn.now)
    status = build_status(turn.session, turn.region, year, turn.roads, deciding)
    facts = []
    for team in status.teams:
        f = figures(team)
        low, high = team.goals.meetings_goal
        facts.append(
            (
                team.name,
                tr._(
                    "leaders {leaders} · members {confirmed}/{members} · meetings {planned} (goal {low}–{high}) · "
                    "physical {physical} · notices sent {notices} · notes sent {notes} · {framework} · {goal}",
                    leaders=f.leaders,
                    confirmed=f.members_confirmed,
                    members=f.members,
                    planned=f.meetings_planned,
                    low=low,
                    high=high,
                    physical=f.physical_meetings,
                    notices=f"{f.notices_sent}/{len(team.meetings)}",
                    notes=f"{f.notes_distributed}/{len(team.meetings)}",
                    framework=_framework(tr, f.framework_reviewed),
                    goal=_goal(tr, f.goals_met),
                ),
            )
        )
    problems = Counter(problem.problem for problem in status.reminder_problems)
    if problems:
        facts.append(
            (
                tr._("Reminders not possible"),
                ", ".join(f"{problem_name(tr, kind)}: {count}" for kind, count in sorted(problems.items())),
            )
        )
    return [
        CardReply(
            title=tr._("Status {region}, school year {year}", region=status.region, year=year.label),
            facts=facts,
            text=tr._(
                "Members: confirmed/all. Notices and notes sent: for how many of the planned meetings. Goal: "
                "{low}–{high} meetings a year, at least {physical} of them physical.",
                low=turn.settings.meetings_per_year_min,
                high=turn.settings.meetings_per_year_max,
                physical=turn.settings.physical_meetings_min,
            ),
            buttons=[
                Button(
                    label=tr._(
                        "Without a {group} ({count})", group=turn.words.group, count=len(status.people_without_team)
                    )
                    if deciding.id == year.id
                    else tr._(
                        "Without a {group} {year} ({count})",
                        group=turn.words.group,
                        year=deciding.label,
                        count=len(status.people_without_team),
                    ),
                    action=Act.STATUS_WITHOUT_TEAM,
                    values={},
                ),
                Button(
                    label=tr._("Schools not reported ({count})", count=len(status.schools_not_reported))
                    if deciding.id == year.id
                    else tr._(
                        "Schools not reported {year} ({count})",
                        year=deciding.label,
                        count=len(status.schools_not_reported),
                    ),
                    action=Act.STATUS_NOT_REPORTED,
                    values={},
                ),
                Button(
                    label=tr._("Not reachable ({count})", count=len(status.unreachable)),
                    action=Act.STATUS_UNREACHABLE,
                    values={},
                ),
                Button(label=tr._("One team"), action=Act.STATUS_TEAM_PICK, values={}),
                Button(label=tr._("Absence at a meeting"), action=Act.INTENT, values={"intent": Intent.ABSENCES}),
                Button(label=tr._("As a CSV file"), action=Act.STATUS_EXPORT, values={}),
            ],
        )
    ]


def team_status(turn: Turn, team: Team) -> list[Reply]:
    tr = turn.tr
    year = current_year(turn.session, turn.region, turn.now)
    assert team.id is not None and year.id is not None
    names = tr.join(p.name for p in leaders(turn.session, team.id, year.id)) or tr._("none appointed")
    status = build_status(turn.session, turn.region, year, turn.roads)
    row = next((t for t in status.teams if t.name == team.name), None)
    members = row.members if row else []
    by_school = Counter(m.school or "-" for m in members)
    facts = [
        (tr._("Leaders"), names),
        (
            tr._("Members"),
            tr._(
                "{count} ({confirmed} confirmed)",
                count=len(members),
                confirmed=sum(1 for m in members if m.confirmed),
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
            "{kind}, {place} · {notice} · {notes} · absent {absent}",
            kind=kind,
            place=meeting_place(turn, meeting),
            notice=tr._("notice sent") if meeting.notice_sent_at is not None else tr._("no notice yet"),
            notes=tr._("notes sent") if meeting.notes_distributed_at is not None else tr._("no notes yet"),
            absent=absent,
        )
        if meeting.first_of_year:
            state += " · " + _framework(tr, meeting.framework_reviewed_at is not None)
        shown = next((m for m in (row.meetings if row else []) if m.id == meeting.id), None)
        if shown is not None and shown.longest_round_trip_km is not None:
            distance = tr.distance(shown.longest_round_trip_km)
            state += " · " + (
                tr._("longest trip {distance}", distance=distance)
                if shown.travel_goal_met is None  # the region sets no travel goal
                else tr._(
                    "longest trip {distance}, {goal}",
                    distance=distance,
                    goal=tr._("within the travel goal") if shown.travel_goal_met else tr._("over the travel goal"),
                )
            )
        facts.append((tr.date(meeting.starts_at), state))
        buttons.append(
            Button(
                label=short(tr._("Absence {date}", date=tr.date(meeting.starts_at))),
                action=Act.STATUS_ABSENCES,
                values={"meeting_id": meeting.id},
            )
        )
    if row:
        facts.append((tr._("Goal"), _goal(tr, row.goals.met)))
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
    schools = school_names(turn.session, turn.region)
    facts = [(p.name, schools.get(p.school_id, "-")) for p in absent]
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
    meetings = [m for m, _ in region_meetings(turn.session, turn.region, year=year)]
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
        facts.append((region_teams[meeting.team_id].name, tr.join(p.name for p in absent) or tr._("nobody")))
    return [
        CardReply(
            title=tr._("Absence {date}", date=tr.date(meetings[0].starts_at)),
            facts=facts,
            text=tr._('For another day, write for example "absence 12/2".'),
        )
    ]


def _without_team(turn: Turn) -> list[Reply]:
    tr = turn.tr
    year = year_being_decided(turn.session, turn.region, turn.now)
    assert year.id is not None
    schools = school_names(turn.session, turn.region)
    teachers = people_with_role(turn.session, turn.region, Role.TEACHER.value)
    grouped: dict[str, list[str]] = {}
    for person in teachers:
        assert person.id is not None
        placed = membership(turn.session, person.id, year.id) or teams_led(turn.session, person.id, year.id)
        if not placed:  # a leader is in the team they lead
            grouped.setdefault(schools.get(person.school_id, "-"), []).append(person.name)
    title = tr._("Without a {group} for {year}", group=turn.words.group, year=year.label)
    if not grouped:
        return [
            TextReply(
                text=tr._("Every teacher is in {a_group} for {year}.", a_group=turn.words.a_group, year=year.label)
            )
        ]
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
    year = year_being_decided(turn.session, turn.region, turn.now)
    missing = build_status(turn.session, turn.region, year).schools_not_reported
    if not missing:
        return [
            TextReply(
                text=tr._(
                    "Every school has reported its {groups} for {year}.", groups=turn.words.groups, year=year.label
                )
            )
        ]
    return [
        CardReply(
            title=tr._("Schools that have not reported {year}", year=year.label),
            facts=[(str(i), name) for i, name in enumerate(missing, start=1)],
        )
    ]


def unreachable_people(turn: Turn) -> list[Reply]:
    tr = turn.tr
    year = current_year(turn.session, turn.region, turn.now)
    emails = build_status(turn.session, turn.region, year).unreachable
    if not emails:
        return [TextReply(text=tr._("I can reach everyone in Teams or Slack."))]
    names = {p.email: p.name for p in people_by_email(turn.session, emails)}
    return [
        CardReply(
            title=tr._("People I cannot reach ({count})", count=len(emails)),
            facts=[(names.get(email, email), email) for email in emails],
            text=tr._(
                "They have no chat with me in Teams or Slack, or my last message to them failed, so they miss "
                "notices and reminders. What helps:\n"
                "- ask them to open the app and write hello to me once (in Teams: Apps, search for "
                "Ämneslagsboten, Add; in Slack: Ämneslagsboten under Apps);\n"
                "- in Teams, add the app to a team they are in: I then open a chat with every member;\n"
                "- if the e-mail address here is not the one they use in Teams or Slack, ask the administrator "
                "to correct it in the roster."
            ),
        )
    ]


# The coordinator's requests ----------------------------------------------------------------------


router = Router()


@router.intent(Intent.STATUS, guard=access.coordinator("status"))
def status(turn: Turn, slots: Values, _: None) -> list[Reply]:
    team = turn.team_named(slots.get("team"))
    return team_status(turn, team) if team is not None else overview(turn)


@router.intent(Intent.YEAR_REPORT, guard=access.coordinator("year_report"))
def year_report(turn: Turn, slots: Values, _: None) -> list[Reply]:
    """The year report of the coordinator's region, this school year, as the HTML page `amneslag report` writes."""
    tr = turn.tr
    year = asked_year(turn) or current_year(turn.session, turn.region, turn.now)
    report = build_report(turn.session, turn.region, year, turn.now, turn.roads)
    return [
        TextReply(
            text=tr._(
                "The year report of {region} for {year}: a web page with charts and a map. Open it in a web "
                "browser; it fetches nothing from the network, so it can be sent on as it is.",
                region=report.region,
                year=report.school_year,
            )
        ),
        FileReply(
            filename=report_filename(report),
            media_type=MEDIA_TYPE,
            description=tr._("Year report {region} {year}", region=report.region, year=report.school_year),
            content=report_html(report, tr),
        ),
    ]


@router.action(Act.STATUS_EXPORT, guard=access.coordinator("status"))
def status_export(turn: Turn, values: Values, _: None) -> list[Reply]:
    """The status as `amneslag status --format csv` writes it, as a file in the chat (a spreadsheet opens it)."""
    tr = turn.tr
    year = current_year(turn.session, turn.region, turn.now)
    deciding = year_being_decided(turn.session, turn.region, turn.now)
    data = build_status(turn.session, turn.region, year, turn.roads, deciding)
    return [
        TextReply(
            text=tr._(
                "The status of {region} for {year}, one row per {group}:",
                region=data.region,
                year=year.label,
                group=turn.words.group,
            )
        ),
        FileReply(
            filename=f"status-{turn.region.key}-{year.label.replace('/', '-')}.csv",
            media_type="text/csv; charset=utf-8",
            description=tr._("Status {region} {year}", region=data.region, year=year.label),
            content=status_csv(data),
        ),
    ]


@router.action(Act.STATUS_TEAM_PICK, guard=access.coordinator("status"))
def pick_team(turn: Turn, values: Values, _: None) -> list[Reply]:
    return [
        ChoicesReply(
            text=turn.tr._("{which_group}?", which_group=turn.words.which_group),
            buttons=[
                Button(label=short(t.name), action=Act.STATUS_TEAM, values={"team_id": t.id}) for t in turn.teams()
            ],
        )
    ]


@router.action(Act.STATUS_TEAM, guard=access.coordinates_team("status"))
def one_team(turn: Turn, values: Values, team: Team) -> list[Reply]:
    return team_status(turn, team)


@router.intent(Intent.PEOPLE_WITHOUT_TEAM, guard=access.coordinator("status.without_team"))
def without(turn: Turn, slots: Values, _: None) -> list[Reply]:
    return _without_team(turn)


@router.action(Act.STATUS_WITHOUT_TEAM, guard=access.coordinator("status.without_team"))
def without_button(turn: Turn, values: Values, _: None) -> list[Reply]:
    return _without_team(turn)


@router.action(Act.STATUS_NOT_REPORTED, guard=access.coordinator("status.not_reported"))
def not_reported(turn: Turn, values: Values, _: None) -> list[Reply]:
    return schools_not_reported(turn)


@router.action(Act.STATUS_UNREACHABLE, guard=access.coordinator("status.unreachable"))
def unreachable(turn: Turn, values: Values, _: None) -> list[Reply]:
    return unreachable_people(turn)


@router.action(Act.STATUS_ABSENCES, guard=access.coordinator("status.absences"))
def absences_of(turn: Turn, values: Values, _: None) -> list[Reply]:
    return meeting_absences(turn, access.region_meeting(turn, values, "status.absences").meeting)


def _who_changes(turn: Turn) -> str:
    """Who changes the region's settings: its administrators, on the command line. A coordinator is told whom to
    ask, by name, not a command to type; an administrator, who works on that command line, is told the command."""
    tr = turn.tr
    admins = people_with_role(turn.session, turn.region, Role.ADMIN.value)
    if any(a.id == turn.person.id for a in admins):
        return tr._(
            "Read only here. As administrator you change a setting on the bot's server: "
            "`amneslag region set {key} KEY VALUE`.",
            key=turn.region.key,
        )
    if not admins:
        return tr._("Read only here. To change a setting, ask the bot's administrator.")
    return tr.n_(
        "Read only here. To change a setting, ask the administrator, {names}.",
        "Read only here. To change a setting, ask the administrators, {names}.",
        len(admins),
        names=tr.join(a.name for a in admins),
    )


@router.intent(Intent.REGION_FRAMEWORK, guard=access.coordinator("region_framework"))
def region_framework(turn: Turn, slots: Values, _: None) -> list[Reply]:
    """The region's framework in force, read only: the document, the duties that apply with their dates,
    the goals and the words. It is changed with `amneslag region set` (validated and audited), not here."""
    tr = turn.tr
    region = turn.region
    settings = RegionSettings.model_validate(region.settings)
    duties = settings.duties
    facts: list[tuple[str, str]] = []
    if region.framework_title:
        document = region.framework_title
        if region.framework_version:
            document = tr._("{title}, version {version}", title=document, version=region.framework_version)
        facts.append((tr._("Document"), document))
        facts.append((tr._("Link"), region.framework_url or tr._("no link stored")))
    else:
        facts.append((tr._("Document"), tr._("none: the region has no framework document")))
    absent: list[str] = []
    if duties.team_choice:
        opens = settings.team_choice_opens
        facts.append(
            (
                tr._("Choice of {group}", group=turn.words.group),
                tr._(
                    "the teachers choose a {group} for the next school year, from {date}",
                    group=turn.words.group,
                    date=tr.day_of_year(opens.month, opens.day),
                ),
            )
        )
    else:
        absent.append(tr._("choice of {group}", group=turn.words.group))
    if duties.manager_report:
        deadline = settings.report_deadline
        facts.append(
            (
                tr._("Managers' report"),
                tr._(
                    "the managers report their staff's {groups} by {date}",
                    groups=turn.words.groups,
                    date=tr.day_of_year(deadline.month, deadline.day),
                ),
            )
        )
    else:
        absent.append(tr._("managers' report"))
    if duties.framework_review:
        facts.append(
            (
                tr._("Framework review"),
                tr._(
                    "each {group} goes through the document at the school year's first meeting", group=turn.words.group
                ),
            )
        )
    else:
        absent.append(tr._("framework review"))
    if duties.yearly_revision:
        check = settings.yearly_check
        facts.append(
            (
                tr._("Yearly revision"),
                tr._(
                    "the document is revised every year (reminder {date})",
                    date=tr.day_of_year(check.month, check.day),
                ),
            )
        )
    else:
        absent.append(tr._("yearly revision"))
    if duties.meeting_goals:
        facts.append(
            (
                tr._("Meetings"),
                tr._(
                    "{low}–{high} per school year, at least {physical} physical",
                    low=settings.meetings_per_year_min,
                    high=settings.meetings_per_year_max,
                    physical=settings.physical_meetings_min,
                ),
            )
        )
    else:
        absent.append(tr._("meeting goals"))
    if duties.meeting_goals:  # the travel goal belongs to the meeting goals (Västerbotten's "Ekonomi")
        facts.append(
            (
                tr._("Travel goal"),
                tr._(
                    "nobody should have to travel more than {goal} round trip",
                    goal=tr.distance(settings.travel_goal_km_round_trip),
                ),
            )
        )
    deciders = {
        "manager_network": tr._("decided by the managers' network"),
        "coordinator": tr._("decided by the coordinator"),
        "leaders": tr._("decided by each group's leaders"),
    }
    facts.append((tr._("Meeting days"), deciders[duties.meeting_days_decided_by]))
    if duties.cost_split == "host_school_per_participant":
        facts.append((tr._("Costs"), tr._("the host school invoices the visiting schools, divided by participants")))
    else:
        absent.append(tr._("cost split"))
    if absent:
        facts.append((tr._("Does not apply"), ", ".join(absent)))
    words = settings.words
    facts.append(
        (
            tr._("Words"),
            tr._(
                "{group} (plural: {groups}), leader: {leader}",
                group=words.group,
                groups=words.groups,
                leader=words.leader,
            ),
        )
    )
    facts.append(
        (
            tr._("Working hours"),
            f"{settings.working_hours_start:%H.%M}–{settings.working_hours_end:%H.%M}",
        )
    )
    return [
        CardReply(
            title=tr._("The framework of {region}", region=region.name),
            text=_who_changes(turn),
            facts=facts,
            buttons=[
                Button(
                    label=tr._("Record a new version"),
                    action=Act.FRAMEWORK_REVISED,
                    values={"year": schoolyear.following(current_year(turn.session, region, turn.now).label)},
                )
            ]
            if duties.yearly_revision
            else [],
        )
    ]


def coordinator_help(turn: Turn) -> list[Button]:
    tr = turn.tr
    return [
        Button(label=tr._("Status"), action=Act.INTENT, values={"intent": Intent.STATUS}),
        Button(label=tr._("Year report"), action=Act.INTENT, values={"intent": Intent.YEAR_REPORT}),
        Button(
            label=tr._("No {group}", group=turn.words.group),
            action=Act.INTENT,
            values={"intent": Intent.PEOPLE_WITHOUT_TEAM},
        ),
        Button(label=tr._("Schools not reported"), action=Act.STATUS_NOT_REPORTED, values={}),
        Button(label=tr._("Absence at a meeting"), action=Act.INTENT, values={"intent": Intent.ABSENCES}),
        Button(label=tr._("Network days"), action=Act.INTENT, values={"intent": Intent.ADD_NETWORK_DAY}),
        Button(label=tr._("Appoint leader"), action=Act.INTENT, values={"intent": Intent.APPOINT_LEADER}),
        Button(label=tr._("Move a teacher"), action=Act.MOVE_START, values={}),
        Button(
            label=tr._("Weekly digest: on") if turn.person.weekly_digest else tr._("Weekly digest: off"),
            action=Act.DIGEST_TOGGLE,
            values={"on": not turn.person.weekly_digest},
        ),
        Button(label=tr._("The region's framework"), action=Act.INTENT, values={"intent": Intent.REGION_FRAMEWORK}),
    ]


@router.action(Act.DIGEST_TOGGLE, guard=access.coordinator("digest.toggle"))
def digest_toggle(turn: Turn, values: Values, _: None) -> list[Reply]:
    """The coordinator's Monday digest of the teams' week, on or off (the button says which it turns it to)."""
    tr = turn.tr
    on = values.get("on") is True
    if turn.person.weekly_digest != on:
        before = {"weekly_digest": turn.person.weekly_digest}
        turn.person.weekly_digest = on
        turn.session.add(turn.person)
        record(
            turn.session,
            action="digest.toggled",
            entity="person",
            entity_id=turn.person.id,
            actor_id=turn.person.id,
            before=before,
            after={"weekly_digest": on},
        )
    if on:
        text = tr._(
            "The weekly digest is on: every Monday you get last week's meetings, notices and notes, and what is late."
        )
    else:
        text = tr._("The weekly digest is off.")
    return [
        ChoicesReply(
            text=text,
            buttons=[
                Button(
                    label=tr._("Turn it off") if on else tr._("Turn it on"),
                    action=Act.DIGEST_TOGGLE,
                    values={"on": not on},
                )
            ],
        )
    ]
