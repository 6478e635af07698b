"""When the rules that concern every teacher can fire: their windows, from the region's settings and the calendar.

The rules (scheduler/rules.py) and the loading of a sweep's snapshot (scheduler/data.py) both ask these, so a
sweep reads the teachers and their memberships only while a rule that needs them is open.
"""

from __future__ import annotations

import datetime as dtm
from dataclasses import dataclass

from storage.models import SchoolYear
from storage.settings import RegionSettings


def team_choice_week(settings: RegionSettings, current: SchoolYear, day: dtm.date) -> int | None:
    """The week of the team choice that `day` is in (0 from the day it opens), or None outside it."""
    if not settings.duties.team_choice:
        return None
    opens = settings.team_choice_opens.in_year(current.ends_on.year)
    if not opens <= day <= current.ends_on:
        return None
    return (day - opens).days // settings.team_choice_repeat_days


@dataclass(frozen=True)
class ReportStage:
    """The managers' reminder that has come: its stage (the occurrence), the deadline, and whether it is past."""

    stage: dtm.date
    deadline: dtm.date
    late: bool


def manager_report_stage(settings: RegionSettings, deciding: SchoolYear, day: dtm.date) -> ReportStage | None:
    """The stage of the managers' report that has come on `day` for the year being decided, or None."""
    if not settings.duties.manager_report:
        return None
    year = deciding.starts_on.year  # the deadline and the stages of the year being decided
    deadline = settings.report_deadline.in_year(year)
    if day > deadline:
        repeat = settings.manager_confirm_repeat_days  # a manager with unconfirmed choices: weekly, by default
        weeks = (day - deadline).days // repeat
        if weeks < 1:
            return None
        return ReportStage(deadline + dtm.timedelta(days=weeks * repeat), deadline, True)
    come = [d for d in (m.in_year(year) for m in settings.manager_reminders) if d <= day]
    return ReportStage(max(come), deadline, False) if come else None


def report_escalation_open(settings: RegionSettings, current: SchoolYear, day: dtm.date) -> bool:
    """Whether the coordinator's list of schools that have not reported is due (2 June to the end of June)."""
    if not settings.duties.manager_report:
        return False
    start = settings.coordinator_report_escalation.in_year(current.ends_on.year)
    return start <= day <= current.ends_on
