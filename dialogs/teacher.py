"""The teacher's dialogs: help, my team, choose a team, report and withdraw absence, meetings, notes."""

from __future__ import annotations

import datetime as dtm

from dialogs import access, leader, nlu
from dialogs.access import MeetingOf
from dialogs.common import meeting_kind, meeting_line, meeting_place, meetings_over, open_year, short
from dialogs.engine import Router, Turn, Values, intent_button
from dialogs.i18n import Translator
from dialogs.names import Act, Intent
from dialogs.notify import notify
from dialogs.types import Button, CardReply, ChoicesReply, FormField, FormReply, Reply, TextReply
from domain.teams import (
    ChoiceRefused,
    active_absence,
    choose_team,
    current_year,
    latest_notes,
    leaders,
    managers_of,
    member_count,
    membership,
    report_absence,
    target_year_for_choice,
    upcoming_meetings,
    withdraw_absence,
)
from storage import schoolyear
from storage.models import Meeting, Person, Role, School, SchoolYear, Team


def _my_current_team(turn: Turn) -> tuple[SchoolYear, Team | None]:
    year = current_year(turn.session, turn.region, turn.now)
    assert turn.person.id is not None and year.id is not None
    own = membership(turn.session, turn.person.id, year.id)
    return year, turn.session.get(Team, own.team_id) if own else None


def _no_team(turn: Turn, year: SchoolYear) -> list[Reply]:
    """No team this year; and the choice for the coming year, when there is one (a newcomer chose in May)."""
    tr = turn.tr
    text = tr._("You are not in a subject team for the school year {year}.", year=year.label)
    coming = schoolyear.get_or_create(turn.session, schoolyear.following(year.label))
    assert turn.person.id is not None and coming.id is not None
    chosen = membership(turn.session, turn.person.id, coming.id)
    team = turn.session.get(Team, chosen.team_id) if chosen else None
    if chosen is not None and team is not None:
        state = tr._("confirmed") if chosen.confirmed_at else tr._("not yet confirmed")
        text += " " + tr._("For {year} you are in {team} ({state}).", year=coming.label, team=team.name, state=state)
    if not turn.duties.team_choice:
        return [TextReply(text=text)]
    return [ChoicesReply(text=text, buttons=[intent_button(tr._("Choose team"), Intent.CHOOSE_TEAM)])]


def teacher_help(turn: Turn) -> list[Button]:
    tr = turn.tr
    buttons = [
        intent_button(tr._("My team"), Intent.MY_TEAM),
        intent_button(tr._("Upcoming meetings"), Intent.UPCOMING_MEETINGS),
        intent_button(tr._("Report absence"), Intent.REPORT_ABSENCE),
        intent_button(tr._("Withdraw absence"), Intent.WITHDRAW_ABSENCE),
        intent_button(tr._("Latest notes"), Intent.LATEST_NOTES),
    ]
    if turn.duties.team_choice:
        buttons.append(intent_button(tr._("Choose team"), Intent.CHOOSE_TEAM))
    return buttons


router = Router()


@router.intent(Intent.MY_TEAM, guard=access.anyone)
def my_team(turn: Turn, slots: Values, _: None) -> list[Reply]:
    tr = turn.tr
    year, team = _my_current_team(turn)
    if team is None or team.id is None or year.id is None:
        return _no_team(turn, year)
    assert turn.person.id is not None
    own = membership(turn.session, turn.person.id, year.id)
    names = ", ".join(p.name for p in leaders(turn.session, team.id, year.id)) or tr._("not appointed yet")
    facts = [
        (tr._("School year"), year.label),
        (tr._("Leaders"), names),
        (tr._("Members"), str(member_count(turn.session, team.id, year.id))),
        (
            tr._("Your place"),
            tr._("confirmed by your manager")
            if own and own.confirmed_at
            else tr._("not yet confirmed by your manager"),
        ),
    ]
    coming = schoolyear.get_or_create(turn.session, schoolyear.following(year.label))
    assert coming.id is not None
    next_choice = membership(turn.session, turn.person.id, coming.id)
    if next_choice is not None:
        next_team = turn.session.get(Team, next_choice.team_id)
        state = tr._("confirmed") if next_choice.confirmed_at else tr._("not yet confirmed")
        facts.append((tr._("Next school year"), f"{next_team.name if next_team else '?'} ({state})"))
    meetings = upcoming_meetings(turn.session, team.id, turn.now, limit=3)
    text = (
        "\n".join(meeting_line(turn, m) for m in meetings)
        if meetings
        else meetings_over(turn, team, year) or tr._("No meetings are planned yet.")
    )
    return [
        CardReply(
            title=team.name,
            facts=facts,
            text=text,
            buttons=[
                intent_button(tr._("Upcoming meetings"), Intent.UPCOMING_MEETINGS),
                intent_button(tr._("Report absence"), Intent.REPORT_ABSENCE),
            ],
        )
    ]


