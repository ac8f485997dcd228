"""forum: index post revisions by editor and time (the hourly edit limit counts them)

Revision ID: fix14_0001
Revises: fix11_0001
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

revision = "fix14_0001"
down_revision = "fix11_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_forum_post_revisions_editor_id_created_at", "forum_post_revisions",
                    ["editor_id", "created_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_forum_post_revisions_editor_id_created_at", table_name="forum_post_revisions")
