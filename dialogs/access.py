"""Who may do what: the guards of every intent and button action, in one place.

A guard runs before its action. It resolves the ids a button carries to objects (a meeting, a team, a
teacher) and checks the person's right to act on them; when the right is missing it raises `Refused`
(one sentence to the person, a "refused" row in the audit log, nothing changed), and when the object is
gone it raises `Answered` with a plain answer. `who` names the roles that can pass: the authorization
matrix test is generated from it, and a route without a guard cannot be registered.

Roles: "anyone" (every person in the roster), "teacher" (a member of a team, or its leader, for their
own meetings), "leader" (leads a subject team this school year or the next), "manager" (of a school),
"coordinator" (of the region).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dialogs.engine import Answered, Guard, Refused, Turn, Values
from dialogs.types import TextReply
from domain import groups, meetings, staff
from domain.logistics import may_enter_cost
from domain.teams import current_year
from storage import schoolyear
from storage.models import Meeting, NetworkDay, Person, Role, SchoolYear, Team

# Who is who ---------------------------------------------------------------------------------------


def is_coordinator(turn: Turn) -> bool:
    return Role.COORDINATOR.value in turn.roles


def is_manager(turn: Turn) -> bool:
    return Role.MANAGER.value in turn.roles


def led_teams(turn: Turn) -> list[tuple[Team, SchoolYear]]:
    """The teams the person leads in the current school year and the coming one (one query: every menu asks)."""
    current = schoolyear.label_for(schoolyear.today_in(turn.region.timezone, turn.now))
    assert turn.person.id is not None
    return meetings.teams_led_in(turn.session, turn.person.id, [current, schoolyear.following(current)])


def is_leader_now(turn: Turn) -> bool:
    return bool(led_teams(turn))


@dataclass(frozen=True)
class MeetingOf:
    """A meeting and its team, as a guard found them."""

    meeting: Meeting
    team: Team


def int_value(values: Values, key: str) -> int | None:
    """An id from a button (an int) or a form's select (digits as text); None when there is none."""
    value = values.get(key)
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


# Refusals ---------------------------------------------------------------------------------------


def not_a_leader(turn: Turn, attempt: str) -> Refused:
    return Refused(
        attempt,
        "not_a_leader",
        turn.tr._(
            "Only {leader}s can do that, and you lead {no_group} this school year or the next.",
            leader=turn.words.leader,
            no_group=turn.words.no_group,
        ),
    )


def not_a_coordinator(turn: Turn, attempt: str) -> Refused:
    return Refused(
        attempt,
        "not_a_coordinator",
        turn.tr._("Only the regional coordinator can do that, and your roster entry has no coordinator role."),
    )


def not_a_manager(turn: Turn, attempt: str) -> Refused:
    return Refused(
        attempt,
        "not_a_manager",
        turn.tr._("Only a school's manager can do that, and your roster entry has no manager role."),
    )


def outside_region(turn: Turn, attempt: str, **details: Any) -> Refused:
    return Refused(
        attempt,
        "other_region",
        turn.tr._("That belongs to another region than yours, so you can't change it."),
        **details,
    )


def not_leader_of(turn: Turn, attempt: str, team: str, year: str, **details: Any) -> Refused:
    return Refused(
        attempt,
        "not_leader_of_team",
        turn.tr._("Only the leaders of {team} can do that, and you don't lead {team} in {year}.", team=team, year=year),
        **details,
    )


# Guards -----------------------------------------------------------------------------------------


def _anyone(turn: Turn, values: Values) -> None:
    return None


anyone: Guard[None] = Guard("anyone", frozenset({"anyone"}), _anyone)