@router.intent(Intent.UPCOMING_MEETINGS, guard=access.anyone)
def upcoming(turn: Turn, slots: Values, _: None) -> list[Reply]:
    tr = turn.tr
    if access.led_teams(turn) and not slots.get("team"):  # a leader's "lagets träffar": the meetings they lead
        return leader.my_meetings(turn, {})
    year, team = _my_current_team(turn)
    if team is None or team.id is None:
        return _no_team(turn, year)
    meetings = upcoming_meetings(turn.session, team.id, turn.now)
    if not meetings:
        return [
            TextReply(
                text=meetings_over(turn, team, year) or tr._("{team} has no upcoming meetings yet.", team=team.name)
            )
        ]
    assert turn.person.id is not None
    facts = []
    for meeting in meetings:
        assert meeting.id is not None
        absent = active_absence(turn.session, turn.person.id, meeting.id) is not None
        line = f"{tr.time(meeting.starts_at)}, {meeting_kind(turn, meeting)}: {meeting_place(turn, meeting)}"
        facts.append((tr.date(meeting.starts_at), line + (tr._(" (you have reported absence)") if absent else "")))
    return [
        CardReply(
            title=tr._("Upcoming meetings of {team}", team=team.name),
            facts=facts,
            buttons=[
                intent_button(tr._("Report absence"), Intent.REPORT_ABSENCE),
                intent_button(tr._("Withdraw absence"), Intent.WITHDRAW_ABSENCE),
            ],
        )
    ]


@router.intent(Intent.LATEST_NOTES, guard=access.anyone)
def notes(turn: Turn, slots: Values, _: None) -> list[Reply]:
    tr = turn.tr
    year, team = _my_current_team(turn)
    if team is None or team.id is None:
        return _no_team(turn, year)
    found = latest_notes(turn.session, team.id)
    if found is None:
        return [TextReply(text=tr._("{team} has no distributed notes yet.", team=team.name))]
    meeting, note = found
    return [
        CardReply(
            title=tr._("Notes from {team}, {date}", team=team.name, date=tr.date(meeting.starts_at)),
            facts=[(tr._("Link"), note.link)] if note.link else [],
            text=note.body,
        )
    ]


# Choosing a team -------------------------------------------------------------------------


def _confirm_choice(turn: Turn, team: Team, year: SchoolYear) -> list[Reply]:
    tr = turn.tr
    return [
        ChoicesReply(
            text=tr._("Do you want to be in {team} for the school year {year}?", team=team.name, year=year.label),
            buttons=[
                Button(
                    label=tr._("Yes"),
                    action=Act.CHOOSE_TEAM_CONFIRM,
                    values={"team_id": team.id, "year": year.label},
                    style="primary",
                ),
                Button(label=tr._("No"), action=Act.CHOOSE_TEAM_AGAIN, values={}),
            ],
        )
    ]


@router.intent(Intent.CHOOSE_TEAM, guard=access.anyone)
def choose(turn: Turn, slots: Values, _: None) -> list[Reply]:
    tr = turn.tr
    if Role.TEACHER.value not in turn.roles:
        return [TextReply(text=tr._("Only teachers choose a subject team; your roster entry has no teacher role."))]
    if not turn.duties.team_choice:
        return [
            TextReply(
                text=tr._(
                    "In {region} nobody chooses a team for a school year: the groups are open. "
                    'Ask your coordinator or the group\'s leader to add you. Write "help" to see what I can do.',
                    region=turn.region.name,
                )
            )
        ]
    year = target_year_for_choice(turn.session, turn.region, turn.person, turn.now)
    team = turn.team_named(slots.get("team"))
    if team is not None:
        return _confirm_choice(turn, team, year)
    assert turn.person.id is not None and year.id is not None
    own = membership(turn.session, turn.person.id, year.id)
    current_team = turn.session.get(Team, own.team_id) if own else None
    text = tr._("Which subject team do you want to be in for the school year {year}?", year=year.label)
    if current_team is not None:
        text += " " + tr._("You have chosen {team} so far.", team=current_team.name)
    return [
        ChoicesReply(
            text=text,
            buttons=[
                Button(
                    label=short(t.name),
                    action=Act.CHOOSE_TEAM_PICK,
                    values={"team_id": t.id, "year": year.label},
                )
                for t in turn.teams()
            ],
        )
    ]


