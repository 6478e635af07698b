"""Working time: reminders go out on Swedish working days, inside the region's working hours, in its zone.

A reminder due on a day is due from the start of that day's working hours, local time. Instants
come from the zone database, so the change to and from summer time neither skips nor doubles one.
"""

from __future__ import annotations

import datetime as dtm
from functools import cache
from zoneinfo import ZoneInfo

import holidays

from storage.settings import RegionSettings


@cache
def _swedish_holidays(year: int) -> holidays.HolidayBase:
    # public holidays, and the eves of Midsummer, Christmas and New Year that Swedish workplaces keep free
    return holidays.country_holidays("SE", years=year, categories=("public", "de_facto"))


def is_working_day(day: dtm.date) -> bool:
    """Monday to Friday, and not a Swedish public holiday nor Midsummer, Christmas or New Year's Eve."""
    return day.weekday() < 5 and day not in _swedish_holidays(day.year)


def is_working_moment(instant: dtm.datetime, zone: ZoneInfo, settings: RegionSettings) -> bool:
    local = instant.astimezone(zone)
    return is_working_day(local.date()) and settings.working_hours_start <= local.time() < settings.working_hours_end


def local_today(instant: dtm.datetime, zone: ZoneInfo) -> dtm.date:
    return instant.astimezone(zone).date()