def leader(attempt: str, *, refusal: Callable[[Turn], str] | None = None) -> Guard[list[tuple[Team, SchoolYear]]]:
    """Leads a subject team this school year or the next; gives the teams led. `refusal`: the sentence of
    the refusal, where the general one does not fit."""

    def check(turn: Turn, values: Values) -> list[tuple[Team, SchoolYear]]:
        led = led_teams(turn)
        if not led:
            if refusal is not None:
                raise Refused(attempt, "not_a_leader", refusal(turn))
            raise not_a_leader(turn, attempt)
        return led

    return Guard(f"leader:{attempt}", frozenset({"leader"}), check)


def _meeting_of(turn: Turn, values: Values) -> MeetingOf | None:
    """The meeting of a button (values["meeting_id"]) and its team, if both still exist."""
    meeting_id = int_value(values, "meeting_id")
    meeting = turn.session.get(Meeting, meeting_id) if meeting_id is not None else None
    team = turn.session.get(Team, meeting.team_id) if meeting is not None else None
    return MeetingOf(meeting, team) if meeting is not None and team is not None else None


def _gone(turn: Turn) -> Answered:
    return Answered(TextReply(text=turn.tr._("That meeting no longer exists.")))


def region_meeting(turn: Turn, values: Values, attempt: str) -> MeetingOf:
    """The meeting of a button in the person's own region."""
    found = _meeting_of(turn, values)
    if found is None:
        raise _gone(turn)
    if found.team.region_id != turn.region.id:
        raise outside_region(turn, attempt, meeting=found.meeting.id)
    return found


def leads_meeting(attempt: str) -> Guard[MeetingOf]:
    """Leads the team of the button's meeting in the meeting's school year; the meeting is not cancelled."""

    def check(turn: Turn, values: Values) -> MeetingOf:
        found = _meeting_of(turn, values)
        if found is None:
            raise _gone(turn)
        meeting, team = found.meeting, found.team
        assert turn.person.id is not None
        if not meetings.is_leader(turn.session, turn.person.id, team.id or 0, meeting.school_year_id):
            year = turn.session.get(SchoolYear, meeting.school_year_id)
            raise not_leader_of(turn, attempt, team.name, year.label if year else "-", meeting=meeting.id)
        if meeting.cancelled_at is not None:
            raise Answered(TextReply(text=turn.tr._("That meeting has been cancelled.")))
        return MeetingOf(meeting, team)

    return Guard(f"leads_meeting:{attempt}", frozenset({"leader"}), check)


def in_meetings_team(attempt: str) -> Guard[MeetingOf]:
    """A member of the group of the button's meeting that year (by choice or role, or its leader); the meeting is
    still ahead."""

    def check(turn: Turn, values: Values) -> MeetingOf:
        found = _meeting_of(turn, values)
        if found is None or found.meeting.cancelled_at is not None or found.meeting.starts_at <= turn.now:
            raise Answered(TextReply(text=turn.tr._("That meeting is no longer open for absence reports.")))
        meeting, team = found.meeting, found.team
        if not groups.is_member(turn.session, turn.person, turn.roles, team, meeting.school_year_id):
            raise Refused(
                attempt,
                "not_in_team",
                turn.tr._(
                    "You can only report absence from the meetings of {your_group}.", your_group=turn.words.your_group
                ),
                meeting=meeting.id,
            )
        return MeetingOf(meeting, team)

    return Guard(f"in_meetings_team:{attempt}", frozenset({"teacher", "leader"}), check)


def coordinator(attempt: str) -> Guard[None]:
    """The region's coordinator (every query and change stays inside the person's own region)."""

    def check(turn: Turn, values: Values) -> None:
        if not is_coordinator(turn):
            raise not_a_coordinator(turn, attempt)

    return Guard(f"coordinator:{attempt}", frozenset({"coordinator"}), check)


def region_team(turn: Turn, values: Values, attempt: str) -> Team:
    """The team of a button (values["team_id"]), in the person's own region."""
    team_id = int_value(values, "team_id")
    team = turn.session.get(Team, team_id) if team_id is not None else None
    if team is None:
        raise Answered(
            TextReply(
                text=turn.tr._("{that_group} no longer exists.", that_group=turn.words.start(turn.words.that_group))
            )
        )
    if team.region_id != turn.region.id:
        raise outside_region(turn, attempt, team=team.id)
    return team