@router.action(Act.CHOOSE_TEAM_AGAIN, guard=access.anyone)
def choose_again(turn: Turn, values: Values, _: None) -> list[Reply]:
    return choose(turn, {})


@router.action(Act.CHOOSE_TEAM_PICK, guard=access.anyone)
def pick(turn: Turn, values: Values, _: None) -> list[Reply]:
    team = turn.session.get(Team, values.get("team_id")) if isinstance(values.get("team_id"), int) else None
    year = open_year(turn, values.get("year"))
    if team is None or year is None or team.region_id != turn.region.id:
        return [TextReply(text=turn.tr._('That choice has expired. Write "choose team" to start again.'))]
    return _confirm_choice(turn, team, year)


@router.action(Act.CHOOSE_TEAM_CONFIRM, guard=access.anyone)
def confirm(turn: Turn, values: Values, _: None) -> list[Reply]:
    tr = turn.tr
    team = turn.session.get(Team, values.get("team_id")) if isinstance(values.get("team_id"), int) else None
    year = open_year(turn, values.get("year"))
    if team is None or year is None or Role.TEACHER.value not in turn.roles:
        return [TextReply(text=tr._('That choice has expired. Write "choose team" to start again.'))]
    chosen, refused = choose_team(
        turn.session, person=turn.person, team=team, year=year, region=turn.region, now=turn.now
    )
    if refused == ChoiceRefused.SAME_TEAM:
        return [TextReply(text=tr._("You are already in {team} for {year}.", team=team.name, year=year.label))]
    if refused == ChoiceRefused.YEAR_STARTED:
        return [
            TextReply(
                text=tr._(
                    "The school year {year} has already started, so your team can't be changed now. "
                    "Talk to your manager or the coordinator if it must change.",
                    year=year.label,
                )
            )
        ]
    if refused is not None or chosen is None:
        return [TextReply(text=tr._('That choice has expired. Write "choose team" to start again.'))]
    managers = managers_of(turn.session, turn.person)
    school = turn.session.get(School, turn.person.school_id) if turn.person.school_id else None
    person = turn.person
    notify(
        turn.session,
        origin=turn.person,
        recipients=managers,
        region=turn.region,
        kind="team_choice",
        build=lambda t: [
            TextReply(
                text=t._(
                    "{name} ({school}) has chosen {team} for the school year {year}. "
                    "Please confirm the choice with the bot.",
                    name=person.name,
                    school=school.name if school else "-",
                    team=team.name,
                    year=year.label,
                )
            )
        ],
    )
    told = (
        tr._("Your manager has been told and confirms the choice; until then it shows as unconfirmed.")
        if managers
        else tr._("No manager is registered for your school, so please tell your coordinator.")
    )
    return [TextReply(text=tr._("Done: you are in {team} for {year}.", team=team.name, year=year.label) + " " + told)]


# Absence ---------------------------------------------------------------------------------


def _tell_about_absence(turn: Turn, meeting: Meeting, team: Team, kind: str) -> str:
    """Tell the team's leaders and the person's managers; what the person is told about who knows now."""
    person = turn.person
    team_leaders = leaders(turn.session, team.id or 0, meeting.school_year_id)
    others = [p for p in team_leaders if p.id != person.id]
    managers = managers_of(turn.session, person)
    recipients = [*others, *managers]

    def build(t: Translator) -> list[Reply]:
        values = {"name": person.name, "team": team.name, "when": t.when(meeting.starts_at)}
        if kind == "absence_reported":
            return [TextReply(text=t._("{name} has reported absence from {team}'s meeting {when}.", **values))]
        return [TextReply(text=t._("{name} has withdrawn the absence from {team}'s meeting {when}.", **values))]

    notify(turn.session, origin=turn.person, recipients=recipients, region=turn.region, kind=kind, build=build)
    return _who_was_told(turn.tr, others, managers, leads=len(others) < len(team_leaders))


