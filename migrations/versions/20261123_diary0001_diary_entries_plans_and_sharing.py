"""diary: entries, plans and sharing

Every table hangs off accounts_users with ON DELETE CASCADE: deleting an account
deletes the diary (health data) in the same statement.

Revision ID: diary0001
Revises: fd699d38f66c
Create Date: 2026-11-23 07:39:43.170302
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = 'diary0001'
down_revision = 'fd699d38f66c'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('diary_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('diazepam_mg', sa.Float(), nullable=True),
    sa.Column('symptoms', sa.JSON(), nullable=False),
    sa.Column('sleep_hours', sa.Float(), nullable=True),
    sa.Column('mood', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['accounts_users.id'],
                            name=op.f('fk_diary_entries_user_id_accounts_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_diary_entries')),
    sa.UniqueConstraint('user_id', 'day', name=op.f('uq_diary_entries_user_id_day'))
    )
    with op.batch_alter_table('diary_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_diary_entries_created_at'), ['created_at'], unique=False)

    op.create_table('diary_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('drug', sa.String(length=80), nullable=False),
    sa.Column('molecule', sa.String(length=40), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('start_dose_mg', sa.Float(), nullable=False),
    sa.Column('interval_days', sa.Integer(), nullable=False),
    sa.Column('percent', sa.Float(), nullable=True),
    sa.Column('amount_mg', sa.Float(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('ceiling_percent', sa.Float(), nullable=False),
    sa.Column('holds', sa.JSON(), nullable=False),
    sa.Column('steps', sa.JSON(), nullable=False),
    sa.Column('warnings', sa.JSON(), nullable=False),
    sa.Column('superseded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['accounts_users.id'],
                            name=op.f('fk_diary_plans_user_id_accounts_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_diary_plans')),
    sa.UniqueConstraint('user_id', 'version', name=op.f('uq_diary_plans_user_id_version'))
    )
    with op.batch_alter_table('diary_plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_diary_plans_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_diary_plans_user_id'), ['user_id'], unique=False)

    op.create_table('diary_settings',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('visibility', sa.String(length=16), nullable=False),
    sa.Column('taper_line', sa.Boolean(), nullable=False),
    sa.Column('questions', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['accounts_users.id'],
                            name=op.f('fk_diary_settings_user_id_accounts_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_diary_settings'))
    )
    op.create_table('diary_share_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('label', sa.String(length=80), nullable=False),
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['accounts_users.id'],
                            name=op.f('fk_diary_share_links_user_id_accounts_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_diary_share_links')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_diary_share_links_token_hash'))
    )
    with op.batch_alter_table('diary_share_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_diary_share_links_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_diary_share_links_user_id'), ['user_id'], unique=False)

    op.create_table('diary_taper_lines',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('molecule', sa.String(length=40), nullable=False),
    sa.Column('first_dose_mg', sa.Float(), nullable=False),
    sa.Column('latest_dose_mg', sa.Float(), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('stopped_on', sa.Date(), nullable=True),
    sa.Column('members_can_view', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['accounts_users.id'],
                            name=op.f('fk_diary_taper_lines_user_id_accounts_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_diary_taper_lines'))
    )
    op.create_table('diary_entry_medications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('drug', sa.String(length=80), nullable=False),
    sa.Column('molecule', sa.String(length=40), nullable=False),
    sa.Column('dose_mg', sa.Float(), nullable=False),
    sa.Column('diazepam_mg', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['diary_entries.id'],
                            name=op.f('fk_diary_entry_medications_entry_id_diary_entries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_diary_entry_medications'))
    )
    with op.batch_alter_table('diary_entry_medications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_diary_entry_medications_entry_id'), ['entry_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('diary_entry_medications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_diary_entry_medications_entry_id'))

    op.drop_table('diary_entry_medications')
    op.drop_table('diary_taper_lines')
    with op.batch_alter_table('diary_share_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_diary_share_links_user_id'))
        batch_op.drop_index(batch_op.f('ix_diary_share_links_created_at'))

    op.drop_table('diary_share_links')
    op.drop_table('diary_settings')
    with op.batch_alter_table('diary_plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_diary_plans_user_id'))
        batch_op.drop_index(batch_op.f('ix_diary_plans_created_at'))

    op.drop_table('diary_plans')
    with op.batch_alter_table('diary_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_diary_entries_created_at'))

    op.drop_table('diary_entries')
