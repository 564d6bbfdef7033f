"""send budgets shared by all replicas (one row per platform and workspace or tenant), and
an index for claiming deliveries in the order people became due

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'send_budgets',
        sa.Column('platform', sa.String(length=16), nullable=False),
        sa.Column('tenant', sa.String(length=128), nullable=False),
        sa.Column('rate', sa.Float(), nullable=False),
        sa.Column('next_slot', sa.Float(), nullable=False),
        sa.Column('held_until', sa.Float(), nullable=False),
        sa.Column('changed_at', sa.Float(), nullable=False),
        sa.Column('granted', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('platform', 'tenant', name=op.f('pk_send_budgets')),
    )
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_deliveries_state_due', ['state', 'due_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_deliveries_state_due')
    op.drop_table('send_budgets')
