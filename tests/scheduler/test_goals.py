"""The follow-ups of the framework's goals (issue 17): the spring alert of teams below the meeting goals, the
coming year's network days, and the attendance after a physical meeting; each only where the region's duties
have it. Every sweep is at an explicit instant."""

from __future__ import annotations

import datetime as dtm
from typing import Any

from sqlmodel import Session, col, select

from dialogs.i18n import Translator
from dialogs.names import Act, Intent
from dialogs.reminders import reminder_replies
from dialogs.types import TextReply, buttons_of, load_replies
from domain.reminders import Rule
from scheduler.sweep import sweep
from storage.db import session_scope
from storage.models import Attendance, Leadership, Meeting, NetworkDay, OutboxMessage
from storage.settings import RegionSettings, Words
from tests.scheduler.conftest import ZONE, Cycle, region_of


def _at(year: int, month: int, day: int, hour: int = 10) -> dtm.datetime:
    return dtm.datetime(year, month, day, hour, 0, tzinfo=ZONE)


def _sent(cycle: Cycle, instant: dtm.datetime, *rules: str) -> list[tuple[str, str, str]]:
    """What a sweep at `instant` sends of `rules`: (rule, who, occurrence), sorted."""
    return sorted(
        (p.rule, p.email.split("@")[0], p.occurrence) for p in sweep(cycle.engine, instant).reminders if p.rule in rules
    )


def _message(cycle: Cycle, rule: str, who: str) -> OutboxMessage:
    """The latest message of the rule to the person."""
    with Session(cycle.engine) as s:
        found = s.exec(
            select(OutboxMessage)
            .where(OutboxMessage.kind == f"reminder.{rule}", OutboxMessage.recipient_id == cycle.people[who])
            .order_by(col(OutboxMessage.id))
        ).all()
    assert found
    return found[-1]


def _settings(cycle: Cycle, **duties: Any) -> None:
    with session_scope(cycle.engine) as s:
        region = region_of(s, cycle)
        settings = RegionSettings.model_validate(region.settings)
        region.settings = settings.model_copy(update={"duties": settings.duties.model_copy(update=duties)}).model_dump(
            mode="json"
        )


def _meetings(cycle: Cycle, team: str) -> list[int]:
    with Session(cycle.engine) as s:
        found = s.exec(
            select(Meeting.id).where(Meeting.team_id == cycle.teams[team]).order_by(col(Meeting.starts_at))
        ).all()
    return [m for m in found if m is not None]


def _below_the_goals(cycle: Cycle) -> None:
    """Stråk's February meeting is cancelled (one meeting left), and Dans meets only digitally (three meetings)."""
    with session_scope(cycle.engine) as s:
        strak = s.get(Meeting, _meetings(cycle, "Stråk")[1])
        assert strak is not None
        strak.cancelled_at = dtm.datetime(2026, 12, 1, tzinfo=dtm.UTC)
        for meeting_id in _meetings(cycle, "Dans"):
            meeting = s.get(Meeting, meeting_id)
            assert meeting is not None
            meeting.kind, meeting.place, meeting.link = "digital", None, "https://example.org/d"


GOALS = ("meeting_goals", "meeting_goals_escalation")


def test_goals_alert_on_15_march_once_to_the_leaders_and_the_coordinator_of_the_teams_below(cycle: Cycle) -> None:
    _below_the_goals(cycle)
    assert _sent(cycle, _at(2027, 3, 12), *GOALS) == []  # Friday before the alert: nothing yet
    assert _sent(cycle, _at(2027, 3, 15), *GOALS) == [
        ("meeting_goals", "dan", "once"),  # three meetings, none physical
        ("meeting_goals", "stina", "once"),  # one meeting
        ("meeting_goals_escalation", "kim", "once"),  # one message for both; not the ten teams with nobody in them
    ]
    assert _sent(cycle, _at(2027, 3, 22), *GOALS) == []  # once per team and year
    assert _sent(cycle, _at(2027, 6, 1), *GOALS) == []

    leader = _message(cycle, "meeting_goals", "stina").payload
    assert leader["text"].startswith(
        "Ramarna säger 2–3 träffar per läsår, minst 1 av dem fysisk. Stråk har 1 träff planerad för 2026/27. "
        "Av dem är 1 fysisk."
    )
    assert (
        "har 3 träffar planerade för 2026/27. Av dem är 0 fysiska."
        in _message(cycle, "meeting_goals", "dan").payload["text"]
    )
    buttons = buttons_of(load_replies(leader["replies"]))
    assert [(b.label, b.values.get("intent")) for b in buttons] == [("Planera träff", Intent.SCHEDULE_MEETING)]
    coordinator = _message(cycle, "meeting_goals_escalation", "kim").payload["text"]
    assert coordinator.startswith("Ramarna säger 2–3 träffar per läsår, minst 1 av dem fysisk.")
    assert "Dans (ledare: Dan): träffar 3, fysiska 0; Stråk (ledare: Stina): träffar 1, fysiska 1" in coordinator


