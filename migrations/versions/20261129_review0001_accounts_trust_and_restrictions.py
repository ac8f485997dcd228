"""accounts: trust earned (posts out), moderated languages, restrictions, unread moderation mail

Revision ID: review0001
Revises: research0001
Create Date: 2026-11-29

`approved_posts` starts from the posts each member has out now, so nobody who
already posts is pre-moderated again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "review0001"
down_revision = "research0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("accounts_users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("approved_posts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("moderated_langs", sa.String(length=16), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("restriction", sa.String(length=16), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("restricted_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("moderation_unread", sa.Integer(), nullable=False, server_default="0"))
    op.execute("UPDATE accounts_users SET approved_posts = published_posts")
    # Moderators named before languages existed moderate their own language.
    op.execute("UPDATE accounts_users SET moderated_langs = locale WHERE role = 'moderator'")


def downgrade() -> None:
    with op.batch_alter_table("accounts_users", schema=None) as batch_op:
        batch_op.drop_column("moderation_unread")
        batch_op.drop_column("restricted_until")
        batch_op.drop_column("restriction")
        batch_op.drop_column("moderated_langs")
        batch_op.drop_column("approved_posts")
