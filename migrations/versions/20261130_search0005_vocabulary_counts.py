"""search: on PostgreSQL, the vocabulary holds every lexeme with its document count; GIN keyed by blocks of posts

Revision ID: search0005
Revises: security0004
Create Date: 2026-11-30

The search planner (app/search/postgres_plan.py) chooses how to find the newest matches
from how many documents hold each term, and hands GIN the exact lexemes a prefix
stands for. For that the vocabulary must hold every lexeme of the index (stems
included), with exact counts: it is rebuilt from the index here (ts_stat), then
kept by the statement that writes documents. Its terms sort by bytes (COLLATE "C"),
so that a prefix is a range whatever the database's collation.

The GIN index gains a first column: the blocks of 4,096, 32,768, 262,144 and
2,097,152 post ids each document belongs to (an int[] expression of post_id). A
few block keys name any range of the newest posts, and GIN intersects a query's
terms over that range without reading the postings of older ones. (A btree_gin key
on post_id / 256 was tried first: a range on it is a partial match, which GIN
collects into a bitmap of every post in the range before anything else, slower
than no range at all on a million posts.) The index still serves queries on tsv
alone. SQLite is untouched: FTS5 walks its posting lists newest first by itself.
"""

from __future__ import annotations

from alembic import op

revision = "search0005"
down_revision = "security0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    op.execute('ALTER TABLE search_fts_terms ALTER COLUMN term TYPE text COLLATE "C"')
    op.execute("ALTER TABLE search_fts_terms ADD COLUMN documents integer NOT NULL DEFAULT 0")
    op.execute(
        "INSERT INTO search_fts_terms (term, documents) SELECT word, ndoc FROM ts_stat('SELECT tsv FROM search_documents') "
        "ON CONFLICT (term) DO UPDATE SET documents = EXCLUDED.documents"
    )
    # The expression must stay exactly the one app/search/postgres_plan.py queries (_BLOCKS).
    blocks = "ARRAY[" + ", ".join(f"({shift} << 24) | (post_id >> {shift})" for shift in (12, 15, 18, 21)) + "]"
    op.execute(f"CREATE INDEX ix_search_documents_blocks_tsv ON search_documents USING gin (({blocks}), tsv)")
    op.execute("DROP INDEX ix_search_documents_tsv")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    op.execute("CREATE INDEX ix_search_documents_tsv ON search_documents USING gin (tsv)")
    op.execute("DROP INDEX ix_search_documents_blocks_tsv")
    op.execute("ALTER TABLE search_fts_terms DROP COLUMN documents")
    op.execute('ALTER TABLE search_fts_terms ALTER COLUMN term TYPE text COLLATE "default"')
