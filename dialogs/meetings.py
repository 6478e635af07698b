"""A team's meetings as its leaders see them and act on them: the meeting card, choosing a meeting, and
telling the members of a notice, a change or a cancellation (with the calendar invite)."""

from __future__ import annotations

import datetime as dtm
from dataclasses import dataclass
from typing import Any

from dialogs import access
from dialogs.common import agenda_lines, framework_name, meeting_kind, meeting_place, short
from dialogs.engine import Route, Turn, Values
from dialogs.i18n import Translator
from dialogs.invite import attachment, filename, meeting_ics
from dialogs.names import Act
from dialogs.notify import not_reached, notify, reached
from dialogs.travel import logistics_buttons
from dialogs.types import Button, CardReply, ChoicesReply, Reply, TextReply
from domain import agenda
from domain import meetings as meeting_rules
from domain.teams import leaders as leaders_of
from storage.models import Meeting, MeetingKind, OutboxMessage, Person, Role, Team
from storage.queries import people_with_role


def coordinators(turn: Turn) -> list[Person]:
    """The coordinators of the person's region, by name."""
    return people_with_role(turn.session, turn.region, Role.COORDINATOR.value)


# Telling the members -------------------------------------------------------------------------


def _ics(turn: Turn, meeting: Meeting, team: Team, tr: Translator, member: Person, cancelled: bool = False) -> str:
    return meeting_ics(
        meeting,
        team=team,
        region=turn.region,
        summary=tr._("{team}: subject team meeting", team=team.name),
        location=meeting_place(turn, meeting),
        description=tr._("Report absence in the chat with Ämneslagsboten if you can't come."),
        now=turn.now,
        organizer=turn.person,
        attendee=member,
        cancelled=cancelled,
    )


def invite_for(turn: Turn, meeting: Meeting, team: Team, member: Person, cancelled: bool) -> dict[str, Any]:
    """The calendar invite as a member reads it: addressed to them, in their language, named after the team and
    the day."""
    tr = Translator(member.language, turn.region.timezone)
    day = meeting.starts_at.astimezone(tr.zone).date()
    word = tr._("cancelled") if cancelled else tr._("notice")
    return attachment(
        _ics(turn, meeting, team, tr, member, cancelled),
        name=filename(word, team, day),
        description=tr._("Cancelled meeting: removes it from the calendar")
        if cancelled
        else tr._("Calendar invite to the meeting"),
        cancelled=cancelled,
    )


@dataclass(frozen=True)
class Was:
    """A meeting as it was before a change, so that the change's notice says what changed."""

    starts_at: dtm.datetime
    ends_at: dtm.datetime
    kind: str
    place: str


def was(turn: Turn, meeting: Meeting) -> Was:
    return Was(meeting.starts_at, meeting.ends_at, meeting.kind, meeting_place(turn, meeting))


def _what_changed(t: Translator, turn: Turn, meeting: Meeting, before: Was) -> str:
    """ "the time (was Thursday 8 April 09.00–12.00) and the place (was Lycksele Musikskola)" """
    parts = []
    if (before.starts_at, before.ends_at) != (meeting.starts_at, meeting.ends_at):
        old = f"{t.when(before.starts_at)}–{t.time(before.ends_at)}"
        parts.append(t._("the time (was {old})", old=old))
    if before.kind != meeting.kind:
        old_kind = t._("physical meeting") if before.kind == MeetingKind.PHYSICAL.value else t._("digital meeting")
        parts.append(t._("the kind (was {old})", old=old_kind))
    if before.place != meeting_place(turn, meeting):
        parts.append(t._("the place (was {old})", old=before.place))
    return t.join(parts)


@dataclass(frozen=True)
class Told:
    """How many the bot tells, and the sentence naming those it cannot reach ("" when it reaches everyone)."""

    count: int
    missed: str