def _who_was_told(tr: Translator, others: list[Person], managers: list[Person], *, leads: bool) -> str:
    """ "Dina ämneslagsledare (…) och din chef (…) har fått veta det.", and who could not be told (the framework
    asks the teacher to tell both, so what the bot could not do is theirs to do)."""
    parts = []
    if others:
        names = ", ".join(p.name for p in others)
        parts.append(tr.n_("your team leader ({names})", "your team leaders ({names})", len(others), names=names))
    if managers:
        names = ", ".join(p.name for p in managers)
        parts.append(tr.n_("your manager ({names})", "your managers ({names})", len(managers), names=names))
    sentences = []
    if parts:
        who = parts[0] if len(parts) == 1 else tr._("{first} and {second}", first=parts[0], second=parts[1])
        told = tr.n_("{who} has been told.", "{who} have been told.", len(others) + len(managers), who=who)
        sentences.append(told[:1].upper() + told[1:])
    else:
        sentences.append(tr._("Nobody could be told."))
    if not others and not leads:
        sentences.append(tr._("Your team has no leader this school year."))
    if not managers:
        sentences.append(tr._("Your school has no manager with the bot, so tell your manager yourself."))
    return " ".join(sentences)


def _meetings_on(turn: Turn, meetings: list[Meeting], day: dtm.date) -> list[Meeting]:
    return [m for m in meetings if m.starts_at.astimezone(turn.tr.zone).date() == day]


def _do_report(turn: Turn, meeting: Meeting, team: Team) -> list[Reply]:
    tr = turn.tr
    when = tr.when(meeting.starts_at)
    turn.intends(
        tr._("Report absence from {team} {when}?", team=team.name, when=when), Act.ABSENCE_REPORT, meeting_id=meeting.id
    )
    if report_absence(turn.session, person=turn.person, meeting=meeting, now=turn.now) is None:
        return [TextReply(text=tr._("You have already reported absence from the meeting {when}.", when=when))]
    told = _tell_about_absence(turn, meeting, team, "absence_reported")
    text = tr._("Done: your absence from {team}'s meeting {when} is reported.", team=team.name, when=when)
    return [TextReply(text=f"{text} {told} " + tr._("You don't need to give a reason."))]


def _reportable(turn: Turn) -> tuple[Team | None, list[Meeting], list[Reply]]:
    year, team = _my_current_team(turn)
    if team is None or team.id is None:
        return None, [], _no_team(turn, year)
    meetings = [m for m in upcoming_meetings(turn.session, team.id, turn.now) if m.starts_at > turn.now]
    if not meetings:
        none = meetings_over(turn, team, year) or turn.tr._("{team} has no upcoming meetings.", team=team.name)
        return team, [], [TextReply(text=none)]
    return team, meetings, []


def _ask_which_meeting(turn: Turn, meetings: list[Meeting], lead: str | None = None) -> list[Reply]:
    tr = turn.tr
    turn.wait("report_absence.date")
    text = tr._("Which meeting will you miss? Choose one, or write its date.")
    return [
        ChoicesReply(
            text=f"{lead} {text}" if lead else text,
            buttons=[
                Button(
                    label=short(tr.when(m.starts_at)),
                    action=Act.ABSENCE_REPORT,
                    values={"meeting_id": m.id},
                )
                for m in meetings
            ],
        )
    ]


def _report_on(turn: Turn, team: Team, meetings: list[Meeting], day: dtm.date) -> list[Reply]:
    matching = _meetings_on(turn, meetings, day)
    if len(matching) == 1:
        return _do_report(turn, matching[0], team)
    if matching:
        return _ask_which_meeting(turn, matching)
    lead = turn.tr._("{team} has no meeting on {date}.", team=team.name, date=turn.tr.date(day))
    return _ask_which_meeting(turn, meetings, lead)


def _not_reported(turn: Turn, meetings: list[Meeting]) -> list[Meeting]:
    assert turn.person.id is not None
    return [m for m in meetings if m.id is not None and active_absence(turn.session, turn.person.id, m.id) is None]


