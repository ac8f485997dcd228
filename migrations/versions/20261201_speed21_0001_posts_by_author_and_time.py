"""forum: index posts by author and time (the posting-rate counts), in place of the author-only index

Every reply counts its author's posts of the last hour twice (`forum.service._check_posting_rate` and the
guarded INSERT). With an index on the author alone, SQLite read every post the member ever wrote and
PostgreSQL every post of the last hour, whoever wrote it (its created_at index); (author_id, created_at, id)
reads the member's last hour only, from the index (id: PostgreSQL's index-only scan; SQLite's rowid is in
every index). It serves whatever used the author-only index (its leading column).

Revision ID: speed21_0001
Revises: fix14_0001
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "speed21_0001"
down_revision = "fix14_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_forum_posts_author_created", "forum_posts", ["author_id", "created_at", "id"], unique=False)
    op.drop_index("ix_forum_posts_author_id", table_name="forum_posts")


def downgrade() -> None:
    op.create_index("ix_forum_posts_author_id", "forum_posts", ["author_id"], unique=False)
    op.drop_index("ix_forum_posts_author_created", table_name="forum_posts")