def coordinates_team(attempt: str) -> Guard[Team]:
    """The region's coordinator, acting on a team of their own region."""

    def check(turn: Turn, values: Values) -> Team:
        if not is_coordinator(turn):
            raise not_a_coordinator(turn, attempt)
        return region_team(turn, values, attempt)

    return Guard(f"coordinates_team:{attempt}", frozenset({"coordinator"}), check)


def coordinates_network_day(attempt: str) -> Guard[NetworkDay]:
    """The region's coordinator, acting on a network day of their own region (values["day_id"])."""

    def check(turn: Turn, values: Values) -> NetworkDay:
        if not is_coordinator(turn):
            raise not_a_coordinator(turn, attempt)
        day_id = int_value(values, "day_id")
        day = turn.session.get(NetworkDay, day_id) if day_id is not None else None
        if day is None:
            raise Answered(TextReply(text=turn.tr._("That network day has already been removed.")))
        if day.region_id != turn.region.id:
            raise outside_region(turn, attempt, network_day=day.id)
        return day

    return Guard(f"coordinates_network_day:{attempt}", frozenset({"coordinator"}), check)


def manager(attempt: str) -> Guard[None]:
    """A school's manager (who acts on their own school's staff only)."""

    def check(turn: Turn, values: Values) -> None:
        if not is_manager(turn):
            raise not_a_manager(turn, attempt)

    return Guard(f"manager:{attempt}", frozenset({"manager"}), check)


def manager_or_coordinator(attempt: str) -> Guard[None]:
    """A school's manager or the region's coordinator (each sees the reporting from their side)."""

    def check(turn: Turn, values: Values) -> None:
        if not is_manager(turn) and not is_coordinator(turn):
            raise not_a_manager(turn, attempt)

    return Guard(f"manager_or_coordinator:{attempt}", frozenset({"manager", "coordinator"}), check)


def manages_person(attempt: str) -> Guard[Person]:
    """A manager acting on a teacher of their own school (values["person_id"])."""

    def check(turn: Turn, values: Values) -> Person:
        if not is_manager(turn):
            raise not_a_manager(turn, attempt)
        person_id = int_value(values, "person_id")
        person = turn.session.get(Person, person_id) if person_id is not None else None
        if person is None:
            raise Answered(TextReply(text=turn.tr._("That person is no longer in the roster.")))
        if person not in staff.staff_of(turn.session, turn.person):
            raise Refused(
                attempt,
                "not_own_staff",
                turn.tr._("You can only handle the team choices of your own school's teachers."),
                person=person.id,
            )
        return person

    return Guard(f"manages_person:{attempt}", frozenset({"manager"}), check)


def leader_or_manager(attempt: str) -> Guard[None]:
    """A team leader or a school's manager (the cost of a meeting: the host school or the team)."""

    def check(turn: Turn, values: Values) -> None:
        if not is_leader_now(turn) and not is_manager(turn):
            raise Refused(
                attempt,
                "not_host_or_leader",
                turn.tr._(
                    "Only a host school's manager or a {leader} can enter the cost of a meeting.",
                    leader=turn.words.leader,
                ),
            )

    return Guard(f"leader_or_manager:{attempt}", frozenset({"leader", "manager"}), check)


def leads_held_meeting(attempt: str) -> Guard[MeetingOf]:
    """A leader of the team of the button's meeting, which has taken place and was not cancelled."""

    def check(turn: Turn, values: Values) -> MeetingOf:
        found = region_meeting(turn, values, "logistics")
        meeting = found.meeting
        assert turn.person.id is not None
        if not meetings.is_leader(turn.session, turn.person.id, meeting.team_id, meeting.school_year_id):
            raise Refused(
                attempt,
                "not_leader_of_team",
                turn.tr._("Only the leaders of {team} confirm who attended its meetings.", team=found.team.name),
                meeting=meeting.id,
            )
        if meeting.cancelled_at is not None:
            raise Answered(TextReply(text=turn.tr._("That meeting has been cancelled.")))
        if meeting.starts_at > turn.now:
            raise Answered(TextReply(text=turn.tr._("Attendance is confirmed once the meeting has taken place.")))
        return found

    return Guard(f"leads_held_meeting:{attempt}", frozenset({"leader"}), check)


