"""privacy: archive holds, and erased people's memberships as anonymous counts

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import storage.models

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "archive_hold",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("placed_by", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("placed_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("lifted_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("lifted_by", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
        sa.Column("retained", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "entity IN ('person', 'meeting', 'absence', 'note', 'outbox_message', 'audit_log')",
            name=op.f("ck_archive_hold_entity"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_archive_hold")),
    )
    with op.batch_alter_table("archive_hold", schema=None) as batch_op:
        batch_op.create_index("ix_archive_hold_entity", ["entity", "entity_id"], unique=False)

    op.create_table(
        "anonymous_membership_count",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_year_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=True),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.Column("confirmed_members", sa.Integer(), nullable=False),
        sa.Column("leaders", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_year_id"],
            ["school_year.id"],
            name=op.f("fk_anonymous_membership_count_school_year_id_school_year"),
        ),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_anonymous_membership_count_team_id_team")),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_anonymous_membership_count_school_id_school")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_anonymous_membership_count")),
        sa.UniqueConstraint("school_year_id", "team_id", "school_id", name="uq_anonymous_membership_year_team_school"),
    )


def downgrade() -> None:
    op.drop_table("anonymous_membership_count")
    with op.batch_alter_table("archive_hold", schema=None) as batch_op:
        batch_op.drop_index("ix_archive_hold_entity")
    op.drop_table("archive_hold")
