"""Seeding the three regions of the source documents; seeding twice changes nothing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col, func, select

from storage.db import session_scope
from storage.errors import UnknownRegion
from storage.models import GroupKind, Region, School, Team
from storage.seed import seed_region
from storage.settings import RegionSettings

VASTERBOTTEN_TEAMS = [
    "Bild, form och skapande", "Dans", "Bleckblås", "Drama/teater", "Film", "Gitarr/bas",
    "Lärare i flera musikämnen", "Piano/keyboard", "Slagverk", "Stråk", "Sång", "Träblås",
]  # fmt: skip


def _row_counts(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            t.name: connection.execute(sa.select(func.count()).select_from(t)).scalar_one()
            for t in SQLModel.metadata.sorted_tables
        }


def test_vasterbotten(session: Session, engine: sa.Engine) -> None:
    with session_scope(engine) as s:
        seed_region(s, "vasterbotten")
    region = session.exec(select(Region).where(Region.key == "vasterbotten")).one()
    schools = session.exec(select(School).where(School.region_id == region.id)).all()
    assert len(schools) == 13
    umea = next(s for s in schools if s.municipality == "Umeå")
    assert umea.name == "Kulturskolan i Umeå" and (umea.latitude, umea.longitude) == (63.83, 20.26)
    assert any(s.name == "Kulturakademin, Storuman" for s in schools)
    teams = session.exec(select(Team).where(Team.region_id == region.id).order_by(col(Team.position))).all()
    assert [t.name for t in teams if t.kind == GroupKind.SUBJECT_TEAM] == VASTERBOTTEN_TEAMS
    assert [t.name for t in teams if t.kind == GroupKind.MANAGER_NETWORK] == ["Chefs- och ledarnätverket"]
    assert (region.framework_title, region.framework_version) == (
        "Ramar för de regionala ämneslagen",
        "2024-2025",
    )
    settings = RegionSettings.model_validate(region.settings)
    assert settings.notice_days_before == [21, 14, 7]
    assert settings.report_deadline.in_year(2027).isoformat() == "2027-06-01"
    assert settings.travel_goal_km_round_trip == 400


@pytest.mark.parametrize(
    ("key", "schools", "example"),
    [("vastmanland", 9, "Fagersta kulturskola"), ("sjuharad", 7, "Kulturskolan i Mark")],
)
def test_other_regions(session: Session, engine: sa.Engine, key: str, schools: int, example: str) -> None:
    with session_scope(engine) as s:
        seed_region(s, key)
    names = session.exec(select(School.name).join(Region).where(Region.key == key)).all()
    assert len(names) == schools and example in names


def test_seeding_twice_changes_nothing(engine: sa.Engine) -> None:
    with session_scope(engine) as s:
        first = seed_region(s, "vasterbotten")
    before = _row_counts(engine)
    with session_scope(engine) as s:
        second = seed_region(s, "vasterbotten")
    assert first.changed and not second.changed
    assert _row_counts(engine) == before


def test_unknown_region(session: Session) -> None:
    with pytest.raises(UnknownRegion, match="vasterbotten, vastmanland"):
        seed_region(session, "lappland")
