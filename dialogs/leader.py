"""The team leader's dialogs besides the meeting form and the notes: the team's meetings, the notice,
cancelling a meeting, and confirming the framework review at the year's first meeting.

Every action re-checks that the person leads the meeting's team in its school year (`dialogs.access`).
"""

from __future__ import annotations

import datetime as dtm

from dialogs import access
from dialogs.access import MeetingOf
from dialogs.common import agenda_lines, framework_name, meeting_place, meetings_over
from dialogs.engine import Router, Turn, Values
from dialogs.meetings import choose_led, meeting_card, meetings_of_led, pick_meeting, tell_members, tell_other_leaders
from dialogs.names import Act, Intent
from dialogs.types import Button, CardReply, ChoicesReply, Reply, TextReply
from domain import agenda
from domain import meetings as meeting_rules

router = Router()

# The leader's meetings, change and cancel --------------------------------------------------


@router.action(Act.LEADER_MEETINGS, guard=access.leader("meeting.list"))
def my_meetings(turn: Turn, values: Values, _: object) -> list[Reply]:
    upcoming = [(m, t) for m, t in meetings_of_led(turn) if m.ends_at > turn.now - dtm.timedelta(days=30)]
    if not upcoming:
        over = [said for team, year in access.led_teams(turn) if (said := meetings_over(turn, team, year))]
        return [
            ChoicesReply(
                text=" ".join(over)
                or turn.tr._(
                    "{your_group} has no meetings planned.", your_group=turn.words.start(turn.words.your_group)
                ),
                buttons=[
                    Button(
                        label=turn.tr._("Schedule meeting"),
                        action=Act.INTENT,
                        values={"intent": Intent.SCHEDULE_MEETING},
                    )
                ],
            )
        ]
    return [meeting_card(turn, m, t) for m, t in upcoming[:5]]


@router.intent(Intent.CANCEL_MEETING, guard=access.leader("meeting.cancel"))
def cancel_intent(turn: Turn, slots: Values, _: object) -> list[Reply]:
    return choose_led(turn, slots, turn.tr._("Which meeting do you want to cancel?"), cancel_ask, upcoming=True)


@router.action(Act.MEETING_CANCEL, guard=access.leads_meeting("meeting.cancel"))
def cancel_ask(turn: Turn, values: Values, found: MeetingOf) -> list[Reply]:
    tr = turn.tr
    meeting, team = found.meeting, found.team
    if meeting.starts_at <= turn.now:
        return [TextReply(text=tr._("That meeting has already started, so it can't be cancelled."))]
    values = {"team": team.name, "when": tr.when(meeting.starts_at)}
    return [
        ChoicesReply(
            text=tr._(
                "Cancel {team}'s meeting {when}? Every member is told and the event leaves their calendars.",
                **values,
            )
            if meeting.notice_sent_at is not None
            else tr._(
                "Cancel {team}'s meeting {when}? The notice has not been sent, so the members know nothing of it "
                "and only {the_group}'s leaders are told.",
                the_group=turn.words.the_group,
                **values,
            ),
            buttons=[
                Button(
                    label=tr._("Yes, cancel the meeting"),
                    action=Act.MEETING_CANCEL_CONFIRM,
                    values={"meeting_id": meeting.id},
                    style="danger",
                ),
                Button(label=tr._("No, keep it"), action=Act.MEETING_KEEP, values={}),
            ],
        )
    ]


@router.action(Act.MEETING_KEEP, guard=access.anyone)
def keep(turn: Turn, values: Values, _: None) -> list[Reply]:
    return [TextReply(text=turn.tr._("OK, the meeting stays as it is."))]


@router.action(Act.MEETING_CANCEL_CONFIRM, guard=access.leads_meeting("meeting.cancel"))
def cancel_confirm(turn: Turn, values: Values, found: MeetingOf) -> list[Reply]:
    tr = turn.tr
    meeting, team = found.meeting, found.team
    if meeting.starts_at <= turn.now:
        return [TextReply(text=tr._("That meeting has already started, so it can't be cancelled."))]
    meeting_rules.cancel(turn.session, meeting=meeting, actor=turn.person, now=turn.now)
    if meeting.notice_sent_at is None:
        leaders = tell_other_leaders(turn, meeting, team, "meeting_cancelled")
        return [
            TextReply(
                text=tr.n_(
                    "The meeting is cancelled. Its notice was never sent, so the members need not hear anything; "
                    "{count} other leader has been told.",
                    "The meeting is cancelled. Its notice was never sent, so the members need not hear anything; "
                    "{count} other leaders have been told.",
                    leaders,
                )
            )
        ]
    told = tell_members(turn, meeting, team, "meeting_cancelled")
    cancelled = tr.n_(
        "The meeting is cancelled. {count} member has been told.",
        "The meeting is cancelled. {count} members have been told.",
        told.count,
    )
    return [TextReply(text=" ".join(filter(None, [cancelled, told.missed])))]


