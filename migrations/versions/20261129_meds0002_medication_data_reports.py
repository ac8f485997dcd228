"""diary: reports of errors in the medication reference

Revision ID: meds0002
Revises: meds0001
Create Date: 2026-11-29

A member or pharmacist reports a wrong strength, break line or equivalent from the
diary pages; the report goes to the moderators.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = 'meds0002'
down_revision = 'meds0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('diary_medication_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=True),
    sa.Column('lang', sa.String(length=2), nullable=False),
    sa.Column('molecule', sa.String(length=40), nullable=False),
    sa.Column('product', sa.String(length=120), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('evidence', sa.String(length=500), nullable=False),
    sa.Column('page', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('queue_item_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['reporter_id'], ['accounts_users.id'], name=op.f('fk_diary_medication_reports_reporter_id_accounts_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_diary_medication_reports'))
    )
    with op.batch_alter_table('diary_medication_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_diary_medication_reports_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_diary_medication_reports_queue_item_id'), ['queue_item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_diary_medication_reports_reporter_id'), ['reporter_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('diary_medication_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_diary_medication_reports_reporter_id'))
        batch_op.drop_index(batch_op.f('ix_diary_medication_reports_queue_item_id'))
        batch_op.drop_index(batch_op.f('ix_diary_medication_reports_created_at'))
    op.drop_table('diary_medication_reports')
