"""a cohort may be tied to a Slack or Teams channel

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cohorts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.String(length=300), nullable=True))
        batch_op.create_index(batch_op.f('ix_cohorts_channel'), ['channel'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('cohorts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cohorts_channel'))
        batch_op.drop_column('channel')
