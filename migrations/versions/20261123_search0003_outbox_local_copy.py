"""search: remember which outbox entries already reached the database's own index

Revision ID: search0003
Revises: search0002
Create Date: 2026-11-23

With Meilisearch configured, the worker also keeps the database index (FTS5 or
PostgreSQL full-text) up to date, so that the fallback search has something to
answer with while the engine is down. During an outage the entries stay in the
outbox for the engine but are marked as applied locally, so the local copy keeps
up without redoing the same work on every attempt.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "search0003"
down_revision = "search0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("search_outbox") as batch_op:
        batch_op.add_column(sa.Column("local_done", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("search_outbox") as batch_op:
        batch_op.drop_column("local_done")
