"""Travel in the leader's meeting preview: the longest round trip, the 40 mil goal, and better host schools.

The figures come from `domain.travel` (road distances from OSRM when configured, else the estimate);
the suggested host schools are buttons that set the host school of the draft and show the preview again.
"""

from __future__ import annotations

from typing import Any

from dialogs.common import short
from dialogs.engine import Turn
from dialogs.i18n import Translator
from dialogs.names import Act
from dialogs.types import Button
from domain import logistics, travel
from domain.meetings import team_members
from storage.models import Meeting, SchoolYear, Team

SUGGESTIONS = 3


def how_measured(tr: Translator, check: travel.TravelCheck, road_factor: float) -> str:
    if check.source == travel.ROAD:
        return tr._("by road")
    return tr._(
        "estimate: straight line × {factor}",
        factor=f"{road_factor:g}".replace(".", "," if tr.language == "sv" else "."),
    )


def draft_travel(
    turn: Turn, draft: dict[str, Any], team: Team, year: SchoolYear
) -> tuple[list[tuple[str, str]], list[str], list[Button]]:
    """Facts, notes and host-school buttons for a physical meeting's preview (nothing for a digital one)."""
    tr = turn.tr
    if draft.get("kind") != "physical" or team.id is None or year.id is None or turn.region.id is None:
        return [], [], []
    settings = travel.settings_of(turn.region)
    schools = travel.region_schools(turn.session, turn.region.id)
    people = team_members(turn.session, team.id, year.id)
    if not people:
        return [], [], []
    host_id = draft.get("host_school_id")
    destination = travel.place_school(schools, host_id if isinstance(host_id, int) else None, draft.get("place"))
    check = travel.check(people, schools, destination, settings, turn.roads)
    goal = tr.distance(settings.travel_goal_km_round_trip)
    facts: list[tuple[str, str]] = []
    notes: list[str] = []
    longest = check.longest
    if destination is None:
        notes.append(
            tr._(
                "I can't tell how far {place} is for the members: it is not a school or municipality of the region.",
                place=draft.get("place") or "-",
            )
        )
    elif longest is not None and longest.km is not None:
        facts.append(
            (
                tr._("Longest round trip"),
                tr._(
                    "{km} from {school} ({how})",
                    km=tr.distance(longest.km, km=True),
                    school=longest.school or "-",
                    how=how_measured(tr, check, settings.road_factor),
                ),
            )
        )
        has_goal = turn.duties.meeting_goals  # else the region's framework sets no travel goal: distances only
        if has_goal and check.over_goal:
            notes.append(
                tr._(
                    "Over the travel goal of {goal} round trip: {schools}.",
                    goal=goal,
                    schools=tr.join(
                        f"{school} ({tr.distance(max(t.km or 0 for t in check.over_goal if t.school == school))})"
                        for school in check.schools_over_goal
                    ),
                )
            )
        elif has_goal:
            facts.append((tr._("Travel goal"), tr._("held: nobody travels more than {goal} round trip", goal=goal)))
    if check.unknown:
        notes.append(
            tr._(
                "Distance unknown (no school, or a school without coordinates): {names}.",
                names=tr.join(f"{t.name} ({t.school})" if t.school else t.name for t in check.unknown),
            )
        )
    suggestions = travel.suggest_hosts(people, schools, settings, limit=SUGGESTIONS + 1, roads=turn.roads)
    current = longest.km if destination is not None and longest is not None else None
    better = [
        s
        for s in suggestions
        if (destination is None or s.school_id != destination.id) and (current is None or s.longest_km < current - 0.5)
    ][:SUGGESTIONS]
    base = {k: v for k, v in draft.items() if k not in ("place", "host_school_id")}
    buttons = [
        Button(
            label=short(tr._("Host: {school} (longest {km})", school=s.school, km=tr.distance(s.longest_km))),
            action=Act.SCHEDULE_SET,
            values={**base, "host_school_id": s.school_id},
        )
        for s in better
    ]
    if better:
        notes.append(
            tr._(
                "Host schools where the members' longest round trip is shortest: {schools}.",
                schools=tr.join(f"{s.school} ({tr.distance(s.longest_km)})" for s in better),
            )
        )
    elif destination is not None and suggestions:
        notes.append(tr._("No other host school gives the members a shorter longest round trip."))
    return facts, notes, buttons


def logistics_buttons(turn: Turn, meeting: Meeting) -> list[Button]:
    """A held physical meeting's next steps: confirm who attended, enter the cost, or see the invoice basis."""
    tr = turn.tr
    if meeting.id is None or meeting.kind != "physical" or meeting.starts_at > turn.now:
        return []
    ref = {"meeting_id": meeting.id}
    if logistics.cost_of(turn.session, meeting.id) is not None:
        return [Button(label=tr._("Invoice basis"), action=Act.COST_SHOW, values=ref)]
    if not logistics.attendance_of(turn.session, meeting.id):
        return [Button(label=tr._("Confirm attendance"), action=Act.ATTENDANCE_START, values=ref)]
    return [
        Button(label=tr._("Attendance"), action=Act.ATTENDANCE_START, values=ref),
        Button(label=tr._("Enter the cost"), action=Act.COST_START, values=ref),
    ]
