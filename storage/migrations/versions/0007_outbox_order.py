"""outbox order: each message's conversation (delivered in order within it), the claim number and claim time

`conversation` is filled for the rows already there by the rule of `storage.models.outbox_conversation`
as it reads at this revision (copied below: a migration must not change when the code does). Only the
few payload keys the rule reads are fetched, by JSON path, not whole payloads. `claim` starts at 0 and
`claimed_at` empty: a row left `sending` by the version before (its outcome unknown) is looked for from
its creation time.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import storage.models

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MAX = 255


def _conversation(
    channel: str,
    recipient_id: int | None,
    slack_channel: str | None,
    teams_conversation: str | None,
    teams_type: str | None,
) -> str:
    key = f"{channel}:nobody" if recipient_id is None else f"{channel}:person:{recipient_id}"
    direct = recipient_id is not None  # with a recipient, a direct chat is keyed by the person
    if channel == "slack" and slack_channel and not (direct and slack_channel.startswith("D")):
        key = f"slack:channel:{slack_channel}"
    elif channel == "teams" and teams_conversation and not (direct and teams_type == "personal"):
        key = f"teams:conversation:{teams_conversation}"
    if len(key) > _MAX:
        key = f"{channel}:sha256:{hashlib.sha256(key.encode()).hexdigest()}"
    return key


def _backfill() -> None:
    connection = op.get_bind()
    outbox = sa.table(
        "outbox_message",
        sa.column("id", sa.Integer),
        sa.column("channel", sa.String),
        sa.column("recipient_id", sa.Integer),
        sa.column("payload", sa.JSON),
        sa.column("conversation", sa.String),
    )
    rows = connection.execute(
        sa.select(
            outbox.c.id,
            outbox.c.channel,
            outbox.c.recipient_id,
            outbox.c.payload["slack_channel"].as_string(),
            outbox.c.payload[("teams_reference", "conversation", "id")].as_string(),
            outbox.c.payload[("teams_reference", "conversation", "conversationType")].as_string(),
        )
    ).all()
    keys = [{"row_id": row[0], "key": _conversation(*row[1:])} for row in rows]
    if keys:
        connection.execute(
            outbox.update().where(outbox.c.id == sa.bindparam("row_id")).values(conversation=sa.bindparam("key")),
            keys,
        )


def upgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("conversation", sqlmodel.sql.sqltypes.AutoString(length=_MAX), nullable=True),
        )
        batch_op.add_column(sa.Column("claim", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("claimed_at", storage.models.UTCDateTime(timezone=True), nullable=True))
    _backfill()
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.alter_column(
            "conversation", existing_type=sqlmodel.sql.sqltypes.AutoString(length=_MAX), nullable=False
        )
        batch_op.alter_column("claim", existing_type=sa.Integer(), server_default=None)
        batch_op.create_index("ix_outbox_conversation", ["conversation", "status", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_conversation")
        batch_op.drop_column("claimed_at")
        batch_op.drop_column("claim")
        batch_op.drop_column("conversation")
