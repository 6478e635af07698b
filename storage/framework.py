"""A region's framework as data: one TOML file per region in `storage/data/frameworks/`, validated here.

The file says which kinds of group the region has, which duties of the yearly cycle apply and when,
the goals, the framework document (title, version, link), the region's own words, and its schools.
`amneslag seed KEY` creates the region from it; a new region is a new file, not new code (see the
README, "Regions"). What is stored with the region afterwards (`Region.settings`) can be changed with
`amneslag region set`, and seeding again never overwrites it.
"""

from __future__ import annotations

import json
import tomllib
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from storage.errors import ConfigurationError, UnknownRegion
from storage.kinds import GroupKind
from storage.settings import Duties, RegionSettings, Words

if TYPE_CHECKING:  # reading a framework (`amneslag parse`) needs no database
    from sqlmodel import Session

    from storage.models import Region


class Document(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    version: str | None = Field(None, max_length=40)
    url: str | None = Field(None, max_length=500)


class SchoolSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120)
    municipality: str = Field(min_length=1, max_length=80)
    latitude: float = Field(ge=55.0, le=69.5)  # Sweden
    longitude: float = Field(ge=10.5, le=24.5)


class GroupSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=80)
    kind: GroupKind


class Framework(BaseModel):
    """One region's framework file."""

    model_config = ConfigDict(extra="forbid")

    key: str = Field(pattern=r"^[a-z0-9_]{2,40}$")
    name: str = Field(min_length=1, max_length=120)
    source: str = Field(min_length=1)
    timezone: str = "Europe/Stockholm"
    document: Document | None = None
    duties: Duties = Duties()
    settings: dict[str, Any] = Field(default_factory=dict)  # RegionSettings' timing and goals; the rest default
    words: Words = Words()
    schools: list[SchoolSpec] = Field(min_length=1)
    groups: list[GroupSpec] = Field(default_factory=list)

    def region_settings(self) -> RegionSettings:
        """The settings a region seeded from this file starts with."""
        return RegionSettings.model_validate({**self.settings, "duties": self.duties, "words": self.words})

    def check(self) -> Framework:
        """Raise `ValueError` when the file contradicts itself (a duty without the groups it is about)."""
        self.region_settings()
        kinds = {g.kind for g in self.groups}
        if self.duties.team_choice and GroupKind.SUBJECT_TEAM not in kinds:
            raise ValueError("duties.team_choice needs subject teams (groups of kind subject_team)")
        if self.duties.framework_review and self.document is None:
            raise ValueError("duties.framework_review needs the framework document ([document])")
        names = [g.name for g in self.groups]
        if len(set(names)) != len(names):
            raise ValueError("two groups of the same name")
        return self


def _files() -> dict[str, str]:
    folder = resources.files("storage").joinpath("data/frameworks")
    return {
        f.name.removesuffix(".toml"): f.read_text(encoding="utf-8")
        for f in folder.iterdir()
        if f.name.endswith(".toml")
    }


def parse(text: str, origin: str) -> Framework:
    """A framework from the text of its file; `ConfigurationError` with one line saying what is wrong."""
    try:
        return Framework.model_validate(tomllib.loads(text)).check()
    except tomllib.TOMLDecodeError as exc:
        raise ConfigurationError(f"{origin}: inte giltig TOML: {exc}") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ConfigurationError(f"{origin}: {where}: {first['msg']}") from exc
    except ValueError as exc:
        raise ConfigurationError(f"{origin}: {exc}") from exc


@cache
def frameworks() -> dict[str, Framework]:
    """Every shipped framework by region key."""
    found = {key: parse(text, f"storage/data/frameworks/{key}.toml") for key, text in _files().items()}
    for key, framework in found.items():
        if framework.key != key:
            raise ConfigurationError(f"storage/data/frameworks/{key}.toml: key = {framework.key!r}, not {key!r}")
    return found


def framework(key: str) -> Framework:
    """The shipped framework of region `key`; `UnknownRegion` if there is none."""
    known = frameworks()
    if key not in known:
        raise UnknownRegion(f"Okänd region {key!r}. Välj en av: {', '.join(sorted(known))}.")
    return known[key]


DOCUMENT_KEYS = {
    "document.title": "framework_title",
    "document.version": "framework_version",
    "document.url": "framework_url",
}


def flat(settings: RegionSettings) -> dict[str, Any]:
    """The settings as dotted keys and plain values ("duties.team_choice": true, "report_deadline": "06-01")."""

    def walk(prefix: str, value: Any) -> dict[str, Any]:
        if isinstance(value, dict) and set(value) == {"month", "day"}:
            return {prefix: f"{value['month']:02d}-{value['day']:02d}"}
        if isinstance(value, dict):
            return {
                k: v for key, item in value.items() for k, v in walk(f"{prefix}.{key}" if prefix else key, item).items()
            }
        if isinstance(value, list):
            return {prefix: [walk("", item)[""] if isinstance(item, dict) else item for item in value]}
        return {prefix: value}

    return walk("", settings.model_dump(mode="json"))


def change_setting(session: Session, region: Region, key: str, raw: str) -> tuple[Any, Any]:
    """Change one setting of `region` (a dotted key of `flat`, or document.title/version/url), validated
    and audited; its value before and after. `ConfigurationError` with one line when it cannot be."""
    from storage.audit import record

    if key in DOCUMENT_KEYS:
        before = getattr(region, DOCUMENT_KEYS[key])
        after: Any = raw.strip() or None
        setattr(region, DOCUMENT_KEYS[key], after)
    else:
        current = RegionSettings.model_validate(region.settings)
        values = flat(current)
        if key not in values:
            raise ConfigurationError(f"Okänd inställning {key!r}. Se `amneslag region show {region.key}` för alla.")
        try:
            value: Any = json.loads(raw)
        except ValueError:
            value = raw
        data = current.model_dump(mode="json")
        *parents, last = key.split(".")
        node = data
        for part in parents:
            node = node[part]
        before, node[last] = values[key], value
        try:
            changed = RegionSettings.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            raise ConfigurationError(f"{key}: {first['msg']} (fick {raw!r})") from exc
        region.settings = changed.model_dump(mode="json")
        after = flat(changed)[key]
    record(
        session,
        action="region.setting_changed",
        entity="region",
        entity_id=region.id,
        details={"key": key, "before": before, "after": after},
    )
    session.flush()
    return before, after
