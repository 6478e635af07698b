"""Västerbotten's art team is named as its framework document writes it: "Bild, form och skapande"

The document lists "1. Bild, form och skapande"; the framework file said "Bild/form/skapande". A
region seeded from the Västerbotten framework gets the team renamed, memberships and meetings kept
(they refer to the team by id). A region that already has a team of the new name keeps both as they are.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REGION = "vasterbotten"
OLD = "Bild/form/skapande"
NEW = "Bild, form och skapande"


def _rename(before: str, after: str) -> None:
    connection = op.get_bind()
    region = sa.table("region", sa.column("id", sa.Integer), sa.column("key", sa.String))
    team = sa.table(
        "team", sa.column("id", sa.Integer), sa.column("region_id", sa.Integer), sa.column("name", sa.String)
    )
    region_ids = connection.execute(sa.select(region.c.id).where(region.c.key == REGION)).scalars().all()
    for region_id in region_ids:
        taken = connection.execute(
            sa.select(team.c.id).where(team.c.region_id == region_id, team.c.name == after)
        ).first()
        if taken is None:
            connection.execute(
                team.update().where(team.c.region_id == region_id, team.c.name == before).values(name=after)
            )


def upgrade() -> None:
    _rename(OLD, NEW)


def downgrade() -> None:
    _rename(NEW, OLD)
