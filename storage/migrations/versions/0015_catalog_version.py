"""Each region counts the changes to its teams and schools (`region.catalog_version`), so that every instance can
cache the lists of names its parser reads and know, from the region row a turn reads anyway, when they changed.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:  # a plain ADD COLUMN: SQLite need not rebuild the table (other tables refer to it)
    op.add_column("region", sa.Column("catalog_version", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    op.drop_column("region", "catalog_version")
