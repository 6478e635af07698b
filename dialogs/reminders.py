"""The texts of the reminders: each says exactly what to do and carries the button that does it."""

from __future__ import annotations

import datetime as dtm
from collections.abc import Callable
from typing import Any

from dialogs.engine import intent_button
from dialogs.i18n import Translator, Wording, wording
from dialogs.names import Act, Intent
from dialogs.types import Button, CardReply, ChoicesReply, Reply, TextReply
from domain.reminders import Rule
from storage.settings import Words


def _day(t: Translator, context: dict[str, Any]) -> str:
    return t.date(dtm.date.fromisoformat(context["date"]))


def _names(t: Translator, values: list[str]) -> str:
    return t.join(values)


def _team_choice(t: Translator, w: Wording, context: dict[str, Any]) -> list[Reply]:
    return [
        ChoicesReply(
            text=t._(
                "Time to choose your {group} for the school year {year}, together with your manager.",
                group=w.group,
                year=context["year"],
            ),
            buttons=[
                *(
                    [
                        Button(
                            label=t._("Stay in {team}", team=context["team"]),
                            action=Act.CHOOSE_TEAM_CONFIRM,
                            values={"team_id": context["team_id"], "year": context["year"]},
                            style="primary",
                        )
                    ]
                    if context.get("team_id")
                    else []
                ),
                intent_button(t._("Choose {group}", group=w.group), Intent.CHOOSE_TEAM),
            ],
        )
    ]


def _manager_report(t: Translator, w: Wording, context: dict[str, Any]) -> list[Reply]:
    deadline = t.date(dtm.date.fromisoformat(context["deadline"]))
    staff = intent_button(t._("My staff"), Intent.LIST_STAFF)
    report = intent_button(t._("Report {groups}", groups=w.groups), Intent.REPORT_MEMBERSHIPS)
    if context.get("reported"):  # reported with choices not confirmed: reminded until they are
        text = t.n_(
            "Your school has reported its {groups} for {year}, but {count} choice is not confirmed yet. "
            "Please confirm it.",
            "Your school has reported its {groups} for {year}, but {count} choices are not confirmed yet. "
            "Please confirm them.",
            context["unconfirmed"],
            year=context["year"],
            groups=w.groups,
        )
        return [ChoicesReply(text=text, buttons=[staff])]
    if context.get("late"):  # after the deadline, not reported, choices not confirmed
        text = t.n_(
            "The deadline {deadline} has passed: your school's {groups} for {year} are not reported, and "
            "{count} choice is not confirmed. Please confirm it and report {the_groups} to the coordinator.",
            "The deadline {deadline} has passed: your school's {groups} for {year} are not reported, and "
            "{count} choices are not confirmed. Please confirm them and report {the_groups} to the coordinator.",
            context["unconfirmed"],
            year=context["year"],
            deadline=deadline,
            groups=w.groups,
            the_groups=w.the_groups,
        )
        return [ChoicesReply(text=text, buttons=[staff, report])]
    return [
        ChoicesReply(
            text=t._(
                "Please confirm {the_groups} of your staff for {year} and report them to the coordinator by "
                "{deadline}. Without a {group}: {without}. Not confirmed: {unconfirmed}.",
                the_groups=w.the_groups,
                group=w.group,
                year=context["year"],
                deadline=deadline,
                without=context["without"],
                unconfirmed=context["unconfirmed"],
            ),
            buttons=[staff, report],
        )
    ]


def _report_escalation(t: Translator, w: Wording, context: dict[str, Any]) -> list[Reply]:
    return [
        TextReply(
            text=t._(
                "These schools have not reported their {groups} for {year}: {schools}.",
                groups=w.groups,
                year=context["year"],
                schools=_names(t, context["schools"]),
            )
        )
    ]


def _leaders_missing(t: Translator, w: Wording, context: dict[str, Any]) -> list[Reply]:
    return [
        ChoicesReply(
            text=t._(
                "{these_groups} have no leader for {year} yet: {teams}.",
                these_groups=w.start(w.these_groups),
                year=context["year"],
                teams=_names(t, context["teams"]),
            ),
            buttons=[intent_button(t._("Appoint leader"), Intent.APPOINT_LEADER)],
        )
    ]


def _framework_revision(t: Translator, w: Wording, context: dict[str, Any]) -> list[Reply]:
    return [
        ChoicesReply(
            text=t._(
                "Time for the yearly revision of the framework for {the_groups} before {year}, together "
                "with {leaders} and the manager network.",
                the_groups=w.the_groups,
                leaders=w.leaders,
                year=context["year"],
            ),
            buttons=[
                Button(
                    label=t._("The revision is done"),
                    action=Act.FRAMEWORK_REVISED,
                    values={"year": context["year"]},
                )
            ],
        )
    ]


