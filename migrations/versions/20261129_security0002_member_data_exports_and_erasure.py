"""member_data: downloads prepared in the background; accounts: erasure after a grace period

Revision ID: security0002
Revises: security0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "security0002"
down_revision = "security0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "member_data_exports",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ready_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("archive", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["accounts_users.id"],
                                name=op.f("fk_member_data_exports_user_id_accounts_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_member_data_exports")),
    )
    op.create_index(op.f("ix_member_data_exports_expires_at"), "member_data_exports", ["expires_at"])
    with op.batch_alter_table("accounts_users") as batch:
        batch.add_column(sa.Column("erase_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("erase_keep_posts", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch.create_index(batch.f("ix_accounts_users_erase_at"), ["erase_at"])


def downgrade() -> None:
    with op.batch_alter_table("accounts_users") as batch:
        batch.drop_index(batch.f("ix_accounts_users_erase_at"))
        batch.drop_column("erase_keep_posts")
        batch.drop_column("erase_at")
    op.drop_index(op.f("ix_member_data_exports_expires_at"), table_name="member_data_exports")
    op.drop_table("member_data_exports")