# The notice --------------------------------------------------------------------------------


@router.intent(Intent.SEND_NOTICE, guard=access.leader("notice.send"))
def notice_intent(turn: Turn, slots: Values, _: object) -> list[Reply]:
    waiting = [(m, t) for m, t in meetings_of_led(turn) if m.starts_at > turn.now and m.notice_sent_at is None]
    if slots.get("date"):
        day = dtm.date.fromisoformat(slots["date"])
        waiting = [(m, t) for m, t in waiting if m.starts_at.astimezone(turn.tr.zone).date() == day] or waiting
    if not waiting:
        return [
            ChoicesReply(
                text=turn.tr._(
                    "Every upcoming meeting of {your_group} has had its notice sent.", your_group=turn.words.your_group
                ),
                buttons=[
                    Button(
                        label=turn.tr._("Schedule meeting"),
                        action=Act.INTENT,
                        values={"intent": Intent.SCHEDULE_MEETING},
                    )
                ],
            )
        ]
    if len(waiting) == 1:
        return notice_preview(turn, {"meeting_id": waiting[0][0].id})
    return pick_meeting(turn, waiting, turn.tr._("Which meeting is the notice for?"), Act.NOTICE_PREVIEW)


@router.action(Act.NOTICE_PREVIEW, guard=access.leads_meeting("notice.send"))
def notice_preview(turn: Turn, values: Values, found: MeetingOf) -> list[Reply]:
    tr = turn.tr
    meeting, team = found.meeting, found.team
    if meeting.notice_sent_at is not None:
        return [
            TextReply(
                text=tr._(
                    "The notice for this meeting was sent {date}; it is not sent twice.",
                    date=tr.date(meeting.notice_sent_at),
                )
            )
        ]
    members = meeting_rules.team_members(turn.session, team.id or 0, meeting.school_year_id)
    items = agenda.waiting(turn.session, meeting.team_id, meeting.school_year_id)
    return [
        CardReply(
            title=tr._("Send the notice for {team}?", team=team.name),
            facts=[
                (tr._("When"), f"{tr.when(meeting.starts_at)}–{tr.time(meeting.ends_at)}"),
                (tr._("Where"), meeting_place(turn, meeting)),
                (tr._("To"), tr.n_("{count} member", "{count} members", len(members))),
                *([(tr._("On the agenda"), agenda_lines(turn.session, items))] if items else []),
            ],
            text=tr._("Each member gets the notice with a calendar invite and a button to report absence."),
            buttons=[
                Button(
                    label=tr._("Send notice now"),
                    action=Act.NOTICE_SEND,
                    values={"meeting_id": meeting.id},
                    style="primary",
                )
            ],
        )
    ]


@router.action(Act.NOTICE_SEND, guard=access.leads_meeting("notice.send"))
def notice_send(turn: Turn, values: Values, found: MeetingOf) -> list[Reply]:
    tr = turn.tr
    meeting, team = found.meeting, found.team
    if meeting.starts_at <= turn.now:
        return [TextReply(text=tr._("That meeting has already started, so it is too late for a notice."))]
    if not meeting_rules.mark_notice_sent(turn.session, meeting=meeting, actor=turn.person, now=turn.now):
        assert meeting.notice_sent_at is not None
        return [
            TextReply(
                text=tr._(
                    "The notice for this meeting was sent {date}; it is not sent twice.",
                    date=tr.date(meeting.notice_sent_at),
                )
            )
        ]
    agenda.attach(turn.session, meeting)  # the waiting items go with this notice, and with no other
    told = tell_members(turn, meeting, team, "meeting_notice")
    sent = tr.n_(
        "Sent: the notice for {when} went to {count} member, with a calendar invite.",
        "Sent: the notice for {when} went to {count} members, with a calendar invite.",
        told.count,
        when=tr.when(meeting.starts_at),
    )
    return [TextReply(text=" ".join(filter(None, [sent, told.missed])))]


# The framework review --------------------------------------------------------------------------


