"""conversation references for proactive messages (Teams)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21 07:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.storage.models

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('conversation_references',
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('tenant', sa.String(length=128), nullable=False),
    sa.Column('person', sa.String(length=200), nullable=False),
    sa.Column('conversation', sa.String(length=300), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('updated_at', bot.storage.models.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('platform', 'tenant', 'person', 'conversation', name=op.f('pk_conversation_references'))
    )


def downgrade() -> None:
    op.drop_table('conversation_references')