def _notice(t: Translator, w: Wording, context: dict[str, Any]) -> list[Reply]:
    meeting = {"meeting_id": context.get("meeting_id")}
    values = {"team": context["team"], "date": _day(t, context)}
    if context.get("meeting_id") is None:
        return [
            ChoicesReply(
                text=t._(
                    "{team} has no meeting planned for the network day {date}. Schedule it and send the notice.",
                    **values,
                ),
                buttons=[intent_button(t._("Schedule meeting"), Intent.SCHEDULE_MEETING)],
            )
        ]
    return [
        ChoicesReply(
            text=t._("The notice for {team}'s meeting {date} has not been sent yet. Send it now.", **values),
            buttons=[Button(label=t._("Send notice now"), action=Act.NOTICE_PREVIEW, values=meeting, style="primary")],
        )
    ]


def _team_and_leaders(t: Translator, team: str, leaders: list[str]) -> str:
    """ "Dans (ledare: Dan Ek)", or "Film (ingen ledare)"."""
    if not leaders:
        return t._("{team} (no leader)", team=team)
    return t._("{team} (leaders: {names})", team=team, names=_names(t, leaders))


def _notice_escalation(t: Translator, w: Wording, context: dict[str, Any]) -> list[Reply]:
    leaders: list[list[str]] = context["leaders"]
    return [
        TextReply(
            text=t._(
                "For information: {these_groups} have not sent the notice for {date}: {teams}.",
                these_groups=w.these_groups,
                date=_day(t, context),
                teams=t.join(
                    _team_and_leaders(t, team, names) for team, names in zip(context["teams"], leaders, strict=True)
                ),
            )
        )
    ]


def _framework_before(t: Translator, w: Wording, context: dict[str, Any]) -> list[Reply]:
    link = f" {context['link']}" if context.get("link") else ""
    return [
        TextReply(
            text=t._(
                "{team}'s meeting {date} is the first of the year: go through the framework document there.{link}",
                team=context["team"],
                date=_day(t, context),
                link=link,
            )
        )
    ]


def _framework_confirm(t: Translator, w: Wording, context: dict[str, Any]) -> list[Reply]:
    meeting = {"meeting_id": context.get("meeting_id")}
    return [
        ChoicesReply(
            text=t._(
                "Did {team} go through the framework document at the meeting {date}? Confirm the review.",
                team=context["team"],
                date=_day(t, context),
            ),
            buttons=[
                Button(label=t._("Confirm review"), action=Act.FRAMEWORK_CONFIRM, values=meeting, style="primary")
            ],
        )
    ]


def _framework_escalation(t: Translator, w: Wording, context: dict[str, Any]) -> list[Reply]:
    return [
        TextReply(
            text=t._(
                "{team} has not confirmed the review of the framework at its meeting {date} (leaders: {leaders}).",
                team=context["team"],
                date=_day(t, context),
                leaders=_names(t, context["leaders"]) or "-",
            )
        )
    ]


def _notes(t: Translator, w: Wording, context: dict[str, Any]) -> list[Reply]:
    meeting = {"meeting_id": context.get("meeting_id")}
    return [
        ChoicesReply(
            text=t._(
                "The notes from {team}'s meeting {date} have not been sent. Log them and send them to the "
                "members and the coordinator.",
                team=context["team"],
                date=_day(t, context),
            )
            if context.get("coordinator", True)
            else t._(
                "The notes from {team}'s meeting {date} have not been sent. Log them and send them to the members.",
                team=context["team"],
                date=_day(t, context),
            ),
            buttons=[Button(label=t._("Log notes"), action=Act.NOTES_START, values=meeting, style="primary")],
        )
    ]


def _notes_escalation(t: Translator, w: Wording, context: dict[str, Any]) -> list[Reply]:
    return [
        TextReply(
            text=t._(
                "{team} has not distributed the notes from its meeting {date} (leaders: {leaders}).",
                team=context["team"],
                date=_day(t, context),
                leaders=_names(t, context["leaders"]) or "-",
            )
        )
    ]


def _goal_text(t: Translator, context: dict[str, Any]) -> str:
    """Why: "Ramarna säger 2–3 träffar per läsår, minst 1 av dem fysisk." """
    low, high = context["goal_min"], context["goal_max"]
    count = f"{low}–{high}" if high > low else f"{low}"
    if context["physical_min"] < 1:
        return t._("The framework says {count} meetings per school year.", count=count)
    return t.n_(
        "The framework says {goal} meetings per school year, at least {count} of them physical.",
        "The framework says {goal} meetings per school year, at least {count} of them physical.",
        context["physical_min"],
        goal=count,
    )


def _meeting_goals(t: Translator, w: Wording, context: dict[str, Any]) -> list[Reply]:
    planned = t.n_(
        "{team} has {count} meeting planned for {year}.",
        "{team} has {count} meetings planned for {year}.",
        context["meetings"],
        team=context["team"],
        year=context["year"],
    )
    if context["meetings"]:
        planned += " " + t.n_("Of them, {count} is physical.", "Of them, {count} are physical.", context["physical"])
    return [
        ChoicesReply(
            text=" ".join(
                [_goal_text(t, context), planned, t._("Plan the rest while there is time this school year.")]
            ),
            buttons=[intent_button(t._("Schedule meeting"), Intent.SCHEDULE_MEETING)],
        )
    ]


