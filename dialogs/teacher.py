"""The teacher's dialogs: help, my team, choose a team, report and withdraw absence, meetings, notes."""

from __future__ import annotations

import datetime as dtm

from dialogs import access, leader, nlu
from dialogs.access import MeetingOf
from dialogs.common import meeting_kind, meeting_line, meeting_place, meetings_over, open_year, short
from dialogs.engine import Router, Turn, Values, intent_button
from dialogs.i18n import Translator
from dialogs.names import Act, Intent
from dialogs.notify import not_reached, notify, reached_people, told_text, unreached
from dialogs.types import Button, CardReply, ChoicesReply, FormField, FormReply, Reply, TextReply
from domain import groups
from domain.coordination import appoint_leader
from domain.teams import (
    ChoiceRefused,
    active_absence,
    choose_team,
    current_year,
    latest_notes,
    leaders,
    managers_of,
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


def _my_groups(turn: Turn) -> tuple[SchoolYear, list[Team]]:
    """The groups the person meets in this school year: their team or network, their role's groups (a manager
    network, a study day) and the groups they lead (`domain.groups`)."""
    year = current_year(turn.session, turn.region, turn.now)
    assert year.id is not None
    return year, groups.groups_of(turn.session, turn.person, turn.roles, year.id)


def _ahead(turn: Turn, teams: list[Team]) -> list[tuple[Meeting, Team]]:
    """The meetings of the groups that have not ended, in time order, each with its group."""
    found = [(m, t) for t in teams if t.id is not None for m in upcoming_meetings(turn.session, t.id, turn.now)]
    return sorted(found, key=lambda found: found[0].starts_at)


def _none_ahead(turn: Turn, teams: list[Team], year: SchoolYear) -> str:
    """No meeting ahead: the groups' meetings are over, or none is planned yet."""
    over = [text for team in teams if (text := meetings_over(turn, team, year))]
    if over:
        return " ".join(over)
    if len(teams) == 1:
        return turn.tr._("{team} has no upcoming meetings yet.", team=teams[0].name)
    return turn.tr._("Your groups have no upcoming meetings yet.")


def _meeting_label(turn: Turn, meeting: Meeting, team: Team, several: bool) -> str:
    """A meeting on a button: its time, and its group when the person is in several."""
    when = turn.tr.when(meeting.starts_at)
    return short(f"{team.name}: {when}" if several else when)


def _no_team(turn: Turn, year: SchoolYear) -> list[Reply]:
    """No team this year; and the choice for the coming year, when there is one (a newcomer chose in May)."""
    tr = turn.tr
    text = tr._(
        "You are not in {any_group} for the school year {year}.", any_group=turn.words.any_group, year=year.label
    )
    coming = schoolyear.get_or_create(turn.session, schoolyear.following(year.label))
    assert turn.person.id is not None and coming.id is not None
    chosen = membership(turn.session, turn.person.id, coming.id)
    team = turn.session.get(Team, chosen.team_id) if chosen else None
    if chosen is not None and team is not None:
        state = tr._("confirmed") if chosen.confirmed_at else tr._("not yet confirmed")
        text += " " + tr._("For {year} you are in {team} ({state}).", year=coming.label, team=team.name, state=state)
    if not turn.duties.team_choice:
        return [TextReply(text=text)]
    return [
        ChoicesReply(
            text=text, buttons=[intent_button(tr._("Choose {group}", group=turn.words.group), Intent.CHOOSE_TEAM)]
        )
    ]


def teacher_help(turn: Turn) -> list[Button]:
    tr = turn.tr
    buttons = [
        intent_button(turn.words.my_group, Intent.MY_TEAM),
        intent_button(tr._("Upcoming meetings"), Intent.UPCOMING_MEETINGS),
        intent_button(tr._("Report absence"), Intent.REPORT_ABSENCE),
        intent_button(tr._("Withdraw absence"), Intent.WITHDRAW_ABSENCE),
        intent_button(tr._("Latest notes"), Intent.LATEST_NOTES),
    ]
    if turn.duties.team_choice:
        buttons.append(intent_button(tr._("Choose {group}", group=turn.words.group), Intent.CHOOSE_TEAM))
    elif turn.teams():  # open networks
        buttons.append(intent_button(tr._("Join {a_group}", a_group=turn.words.a_group), Intent.CHOOSE_TEAM))
    return buttons


router = Router()


@router.intent(Intent.MY_TEAM, guard=access.anyone)
def my_team(turn: Turn, slots: Values, _: None) -> list[Reply]:
    year, team = _my_current_team(turn)
    if team is None or team.id is None or year.id is None:
        others = _my_groups(turn)[1]  # no team or network of their own: the groups of their role, if any
        return [_group_card(turn, group, year) for group in others] or _no_team(turn, year)
    return [_group_card(turn, team, year)]


def _group_card(turn: Turn, team: Team, year: SchoolYear) -> CardReply:
    """A group the person is in: its leaders, its members, their own place in it, and its next meetings."""
    tr = turn.tr
    assert turn.person.id is not None and team.id is not None and year.id is not None
    own = membership(turn.session, turn.person.id, year.id)
    led = leaders(turn.session, team.id, year.id)
    names = tr.join(p.name for p in led) or tr._("not appointed yet")
    facts = [
        (tr._("School year"), year.label),
        (tr._("Leaders"), names),
        (tr._("Members"), str(len(groups.members(turn.session, team, year.id)))),
    ]
    if turn.duties.team_choice and own is not None and own.team_id == team.id:
        mine = tr._("confirmed by your manager") if own.confirmed_at else tr._("not yet confirmed by your manager")
        facts.append((tr._("Your place"), mine))
    buttons = [
        intent_button(tr._("Upcoming meetings"), Intent.UPCOMING_MEETINGS),
        intent_button(tr._("Report absence"), Intent.REPORT_ABSENCE),
        Button(label=tr._("Suggest an item"), action=Act.AGENDA_START, values={"team_id": team.id}),
    ]
    if groups.may_lead_themselves(turn.settings) and len(led) < 2 and all(p.id != turn.person.id for p in led):
        buttons.append(_lead_button(turn, team))
    coming = schoolyear.get_or_create(turn.session, schoolyear.following(year.label))
    assert coming.id is not None
    next_choice = membership(turn.session, turn.person.id, coming.id) if groups.chosen(team) else None
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
    return CardReply(
        title=team.name,
        facts=facts,
        text=text,
        buttons=buttons,
    )


@router.intent(Intent.UPCOMING_MEETINGS, guard=access.anyone)
def upcoming(turn: Turn, slots: Values, _: None) -> list[Reply]:
    year, teams = _my_groups(turn)
    led = {team.id for team, _ in access.led_teams(turn)}
    if led and not slots.get("team"):  # a leader's "lagets träffar": the meetings they lead, then the others'
        others = [t for t in teams if t.id not in led]
        return leader.my_meetings(turn, {}) + (_upcoming_card(turn, others) if _ahead(turn, others) else [])
    if not teams:
        return _no_team(turn, year)
    return _upcoming_card(turn, teams)


def _upcoming_card(turn: Turn, teams: list[Team]) -> list[Reply]:
    tr = turn.tr
    year = current_year(turn.session, turn.region, turn.now)
    found = _ahead(turn, teams)
    if not found:
        return [TextReply(text=_none_ahead(turn, teams, year))]
    assert turn.person.id is not None
    facts = []
    for meeting, team in found:
        assert meeting.id is not None
        absent = active_absence(turn.session, turn.person.id, meeting.id) is not None
        line = f"{tr.time(meeting.starts_at)}, {meeting_kind(turn, meeting)}: {meeting_place(turn, meeting)}"
        if len(teams) > 1:
            line = f"{team.name}, {line}"
        facts.append((tr.date(meeting.starts_at), line + (tr._(" (you have reported absence)") if absent else "")))
    return [
        CardReply(
            title=tr._("Upcoming meetings of {team}", team=teams[0].name)
            if len(teams) == 1
            else tr._("Your upcoming meetings"),
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
        return [
            TextReply(
                text=tr._(
                    "Only teachers choose a {group}; your roster entry has no teacher role.", group=turn.words.group
                )
            )
        ]
    if not turn.duties.team_choice and not turn.teams():
        return _no_choice(turn)
    if turn.duties.team_choice:
        year = target_year_for_choice(turn.session, turn.region, turn.person, turn.now)
    else:  # open networks: joined for the current year, at any time
        year = current_year(turn.session, turn.region, turn.now)
    team = turn.team_named(slots.get("team"))
    if team is not None:
        return _confirm_choice(turn, team, year)
    assert turn.person.id is not None and year.id is not None
    own = membership(turn.session, turn.person.id, year.id)
    current_team = turn.session.get(Team, own.team_id) if own else None
    text = (
        tr._(
            "{which_group} do you want to be in for the school year {year}?",
            which_group=turn.words.which_group,
            year=year.label,
        )
        if turn.duties.team_choice
        else tr._(
            "{which_group} do you want to join for the school year {year}?",
            which_group=turn.words.which_group,
            year=year.label,
        )
    )
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


def _no_choice(turn: Turn) -> list[Reply]:
    """Where nobody chooses a group (Västmanland): the groups a person is in come with their role."""
    tr = turn.tr
    _, mine = _my_groups(turn)
    text = tr._("In {region} nobody chooses {any_group}.", region=turn.region.name, any_group=turn.words.any_group)
    if mine:
        text += " " + tr._("Through your role you are in: {groups}.", groups=tr.join(t.name for t in mine))
    return [TextReply(text=text + " " + tr._('Write "help" to see what I can do.'))]


def _joined(turn: Turn, team: Team, year: SchoolYear) -> list[Reply]:
    """A teacher has joined an open network: its leaders are told; without one, they may lead it themselves."""
    tr = turn.tr
    assert team.id is not None and year.id is not None
    team_leaders = [p for p in leaders(turn.session, team.id, year.id) if p.id != turn.person.id]
    person = turn.person
    queued = notify(
        turn.session,
        origin=turn.person,
        recipients=team_leaders,
        region=turn.region,
        kind="group_joined",
        build=lambda t: [TextReply(text=t._("{name} has joined {team}.", name=person.name, team=team.name))],
    )
    text = tr._("Done: you are in {team} for {year}.", team=team.name, year=year.label)
    if team_leaders:
        return [
            TextReply(
                text=" ".join(filter(None, [text, told_text(tr, turn.session, team_leaders, queued, turn.reach)]))
            )
        ]
    lead = tr._("{team} has no {leader} yet. Do you want to lead it?", team=team.name, leader=turn.words.leader)
    return [ChoicesReply(text=f"{text} {lead}", buttons=[_lead_button(turn, team)])]


def _lead_button(turn: Turn, team: Team) -> Button:
    label = turn.tr._("Become {leader}", leader=turn.words.leader)
    return Button(label=short(label), action=Act.GROUP_LEAD, values={"team_id": team.id})


@router.action(Act.GROUP_LEAD, guard=access.may_lead_group("group.lead"))
def lead(turn: Turn, values: Values, found: tuple[Team, SchoolYear]) -> list[Reply]:
    """A member takes on leading their own group (where the groups run themselves); the other leaders are told."""
    tr = turn.tr
    team, year = found
    assert team.id is not None and year.id is not None
    before = [p for p in leaders(turn.session, team.id, year.id)]
    if any(p.id == turn.person.id for p in before):
        return [TextReply(text=tr._("You already lead {team} in {year}.", team=team.name, year=year.label))]
    if (
        appoint_leader(
            turn.session, team=team, year=year, person=turn.person, replacing=None, actor=turn.person, now=turn.now
        )
        is None
    ):
        names = tr.join(p.name for p in before)
        return [TextReply(text=tr._("{team} already has two leaders: {names}.", team=team.name, names=names))]
    person = turn.person
    notify(
        turn.session,
        origin=turn.person,
        recipients=before,
        region=turn.region,
        kind="group_lead",
        build=lambda t: [TextReply(text=t._("{name} now leads {team} too.", name=person.name, team=team.name))],
    )
    text = tr._("Done: you lead {team} in {year}.", team=team.name, year=year.label)
    return [
        ChoicesReply(
            text=text + " " + tr._("You can plan its meetings now."),
            buttons=[intent_button(tr._("Plan a meeting"), Intent.SCHEDULE_MEETING)],
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
        return [
            TextReply(
                text=turn.tr._(
                    'That choice has expired. Write "choose {group}" to start again.', group=turn.words.group
                )
            )
        ]
    return _confirm_choice(turn, team, year)


@router.action(Act.CHOOSE_TEAM_CONFIRM, guard=access.anyone)
def confirm(turn: Turn, values: Values, _: None) -> list[Reply]:
    tr = turn.tr
    team = turn.session.get(Team, values.get("team_id")) if isinstance(values.get("team_id"), int) else None
    year = open_year(turn, values.get("year"))
    if team is None or year is None or Role.TEACHER.value not in turn.roles:
        return [
            TextReply(
                text=tr._('That choice has expired. Write "choose {group}" to start again.', group=turn.words.group)
            )
        ]
    if not turn.duties.team_choice:  # an open network: joined at once, no manager confirms it
        if team.region_id != turn.region.id or not groups.chosen(team):
            return [
                TextReply(
                    text=tr._('That choice has expired. Write "choose {group}" to start again.', group=turn.words.group)
                )
            ]
        if groups.join(turn.session, person=turn.person, team=team, year=year, now=turn.now) is None:
            return [TextReply(text=tr._("You are already in {team} for {year}.", team=team.name, year=year.label))]
        return _joined(turn, team, year)
    chosen, refused = choose_team(
        turn.session, person=turn.person, team=team, year=year, region=turn.region, now=turn.now
    )
    if refused == ChoiceRefused.SAME_TEAM:
        return [TextReply(text=tr._("You are already in {team} for {year}.", team=team.name, year=year.label))]
    if refused == ChoiceRefused.YEAR_STARTED:
        return [
            TextReply(
                text=tr._(
                    "The school year {year} has already started, so {your_group} can't be changed now. "
                    "Talk to your manager or the coordinator if it must change.",
                    year=year.label,
                    your_group=turn.words.your_group,
                )
            )
        ]
    if refused is not None or chosen is None:
        return [
            TextReply(
                text=tr._('That choice has expired. Write "choose {group}" to start again.', group=turn.words.group)
            )
        ]
    managers = managers_of(turn.session, turn.person)
    school = turn.session.get(School, turn.person.school_id) if turn.person.school_id else None
    person = turn.person
    queued = notify(
        turn.session,
        origin=turn.person,
        recipients=managers,
        region=turn.region,
        kind="team_choice",
        build=lambda t: [
            ChoicesReply(
                text=t._(
                    '{name} ({school}) has chosen {team} for the school year {year}. Confirm the choice under "My '
                    'staff".',
                    name=person.name,
                    school=school.name if school else "-",
                    team=team.name,
                    year=year.label,
                ),
                buttons=[intent_button(t._("My staff"), Intent.LIST_STAFF)],
            )
        ],
    )
    told = (
        tr._("Your manager has been told and confirms the choice; until then it shows as unconfirmed.")
        if reached_people(managers, queued, turn.reach)
        else ""
        if managers
        else tr._("No manager is registered for your school, so please tell your coordinator.")
    )
    said = [
        tr._("Done: you are in {team} for {year}.", team=team.name, year=year.label),
        told,
        not_reached(tr, turn.session, queued, turn.reach),
    ]
    return [TextReply(text=" ".join(filter(None, said)))]


# Absence ---------------------------------------------------------------------------------


def _tell_about_absence(turn: Turn, meeting: Meeting, team: Team, kind: str) -> str:
    """Tell the team's leaders and the person's managers; what the person is told about who knows now."""
    person = turn.person
    team_leaders = leaders(turn.session, team.id or 0, meeting.school_year_id)
    others = [p for p in team_leaders if p.id != person.id]
    # a manager's own absence (from the managers' meeting) is theirs to tell: nobody above them is in the bot
    managers = [] if Role.MANAGER.value in turn.roles else managers_of(turn.session, person)
    recipients = [*others, *managers]

    def build(t: Translator) -> list[Reply]:
        values = {"name": person.name, "team": team.name, "when": t.when(meeting.starts_at)}
        if kind == "absence_reported":
            return [TextReply(text=t._("{name} has reported absence from {team}'s meeting {when}.", **values))]
        return [TextReply(text=t._("{name} has withdrawn the absence from {team}'s meeting {when}.", **values))]

    queued = notify(turn.session, origin=turn.person, recipients=recipients, region=turn.region, kind=kind, build=build)
    missed = set() if turn.reach == "email" else set(unreached(queued))  # no chat: not told, and said so
    told = _who_was_told(
        turn,
        [p for p in others if p.id not in missed],
        [p for p in managers if p.id not in missed],
        no_leader=not team_leaders,
        any_manager=bool(managers),
    )
    return " ".join(filter(None, [told, not_reached(turn.tr, turn.session, queued, turn.reach)]))


def _who_was_told(
    turn: Turn, others: list[Person], managers: list[Person], *, no_leader: bool, any_manager: bool
) -> str:
    """ "Dina ämneslagsledare (…) och din chef (…) har fått veta det.", and who could not be told (the framework
    asks the teacher to tell both, so what the bot could not do is theirs to do)."""
    tr = turn.tr
    parts = []
    if others:
        names = tr.join(p.name for p in others)
        leader = turn.words.leader
        parts.append(
            tr.n_("your {leader} ({names})", "your {leader}s ({names})", len(others), leader=leader, names=names)
        )
    if managers:
        names = tr.join(p.name for p in managers)
        parts.append(tr.n_("your manager ({names})", "your managers ({names})", len(managers), names=names))
    sentences = []
    if parts:
        who = parts[0] if len(parts) == 1 else tr._("{first} and {second}", first=parts[0], second=parts[1])
        told = tr.n_("{who} has been told.", "{who} have been told.", len(others) + len(managers), who=who)
        sentences.append(told[:1].upper() + told[1:])
    else:
        sentences.append(tr._("Nobody could be told."))
    if no_leader:
        sentences.append(
            tr._("{your_group} has no leader this school year.", your_group=turn.words.start(turn.words.your_group))
        )
    if not any_manager and Role.MANAGER.value not in turn.roles:
        sentences.append(tr._("Your school has no manager with the bot, so tell your manager yourself."))
    return " ".join(sentences)


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


Ahead = list[tuple[Meeting, Team]]  # meetings with their groups, in time order


def _reportable(turn: Turn) -> tuple[Ahead, list[Reply]]:
    """The meetings ahead in the person's groups, or what to answer when there are none."""
    year, teams = _my_groups(turn)
    if not teams:
        return [], _no_team(turn, year)
    found = [(m, t) for m, t in _ahead(turn, teams) if m.starts_at > turn.now]
    if not found:
        return [], [TextReply(text=_none_ahead(turn, teams, year))]
    return found, []


def _several(found: Ahead) -> bool:
    return len({t.id for _, t in found}) > 1


def _ask_which_meeting(turn: Turn, found: Ahead, lead: str | None = None) -> list[Reply]:
    tr = turn.tr
    turn.wait("report_absence.date")
    text = tr._("Which meeting will you miss? Choose one, or write its date.")
    return [
        ChoicesReply(
            text=f"{lead} {text}" if lead else text,
            buttons=[
                Button(
                    label=_meeting_label(turn, m, t, _several(found)),
                    action=Act.ABSENCE_REPORT,
                    values={"meeting_id": m.id},
                )
                for m, t in found
            ],
        )
    ]


def _report_on(turn: Turn, found: Ahead, day: dtm.date) -> list[Reply]:
    matching = [(m, t) for m, t in found if m.starts_at.astimezone(turn.tr.zone).date() == day]
    if len(matching) == 1:
        return _do_report(turn, *matching[0])
    if matching:
        return _ask_which_meeting(turn, matching)
    teams = {t.id: t for _, t in found}
    if len(teams) == 1:
        team = next(iter(teams.values()))
        lead = turn.tr._("{team} has no meeting on {date}.", team=team.name, date=turn.tr.date(day))
    else:
        lead = turn.tr._("You have no meeting on {date}.", date=turn.tr.date(day))
    return _ask_which_meeting(turn, found, lead)


def _not_reported(turn: Turn, found: Ahead) -> Ahead:
    assert turn.person.id is not None
    return [(m, t) for m, t in found if m.id is not None and active_absence(turn.session, turn.person.id, m.id) is None]


@router.intent(Intent.REPORT_ABSENCE, guard=access.anyone)
def report(turn: Turn, slots: Values, _: None) -> list[Reply]:
    found, problem = _reportable(turn)
    if problem:
        return problem
    if "date" in slots:
        return _report_on(turn, found, dtm.date.fromisoformat(slots["date"]))
    if slots.get("meeting") == "next":  # "jag kan inte komma på nästa träff"
        return _do_report(turn, *found[0])
    open_meetings = _not_reported(turn, found)
    if not open_meetings:
        return [TextReply(text=turn.tr._("You have already reported absence from every upcoming meeting."))]
    found = open_meetings
    if turn.incoming.action:  # a pressed button: where the channel has forms, a form (Slack's modal)
        return [_absence_form(turn, found), *_ask_which_meeting(turn, found)]
    return _ask_which_meeting(turn, found)


def _absence_form(turn: Turn, found: Ahead) -> FormReply:
    tr = turn.tr
    return FormReply(
        missing=tr._("Please fill this in."),
        title=tr._("Report absence"),
        close=tr._("Cancel"),
        fields=[
            FormField(
                name="meeting_id",
                label=tr._("Which meeting will you miss? You don't need to give a reason."),
                kind="select",
                options=[(str(m.id), _meeting_label(turn, m, t, _several(found))) for m, t in found],
            )
        ],
        submit=Button(label=tr._("Report absence"), action=Act.ABSENCE_REPORT, values={}),
    )


@router.step("report_absence.date")
def report_by_date(turn: Turn, text: str) -> list[Reply] | None:
    day = nlu.find_date(nlu.clean(text), turn.today, forward=True)
    if day is None:
        return None
    found, problem = _reportable(turn)
    if problem:
        return problem
    return _report_on(turn, found, day)


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
    found, problem = _reportable(turn)
    if problem:
        return problem
    assert turn.person.id is not None
    reported = [(m, t) for m, t in found if m.id is not None and active_absence(turn.session, turn.person.id, m.id)]
    if "date" in slots:
        day = dtm.date.fromisoformat(slots["date"])
        reported = [(m, t) for m, t in reported if m.starts_at.astimezone(tr.zone).date() == day] or reported
    if not reported:
        return [TextReply(text=tr._("You have no reported absence to withdraw."))]
    if len(reported) == 1 and "date" in slots:
        return _do_withdraw(turn, *reported[0])
    return [
        ChoicesReply(
            text=tr._("Which absence do you want to withdraw?"),
            buttons=[
                Button(
                    label=_meeting_label(turn, m, t, _several(reported)),
                    action=Act.ABSENCE_WITHDRAW,
                    values={"meeting_id": m.id},
                )
                for m, t in reported
            ],
        )
    ]


@router.action(Act.ABSENCE_WITHDRAW, guard=access.in_meetings_team("absence.withdraw"))
def withdraw_button(turn: Turn, values: Values, found: MeetingOf) -> list[Reply]:
    return _do_withdraw(turn, found.meeting, found.team)
