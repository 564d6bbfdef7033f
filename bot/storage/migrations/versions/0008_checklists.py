"""performance support checklists

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-21 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.storage.models

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('checklists',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name_nl', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('discipline', sa.String(length=100), nullable=False),
    sa.Column('task', sa.String(length=200), nullable=False),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('created_at', bot.storage.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_checklists_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklists')),
    sa.UniqueConstraint('organisation_id', 'code', name=op.f('uq_checklists_organisation_id'))
    )
    with op.batch_alter_table('checklists', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checklists_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('checklist_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('checklist_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text_nl', sa.String(length=200), nullable=False),
    sa.Column('text_en', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['checklist_id'], ['checklists.id'], name=op.f('fk_checklist_items_checklist_id_checklists'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklist_items')),
    sa.UniqueConstraint('checklist_id', 'position', name=op.f('uq_checklist_items_checklist_id'))
    )
    op.create_table('checklist_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('checklist_id', sa.Integer(), nullable=False),
    sa.Column('ticked', sa.JSON(), nullable=False),
    sa.Column('started_at', bot.storage.models.UTCDateTime(), nullable=False),
    sa.Column('finished_at', bot.storage.models.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['checklist_id'], ['checklists.id'], name=op.f('fk_checklist_runs_checklist_id_checklists'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_checklist_runs_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklist_runs'))
    )
    with op.batch_alter_table('checklist_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checklist_runs_checklist_id'), ['checklist_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_checklist_runs_person_id'), ['person_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('checklist_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checklist_runs_person_id'))
        batch_op.drop_index(batch_op.f('ix_checklist_runs_checklist_id'))

    op.drop_table('checklist_runs')
    op.drop_table('checklist_items')
    with op.batch_alter_table('checklists', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checklists_organisation_id'))

    op.drop_table('checklists')
