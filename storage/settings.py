"""A region's settings: the defaults of DESIGN.md's yearly cycle, each one changeable per region."""

from __future__ import annotations

import datetime as dtm

from pydantic import BaseModel, Field


class MonthDay(BaseModel):
    """A day of the year without a year, such as 1 June."""

    month: int = Field(ge=1, le=12)
    day: int = Field(ge=1, le=31)

    def in_year(self, year: int) -> dtm.date:
        return dtm.date(year, self.month, self.day)


class RegionSettings(BaseModel):
    """Lead times, deadlines, working hours and goals of one region."""

    team_choice_opens: MonthDay = MonthDay(month=5, day=1)
    team_choice_repeat_days: int = 7
    manager_reminders: list[MonthDay] = [MonthDay(month=5, day=15), MonthDay(month=5, day=25)]
    report_deadline: MonthDay = MonthDay(month=6, day=1)
    coordinator_report_escalation: MonthDay = MonthDay(month=6, day=2)
    notice_days_before: list[int] = [21, 14, 7]
    notice_coordinator_copy_days_before: int = 7
    framework_reminder_days_before: int = 3
    notes_days_after: list[int] = [2, 7]
    notes_escalation_days_after: int = 10
    framework_confirm_days_after: int = 2
    framework_escalation_days_after: int = 10
    yearly_check: MonthDay = MonthDay(month=5, day=1)
    working_hours_start: dtm.time = dtm.time(8, 0)
    working_hours_end: dtm.time = dtm.time(17, 0)
    meetings_per_year_min: int = 2
    meetings_per_year_max: int = 3
    physical_meetings_min: int = 1
    travel_goal_km_round_trip: float = Field(400.0, gt=0, description="nobody travels more than this to a meeting")
    road_factor: float = Field(
        1.25, ge=1.0, le=3.0, description="road distance / great-circle distance: the estimate used without OSRM"
    )
