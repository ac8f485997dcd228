"""research: consent, never-quote marks, projects and exports

Revision ID: research0001
Revises: search0004
Create Date: 2026-11-29

Members' consent (current answers and an append-only history), "never quote" marks,
research projects and their members, and export jobs.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = 'research0001'
down_revision = 'search0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('research_consent_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=8), nullable=False),
    sa.Column('granted', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('lang', sa.String(length=2), nullable=False),
    sa.Column('text_sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['accounts_users.id'], name=op.f('fk_research_consent_events_user_id_accounts_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_research_consent_events'))
    )
    with op.batch_alter_table('research_consent_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_research_consent_events_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_research_consent_events_user_id'), ['user_id'], unique=False)

    op.create_table('research_consents',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('posts', sa.Boolean(), nullable=False),
    sa.Column('diary', sa.Boolean(), nullable=False),
    sa.Column('posts_version', sa.Integer(), nullable=True),
    sa.Column('diary_version', sa.Integer(), nullable=True),
    sa.Column('asked_version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['accounts_users.id'], name=op.f('fk_research_consents_user_id_accounts_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_research_consents'))
    )
    op.create_table('research_projects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('institution', sa.String(length=200), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('ethics_ref', sa.String(length=120), nullable=False),
    sa.Column('data_requested', sa.Text(), nullable=False),
    sa.Column('retention', sa.Text(), nullable=False),
    sa.Column('terms_version', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=False),
    sa.Column('applicant_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['applicant_id'], ['accounts_users.id'], name=op.f('fk_research_projects_applicant_id_accounts_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['accounts_users.id'], name=op.f('fk_research_projects_decided_by_id_accounts_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_research_projects'))
    )
    with op.batch_alter_table('research_projects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_research_projects_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_research_projects_status'), ['status'], unique=False)

    op.create_table('research_exports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('format', sa.String(length=10), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('progress_done', sa.Integer(), nullable=False),
    sa.Column('progress_total', sa.Integer(), nullable=False),
    sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('file_name', sa.String(length=120), nullable=False),
    sa.Column('size_bytes', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['research_projects.id'], name=op.f('fk_research_exports_project_id_research_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['accounts_users.id'], name=op.f('fk_research_exports_requested_by_id_accounts_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_research_exports'))
    )
    with op.batch_alter_table('research_exports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_research_exports_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_research_exports_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_research_exports_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_research_exports_status'), ['status'], unique=False)

    op.create_table('research_project_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=8), nullable=False),
    sa.Column('terms_version', sa.Integer(), nullable=True),
    sa.Column('terms_accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['research_projects.id'], name=op.f('fk_research_project_members_project_id_research_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['accounts_users.id'], name=op.f('fk_research_project_members_user_id_accounts_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_research_project_members')),
    sa.UniqueConstraint('project_id', 'user_id', name=op.f('uq_research_project_members_project_id_user_id'))
    )
    with op.batch_alter_table('research_project_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_research_project_members_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_research_project_members_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_research_project_members_user_id'), ['user_id'], unique=False)

    op.create_table('research_never_quote',
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['forum_posts.id'], name=op.f('fk_research_never_quote_post_id_forum_posts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['accounts_users.id'], name=op.f('fk_research_never_quote_user_id_accounts_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('post_id', name=op.f('pk_research_never_quote'))
    )
    with op.batch_alter_table('research_never_quote', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_research_never_quote_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_research_never_quote_user_id'), ['user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('research_never_quote', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_research_never_quote_user_id'))
        batch_op.drop_index(batch_op.f('ix_research_never_quote_created_at'))

    op.drop_table('research_never_quote')
    with op.batch_alter_table('research_project_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_research_project_members_user_id'))
        batch_op.drop_index(batch_op.f('ix_research_project_members_project_id'))
        batch_op.drop_index(batch_op.f('ix_research_project_members_created_at'))

    op.drop_table('research_project_members')
    with op.batch_alter_table('research_exports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_research_exports_status'))
        batch_op.drop_index(batch_op.f('ix_research_exports_project_id'))
        batch_op.drop_index(batch_op.f('ix_research_exports_expires_at'))
        batch_op.drop_index(batch_op.f('ix_research_exports_created_at'))

    op.drop_table('research_exports')
    with op.batch_alter_table('research_projects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_research_projects_status'))
        batch_op.drop_index(batch_op.f('ix_research_projects_created_at'))

    op.drop_table('research_projects')
    op.drop_table('research_consents')
    with op.batch_alter_table('research_consent_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_research_consent_events_user_id'))
        batch_op.drop_index(batch_op.f('ix_research_consent_events_created_at'))

    op.drop_table('research_consent_events')
