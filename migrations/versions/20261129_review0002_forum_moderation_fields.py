"""forum: slow mode, "edited by moderation", and welcoming first posts in every category

Revision ID: review0002
Revises: review0001
Create Date: 2026-11-29

Pre-moderation of a new member's first posts now applies in every category
(a trust setting), so the per-category switch goes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "review0002"
down_revision = "review0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("forum_threads", schema=None) as batch_op:
        batch_op.add_column(sa.Column("slow_mode_seconds", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("forum_posts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("moderation_edited_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("forum_categories", schema=None) as batch_op:
        batch_op.drop_column("premoderate_newcomers")


def downgrade() -> None:
    with op.batch_alter_table("forum_categories", schema=None) as batch_op:
        batch_op.add_column(sa.Column("premoderate_newcomers", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table("forum_posts", schema=None) as batch_op:
        batch_op.drop_column("moderation_edited_at")
    with op.batch_alter_table("forum_threads", schema=None) as batch_op:
        batch_op.drop_column("slow_mode_seconds")
