"""the inbox: an inbound event is stored with its payload before it is acknowledged

`processed_inbound` only recorded ids, and it recorded them before the event was processed, so an
event acknowledged just before a crash was lost. `inbox_event` keeps the payload until the event is
done; the ids already seen are carried over as done events.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inbox_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("inbound_id", sa.String(length=200), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("received_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("locked_until", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("processed_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'done', 'failed')", name=op.f("ck_inbox_event_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_event")),
        sa.UniqueConstraint("source", "inbound_id", name="uq_inbox_event_source_id"),
    )
    with op.batch_alter_table("inbox_event", schema=None) as batch_op:
        batch_op.create_index("ix_inbox_event_due", ["status", "locked_until"], unique=False)
        batch_op.create_index(batch_op.f("ix_inbox_event_received_at"), ["received_at"], unique=False)
    op.execute(
        "INSERT INTO inbox_event (source, inbound_id, status, attempts, received_at, processed_at) "
        "SELECT source, inbound_id, 'done', 1, received_at, received_at FROM processed_inbound"
    )
    with op.batch_alter_table("processed_inbound", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_processed_inbound_received_at"))
    op.drop_table("processed_inbound")


def downgrade() -> None:
    op.create_table(
        "processed_inbound",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("inbound_id", sa.String(length=200), nullable=False),
        sa.Column("received_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_processed_inbound")),
        sa.UniqueConstraint("source", "inbound_id", name="uq_processed_inbound_source_id"),
    )
    with op.batch_alter_table("processed_inbound", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_processed_inbound_received_at"), ["received_at"], unique=False)
    op.execute(
        "INSERT INTO processed_inbound (source, inbound_id, received_at) "
        "SELECT source, inbound_id, received_at FROM inbox_event WHERE status <> 'pending'"
    )
    with op.batch_alter_table("inbox_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inbox_event_received_at"))
        batch_op.drop_index("ix_inbox_event_due")
    op.drop_table("inbox_event")
