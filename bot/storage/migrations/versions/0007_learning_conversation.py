"""open learning conversation canvases

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-21 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.storage.models

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('learning_canvases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('confirmed', sa.Boolean(), nullable=False),
    sa.Column('correction', sa.Text(), nullable=True),
    sa.Column('plan', sa.JSON(), nullable=False),
    sa.Column('created_at', bot.storage.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_learning_canvases_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_learning_canvases_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_learning_canvases'))
    )
    with op.batch_alter_table('learning_canvases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_learning_canvases_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_learning_canvases_person_id'), ['person_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('learning_canvases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_learning_canvases_person_id'))
        batch_op.drop_index(batch_op.f('ix_learning_canvases_organisation_id'))

    op.drop_table('learning_canvases')
