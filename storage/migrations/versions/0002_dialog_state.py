"""dialog state

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import storage.models

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dialog_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("conversation_key", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("step", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.Column("updated_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_dialog_state_person_id_person"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dialog_state")),
        sa.UniqueConstraint("person_id", "conversation_key", name="uq_dialog_state_person_conversation"),
    )
    with op.batch_alter_table("dialog_state", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dialog_state_updated_at"), ["updated_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("dialog_state", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dialog_state_updated_at"))

    op.drop_table("dialog_state")