def enters_cost(attempt: str) -> Guard[MeetingOf]:
    """The host school's manager or a leader of the team, for a meeting of their own region."""

    def check(turn: Turn, values: Values) -> MeetingOf:
        found = region_meeting(turn, values, "logistics")
        if not may_enter_cost(turn.session, turn.person, turn.roles, found.meeting):
            raise Refused(
                attempt,
                "not_host_or_leader",
                turn.tr._(
                    "Only the host school's manager or a leader of {team} can enter the cost of its meeting.",
                    team=found.team.name,
                ),
                meeting=found.meeting.id,
            )
        return found

    return Guard(f"enters_cost:{attempt}", frozenset({"leader", "manager"}), check)


def sees_invoice(attempt: str) -> Guard[MeetingOf]:
    """Who may enter the meeting's cost, or the region's coordinator."""

    def check(turn: Turn, values: Values) -> MeetingOf:
        found = region_meeting(turn, values, "logistics")
        if not (may_enter_cost(turn.session, turn.person, turn.roles, found.meeting) or is_coordinator(turn)):
            raise Refused(
                attempt,
                "not_host_or_leader",
                turn.tr._(
                    "Only the host school's manager, {the_group}'s leaders and the coordinator see the invoice basis.",
                    the_group=turn.words.the_group,
                ),
                meeting=found.meeting.id,
            )
        return found

    return Guard(f"sees_invoice:{attempt}", frozenset({"leader", "manager", "coordinator"}), check)


def _sees_absences(turn: Turn, values: Values) -> None:
    if not (is_coordinator(turn) or is_leader_now(turn) or is_manager(turn)):
        raise Refused(
            "absences",
            "not_allowed",
            turn.tr._(
                "Only {leader}s, managers and the coordinator see other people's absence; "
                'your own reported absence shows under "Upcoming meetings".',
                leader=turn.words.leader,
            ),
        )


sees_absences: Guard[None] = Guard("sees_absences", frozenset({"leader", "manager", "coordinator"}), _sees_absences)
"""A leader (their team's), a manager (their staff's) or the coordinator (the region's)."""


def may_lead_group(attempt: str) -> Guard[tuple[Team, SchoolYear]]:
    """Takes on leading a group they are in, where the framework leaves the groups to run themselves (Sjuhärad's
    networks, `domain.groups.may_lead_themselves`); the button's group and year (the current one)."""

    def check(turn: Turn, values: Values) -> tuple[Team, SchoolYear]:
        team_id = int_value(values, "team_id")
        team = turn.session.get(Team, team_id) if team_id is not None else None
        year = current_year(turn.session, turn.region, turn.now)
        if team is None or not team.active:
            raise Answered(TextReply(text=turn.tr._("That group no longer exists.")))
        if team.region_id != turn.region.id:
            raise outside_region(turn, attempt, team=team.id)
        assert year.id is not None
        if not groups.may_lead_themselves(turn.settings) or not groups.is_member(
            turn.session, turn.person, turn.roles, team, year.id
        ):
            raise Refused(
                attempt,
                "not_self_led",
                turn.tr._("In {region} the coordinator appoints the leaders of the groups.", region=turn.region.name)
                if not groups.may_lead_themselves(turn.settings)
                else turn.tr._("Only the members of {team} can lead it.", team=team.name),
                team=team.id,
            )
        return team, year

    return Guard(f"may_lead_group:{attempt}", frozenset({"teacher", "manager"}), check)
