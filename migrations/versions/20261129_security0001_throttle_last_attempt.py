"""accounts: when a throttle bucket last counted an attempt (progressive log-in delays)

Revision ID: security0001
Revises: review0005
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "security0001"
down_revision = "review0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("accounts_throttle") as batch:
        batch.add_column(sa.Column("last_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("accounts_throttle") as batch:
        batch.drop_column("last_at")