def tell_members(turn: Turn, meeting: Meeting, team: Team, kind: str, before: Was | None = None) -> Told:
    """Queue the notice, change or cancellation, with its calendar invite, to every member; how many it reaches
    (the log reaches nobody). A change says what changed (`before`: the meeting as it was)."""
    members = list(
        {p.id: p for p in meeting_rules.team_members(turn.session, team.id or 0, meeting.school_year_id)}.values()
    )
    cancelled = kind == "meeting_cancelled"
    leader = turn.person
    items = agenda.carried_by(turn.session, meeting.id or 0)

    def build(t: Translator) -> list[Reply]:
        values = {"team": team.name, "when": t.when(meeting.starts_at), "leader": leader.name}
        if kind == "meeting_notice":
            title = t._("Notice: {team} meets {when}", **values)
        elif kind == "meeting_changed":
            title = t._("Changed: {team}'s meeting is now {when}", **values)
        else:
            title = t._("Cancelled: {team}'s meeting {when}", **values)
        facts = [
            (t._("When"), f"{t.when(meeting.starts_at)}–{t.time(meeting.ends_at)}"),
            (
                t._("Where"),
                meeting_place(turn, meeting),
            ),
            (t._("From"), leader.name),
        ]
        if before is not None and (changed := _what_changed(t, turn, meeting, before)):
            facts.insert(0, (t._("Changed"), changed))
        if items and not cancelled:
            facts.append((t._("On the agenda"), agenda_lines(turn.session, items)))
        if meeting.first_of_year and not cancelled and turn.duties.framework_review:
            facts.append((t._("Note"), t._("First meeting of the year: we go through the framework document.")))
            document = framework_name(turn)  # the version in force, revised every year
            link = turn.region.framework_url
            facts.append((t._("Framework"), f"{document}: {link}" if link else document))
        text = (
            t._("The meeting will not take place. The calendar invite removes it from your calendar.")
            if cancelled
            else t._("The calendar invite is attached. If you can't come, report absence with the button.")
        )
        buttons = (
            []
            if cancelled
            else [Button(label=t._("Report absence"), action=Act.ABSENCE_REPORT, values={"meeting_id": meeting.id})]
        )
        return [CardReply(title=title, facts=facts, text=text, buttons=buttons)]

    queued: list[OutboxMessage] = []
    for member in members:  # each gets an invite of their own: addressed to them, in their language
        queued += notify(
            turn.session,
            origin=turn.person,
            recipients=[member],
            region=turn.region,
            kind=kind,
            build=build,
            attachments=[invite_for(turn, meeting, team, member, cancelled)],
        )
    return Told(reached(queued, turn.reach), not_reached(turn.tr, turn.session, queued, turn.reach))


def tell_other_leaders(turn: Turn, meeting: Meeting, team: Team, kind: str, before: Was | None = None) -> int:
    """The change or cancellation of a meeting whose notice was never sent: the members were never told of it
    (they learn of it, as it is by then, from its notice), so only the team's other leaders are, without a
    calendar invite, which nobody got; the count. A change says what changed (`before`: the meeting as it was).
    """
    leaders = [p for p in leaders_of(turn.session, team.id or 0, meeting.school_year_id) if p.id != turn.person.id]
    leader = turn.person

    def build(t: Translator) -> list[Reply]:
        values = {"team": team.name, "when": t.when(meeting.starts_at)}
        if kind == "meeting_changed":
            title = t._("Changed: {team}'s meeting is now {when}", **values)
        else:
            title = t._("Cancelled: {team}'s meeting {when}", **values)
        facts = [(t._("From"), leader.name)]
        if before is not None and (changed := _what_changed(t, turn, meeting, before)):
            facts.insert(0, (t._("Changed"), changed))
        return [
            CardReply(
                title=title,
                facts=facts,
                text=t._("Its notice had not been sent, so the members have not been told."),
            )
        ]

    notify(turn.session, origin=turn.person, recipients=leaders, region=turn.region, kind=kind, build=build)
    return len(leaders)


# The meeting card ----------------------------------------------------------------------------


