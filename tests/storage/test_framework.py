"""Each region's framework file: valid, true to its document, and the only source of a region's rules."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from storage.db import session_scope
from storage.errors import ConfigurationError
from storage.framework import change_setting, flat, frameworks, parse
from storage.models import AuditLog, GroupKind, Region, Team
from storage.seed import seed_region
from storage.settings import RegionSettings


def test_the_three_regions_are_shipped_and_valid() -> None:
    assert set(frameworks()) == {"vasterbotten", "vastmanland", "sjuharad"}


def test_only_vasterbotten_has_the_subject_team_cycle() -> None:
    shipped = frameworks()
    vb, vm, sj = shipped["vasterbotten"].duties, shipped["vastmanland"].duties, shipped["sjuharad"].duties
    assert vb.team_choice and vb.manager_report and vb.framework_review and vb.meeting_goals
    for other in (vm, sj):
        assert not (other.team_choice or other.manager_report or other.framework_review or other.yearly_revision)
    assert vb.meeting_days_decided_by == "manager_network" and sj.meeting_days_decided_by == "leaders"


def test_the_groups_are_what_each_document_describes() -> None:
    kinds = {key: {g.name: g.kind for g in f.groups} for key, f in frameworks().items()}
    assert kinds["sjuharad"]["Gitarrnätverket"] == GroupKind.TEACHER_NETWORK  # run by the guitar teachers
    assert GroupKind.SUBJECT_TEAM not in kinds["vastmanland"].values()  # 003: no subject teams
    assert GroupKind.STUDY_DAY in kinds["vastmanland"].values()  # "Årliga länsstudiedagar"
    assert sum(k == GroupKind.SUBJECT_TEAM for k in kinds["vasterbotten"].values()) == 12


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('key = "x1"\nname = "X"\nsource = "s"\n', "schools"),
        ("key = 'x1'\nname = 'X'\nsource = 's'\n[duties]\nteam_choise = true\n", "duties.team_choise"),
        ("not toml [", "inte giltig TOML"),
        (
            'key = "x1"\nname = "X"\nsource = "s"\n[settings]\nreport_deadline = "13-01"\n'
            '[[schools]]\nname = "S"\nmunicipality = "M"\nlatitude = 60.0\nlongitude = 15.0\n',
            "report_deadline",
        ),
        (
            'key = "x1"\nname = "X"\nsource = "s"\n'
            '[[schools]]\nname = "S"\nmunicipality = "M"\nlatitude = 60.0\nlongitude = 15.0\n',
            "team_choice needs subject teams",
        ),
    ],
)
def test_a_broken_file_is_one_line_saying_where(text: str, problem: str) -> None:
    with pytest.raises(ConfigurationError, match="^x1.toml: .*") as raised:
        parse(text, "x1.toml")
    assert problem in str(raised.value) and "\n" not in str(raised.value)


def test_a_region_is_seeded_from_its_file(engine: sa.Engine) -> None:
    with session_scope(engine) as s:
        region = seed_region(s, "sjuharad").region
        settings = RegionSettings.model_validate(region.settings)
        kinds = {t.name: t.kind for t in s.exec(select(Team).where(Team.region_id == region.id)).all()}
    assert not settings.duties.team_choice and settings.words.group == "nätverk"
    assert kinds["Gitarrnätverket"] == "teacher_network"


def test_a_setting_is_changed_validated_and_audited(engine: sa.Engine) -> None:
    with session_scope(engine) as s:
        region = seed_region(s, "vasterbotten").region
        assert change_setting(s, region, "report_deadline", "06-15") == ("06-01", "06-15")
        assert change_setting(s, region, "duties.framework_review", "false") == (True, False)
        with pytest.raises(ConfigurationError, match="report_deadline"):
            change_setting(s, region, "report_deadline", "31-04")
        with pytest.raises(ConfigurationError, match="Okänd inställning"):
            change_setting(s, region, "no_such_thing", "1")
    with Session(engine) as s:
        stored = s.exec(select(Region).where(Region.key == "vasterbotten")).one()
        assert flat(RegionSettings.model_validate(stored.settings))["report_deadline"] == "06-15"
        changes = s.exec(select(AuditLog).where(AuditLog.action == "region.setting_changed")).all()
    assert [c.details["key"] for c in changes] == ["report_deadline", "duties.framework_review"]


def test_the_readmes_example_of_a_new_region_is_a_valid_framework() -> None:
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    example = readme.split("```toml\n", 1)[1].split("```", 1)[0]
    gotland = parse(example, "README.md")
    assert gotland.key == "gotland" and not gotland.duties.team_choice
