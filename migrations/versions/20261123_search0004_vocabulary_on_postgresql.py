"""search: vocabulary of indexed words on PostgreSQL too, for "did you mean"

Revision ID: search0004
Revises: search0003
Create Date: 2026-11-23

SQLite has had the table since search0002 (prefix expansion). The words are
folded (lower case, no accents), as the query terms are.
"""

from __future__ import annotations

from alembic import op

revision = "search0004"
down_revision = "search0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    op.execute("CREATE TABLE search_fts_terms (term TEXT PRIMARY KEY)")
    # Words of documents indexed before this revision.
    op.execute(
        "INSERT INTO search_fts_terms (term) SELECT word FROM ts_stat("
        "'SELECT to_tsvector(''simple'', unaccent(t.title || '' '' || d.body)) FROM search_documents d "
        "JOIN forum_posts p ON p.id = d.post_id JOIN forum_threads t ON t.id = p.thread_id')"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP TABLE search_fts_terms")
