"""logistics: who attended a meeting, and the host school's cost split

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=True),
        sa.Column("attended", sa.Boolean(), nullable=False),
        sa.Column("confirmed_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_attendance_meeting_id_meeting"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_attendance_person_id_person"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"], name=op.f("fk_attendance_school_id_school")),
        sa.ForeignKeyConstraint(
            ["confirmed_by_id"], ["person.id"], name=op.f("fk_attendance_confirmed_by_id_person"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance")),
        sa.UniqueConstraint("meeting_id", "person_id", name="uq_attendance_meeting_person"),
    )
    op.create_table(
        "meeting_cost",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("host_school_id", sa.Integer(), nullable=False),
        sa.Column("total_kr", sa.Integer(), nullable=False),
        sa.Column("participants", sa.Integer(), nullable=False),
        sa.Column("shares", sa.JSON(), nullable=False),
        sa.Column("entered_by_id", sa.Integer(), nullable=True),
        sa.Column("entered_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("total_kr > 0", name=op.f("ck_meeting_cost_total_positive")),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_meeting_cost_meeting_id_meeting"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["host_school_id"], ["school.id"], name=op.f("fk_meeting_cost_host_school_id_school")),
        sa.ForeignKeyConstraint(
            ["entered_by_id"], ["person.id"], name=op.f("fk_meeting_cost_entered_by_id_person"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_cost")),
        sa.UniqueConstraint("meeting_id", name=op.f("uq_meeting_cost_meeting_id")),
    )


def downgrade() -> None:
    op.drop_table("meeting_cost")
    op.drop_table("attendance")
