"""notifications: notifications, watched threads and categories, preferences, outbox

Notifications hold ids and kinds only (never post text). Everything a member
owns here hangs off accounts_users with ON DELETE CASCADE; a notification's
actor is SET NULL when the actor's account goes. (user_id, group_key) is unique
so that a fan-out or a retry can never notify the same member twice.

Revision ID: notifications0001
Revises: meds0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = 'notifications0001'
down_revision = 'meds0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('notifications_category_watches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['forum_categories.id'], name=op.f('fk_notifications_category_watches_category_id_forum_categories'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['accounts_users.id'], name=op.f('fk_notifications_category_watches_user_id_accounts_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications_category_watches')),
    sa.UniqueConstraint('user_id', 'category_id', name=op.f('uq_notifications_category_watches_user_id_category_id'))
    )
    with op.batch_alter_table('notifications_category_watches', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_category_watches_category_level', ['category_id', 'level'], unique=False)
        batch_op.create_index(batch_op.f('ix_notifications_category_watches_created_at'), ['created_at'], unique=False)
    op.create_table('notifications_preferences',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('reply', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('new_thread', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('quote', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('mention', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('reaction', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('welcome_approved', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('report_outcome', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('watch_started', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('watch_replied', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['accounts_users.id'], name=op.f('fk_notifications_preferences_user_id_accounts_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_notifications_preferences'))
    )
    op.create_table('notifications_thread_watches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['thread_id'], ['forum_threads.id'], name=op.f('fk_notifications_thread_watches_thread_id_forum_threads'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['accounts_users.id'], name=op.f('fk_notifications_thread_watches_user_id_accounts_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications_thread_watches')),
    sa.UniqueConstraint('user_id', 'thread_id', name=op.f('uq_notifications_thread_watches_user_id_thread_id'))
    )
    with op.batch_alter_table('notifications_thread_watches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_thread_watches_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_notifications_thread_watches_thread_level', ['thread_id', 'level'], unique=False)
    op.create_table('notifications_notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=True),
    sa.Column('post_id', sa.Integer(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('ref_id', sa.Integer(), nullable=True),
    sa.Column('detail', sa.String(length=16), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('group_key', sa.String(length=48), nullable=True),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['accounts_users.id'], name=op.f('fk_notifications_notifications_actor_id_accounts_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['post_id'], ['forum_posts.id'], name=op.f('fk_notifications_notifications_post_id_forum_posts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['thread_id'], ['forum_threads.id'], name=op.f('fk_notifications_notifications_thread_id_forum_threads'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['accounts_users.id'], name=op.f('fk_notifications_notifications_user_id_accounts_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications_notifications')),
    sa.UniqueConstraint('user_id', 'group_key', name=op.f('uq_notifications_notifications_user_id_group_key'))
    )
    with op.batch_alter_table('notifications_notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_notifications_post_id'), ['post_id'], unique=False)
        # Partial: only read rows, so a fan-out's new (unread) rows write no entry in it.
        batch_op.create_index('ix_notifications_notifications_read_at', ['read_at'], unique=False,
                              postgresql_where=sa.text('read_at IS NOT NULL'),
                              sqlite_where=sa.text('read_at IS NOT NULL'))
        batch_op.create_index('ix_notifications_notifications_unread', ['user_id', 'read_at'], unique=False)
        batch_op.create_index('ix_notifications_notifications_user_created', ['user_id', 'created_at'], unique=False)
    op.create_table('notifications_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['forum_posts.id'], name=op.f('fk_notifications_outbox_post_id_forum_posts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications_outbox'))
    )
    with op.batch_alter_table('notifications_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_outbox_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_notifications_outbox_post_id'), ['post_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('notifications_outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notifications_outbox_post_id'))
        batch_op.drop_index(batch_op.f('ix_notifications_outbox_created_at'))
    op.drop_table('notifications_outbox')
    with op.batch_alter_table('notifications_notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_notifications_user_created')
        batch_op.drop_index('ix_notifications_notifications_unread')
        batch_op.drop_index('ix_notifications_notifications_read_at')
        batch_op.drop_index(batch_op.f('ix_notifications_notifications_post_id'))
    op.drop_table('notifications_notifications')
    with op.batch_alter_table('notifications_thread_watches', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_thread_watches_thread_level')
        batch_op.drop_index(batch_op.f('ix_notifications_thread_watches_created_at'))
    op.drop_table('notifications_thread_watches')
    op.drop_table('notifications_preferences')
    with op.batch_alter_table('notifications_category_watches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notifications_category_watches_created_at'))
        batch_op.drop_index('ix_notifications_category_watches_category_level')
    op.drop_table('notifications_category_watches')
