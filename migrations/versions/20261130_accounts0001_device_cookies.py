"""accounts: device cookies, so that nobody can lock a member out of the browsers they log in from

Revision ID: accounts0001
Revises: forum0002
Create Date: 2026-11-30

Outside tester: five wrong passwords for a public pseudonym from a shared
address made the owner wait 15 minutes, right password or not. No address may
be stored, so each successful log-in leaves the browser a signed device cookie
(OWASP); attempts presenting it have their own budget (app/accounts/devices.py).
Only a keyed hash of the cookie's nonce is kept, with its member and expiry.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "accounts0001"
down_revision = "forum0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accounts_device_cookies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("nonce_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["accounts_users.id"],
                                name=op.f("fk_accounts_device_cookies_user_id_accounts_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts_device_cookies")),
        sa.UniqueConstraint("nonce_hash", name=op.f("uq_accounts_device_cookies_nonce_hash")),
    )
    op.create_index(op.f("ix_accounts_device_cookies_user_id"), "accounts_device_cookies", ["user_id"], unique=False)
    op.create_index(op.f("ix_accounts_device_cookies_expires_at"), "accounts_device_cookies", ["expires_at"],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_accounts_device_cookies_expires_at"), table_name="accounts_device_cookies")
    op.drop_index(op.f("ix_accounts_device_cookies_user_id"), table_name="accounts_device_cookies")
    op.drop_table("accounts_device_cookies")
