"""accounts: secrets waiting to be shown once, sealed and bound to a session (replaces the readable cookie)

Revision ID: security0004
Revises: security0003
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "security0004"
down_revision = "security0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accounts_reveals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=16), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("shown_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["session_id"], ["accounts_sessions.id"],
                                name=op.f("fk_accounts_reveals_session_id_accounts_sessions"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts_reveals")),
        sa.UniqueConstraint("session_id", "name", name=op.f("uq_accounts_reveals_session_id_name")),
    )
    op.create_index(op.f("ix_accounts_reveals_expires_at"), "accounts_reveals", ["expires_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_accounts_reveals_expires_at"), table_name="accounts_reveals")
    op.drop_table("accounts_reveals")
