"""An index on sent_reminder (rule, occurrence): a sweep reads which of its keys were sent before, rule and
occurrence at a time, and writes only the others.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_sent_reminder_rule_occurrence", "sent_reminder", ["rule", "occurrence"])


def downgrade() -> None:
    op.drop_index("ix_sent_reminder_rule_occurrence", table_name="sent_reminder")
