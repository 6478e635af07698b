"""Creating a region from its framework file (`storage.framework`): schools, groups, settings."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from storage.audit import record
from storage.framework import framework
from storage.models import Region, School, Team


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
    spec = framework(key)
    region = session.exec(select(Region).where(Region.key == key)).first()
    created = region is None
    if region is None:
        region = Region(
            key=key,
            name=spec.name,
            timezone=spec.timezone,
            framework_title=spec.document.title if spec.document else None,
            framework_version=spec.document.version if spec.document else None,
            framework_url=spec.document.url if spec.document else None,
            settings=spec.region_settings().model_dump(mode="json"),
        )
        session.add(region)
        session.flush()
    assert region.id is not None
    result = SeedResult(region=region, created_region=created)

    existing_schools = set(session.exec(select(School.name).where(School.region_id == region.id)).all())
    for school in spec.schools:
        if school.name not in existing_schools:
            session.add(School(region_id=region.id, **school.model_dump()))
            result.schools_added += 1

    existing_groups = set(session.exec(select(Team.name).where(Team.region_id == region.id)).all())
    for position, group in enumerate(spec.groups, start=1):
        if group.name not in existing_groups:
            session.add(Team(region_id=region.id, name=group.name, kind=group.kind.value, position=position))
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
