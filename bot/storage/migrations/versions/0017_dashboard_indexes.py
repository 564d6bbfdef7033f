"""the dashboard's cost does not grow with history: diary entries indexed by (person, day),
reflections by the month of their focus, and a contract's SMART verdict kept with it

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # (person, day) serves every lookup the person index did, and reads a stretch of days
    # from the index alone.
    with op.batch_alter_table('diary_entries', schema=None) as batch_op:
        batch_op.create_index('ix_diary_entries_person_day', ['person_id', 'local_date'],
                              unique=False)
        batch_op.drop_index('ix_diary_entries_person_id')
    with op.batch_alter_table('monthly_reflections', schema=None) as batch_op:
        batch_op.create_index('ix_monthly_reflections_focus_month', ['focus_month'],
                              unique=False)
    # Contracts kept before this stay NULL: the dashboard checks their text as before.
    with op.batch_alter_table('learning_contracts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('measurable', sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('learning_contracts', schema=None) as batch_op:
        batch_op.drop_column('measurable')
    with op.batch_alter_table('monthly_reflections', schema=None) as batch_op:
        batch_op.drop_index('ix_monthly_reflections_focus_month')
    with op.batch_alter_table('diary_entries', schema=None) as batch_op:
        batch_op.create_index('ix_diary_entries_person_id', ['person_id'], unique=False)
        batch_op.drop_index('ix_diary_entries_person_day')
