"""data rights and retention: anonymous tallies of deleted people, and indexes on the dates
free text is purged by

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

# (table, column) of every index the retention purge reads by.
RETENTION_DATES = (
    ('dialogs', 'started_at'),
    ('weekly_plans', 'created_at'),
    ('monthly_reflections', 'created_at'),
    ('learning_contracts', 'created_at'),
    ('contract_responses', 'created_at'),
    ('yearly_reviews', 'created_at'),
    ('learning_canvases', 'created_at'),
    ('intervision_cases', 'created_at'),
    ('case_contributions', 'created_at'),
    ('workshop_responses', 'created_at'),
    ('agenda_items', 'created_at'),
    ('work_outcomes', 'created_at'),
    ('experiments', 'started_at'),
    ('experiment_logs', 'created_at'),
)


def upgrade() -> None:
    op.create_table(
        'deleted_person_tallies',
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('kind', sa.String(length=64), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                                name=op.f('fk_deleted_person_tallies_organisation_id_organisations'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('organisation_id', 'month', 'kind',
                                name=op.f('pk_deleted_person_tallies')),
    )
    for table, column in RETENTION_DATES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(f'ix_{table}_{column}', [column], unique=False)


def downgrade() -> None:
    for table, column in reversed(RETENTION_DATES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f'ix_{table}_{column}')
    op.drop_table('deleted_person_tallies')
