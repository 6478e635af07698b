"""The year being decided: one rule for the teacher's choice, the manager's list, the reminders and the status."""

from __future__ import annotations

import datetime as dtm

import pytest

from domain.teams import deciding_label
from storage.settings import MonthDay, RegionSettings


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (dtm.date(2026, 7, 1), "2026/27"),
        (dtm.date(2027, 4, 30), "2026/27"),
        (dtm.date(2027, 5, 1), "2027/28"),  # Västerbotten's team choice opens: the coming year is decided
        (dtm.date(2027, 6, 30), "2027/28"),
        (dtm.date(2027, 7, 1), "2027/28"),  # and it has begun
    ],
)
def test_from_the_day_the_choice_opens_the_coming_year_is_decided(day: dtm.date, year: str) -> None:
    assert deciding_label(day, RegionSettings()) == year


def test_the_day_is_the_regions_setting() -> None:
    later = RegionSettings(team_choice_opens=MonthDay(month=5, day=15))
    assert deciding_label(dtm.date(2027, 5, 10), later) == "2026/27"
    assert deciding_label(dtm.date(2027, 5, 15), later) == "2027/28"