def _meeting_goals_escalation(t: Translator, w: Wording, context: dict[str, Any]) -> list[Reply]:
    teams = [
        t._(
            "{team}: meetings {meetings}, physical {physical}",
            team=_team_and_leaders(t, team, leaders),
            meetings=meetings,
            physical=physical,
        )
        for team, meetings, physical, leaders in zip(
            context["teams"], context["meetings"], context["physical"], context["leaders"], strict=True
        )
    ]
    led = sum(1 for names in context["leaders"] if names)  # a team without a leader had nobody to remind
    values = {"year": context["year"], "teams": "; ".join(teams), "groups": w.groups}
    if led == len(teams):
        below = t._("These {groups} are below it for {year}, and their leaders have been reminded: {teams}.", **values)
    elif led:
        below = t._(
            "These {groups} are below it for {year}, and the leaders of those that have one have been reminded: "
            "{teams}.",
            **values,
        )
    else:
        below = t._(
            "These {groups} are below it for {year}, and none of them has a leader to remind: {teams}.", **values
        )
    return [TextReply(text=_goal_text(t, context) + " " + below)]


def _network_days(t: Translator, w: Wording, context: dict[str, Any]) -> list[Reply]:
    return [
        ChoicesReply(
            text=t._(
                "There are no network days for {year} yet. The manager network decides them, and {the_groups} plan "
                "their meetings and send their notices from them: add the days that have been decided.",
                year=context["year"],
                the_groups=w.the_groups,
            ),
            buttons=[intent_button(t._("Add network day"), Intent.ADD_NETWORK_DAY)],
        )
    ]


def _attendance(t: Translator, w: Wording, context: dict[str, Any]) -> list[Reply]:
    meeting = {"meeting_id": context.get("meeting_id")}
    return [
        ChoicesReply(
            text=t._(
                "Confirm who attended {team}'s meeting {date}: the host school divides the meeting's cost among "
                "the participants, and cannot enter it until the attendance is confirmed.",
                team=context["team"],
                date=_day(t, context),
            ),
            buttons=[
                Button(label=t._("Confirm attendance"), action=Act.ATTENDANCE_START, values=meeting, style="primary")
            ],
        )
    ]


def _digest_line(t: Translator, entry: str) -> str:
    kind, _, day = entry.partition(":")
    date = t.date(dtm.date.fromisoformat(day))
    if kind == "held":
        return t._("met {date}", date=date)
    if kind == "notice":
        return t._("notice for {date} sent", date=date)
    return t._("notes from {date} sent", date=date)


def _late_line(t: Translator, entry: str) -> str:
    kind, _, day = entry.partition(":")
    date = t.date(dtm.date.fromisoformat(day))
    if kind == "notice":
        return t._("no notice yet for {date}", date=date)
    return t._("notes from {date} not sent", date=date)


def _coordinator_digest(t: Translator, w: Wording, context: dict[str, Any]) -> list[Reply]:
    since = dtm.date.fromisoformat(context["since"])
    happened: dict[str, list[str]] = context.get("happened", {})
    late: dict[str, list[str]] = context.get("late", {})
    facts = [(team, "; ".join(_digest_line(t, e) for e in entries)) for team, entries in happened.items()]
    facts += [
        (team, t._("late: {what}", what="; ".join(_late_line(t, e) for e in entries))) for team, entries in late.items()
    ]
    text = None if facts else t._("Nothing happened last week and nothing is late.")
    return [
        CardReply(
            title=t._(
                "Week {week}: {the_groups} since {date}",
                week=context["week"],
                the_groups=w.the_groups,
                date=t.date(since),
            ),
            facts=facts,
            text=text,
            buttons=[intent_button(t._("Status"), Intent.STATUS)],
        )
    ]


_TEXTS: dict[Rule, Callable[[Translator, Wording, dict[str, Any]], list[Reply]]] = {
    Rule.TEAM_CHOICE: _team_choice,
    Rule.MANAGER_REPORT: _manager_report,
    Rule.REPORT_ESCALATION: _report_escalation,
    Rule.LEADERS_MISSING: _leaders_missing,
    Rule.FRAMEWORK_REVISION: _framework_revision,
    Rule.NOTICE: _notice,
    Rule.NOTICE_ESCALATION: _notice_escalation,
    Rule.FRAMEWORK_BEFORE: _framework_before,
    Rule.FRAMEWORK_CONFIRM: _framework_confirm,
    Rule.FRAMEWORK_ESCALATION: _framework_escalation,
    Rule.NOTES: _notes,
    Rule.NOTES_ESCALATION: _notes_escalation,
    Rule.MEETING_GOALS: _meeting_goals,
    Rule.MEETING_GOALS_ESCALATION: _meeting_goals_escalation,
    Rule.NETWORK_DAYS: _network_days,
    Rule.ATTENDANCE: _attendance,
    Rule.COORDINATOR_DIGEST: _coordinator_digest,
}


def reminder_replies(t: Translator, words: Words, rule: Rule, context: dict[str, Any]) -> list[Reply]:
    """The message of one reminder, in the recipient's language and their region's words."""
    return _TEXTS[Rule(rule)](t, wording(words, t.language), context)
