"""the road factor's default is 1.25: regions seeded with the old default 1.3 get the new one

Seeding stores a region's whole settings, so the old default (1.3, never set by anyone: there is no
command to set it) stayed in every region seeded before. A value other than 1.3 is left alone.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD, NEW = 1.3, 1.25


def _change(old: float, new: float) -> None:
    connection = op.get_bind()
    region = sa.table("region", sa.column("id", sa.Integer), sa.column("settings", sa.JSON))
    for region_id, settings in connection.execute(sa.select(region.c.id, region.c.settings)).all():
        values = json.loads(settings) if isinstance(settings, str) else dict(settings or {})
        if values.get("road_factor") == old:
            values["road_factor"] = new
            connection.execute(region.update().where(region.c.id == region_id).values(settings=values))


def upgrade() -> None:
    _change(OLD, NEW)


def downgrade() -> None:
    _change(NEW, OLD)
