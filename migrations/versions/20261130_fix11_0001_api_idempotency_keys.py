"""api: Idempotency-Key for JSON writes that create posts and threads (one answer per member and key)

Revision ID: fix11_0001
Revises: forum0003
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "fix11_0001"
down_revision = "forum0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_idempotency_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("response", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["accounts_users.id"],
                                name=op.f("fk_api_idempotency_keys_user_id_accounts_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_idempotency_keys")),
        sa.UniqueConstraint("user_id", "key", name=op.f("uq_api_idempotency_keys_user_id_key")),
    )
    op.create_index(op.f("ix_api_idempotency_keys_created_at"), "api_idempotency_keys", ["created_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_api_idempotency_keys_created_at"), table_name="api_idempotency_keys")
    op.drop_table("api_idempotency_keys")
