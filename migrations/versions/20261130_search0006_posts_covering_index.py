"""search: on PostgreSQL, the search's visibility check reads a covering index of forum_posts, not its heap

Revision ID: search0006
Revises: search0005
Create Date: 2026-11-30

Every PostgreSQL search joins its newest matches (up to 1,000, or 10,000 with a
filter) with the live posts, threads and categories: a post hidden a moment ago
never shows, and the total counts only what this viewer may see. Through the
primary key that is one heap page of forum_posts per match, scattered over the
newest posts: on the 1,000,000-post bench corpus a first run of such a join read
1,000 pages and took 115-150 ms, 20-30 ms with this index (an index-only scan:
the entries for the newest posts are few pages, which stay cached). The columns are
those the search reads; each of them is indexed already, so updates that were not
HOT (heap-only) before are not made so by this index, and those that were stay HOT.
Its name starts with "ix_search_forum_": the search's migrations manage it, not the
forum's models (migrations/env.py). SQLite is untouched: FTS5's search reads its rowid order.
"""

from __future__ import annotations

from alembic import op

revision = "search0006"
down_revision = "search0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    op.execute("CREATE INDEX ix_search_forum_posts_visible ON forum_posts (id) INCLUDE (status, thread_id, created_at)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    op.execute("DROP INDEX ix_search_forum_posts_visible")
