"""a goal's target and current value: team KPIs kept by hand

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('goals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('target', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('value', sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('goals', schema=None) as batch_op:
        batch_op.drop_column('value')
        batch_op.drop_column('target')
