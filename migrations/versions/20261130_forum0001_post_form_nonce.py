"""forum: a post remembers the composer form it came from, so a form sent twice posts once

Revision ID: forum0001
Revises: search0006
Create Date: 2026-11-30

Without JavaScript a double click, or a resubmit after a slow answer, sent the
same reply form two or three times and made as many identical posts (QA round 5).
Each composer render carries a random nonce; a second post with a nonce the same
member used in the last hour is not made (forum.service). Nullable: API posts
and older posts have none.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "forum0001"
down_revision = "search0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("forum_posts", sa.Column("form_nonce", sa.String(length=32), nullable=True))


def downgrade() -> None:
    op.drop_column("forum_posts", "form_nonce")  # SQLite 3.35+ drops a column in place
