"""workshop exercises and polls

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-21 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.storage.models

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('workshop_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('exercise', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('item_count', sa.Integer(), nullable=False),
    sa.Column('current', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('tenant', sa.String(length=128), nullable=False),
    sa.Column('conversation', sa.String(length=300), nullable=False),
    sa.Column('thread', sa.String(length=300), nullable=True),
    sa.Column('locale', sa.String(length=8), nullable=False),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('started_by', sa.Integer(), nullable=True),
    sa.Column('created_at', bot.storage.models.UTCDateTime(), nullable=False),
    sa.Column('closed_at', bot.storage.models.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_workshop_runs_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['started_by'], ['people.id'], name=op.f('fk_workshop_runs_started_by_people'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop_runs'))
    )
    with op.batch_alter_table('workshop_runs', schema=None) as batch_op:
        batch_op.create_index('ix_workshop_runs_thread', ['platform', 'tenant', 'thread'], unique=False)
        batch_op.create_index(batch_op.f('ix_workshop_runs_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_workshop_runs_started_by'), ['started_by'], unique=False)

    op.create_table('workshop_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('item', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('value', sa.String(length=16), nullable=True),
    sa.Column('created_at', bot.storage.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_workshop_responses_person_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['run_id'], ['workshop_runs.id'], name=op.f('fk_workshop_responses_run_id_workshop_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop_responses'))
    )
    with op.batch_alter_table('workshop_responses', schema=None) as batch_op:
        batch_op.create_index('uq_workshop_responses_vote', ['run_id', 'item', 'person_id'], unique=True, sqlite_where=sa.text("kind = 'vote'"), postgresql_where=sa.text("kind = 'vote'"))
        batch_op.create_index(batch_op.f('ix_workshop_responses_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_workshop_responses_run_id'), ['run_id'], unique=False)


def downgrade() -> None:
    op.drop_table('workshop_responses')
    op.drop_table('workshop_runs')
