"""The host school of a physical meeting: its manager is told when a meeting is booked there and confirms the
room in one click; the leader's own manager is told of the costs to expect.

000: the leader "ansvarar … för att i god tid kommunicera tidsmässiga, lokalmässiga och ekonomiska behov med
din chef", and a school "står som värd för övriga kulturskolor" and invoices them.
"""

from __future__ import annotations

from dialogs import access
from dialogs.access import MeetingOf
from dialogs.engine import Answered, Guard, Refused, Router, Turn, Values
from dialogs.i18n import Translator
from dialogs.names import Act
from dialogs.notify import not_reached, notify, reached_people, told_text
from dialogs.types import Button, CardReply, Reply, TextReply
from domain import groups
from domain import meetings as meeting_rules
from domain.logistics import host_of, managers_of
from domain.teams import leaders
from storage.models import Meeting, MeetingKind, Person, Team

router = Router()


def _from_school(people: list[Person], school_id: int | None) -> int:
    return sum(1 for p in people if p.school_id == school_id)


def tell_host_and_managers(turn: Turn, meeting: Meeting, team: Team) -> str:
    """A physical meeting at a host school has been booked (or moved): that school's managers are told, with
    the participants to expect and a button for the room; the leader's managers, where the host invoices the
    visiting schools, of the cost to expect. What the leader is told about who knows now ("" for none)."""
    tr = turn.tr
    host = host_of(turn.session, meeting) if meeting.kind == MeetingKind.PHYSICAL.value else None
    if host is None or host.id is None:
        return ""
    members = groups.members(turn.session, team, meeting.school_year_id)
    expected = len(members) - len(meeting_rules.absentees(turn.session, meeting.id or 0))
    hosts = [p for p in managers_of(turn.session, host.id) if p.id != turn.person.id]
    room = {"meeting_id": meeting.id}

    def to_host(t: Translator) -> list[Reply]:
        return [
            CardReply(
                title=t._(
                    "{team} meets at {school} {when}", team=team.name, school=host.name, when=t.date(meeting.starts_at)
                ),
                facts=[
                    (t._("When"), f"{t.when(meeting.starts_at)}–{t.time(meeting.ends_at)}"),
                    (t._("Expected"), t.n_("{count} participant", "{count} participants", expected)),
                    (t._("Of them from your school"), str(_from_school(members, host.id))),
                    (
                        t._("Leader"),
                        t.join(p.name for p in leaders(turn.session, team.id or 0, meeting.school_year_id)),
                    ),
                ],
                text=t._("Please arrange a room (and lunch, if the team eats together), and confirm it here."),
                buttons=[
                    Button(
                        label=t._("The room is arranged"), action=Act.HOST_ROOM_CONFIRM, values=room, style="primary"
                    )
                ],
            )
        ]

    queued = notify(
        turn.session, origin=turn.person, recipients=hosts, region=turn.region, kind="host_booked", build=to_host
    )
    said = []
    if told := reached_people(hosts, queued, turn.reach):
        said.append(tr._("The host school's manager ({names}) has been told.", names=tr.join(p.name for p in told)))
    if hosts:
        said.append(not_reached(tr, turn.session, queued, turn.reach))
    elif not any(p.id == turn.person.id for p in managers_of(turn.session, host.id)):
        said.append(tr._("{school} has no manager with the bot: tell them about the room yourself.", school=host.name))
    if turn.duties.cost_split != "none" and turn.person.school_id not in (None, host.id):
        own = [p for p in managers_of(turn.session, turn.person.school_id or 0) if p.id != turn.person.id]
        from_mine = _from_school(members, turn.person.school_id)

        def to_own(t: Translator) -> list[Reply]:
            return [
                TextReply(
                    text=t.n_(
                        "{team} meets at {school} {when}. {school} invoices the visiting schools afterwards, the "
                        "cost divided by the participants: {count} of them is from your school.",
                        "{team} meets at {school} {when}. {school} invoices the visiting schools afterwards, the "
                        "cost divided by the participants: {count} of them are from your school.",
                        from_mine,
                        team=team.name,
                        school=host.name,
                        when=t.date(meeting.starts_at),
                    )
                )
            ]

        queued = notify(
            turn.session, origin=turn.person, recipients=own, region=turn.region, kind="host_costs", build=to_own
        )
        if told := reached_people(own, queued, turn.reach):
            names = tr.join(p.name for p in told)
            said.append(tr._("Your manager ({names}) has been told of the cost to expect.", names=names))
        said.append(not_reached(tr, turn.session, queued, turn.reach))
    return " ".join(filter(None, said))


def hosts_meeting(attempt: str) -> Guard[MeetingOf]:
    """A manager of the school hosting the button's meeting; the meeting is ahead and not cancelled."""

    def check(turn: Turn, values: Values) -> MeetingOf:
        found = access.region_meeting(turn, values, attempt)
        meeting = found.meeting
        if meeting.cancelled_at is not None:
            raise Answered(TextReply(text=turn.tr._("That meeting has been cancelled.")))
        host = host_of(turn.session, meeting)
        if host is None or not any(p.id == turn.person.id for p in managers_of(turn.session, host.id or 0)):
            raise Refused(
                attempt,
                "not_host_manager",
                turn.tr._("Only a manager of the host school can reopen its invoice basis.")
                if attempt == "cost.reopen"
                else turn.tr._("Only a manager of the host school can confirm its room."),
                meeting=meeting.id,
            )
        return found

    return Guard(f"hosts_meeting:{attempt}", frozenset({"manager"}), check)


@router.action(Act.HOST_ROOM_CONFIRM, guard=hosts_meeting("host.room"))
def confirm_room(turn: Turn, values: Values, found: MeetingOf) -> list[Reply]:
    tr = turn.tr
    meeting, team = found.meeting, found.team
    when = tr.when(meeting.starts_at)
    if not meeting_rules.confirm_room(turn.session, meeting=meeting, actor=turn.person, now=turn.now):
        return [
            TextReply(
                text=tr._("The room for {team}'s meeting {when} is already confirmed.", team=team.name, when=when)
            )
        ]
    team_leaders = leaders(turn.session, team.id or 0, meeting.school_year_id)
    person = turn.person

    def build(t: Translator) -> list[Reply]:
        return [
            TextReply(
                text=t._(
                    "{name} has arranged the room for {team}'s meeting {when}.",
                    name=person.name,
                    team=team.name,
                    when=t.when(meeting.starts_at),
                )
            )
        ]

    queued = notify(
        turn.session, origin=turn.person, recipients=team_leaders, region=turn.region, kind="host_room", build=build
    )
    said = [
        tr._("Thank you: the room is confirmed."),
        told_text(tr, turn.session, team_leaders, queued, turn.reach)
        if team_leaders
        else tr._("The team has no leader to tell."),
    ]
    return [TextReply(text=" ".join(filter(None, said)))]
