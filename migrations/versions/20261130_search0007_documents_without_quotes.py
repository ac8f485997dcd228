"""search: index documents leave out quotes of other posts; posts holding one are queued for re-indexing

Revision ID: search0007
Revises: accounts0002
Create Date: 2026-11-30

A post's search document used to hold the quotes its author copied from other
posts ("> **Pseudonym**:" blocks, app.markdown.quote), with the quoted member's
words and pseudonym. Search then showed them where the quoted post's own fate
did not reach: while that member's erasure waits, their posts and others' quotes
of them are withheld from every page, but not from the quoting posts' snippets.
Documents are now built without those blocks (app.search.documents.without_quotes).

Every post that may hold such a quote is put in the search outbox, so the next
drain (at start-up in-process, or `forum worker`) rebuilds its document in each
engine, Meilisearch included. Nothing to undo on downgrade: the documents are
rebuilt from the posts (`forum search reindex`).
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "search0007"
down_revision = "accounts0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A quote's header is "**Name**:" on a line starting with ">": every post whose text has both is queued
    # (a few more than needed at worst; re-indexing a post is harmless).
    op.get_bind().execute(
        sa.text("INSERT INTO search_outbox (entity, entity_id, created_at, local_done) "
                "SELECT 'post', id, :now, :false FROM forum_posts "
                "WHERE status = 'published' AND body_md LIKE '%>%' AND body_md LIKE '%**:%' ORDER BY id")
        .bindparams(sa.bindparam("now", type_=sa.DateTime(timezone=True)), sa.bindparam("false", type_=sa.Boolean())),
        {"now": dt.datetime.now(dt.UTC), "false": False},
    )


def downgrade() -> None:
    pass
