"""intervision cases, work sessions, exercises and polls in channels

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-21 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.storage.models

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('intervision_cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('tenant', sa.String(length=128), nullable=False),
    sa.Column('conversation', sa.String(length=300), nullable=False),
    sa.Column('thread', sa.String(length=300), nullable=True),
    sa.Column('phase', sa.String(length=16), nullable=False),
    sa.Column('story', sa.Text(), nullable=False),
    sa.Column('stuck', sa.Text(), nullable=False),
    sa.Column('unsure', sa.Text(), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('core_problem', sa.Text(), nullable=True),
    sa.Column('commitment', sa.Text(), nullable=True),
    sa.Column('in_library', sa.Boolean(), nullable=False),
    sa.Column('anonymised', sa.Boolean(), nullable=False),
    sa.Column('created_at', bot.storage.models.UTCDateTime(), nullable=False),
    sa.Column('closed_at', bot.storage.models.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_intervision_cases_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['people.id'], name=op.f('fk_intervision_cases_owner_id_people'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_intervision_cases'))
    )
    with op.batch_alter_table('intervision_cases', schema=None) as batch_op:
        batch_op.create_index('ix_intervision_cases_thread', ['platform', 'tenant', 'thread'], unique=False)
        batch_op.create_index(batch_op.f('ix_intervision_cases_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_intervision_cases_owner_id'), ['owner_id'], unique=False)

    op.create_table('case_contributions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('phase', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', bot.storage.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['intervision_cases.id'], name=op.f('fk_case_contributions_case_id_intervision_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_case_contributions_person_id_people'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_contributions'))
    )
    with op.batch_alter_table('case_contributions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_contributions_case_id'), ['case_id'], unique=False)


def downgrade() -> None:
    op.drop_table('case_contributions')
    op.drop_table('intervision_cases')