@router.intent(Intent.CONFIRM_FRAMEWORK_REVIEW, guard=access.leader("framework.confirm"))
def framework_intent(turn: Turn, slots: Values, _: object) -> list[Reply]:
    tr = turn.tr
    if not turn.duties.framework_review:
        return [
            TextReply(text=tr._("{region}'s framework has no review at the first meeting.", region=turn.region.name))
        ]
    firsts = [(m, t) for m, t in meetings_of_led(turn) if m.first_of_year]
    if not firsts:
        return [
            TextReply(
                text=tr._(
                    "{your_group} has not scheduled its first meeting of the year yet; "
                    "the framework is reviewed there.",
                    your_group=turn.words.start(turn.words.your_group),
                )
            )
        ]
    pending = [(m, t) for m, t in firsts if m.framework_reviewed_at is None]
    if not pending:
        meeting, team = firsts[0]
        assert meeting.framework_reviewed_at is not None
        return [
            TextReply(
                text=tr._(
                    "The review of the framework for {team} was confirmed {date}.",
                    team=team.name,
                    date=tr.date(meeting.framework_reviewed_at),
                )
            )
        ]
    return framework_confirm(turn, {"meeting_id": pending[0][0].id})


@router.action(Act.FRAMEWORK_CONFIRM, guard=access.leads_meeting("framework.confirm"))
def framework_confirm(turn: Turn, values: Values, found: MeetingOf) -> list[Reply]:
    tr = turn.tr
    meeting, team = found.meeting, found.team
    title = framework_name(turn)
    if not meeting.first_of_year:
        return [TextReply(text=tr._("The framework is reviewed at the first meeting of the year, and this is not it."))]
    if meeting.starts_at > turn.now:
        link = f" ({turn.region.framework_url})" if turn.region.framework_url else ""
        return [
            TextReply(
                text=tr._(
                    "Go through {title}{link} at the meeting {when}, then confirm it here afterwards.",
                    title=title,
                    link=link,
                    when=tr.when(meeting.starts_at),
                )
            )
        ]
    if not meeting_rules.confirm_framework_review(turn.session, meeting=meeting, actor=turn.person, now=turn.now):
        assert meeting.framework_reviewed_at is not None
        return [
            TextReply(
                text=tr._(
                    "The review of the framework for {team} was confirmed {date}.",
                    team=team.name,
                    date=tr.date(meeting.framework_reviewed_at),
                )
            )
        ]
    return [
        TextReply(
            text=tr._(
                "Thank you! The review of {title} at {team}'s first meeting is confirmed.",
                title=title,
                team=team.name,
            )
        )
    ]


def leader_absences(turn: Turn, slots: Values) -> list[Reply]:
    tr = turn.tr
    found = [(m, t) for m, t in meetings_of_led(turn) if m.ends_at > turn.now]
    if slots.get("date"):
        day = dtm.date.fromisoformat(slots["date"])
        found = [(m, t) for m, t in meetings_of_led(turn) if m.starts_at.astimezone(tr.zone).date() == day] or found
    if not found:
        return [
            TextReply(
                text=tr._("{your_group} has no upcoming meetings.", your_group=turn.words.start(turn.words.your_group))
            )
        ]
    facts = []
    for meeting, team in found[:5]:
        assert meeting.id is not None
        absent = meeting_rules.absentees(turn.session, meeting.id)
        names = tr.join(p.name for p in absent) if absent else tr._("nobody")
        facts.append((f"{team.name}, {tr.date(meeting.starts_at)}", names))
    return [CardReply(title=tr._("Reported absence"), facts=facts)]


def leader_help(turn: Turn) -> list[Button]:
    tr = turn.tr
    return [
        Button(
            label=tr._("{the_group}'s meetings", the_group=turn.words.start(turn.words.the_group)),
            action=Act.LEADER_MEETINGS,
            values={},
        ),
        Button(label=tr._("Schedule meeting"), action=Act.INTENT, values={"intent": Intent.SCHEDULE_MEETING}),
        Button(label=tr._("Send notice"), action=Act.INTENT, values={"intent": Intent.SEND_NOTICE}),
        Button(label=tr._("Log notes"), action=Act.INTENT, values={"intent": Intent.LOG_NOTES}),
        Button(
            label=tr._("Absence in {my_group}", my_group=turn.words.my_group.lower()),
            action=Act.INTENT,
            values={"intent": Intent.ABSENCES},
        ),
        Button(label=tr._("Attendance and cost"), action=Act.INTENT, values={"intent": Intent.CONFIRM_ATTENDANCE}),
    ]
