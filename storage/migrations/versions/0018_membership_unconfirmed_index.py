"""A partial index on membership (school_year_id) over the choices not yet confirmed: the sweep asks every day
which schools have such choices (the managers' reminder), and finds them without reading every membership.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNCONFIRMED = sa.text("confirmed_at IS NULL")


def upgrade() -> None:
    op.create_index(
        "ix_membership_unconfirmed",
        "membership",
        ["school_year_id"],
        sqlite_where=UNCONFIRMED,
        postgresql_where=UNCONFIRMED,
    )


def downgrade() -> None:
    op.drop_index("ix_membership_unconfirmed", table_name="membership")
