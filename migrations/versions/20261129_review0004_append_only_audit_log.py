"""review: an audit log no one can quietly rewrite

Revision ID: review0004
Revises: review0003
Create Date: 2026-11-29

Entries gain the actor's pseudonym as it was and the details of the change
(before/after). The foreign key to the actor goes: deleting an account would
otherwise rewrite every entry it made (ON DELETE SET NULL). Then the database
itself refuses UPDATE and DELETE on the table, on SQLite and PostgreSQL alike;
the application has no code path that tries.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "review0004"
down_revision = "review0003"
branch_labels = None
depends_on = None

MESSAGE = "review_audit_log is append-only"


def upgrade() -> None:
    with op.batch_alter_table("review_audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("actor_name", sa.String(length=40), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("details", sa.JSON(), nullable=False, server_default="{}"))
        batch_op.drop_constraint("fk_review_audit_log_actor_id_accounts_users", type_="foreignkey")
        batch_op.create_index(batch_op.f("ix_review_audit_log_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_review_audit_log_actor_id"), ["actor_id"], unique=False)
    op.execute("UPDATE review_audit_log SET actor_name = COALESCE((SELECT u.pseudonym FROM accounts_users u "
               "WHERE u.id = review_audit_log.actor_id), 'system')")
    op.execute("UPDATE review_audit_log SET action = 'thread.' || action "
               "WHERE action IN ('pin', 'unpin', 'lock', 'unlock')")
    if op.get_bind().dialect.name == "sqlite":
        for event in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER review_audit_log_no_{event.lower()} BEFORE {event} ON review_audit_log "
                       f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END")
    else:
        op.execute("CREATE FUNCTION review_audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
                   f"$$ BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$")
        op.execute("CREATE TRIGGER review_audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE "
                   "ON review_audit_log FOR EACH STATEMENT EXECUTE FUNCTION review_audit_log_append_only()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER review_audit_log_no_update")
        op.execute("DROP TRIGGER review_audit_log_no_delete")
    else:
        op.execute("DROP TRIGGER review_audit_log_append_only ON review_audit_log")
        op.execute("DROP FUNCTION review_audit_log_append_only()")
    op.execute("UPDATE review_audit_log SET actor_id = NULL WHERE actor_id NOT IN (SELECT id FROM accounts_users)")
    with op.batch_alter_table("review_audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_audit_log_actor_id"))
        batch_op.drop_index(batch_op.f("ix_review_audit_log_action"))
        batch_op.create_foreign_key("fk_review_audit_log_actor_id_accounts_users", "accounts_users", ["actor_id"],
                                    ["id"], ondelete="SET NULL")
        batch_op.drop_column("details")
        batch_op.drop_column("actor_name")
