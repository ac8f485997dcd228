"""search: full-text index tables and reindex state

Revision ID: search0001
Revises: diary0001
Create Date: 2026-11-23

SQLite gets an FTS5 table (unicode61 without diacritics; rowid = post id).
PostgreSQL gets a documents table with a tsvector and a GIN index, and the
unaccent extension (postgresql-contrib; trusted since PostgreSQL 13).
Neither is an ORM model: autogenerate is told to leave them alone (env.py).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "search0001"
down_revision = "diary0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "search_reindex_state",
        sa.Column("backend", sa.String(length=32), nullable=False),
        sa.Column("last_post_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("backend", name=op.f("pk_search_reindex_state")),
    )
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE search_fts USING fts5("
            "title, body, tokenize = 'unicode61 remove_diacritics 2')"
        )
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    op.create_table(
        "search_documents",
        sa.Column("post_id", sa.Integer(), sa.ForeignKey("forum_posts.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("tsv", postgresql.TSVECTOR(), nullable=False),
    )
    op.create_index("ix_search_documents_tsv", "search_documents", ["tsv"], postgresql_using="gin")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS search_fts")
    else:
        op.drop_index("ix_search_documents_tsv", table_name="search_documents")
        op.drop_table("search_documents")
    op.drop_table("search_reindex_state")
