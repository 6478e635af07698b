"""each region's framework as data: teacher networks and study days, duties and words in the settings

Until now every region got Västerbotten's rules. A region already seeded from a shipped framework
file gets that file's duties and words in its settings (its own timing is left as it is), and
Sjuhärad's guitar network becomes what its document describes: a teacher network, not a subject team.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_KINDS = "kind IN ('subject_team', 'manager_network', 'coordination_group')"
NEW_KINDS = "kind IN ('subject_team', 'teacher_network', 'manager_network', 'coordination_group', 'study_day')"


def upgrade() -> None:
    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_team_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_team_kind"), NEW_KINDS)
    from storage.framework import frameworks  # the files as shipped with this version

    connection = op.get_bind()
    region = sa.table(
        "region", sa.column("id", sa.Integer), sa.column("key", sa.String), sa.column("settings", sa.JSON)
    )
    team = sa.table(
        "team", sa.column("region_id", sa.Integer), sa.column("name", sa.String), sa.column("kind", sa.String)
    )
    shipped = frameworks()
    for region_id, key, settings in connection.execute(sa.select(region.c.id, region.c.key, region.c.settings)).all():
        if key not in shipped:
            continue
        values = json.loads(settings) if isinstance(settings, str) else dict(settings or {})
        values["duties"] = shipped[key].duties.model_dump(mode="json")
        values["words"] = shipped[key].words.model_dump(mode="json")
        connection.execute(region.update().where(region.c.id == region_id).values(settings=values))
        for group in shipped[key].groups:
            connection.execute(
                team.update()
                .where(team.c.region_id == region_id, team.c.name == group.name)
                .values(kind=group.kind.value)
            )


def downgrade() -> None:
    connection = op.get_bind()
    connection.execute(sa.text("UPDATE team SET kind = 'subject_team' WHERE kind = 'teacher_network'"))
    connection.execute(sa.text("DELETE FROM team WHERE kind = 'study_day'"))
    region = sa.table("region", sa.column("id", sa.Integer), sa.column("settings", sa.JSON))
    for region_id, settings in connection.execute(sa.select(region.c.id, region.c.settings)).all():
        values = json.loads(settings) if isinstance(settings, str) else dict(settings or {})
        values.pop("duties", None)
        values.pop("words", None)
        connection.execute(region.update().where(region.c.id == region_id).values(settings=values))
    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_team_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_team_kind"), OLD_KINDS)
