"""outbox status 'unreached': a message that could only be written to the log is no longer 'delivered'

Until now a message to someone without Slack or a Teams chat was logged and marked delivered. It is now
sent by e-mail when SMTP is configured, and otherwise marked 'unreached'. Rows already marked delivered
on the log channel are left as they are: the log does not say whether anyone read them, and neither did
they, so rewriting history would claim as much as keeping it.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = "status IN ('pending', 'sending', 'delivered', 'failed')"
NEW = "status IN ('pending', 'sending', 'delivered', 'failed', 'unreached')"


def upgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_outbox_message_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_outbox_message_status"), NEW)


def downgrade() -> None:
    op.execute("UPDATE outbox_message SET status = 'failed' WHERE status = 'unreached'")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_outbox_message_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_outbox_message_status"), OLD)
