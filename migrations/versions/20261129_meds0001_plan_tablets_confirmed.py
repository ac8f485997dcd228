"""diary: plans record the member's confirmation of unverified tablets

Revision ID: meds0001
Revises: security0002
Create Date: 2026-11-29

The planner builds steps only from tablet strengths and splits read in a Belgian
leaflet or SmPC, unless the member confirms on the form that their pharmacy has
the tablet; each plan version stores that confirmation.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = 'meds0001'
down_revision = 'security0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('diary_plans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tablets_confirmed', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('diary_plans', schema=None) as batch_op:
        batch_op.drop_column('tablets_confirmed')
