"""search: vocabulary of indexed words, for fast prefix expansion

Revision ID: search0002
Revises: search0001
Create Date: 2026-11-23

An FTS5 prefix query ("sevr"*) merges the posting lists of every word with that
prefix and cannot stop early; on a million posts that alone costs tens of
milliseconds. Expanding the prefix to the actual words first ("sevrage" OR
"sevrages") lets FTS5 walk the lists lazily. SQLite only: PostgreSQL's GIN index
handles prefixes itself.
"""

from __future__ import annotations

from alembic import op

revision = "search0002"
down_revision = "search0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("CREATE TABLE search_fts_terms (term TEXT PRIMARY KEY) WITHOUT ROWID")
    # Words already in the index (a database indexed before this revision).
    op.execute("CREATE VIRTUAL TABLE temp.search_fts_vocab USING fts5vocab(main, search_fts, 'row')")
    op.execute("INSERT INTO search_fts_terms (term) SELECT term FROM temp.search_fts_vocab")
    op.execute("DROP TABLE temp.search_fts_vocab")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE search_fts_terms")
