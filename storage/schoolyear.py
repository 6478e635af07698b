"""School-year (läsår) arithmetic: a school year runs from 1 July to 30 June and is labelled `2025/26`."""

from __future__ import annotations

import datetime as dtm
import re
from zoneinfo import ZoneInfo

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from storage.models import SchoolYear

_LABEL = re.compile(r"^(\d{4})/(\d{2})$")


def label_for(day: dtm.date) -> str:
    """The label of the school year that `day` belongs to."""
    start = day.year if day.month >= 7 else day.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def bounds(label: str) -> tuple[dtm.date, dtm.date]:
    """First and last day of the school year `label`; `ValueError` for a malformed label."""
    match = _LABEL.match(label)
    if not match or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
        raise ValueError(f"läsåret ska skrivas som 2025/26, inte {label!r}")
    start = int(match.group(1))
    return dtm.date(start, 7, 1), dtm.date(start + 1, 6, 30)


def is_label(value: object) -> bool:
    """Whether `value` is a well-formed school-year label such as `2025/26`."""
    if not isinstance(value, str):
        return False
    try:
        bounds(value)
    except ValueError:
        return False
    return True


def following(label: str) -> str:
    """The label of the school year after `label`."""
    start, _ = bounds(label)
    return label_for(dtm.date(start.year + 1, 7, 1))


def today_in(timezone: str, now: dtm.datetime | None = None) -> dtm.date:
    """The calendar date at instant `now` (default: now) in `timezone`."""
    instant = now or dtm.datetime.now(dtm.UTC)
    return instant.astimezone(ZoneInfo(timezone)).date()


def get_or_create(session: Session, label: str) -> SchoolYear:
    """The `SchoolYear` row for `label`, created on first use.

    Created with INSERT … ON CONFLICT DO NOTHING, so two transactions that need the same new year at
    once (two sweeps, two chats) both get it instead of one failing on the unique label.
    """
    year = session.exec(select(SchoolYear).where(SchoolYear.label == label)).first()
    if year is None:
        starts_on, ends_on = bounds(label)
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        session.execute(
            insert(SchoolYear)
            .values(label=label, starts_on=starts_on, ends_on=ends_on)
            .on_conflict_do_nothing(index_elements=["label"])
        )
        year = session.exec(select(SchoolYear).where(SchoolYear.label == label)).one()
    return year
