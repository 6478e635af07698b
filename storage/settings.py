"""A region's settings: which duties of the yearly cycle apply there, their timing, goals and words.

They come from the region's framework file (`storage.framework`), are stored with the region, and can
be changed one at a time (`amneslag region set`). The defaults are Västerbotten's (DESIGN.md).
"""

from __future__ import annotations

import datetime as dtm
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

_MONTH_DAY = re.compile(r"^\s*(\d{1,2})-(\d{1,2})\s*$")


class MonthDay(BaseModel):
    """A day of the year without a year, such as 1 June (also written "06-01")."""

    month: int = Field(ge=1, le=12)
    day: int = Field(ge=1, le=31)

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        if isinstance(value, str) and (found := _MONTH_DAY.match(value)):
            return {"month": int(found[1]), "day": int(found[2])}
        return value

    @model_validator(mode="after")
    def _exists(self) -> MonthDay:
        dtm.date(2024, self.month, self.day)  # a leap year: 29 February exists; 31 April does not
        return self

    def in_year(self, year: int) -> dtm.date:
        return dtm.date(year, self.month, self.day)


class Duties(BaseModel):
    """Which duties of the yearly cycle the region's framework has (each reminder and dialog asks)."""

    model_config = ConfigDict(extra="forbid")

    team_choice: bool = True  # teachers choose a subject team for the coming year, in a window
    manager_report: bool = True  # managers report (confirm) their staff's choices by a deadline
    framework_review: bool = True  # each team goes through the framework at the year's first meeting
    yearly_revision: bool = True  # the framework is revised each year (a reminder on `yearly_check`)
    meeting_goals: bool = True  # meetings per year and a physical minimum are goals to follow up
    meeting_days_decided_by: Literal["manager_network", "coordinator", "leaders"] = "manager_network"
    cost_split: Literal["host_school_per_participant", "none"] = "host_school_per_participant"


class Words(BaseModel):
    """What the region calls its groups and their leaders."""

    model_config = ConfigDict(extra="forbid")

    group: str = Field("ämneslag", min_length=1, max_length=40)
    groups: str = Field("ämneslag", min_length=1, max_length=40)
    leader: str = Field("ämneslagsledare", min_length=1, max_length=40)
    article: Literal["en", "ett"] = "ett"  # the group word's gender: "ett ämneslag", "ett nätverk", "en grupp"
    group_definite: str = Field("ämneslaget", min_length=1, max_length=40)  # "gruppen", "nätverket"
    groups_definite: str = Field("ämneslagen", min_length=1, max_length=40)  # "grupperna", "nätverken"
    leaders_definite: str = Field("ämneslagsledarna", min_length=1, max_length=40)  # "de sammankallande"


class RegionSettings(BaseModel):
    """The duties, lead times, deadlines, working hours, goals and words of one region."""

    model_config = ConfigDict(extra="forbid")

    duties: Duties = Duties()
    words: Words = Words()

    team_choice_opens: MonthDay = MonthDay(month=5, day=1)
    team_choice_repeat_days: int = 7
    manager_reminders: list[MonthDay] = [MonthDay(month=5, day=15), MonthDay(month=5, day=25)]
    report_deadline: MonthDay = MonthDay(month=6, day=1)
    framework_revised_for: str | None = None  # the school year the document was last revised for ("2027/28")
    manager_confirm_repeat_days: int = Field(7, ge=1)  # after the deadline, weekly while choices are unconfirmed
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
    goals_alert: MonthDay = MonthDay(month=3, day=15)  # teams below the meeting goals, while there is time
    network_days_reminder: MonthDay = MonthDay(month=5, day=15)  # the coming year's network days, then weekly
    network_days_repeat_days: int = 7
    attendance_days_after: list[int] = [1, 5]  # after a physical meeting, until its attendance is confirmed
    travel_goal_km_round_trip: float = Field(400.0, gt=0, description="nobody travels more than this to a meeting")
    road_factor: float = Field(
        1.25, ge=1.0, le=3.0, description="road distance / great-circle distance: the estimate used without OSRM"
    )
