"""forum: strip text-direction overrides from texts saved before they were refused; re-index renamed threads

Revision ID: forum0003
Revises: search0007
Create Date: 2026-11-30

Titles, post bodies, private messages, reports, appeals and diary notes now refuse
Unicode's embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069,
app.plain_text.refuse_bidi_overrides): "\u202egnp.exe" shows "exe.png". Texts saved
before each check still hold them; pages isolate them (dir="auto") but they still
turn text around inside the title or message itself, in e-mails of notifications,
exports and feeds. They draw nothing, so removing them loses no word.

Rendered HTML is cleaned the same way as its markdown: the characters are plain text
to the renderer (never part of markup), so the rendering of the cleaned text is the
cleaned rendering. A thread whose title changed is queued in the search outbox (its
title is part of every document of the thread: PostgreSQL's vocabulary, Meilisearch);
post documents already leave these characters out (app.search.documents.document_text).
Nothing to undo on downgrade: the characters were never meant to be there.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "forum0003"
down_revision = "search0007"
branch_labels = None
depends_on = None

# Written out, not imported: data migrations never import app (STYLE.md).
OVERRIDES = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_DROP = {ord(ch): None for ch in OVERRIDES}

COLUMNS = {
    "forum_threads": ("title", "withheld_title"),
    "forum_posts": ("body_md", "body_html"),
    "forum_post_revisions": ("body_md",),
    "review_conversations": ("subject",),
    "review_messages": ("body_md", "body_html"),
    "review_reports": ("text",),
    "review_appeals": ("text",),
    "review_canned_replies": ("title", "body"),
    "diary_entries": ("note",),
    "diary_settings": ("questions",),  # keyed by user_id
    "diary_share_links": ("label",),
}


def _clean(table: str, columns: tuple[str, ...]) -> list[int]:
    """Removes the characters from the table's columns; the ids of the rows it changed."""
    bind = op.get_bind()
    key = "user_id" if table == "diary_settings" else "id"
    t = sa.table(table, sa.column(key, sa.Integer), *(sa.column(c, sa.Text) for c in columns))
    holds = sa.or_(*(t.c[c].contains(ch, autoescape=True) for c in columns for ch in OVERRIDES))
    changed = []
    for row in bind.execute(sa.select(t.c[key], *(t.c[c] for c in columns)).where(holds).order_by(t.c[key])).all():
        values = {c: row._mapping[c].translate(_DROP) for c in columns if row._mapping[c] is not None}
        bind.execute(sa.update(t).where(t.c[key] == row._mapping[key]).values(**values))
        changed.append(row._mapping[key])
    return changed


def upgrade() -> None:
    renamed = []
    for table, columns in COLUMNS.items():
        changed = _clean(table, columns)
        if table == "forum_threads":
            renamed = changed
    if renamed:
        outbox = sa.table("search_outbox", sa.column("entity", sa.String), sa.column("entity_id", sa.Integer),
                          sa.column("created_at", sa.DateTime(timezone=True)), sa.column("local_done", sa.Boolean))
        now = dt.datetime.now(dt.UTC)
        op.bulk_insert(outbox, [{"entity": "thread", "entity_id": thread_id, "created_at": now, "local_done": False}
                                for thread_id in renamed])


def downgrade() -> None:
    pass
