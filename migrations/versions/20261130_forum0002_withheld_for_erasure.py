"""forum: posts and threads withheld while their author's erasure (with their text) waits

Revision ID: forum0002
Revises: forum0001
Create Date: 2026-11-30

A member who asks for their account's erasure and chooses to erase their posts'
text gets it hidden from everyone at once, not a week later (outside tester,
GDPR: health data). The grace period still allows undoing it, so the text is
withheld, not erased: each post keeps the status it had, each thread the
status or title it had, and logging in again puts them back (forum/erasure.py).
Nullable: nothing is withheld until such a request.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "forum0002"
down_revision = "forum0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("forum_posts", sa.Column("withheld_status", sa.String(length=16), nullable=True))
    op.add_column("forum_threads", sa.Column("withheld_status", sa.String(length=16), nullable=True))
    op.add_column("forum_threads", sa.Column("withheld_title", sa.String(length=200), nullable=True))


def downgrade() -> None:
    op.drop_column("forum_threads", "withheld_title")
    op.drop_column("forum_threads", "withheld_status")
    op.drop_column("forum_posts", "withheld_status")
