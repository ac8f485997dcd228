"""accounts: when each device cookie was last used, for the member's list of browsers

Revision ID: accounts0002
Revises: accounts0001
Create Date: 2026-11-30

Members can now see (and forget) the browsers that hold a device cookie for
them, with the first and latest log-in from each. Existing rows take their
creation time: until now every log-in replaced the row, so it was the latest.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "accounts0002"
down_revision = "accounts0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("accounts_device_cookies", sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE accounts_device_cookies SET last_used_at = created_at")
    with op.batch_alter_table("accounts_device_cookies") as batch:
        batch.alter_column("last_used_at", existing_type=sa.DateTime(timezone=True), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("accounts_device_cookies") as batch:
        batch.drop_column("last_used_at")