def test_the_goals_alert_does_not_say_a_team_without_a_leader_had_its_leader_reminded(cycle: Cycle) -> None:
    """Stråk below the goals with nobody appointed to lead it: the coordinator is not told its leaders were reminded."""
    _below_the_goals(cycle)
    with session_scope(cycle.engine) as s:
        for leadership in s.exec(select(Leadership).where(Leadership.team_id == cycle.teams["Stråk"])).all():
            s.delete(leadership)
    assert _sent(cycle, _at(2027, 3, 15), *GOALS) == [
        ("meeting_goals", "dan", "once"),
        ("meeting_goals_escalation", "kim", "once"),
    ]
    coordinator = _message(cycle, "meeting_goals_escalation", "kim").payload["text"]
    assert (
        "Dessa ämneslag ligger under det för 2026/27, och ledarna för dem som har en ledare har fått en påminnelse: "
        "Dans (ledare: Dan): träffar 3, fysiska 0; Stråk (ingen ledare): träffar 1, fysiska 1." in coordinator
    )
    context = {
        "year": "2026/27",
        "teams": ["Stråk"],
        "meetings": [1],
        "physical": [1],
        "leaders": [[]],
        "goal_min": 2,
        "goal_max": 3,
        "physical_min": 1,
    }
    (only,) = reminder_replies(Translator("sv"), Words(), Rule.MEETING_GOALS_ESCALATION, context)
    assert isinstance(only, TextReply)
    assert only.text.endswith(
        "Dessa ämneslag ligger under det för 2026/27, och inget av dem har en ledare att påminna: "
        "Stråk (ingen ledare): träffar 1, fysiska 1."
    )


def test_no_goals_alert_for_teams_that_meet_the_goals(cycle: Cycle) -> None:
    assert _sent(cycle, _at(2027, 3, 15), *GOALS) == []  # Dans three times, Stråk twice, each once physically


def test_no_goals_alert_where_the_framework_has_no_meeting_goals(cycle: Cycle) -> None:
    _below_the_goals(cycle)
    _settings(cycle, meeting_goals=False)
    assert _sent(cycle, _at(2027, 3, 15), *GOALS) == []


def test_network_days_weekly_from_15_may_until_the_coming_year_has_one(cycle: Cycle) -> None:
    assert _sent(cycle, _at(2026, 5, 18), "network_days") == []  # 2026/27 already has its days
    assert _sent(cycle, _at(2027, 5, 14), "network_days") == []
    assert _sent(cycle, _at(2027, 5, 17), "network_days") == [("network_days", "kim", "week0")]  # 15 May: Saturday
    assert _sent(cycle, _at(2027, 5, 20), "network_days") == []
    assert _sent(cycle, _at(2027, 5, 24), "network_days") == [("network_days", "kim", "week1")]
    payload = _message(cycle, "network_days", "kim").payload
    assert "Det finns inga nätverksdagar för 2027/28 än. Chefs- och ledarnätverket beslutar dem" in payload["text"]
    buttons = buttons_of(load_replies(payload["replies"]))
    assert [(b.label, b.values.get("intent")) for b in buttons] == [("Lägg till nätverksdag", Intent.ADD_NETWORK_DAY)]
    with session_scope(cycle.engine) as s:
        s.add(NetworkDay(region_id=cycle.region_id, date=dtm.date(2027, 9, 9), kind="physical"))
    assert _sent(cycle, _at(2027, 5, 31), "network_days") == []


def test_no_network_days_reminder_where_the_manager_network_does_not_decide_the_days(cycle: Cycle) -> None:
    _settings(cycle, meeting_days_decided_by="coordinator")
    assert _sent(cycle, _at(2027, 5, 17), "network_days") == []
    _settings(cycle, meeting_days_decided_by="leaders")
    assert _sent(cycle, _at(2027, 5, 24), "network_days") == []


def test_attendance_1_and_5_days_after_a_physical_meeting_until_it_is_confirmed(cycle: Cycle) -> None:
    # Thursday 10 September 2026: Dans 09-14 and Stråk 10-15 meet physically in Umeå
    assert _sent(cycle, _at(2026, 9, 10, 16), "attendance") == []  # the day itself: not yet
    assert _sent(cycle, _at(2026, 9, 11), "attendance") == [("attendance", "dan", "d1"), ("attendance", "stina", "d1")]
    payload = _message(cycle, "attendance", "dan").payload
    assert payload["text"].startswith("Bekräfta vilka som var med på träffen i Dans torsdag 10 september:")
    assert "värdskolan fördelar träffens kostnad på deltagarna" in payload["text"]
    (button,) = buttons_of(load_replies(payload["replies"]))
    assert (button.label, button.action, button.values) == (
        "Bekräfta närvaro",
        Act.ATTENDANCE_START,
        {"meeting_id": _meetings(cycle, "Dans")[0]},
    )
    with session_scope(cycle.engine) as s:
        s.add(Attendance(meeting_id=_meetings(cycle, "Dans")[0], person_id=cycle.people["dan"], attended=True))
    assert _sent(cycle, _at(2026, 9, 15), "attendance") == [("attendance", "stina", "d5")]  # Dans has confirmed
    assert _sent(cycle, _at(2026, 9, 22), "attendance") == []
    # the digital day in February asks nothing
    assert _sent(cycle, _at(2027, 2, 12), "attendance") == []
    assert _sent(cycle, _at(2027, 2, 16), "attendance") == []


def test_no_attendance_reminder_where_the_framework_splits_no_cost(cycle: Cycle) -> None:
    _settings(cycle, cost_split="none")
    assert _sent(cycle, _at(2026, 9, 11), "attendance") == []
    assert _sent(cycle, _at(2026, 9, 15), "attendance") == []
