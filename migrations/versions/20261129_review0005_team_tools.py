"""review: canned replies, moderator-member messages, crisis pauses, wording guidelines edited from the web

Revision ID: review0005
Revises: review0004
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "review0005"
down_revision = "review0004"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"),
                                   ondelete=ondelete)


def _indexes(table: str, *columns: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in columns:
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


def upgrade() -> None:
    op.create_table(
        "review_canned_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("lang", sa.String(length=2), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("review_canned_replies", "updated_by_id", "accounts_users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_canned_replies")),
    )
    _indexes("review_canned_replies", "created_at", "purpose")

    op.create_table(
        "review_conversations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("started_by_id", sa.Integer(), nullable=True),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("last_message_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("member_unread", sa.Boolean(), nullable=False),
        sa.Column("staff_unread", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("review_conversations", "item_id", "review_items", "SET NULL"),
        _fk("review_conversations", "member_id", "accounts_users", "CASCADE"),
        _fk("review_conversations", "started_by_id", "accounts_users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_conversations")),
    )
    _indexes("review_conversations", "created_at", "last_message_at", "member_id")

    op.create_table(
        "review_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("from_staff", sa.Boolean(), nullable=False),
        sa.Column("body_md", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("review_messages", "author_id", "accounts_users", "SET NULL"),
        _fk("review_messages", "conversation_id", "review_conversations", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_messages")),
    )
    _indexes("review_messages", "conversation_id", "created_at")

    op.create_table(
        "review_moderator_settings",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("crisis_paused_until", sa.DateTime(timezone=True), nullable=True),
        _fk("review_moderator_settings", "user_id", "accounts_users", "CASCADE"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_review_moderator_settings")),
    )

    op.create_table(
        "review_guideline_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lang", sa.String(length=2), nullable=False),
        sa.Column("entry_id", sa.String(length=80), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("severity", sa.String(length=8), nullable=False),
        sa.Column("patterns", sa.JSON(), nullable=False),
        sa.Column("suggestions", sa.JSON(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("examples", sa.JSON(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author_name", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("review_guideline_revisions", "author_id", "accounts_users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_guideline_revisions")),
        sa.UniqueConstraint("lang", "entry_id", "version",
                            name=op.f("uq_review_guideline_revisions_lang_entry_id_version")),
    )
    _indexes("review_guideline_revisions", "created_at")


def downgrade() -> None:
    for table in ("review_guideline_revisions", "review_moderator_settings", "review_messages",
                  "review_conversations", "review_canned_replies"):
        op.drop_table(table)
