"""Seed data for the three regions of the source documents: schools, groups, settings."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from sqlmodel import Session, select

from storage.audit import record
from storage.errors import UnknownRegion
from storage.models import Region, School, Team
from storage.settings import RegionSettings


@cache
def region_data() -> dict[str, Any]:
    """The shipped region definitions (`storage/data/regions.json`)."""
    text = resources.files("storage").joinpath("data/regions.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@dataclass
class SeedResult:
    region: Region
    created_region: bool = False
    schools_added: int = 0
    groups_added: int = 0

    @property
    def changed(self) -> bool:
        return self.created_region or bool(self.schools_added or self.groups_added)


def seed_region(session: Session, key: str) -> SeedResult:
    """Create the region `key` with its schools and groups; add only what is missing when it exists.

    Running it again changes nothing, and it never overwrites what a coordinator has changed since.
    """
    definitions = region_data()
    if key not in definitions:
        raise UnknownRegion(f"Okänd region {key!r}. Välj en av: {', '.join(sorted(definitions))}.")
    spec = definitions[key]

    region = session.exec(select(Region).where(Region.key == key)).first()
    created = region is None
    if region is None:
        framework = spec["framework"] or {}
        region = Region(
            key=key,
            name=spec["name"],
            framework_title=framework.get("title"),
            framework_version=framework.get("version"),
            framework_url=framework.get("url"),
            settings=RegionSettings().model_dump(mode="json"),
        )
        session.add(region)
        session.flush()
    assert region.id is not None
    result = SeedResult(region=region, created_region=created)

    existing_schools = set(session.exec(select(School.name).where(School.region_id == region.id)).all())
    for school in spec["schools"]:
        if school["name"] not in existing_schools:
            session.add(School(region_id=region.id, **school))
            result.schools_added += 1

    existing_groups = set(session.exec(select(Team.name).where(Team.region_id == region.id)).all())
    for position, group in enumerate(spec["groups"], start=1):
        if group["name"] not in existing_groups:
            session.add(Team(region_id=region.id, name=group["name"], kind=group["kind"], position=position))
            result.groups_added += 1

    if result.changed:
        record(
            session,
            action="region.seeded",
            entity="region",
            entity_id=region.id,
            details={"key": key, "schools_added": result.schools_added, "groups_added": result.groups_added},
        )
    session.flush()
    return result
