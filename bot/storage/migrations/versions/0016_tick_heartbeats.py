"""tick heartbeats: when each scheduler job last ran in any replica, for /metrics

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.storage.models

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'tick_heartbeats',
        sa.Column('job', sa.String(length=32), nullable=False),
        sa.Column('ran_at', bot.storage.models.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('job', name=op.f('pk_tick_heartbeats')),
    )


def downgrade() -> None:
    op.drop_table('tick_heartbeats')
