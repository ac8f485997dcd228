"""review: one queue item per post with kinds and priorities, claims and versions; reports, decisions,
statements of reasons, appeals, sanctions, moderators' notes, training labels

Revision ID: review0003
Revises: review0002
Create Date: 2026-11-29

Existing items keep their reasons: old "categories" become tags, "newcomer"
becomes "welcome", and each item gets the priority of its weightiest kind.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "review0003"
down_revision = "review0002"
branch_labels = None
depends_on = None

# The queue's kinds and priorities at the time of this revision (app/review/vocabulary.py).
KINDS = {"crisis": 50, "worried": 50, "sourcing": 40, "personal_data": 40, "report": 30, "welcome": 20,
         "cold_turkey_advice": 10, "appeal": 10}


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"),
                                   ondelete=ondelete)


def _indexes(table: str, *columns: str, unique: tuple[str, ...] = ()) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in columns:
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=column in unique)


def _convert_items() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT i.id, i.categories, i.reason, p.author_id, t.lang FROM review_items i "
        "JOIN forum_posts p ON p.id = i.post_id JOIN forum_threads t ON t.id = p.thread_id")).all()
    for item_id, categories, reason, author_id, lang in rows:
        tags = {c for c in (categories or "").split(",") if c}
        if "newcomer" in tags or reason == "newcomer":
            tags.discard("newcomer")
            tags.add("welcome")
        tags = {t for t in tags if t in KINDS} or {"report"}
        kind = max((k for k in KINDS if k in tags), key=lambda k: KINDS[k])
        bind.execute(sa.text(
            "UPDATE review_items SET tags = :tags, kind = :kind, rank = :rank, lang = :lang, subject_id = :subject "
            "WHERE id = :id"), {"tags": "," + ",".join(sorted(tags)) + ",", "kind": kind, "rank": KINDS[kind],
                                "lang": lang, "subject": author_id, "id": item_id})


def upgrade() -> None:
    with op.batch_alter_table("review_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subject_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("lang", sa.String(length=2), nullable=False, server_default="fr"))
        batch_op.add_column(sa.Column("kind", sa.String(length=24), nullable=False, server_default="report"))
        batch_op.add_column(sa.Column("tags", sa.String(length=200), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("rank", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("newcomer", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("claimed_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("first_action_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("lines_shown_at", sa.DateTime(timezone=True), nullable=True))
    _convert_items()
    with op.batch_alter_table("review_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_items_priority"))
        batch_op.drop_column("priority")
        batch_op.drop_column("note")
        batch_op.drop_column("reason")
        batch_op.drop_column("categories")
        batch_op.alter_column("rank", new_column_name="priority", existing_type=sa.Integer(), existing_nullable=False)
        batch_op.alter_column("post_id", existing_type=sa.Integer(), nullable=True)
    with op.batch_alter_table("review_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_items_priority"), ["priority"], unique=False)
        batch_op.create_index(batch_op.f("ix_review_items_lang"), ["lang"], unique=False)
        batch_op.create_index(batch_op.f("ix_review_items_subject_id"), ["subject_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_review_items_claimed_by_id_accounts_users"), "accounts_users",
                                    ["claimed_by_id"], ["id"], ondelete="SET NULL")
        batch_op.create_foreign_key(batch_op.f("fk_review_items_subject_id_accounts_users"), "accounts_users",
                                    ["subject_id"], ["id"], ondelete="SET NULL")

    with op.batch_alter_table("review_findings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source", sa.String(length=8), nullable=False, server_default="rule"))
        batch_op.add_column(sa.Column("score", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("explanation", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("suggestions", sa.JSON(), nullable=False, server_default="[]"))

    op.create_table(
        "review_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.Column("thread_id", sa.Integer(), nullable=True),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("automated", sa.Boolean(), nullable=False),
        sa.Column("reported", sa.Boolean(), nullable=False),
        sa.Column("duration_days", sa.Integer(), nullable=True),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("reversed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("review_decisions", "actor_id", "accounts_users", "SET NULL"),
        _fk("review_decisions", "item_id", "review_items", "SET NULL"),
        _fk("review_decisions", "post_id", "forum_posts", "SET NULL"),
        _fk("review_decisions", "subject_id", "accounts_users", "SET NULL"),
        _fk("review_decisions", "thread_id", "forum_threads", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_decisions")),
    )
    _indexes("review_decisions", "created_at", "item_id", "post_id", "subject_id")

    op.create_table(
        "review_statements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("automated", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=12), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.Column("thread_id", sa.Integer(), nullable=True),
        sa.Column("duration_days", sa.Integer(), nullable=True),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("appeal_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("review_statements", "decision_id", "review_decisions", "CASCADE"),
        _fk("review_statements", "post_id", "forum_posts", "SET NULL"),
        _fk("review_statements", "thread_id", "forum_threads", "SET NULL"),
        _fk("review_statements", "user_id", "accounts_users", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_statements")),
    )
    _indexes("review_statements", "created_at", "decision_id", "user_id")

    op.create_table(
        "review_appeals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("appellant_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome_statement_id", sa.Integer(), nullable=True),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("review_appeals", "appellant_id", "accounts_users", "CASCADE"),
        _fk("review_appeals", "decided_by_id", "accounts_users", "SET NULL"),
        _fk("review_appeals", "item_id", "review_items", "SET NULL"),
        _fk("review_appeals", "outcome_statement_id", "review_statements", "SET NULL"),
        _fk("review_appeals", "statement_id", "review_statements", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_appeals")),
        sa.UniqueConstraint("statement_id", name=op.f("uq_review_appeals_statement_id")),
    )
    _indexes("review_appeals", "appellant_id", "created_at", "item_id")

    op.create_table(
        "review_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("reporter_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("location", sa.String(length=500), nullable=False),
        sa.Column("notifier_name", sa.String(length=120), nullable=False),
        sa.Column("notifier_contact", sa.String(length=200), nullable=False),
        sa.Column("good_faith", sa.Boolean(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("outcome_action", sa.String(length=20), nullable=False),
        sa.Column("outcome_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("review_reports", "decision_id", "review_decisions", "SET NULL"),
        _fk("review_reports", "item_id", "review_items", "SET NULL"),
        _fk("review_reports", "post_id", "forum_posts", "CASCADE"),
        _fk("review_reports", "reporter_id", "accounts_users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_reports")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_review_reports_token_hash")),
    )
    _indexes("review_reports", "created_at", "item_id", "post_id", "reporter_id")

    op.create_table(
        "review_sanctions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_id", sa.Integer(), nullable=True),
        sa.Column("lifted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("review_sanctions", "decision_id", "review_decisions", "SET NULL"),
        _fk("review_sanctions", "user_id", "accounts_users", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_sanctions")),
    )
    _indexes("review_sanctions", "created_at", "user_id")

    op.create_table(
        "review_member_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("review_member_notes", "author_id", "accounts_users", "SET NULL"),
        _fk("review_member_notes", "user_id", "accounts_users", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_member_notes")),
    )
    _indexes("review_member_notes", "created_at", "user_id")

    op.create_table(
        "review_labels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.Column("decision_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("lang", sa.String(length=2), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("confirmed", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("review_labels", "decision_id", "review_decisions", "SET NULL"),
        _fk("review_labels", "post_id", "forum_posts", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_labels")),
    )
    _indexes("review_labels", "category", "created_at", "post_id")


def downgrade() -> None:
    for table in ("review_labels", "review_member_notes", "review_sanctions", "review_reports", "review_appeals",
                  "review_statements", "review_decisions"):
        op.drop_table(table)
    with op.batch_alter_table("review_findings", schema=None) as batch_op:
        for column in ("suggestions", "explanation", "score", "source"):
            batch_op.drop_column(column)
    op.execute("DELETE FROM review_items WHERE post_id IS NULL")
    with op.batch_alter_table("review_items", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_review_items_subject_id_accounts_users"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_review_items_claimed_by_id_accounts_users"), type_="foreignkey")
        for index in ("subject_id", "lang", "priority"):
            batch_op.drop_index(batch_op.f(f"ix_review_items_{index}"))
        batch_op.add_column(sa.Column("categories", sa.String(length=200), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("reason", sa.String(length=32), nullable=False, server_default="findings"))
        batch_op.add_column(sa.Column("note", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("old_priority", sa.String(length=16), nullable=False, server_default="normal"))
    op.execute("UPDATE review_items SET old_priority = 'urgent' WHERE priority >= 50")
    op.execute("UPDATE review_items SET categories = trim(replace(tags, ',welcome,', ',newcomer,'), ',')")
    with op.batch_alter_table("review_items", schema=None) as batch_op:
        for column in ("lines_shown_at", "first_action_at", "claimed_until", "claimed_by_id", "version", "newcomer",
                       "tags", "kind", "lang", "subject_id", "priority"):
            batch_op.drop_column(column)
        batch_op.alter_column("old_priority", new_column_name="priority", existing_type=sa.String(length=16))
        batch_op.alter_column("post_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("review_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_items_priority"), ["priority"], unique=False)