def meeting_card(turn: Turn, meeting: Meeting, team: Team) -> CardReply:
    """One meeting as its leader sees it, with the actions that fit its state."""
    tr = turn.tr
    assert meeting.id is not None
    absent = meeting_rules.absentees(turn.session, meeting.id)
    started = meeting.starts_at <= turn.now
    facts = [
        (tr._("When"), f"{tr.when(meeting.starts_at)}–{tr.time(meeting.ends_at)}"),
        (tr._("Kind"), meeting_kind(turn, meeting)),
        (tr._("Where"), meeting_place(turn, meeting)),
        (tr._("Notice"), tr.date(meeting.notice_sent_at) if meeting.notice_sent_at else tr._("not sent")),
        (tr._("Absent"), tr.join(p.name for p in absent) if absent else tr._("nobody has reported absence")),
    ]
    if meeting.kind == MeetingKind.PHYSICAL.value and meeting.host_school_id is not None and not started:
        room = tr.date(meeting.room_confirmed_at) if meeting.room_confirmed_at else tr._("not confirmed by the host")
        facts.append((tr._("Room"), room))
    review = meeting.first_of_year and turn.duties.framework_review
    if review:
        reviewed = tr.date(meeting.framework_reviewed_at) if meeting.framework_reviewed_at else tr._("not confirmed")
        facts.append((tr._("Framework review"), reviewed))
    if started:
        distributed = tr.date(meeting.notes_distributed_at) if meeting.notes_distributed_at else tr._("not distributed")
        facts.append((tr._("Notes"), distributed))
    ref = {"meeting_id": meeting.id}
    buttons: list[Button] = []
    if not started:
        if meeting.notice_sent_at is None:
            buttons.append(
                Button(label=tr._("Send notice now"), action=Act.NOTICE_PREVIEW, values=ref, style="primary")
            )
        buttons.append(Button(label=tr._("Change"), action=Act.MEETING_CHANGE, values=ref))
        buttons.append(Button(label=tr._("Cancel meeting"), action=Act.MEETING_CANCEL, values=ref, style="danger"))
    else:
        if meeting.notes_distributed_at is None:
            buttons.append(Button(label=tr._("Log notes"), action=Act.NOTES_START, values=ref, style="primary"))
        if review and meeting.framework_reviewed_at is None:
            buttons.append(Button(label=tr._("Confirm review"), action=Act.FRAMEWORK_CONFIRM, values=ref))
        if meeting.kind == MeetingKind.PHYSICAL.value:
            buttons += logistics_buttons(turn, meeting)
    return CardReply(title=f"{team.name}: {tr.date(meeting.starts_at)}", facts=facts, buttons=buttons)


def pick_meeting(turn: Turn, meetings: list[tuple[Meeting, Team]], question: str, action: str) -> list[Reply]:
    several_teams = len({team.id for _, team in meetings}) > 1
    return [
        ChoicesReply(
            text=question,
            buttons=[
                Button(
                    label=short(
                        f"{team.name}: {turn.tr.when(m.starts_at)}" if several_teams else turn.tr.when(m.starts_at)
                    ),
                    action=action,
                    values={"meeting_id": m.id},
                )
                for m, team in meetings
            ],
        )
    ]


def meetings_of_led(turn: Turn) -> list[tuple[Meeting, Team]]:
    found: list[tuple[Meeting, Team]] = []
    for team, year in access.led_teams(turn):
        assert team.id is not None and year.id is not None
        found.extend((m, team) for m in meeting_rules.team_meetings(turn.session, team.id, year.id))
    return sorted(found, key=lambda pair: pair[0].starts_at)


def choose_led(turn: Turn, slots: Values, question: str, then: Route[Any], *, upcoming: bool) -> list[Reply]:
    """The leader's meeting a request is about: the one on the slots' date, the only one, or a choice.

    `upcoming`: meetings still ahead; otherwise held meetings whose notes are not yet distributed. `then`
    is the route that acts on the chosen meeting (its name is the buttons' action).
    """
    found = [
        (m, t)
        for m, t in meetings_of_led(turn)
        if (m.starts_at > turn.now if upcoming else m.starts_at <= turn.now and m.notes_distributed_at is None)
    ]
    if slots.get("date"):
        day = dtm.date.fromisoformat(slots["date"])
        found = [(m, t) for m, t in found if m.starts_at.astimezone(turn.tr.zone).date() == day] or found
    if not found and not upcoming:
        return [
            TextReply(
                text=turn.tr._(
                    "Every meeting {your_group} has held has its notes distributed.", your_group=turn.words.your_group
                )
            )
        ]
    if not found:
        return [
            TextReply(
                text=turn.tr._(
                    "{your_group} has no upcoming meetings.", your_group=turn.words.start(turn.words.your_group)
                )
            )
        ]
    if len(found) == 1:
        return then(turn, {"meeting_id": found[0][0].id})
    if not upcoming:
        found = list(reversed(found))
    return pick_meeting(turn, found[:10], question, then.name)