@router.intent(Intent.REPORT_ABSENCE, guard=access.anyone)
def report(turn: Turn, slots: Values, _: None) -> list[Reply]:
    team, meetings, problem = _reportable(turn)
    if problem or team is None:
        return problem
    if "date" in slots:
        return _report_on(turn, team, meetings, dtm.date.fromisoformat(slots["date"]))
    if slots.get("meeting") == "next":  # "jag kan inte komma på nästa träff"
        return _do_report(turn, meetings[0], team)
    open_meetings = _not_reported(turn, meetings)
    if not open_meetings:
        return [TextReply(text=turn.tr._("You have already reported absence from every upcoming meeting."))]
    meetings = open_meetings
    if turn.incoming.action:  # a pressed button: where the channel has forms, a form (Slack's modal)
        return [_absence_form(turn, meetings), *_ask_which_meeting(turn, meetings)]
    return _ask_which_meeting(turn, meetings)


def _absence_form(turn: Turn, meetings: list[Meeting]) -> FormReply:
    tr = turn.tr
    return FormReply(
        missing=tr._("Please fill this in."),
        title=tr._("Report absence"),
        fields=[
            FormField(
                name="meeting_id",
                label=tr._("Which meeting will you miss? You don't need to give a reason."),
                kind="select",
                options=[(str(m.id), short(tr.when(m.starts_at))) for m in meetings],
            )
        ],
        submit=Button(label=tr._("Report absence"), action=Act.ABSENCE_REPORT, values={}),
    )


@router.step("report_absence.date")
def report_by_date(turn: Turn, text: str) -> list[Reply] | None:
    day = nlu.find_date(nlu.clean(text), turn.today, forward=True)
    if day is None:
        return None
    team, meetings, problem = _reportable(turn)
    if problem or team is None:
        return problem
    return _report_on(turn, team, meetings, day)


@router.action(Act.ABSENCE_REPORT, guard=access.in_meetings_team("absence.report"))
def report_button(turn: Turn, values: Values, found: MeetingOf) -> list[Reply]:
    return _do_report(turn, found.meeting, found.team)


def _do_withdraw(turn: Turn, meeting: Meeting, team: Team) -> list[Reply]:
    tr = turn.tr
    when = tr.when(meeting.starts_at)
    turn.intends(
        tr._("Withdraw your absence from {team} {when}?", team=team.name, when=when),
        Act.ABSENCE_WITHDRAW,
        meeting_id=meeting.id,
    )
    if withdraw_absence(turn.session, person=turn.person, meeting=meeting, now=turn.now) is None:
        return [TextReply(text=tr._("You have no reported absence from the meeting {when}.", when=when))]
    told = _tell_about_absence(turn, meeting, team, "absence_withdrawn")
    text = tr._(
        "Done: your absence from {team}'s meeting {when} is withdrawn. Welcome!",
        team=team.name,
        when=when,
    )
    return [TextReply(text=f"{text} {told}")]


@router.intent(Intent.WITHDRAW_ABSENCE, guard=access.anyone)
def withdraw(turn: Turn, slots: Values, _: None) -> list[Reply]:
    tr = turn.tr
    team, meetings, problem = _reportable(turn)
    if problem or team is None:
        return problem
    assert turn.person.id is not None
    reported = [m for m in meetings if m.id is not None and active_absence(turn.session, turn.person.id, m.id)]
    if "date" in slots:
        reported = _meetings_on(turn, reported, dtm.date.fromisoformat(slots["date"])) or reported
    if not reported:
        return [TextReply(text=tr._("You have no reported absence to withdraw."))]
    if len(reported) == 1 and "date" in slots:
        return _do_withdraw(turn, reported[0], team)
    return [
        ChoicesReply(
            text=tr._("Which absence do you want to withdraw?"),
            buttons=[
                Button(
                    label=short(tr.when(m.starts_at)),
                    action=Act.ABSENCE_WITHDRAW,
                    values={"meeting_id": m.id},
                )
                for m in reported
            ],
        )
    ]


@router.action(Act.ABSENCE_WITHDRAW, guard=access.in_meetings_team("absence.withdraw"))
def withdraw_button(turn: Turn, values: Values, found: MeetingOf) -> list[Reply]:
    return _do_withdraw(turn, found.meeting, found.team)
