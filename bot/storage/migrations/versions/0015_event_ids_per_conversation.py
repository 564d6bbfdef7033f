"""processed event ids are kept per conversation: Teams' activity ids are unique only within
one conversation (millisecond timestamps), so two people writing in the same millisecond in
different chats must not be taken for one retried event

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Ids recorded so far keep conversation '' (they were platform-wide), so a retry of an
    # event seen before the upgrade is still recognised as long as the platform repeats it.
    with op.batch_alter_table('processed_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('conversation', sa.String(length=200),
                                      server_default='', nullable=False))
        batch_op.drop_constraint('pk_processed_events', type_='primary')
        batch_op.create_primary_key('pk_processed_events',
                                    ['platform', 'conversation', 'event_id'])


def downgrade() -> None:
    # Two conversations may hold the same id: keep one row of each (platform, id).
    op.execute(
        "DELETE FROM processed_events WHERE conversation <> '' AND EXISTS ("
        "SELECT 1 FROM processed_events AS other WHERE other.platform = "
        "processed_events.platform AND other.event_id = processed_events.event_id "
        "AND other.conversation < processed_events.conversation)"
    )
    with op.batch_alter_table('processed_events', schema=None) as batch_op:
        batch_op.drop_constraint('pk_processed_events', type_='primary')
        batch_op.create_primary_key('pk_processed_events', ['platform', 'event_id'])
        batch_op.drop_column('conversation')
