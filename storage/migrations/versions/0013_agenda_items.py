"""agenda items: what members and the coordinator want taken up at a group's next meeting

000: the coordinator "bidrar med frågor till deras dagordning". An item waits for the group's next notice,
which carries it (meeting_id is set when that notice is sent).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agenda_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("school_year_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("created_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["person.id"], name=op.f("fk_agenda_item_author_id_person"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_agenda_item_meeting_id_meeting"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["school_year_id"], ["school_year.id"], name=op.f("fk_agenda_item_school_year_id_school_year")
        ),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_agenda_item_team_id_team")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agenda_item")),
    )
    with op.batch_alter_table("agenda_item", schema=None) as batch_op:
        batch_op.create_index("ix_agenda_item_team_year", ["team_id", "school_year_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("agenda_item", schema=None) as batch_op:
        batch_op.drop_index("ix_agenda_item_team_year")

    op.drop_table("agenda_item")
