"""work sessions and community session sign-up

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-21 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.storage.models

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('community_channels',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('tenant', sa.String(length=128), nullable=False),
    sa.Column('conversation', sa.String(length=300), nullable=False),
    sa.Column('announced_at', bot.storage.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['community_sessions.id'], name=op.f('fk_community_channels_session_id_community_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', 'platform', 'tenant', 'conversation', name=op.f('pk_community_channels'))
    )
    op.create_table('work_session_series',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('tenant', sa.String(length=128), nullable=False),
    sa.Column('conversation', sa.String(length=300), nullable=False),
    sa.Column('cadence_weeks', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('local_time', sa.Time(), nullable=False),
    sa.Column('facilitator_id', sa.Integer(), nullable=True),
    sa.Column('next_starts_at', bot.storage.models.UTCDateTime(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', bot.storage.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['facilitator_id'], ['people.id'], name=op.f('fk_work_session_series_facilitator_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_work_session_series_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_work_session_series_team_id_teams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_work_session_series')),
    sa.UniqueConstraint('team_id', name=op.f('uq_work_session_series_team_id'))
    )
    with op.batch_alter_table('work_session_series', schema=None) as batch_op:
        batch_op.create_index('ix_work_session_series_channel', ['platform', 'tenant', 'conversation'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_session_series_next_starts_at'), ['next_starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_session_series_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('community_signups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('case_dialog_id', sa.Integer(), nullable=True),
    sa.Column('created_at', bot.storage.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_dialog_id'], ['dialogs.id'], name=op.f('fk_community_signups_case_dialog_id_dialogs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_community_signups_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['community_sessions.id'], name=op.f('fk_community_signups_session_id_community_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_community_signups')),
    sa.UniqueConstraint('session_id', 'person_id', name=op.f('uq_community_signups_session_id'))
    )
    with op.batch_alter_table('community_signups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_community_signups_person_id'), ['person_id'], unique=False)

    op.create_table('work_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('series_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', bot.storage.models.UTCDateTime(), nullable=False),
    sa.Column('agenda_posted_at', bot.storage.models.UTCDateTime(), nullable=True),
    sa.Column('created_at', bot.storage.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['series_id'], ['work_session_series.id'], name=op.f('fk_work_sessions_series_id_work_session_series'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_work_sessions')),
    sa.UniqueConstraint('series_id', 'starts_at', name=op.f('uq_work_sessions_series_id'))
    )
    op.create_table('agenda_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('proposer_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', bot.storage.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['proposer_id'], ['people.id'], name=op.f('fk_agenda_items_proposer_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['session_id'], ['work_sessions.id'], name=op.f('fk_agenda_items_session_id_work_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_items'))
    )
    with op.batch_alter_table('agenda_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agenda_items_proposer_id'), ['proposer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agenda_items_session_id'), ['session_id'], unique=False)

    op.create_table('work_outcomes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('recorded_by', sa.Integer(), nullable=True),
    sa.Column('created_at', bot.storage.models.UTCDateTime(), nullable=False),
    sa.Column('updated_at', bot.storage.models.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['owner_id'], ['people.id'], name=op.f('fk_work_outcomes_owner_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['recorded_by'], ['people.id'], name=op.f('fk_work_outcomes_recorded_by_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['session_id'], ['work_sessions.id'], name=op.f('fk_work_outcomes_session_id_work_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_work_outcomes'))
    )
    with op.batch_alter_table('work_outcomes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_work_outcomes_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_outcomes_session_id'), ['session_id'], unique=False)

    op.create_table('agenda_votes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('created_at', bot.storage.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['agenda_items.id'], name=op.f('fk_agenda_votes_item_id_agenda_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_agenda_votes_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_votes')),
    sa.UniqueConstraint('item_id', 'person_id', name=op.f('uq_agenda_votes_item_id'))
    )
    with op.batch_alter_table('agenda_votes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agenda_votes_person_id'), ['person_id'], unique=False)

    op.create_table('experiments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('tried', sa.Text(), nullable=True),
    sa.Column('learned', sa.Text(), nullable=True),
    sa.Column('next_time', sa.Text(), nullable=True),
    sa.Column('shared', sa.Boolean(), nullable=False),
    sa.Column('started_at', bot.storage.models.UTCDateTime(), nullable=False),
    sa.Column('ended_at', bot.storage.models.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['item_id'], ['agenda_items.id'], name=op.f('fk_experiments_item_id_agenda_items'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_experiments_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['people.id'], name=op.f('fk_experiments_owner_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['work_sessions.id'], name=op.f('fk_experiments_session_id_work_sessions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_experiments'))
    )
    with op.batch_alter_table('experiments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_experiments_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_experiments_owner_id'), ['owner_id'], unique=False)

    op.create_table('experiment_logs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('experiment_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', bot.storage.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['experiment_id'], ['experiments.id'], name=op.f('fk_experiment_logs_experiment_id_experiments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_experiment_logs_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_experiment_logs'))
    )
    with op.batch_alter_table('experiment_logs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_experiment_logs_experiment_id'), ['experiment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_experiment_logs_person_id'), ['person_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('experiment_logs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_experiment_logs_person_id'))
        batch_op.drop_index(batch_op.f('ix_experiment_logs_experiment_id'))

    op.drop_table('experiment_logs')
    with op.batch_alter_table('experiments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_experiments_owner_id'))
        batch_op.drop_index(batch_op.f('ix_experiments_organisation_id'))

    op.drop_table('experiments')
    with op.batch_alter_table('agenda_votes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agenda_votes_person_id'))

    op.drop_table('agenda_votes')
    with op.batch_alter_table('work_outcomes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_work_outcomes_session_id'))
        batch_op.drop_index(batch_op.f('ix_work_outcomes_owner_id'))

    op.drop_table('work_outcomes')
    with op.batch_alter_table('agenda_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agenda_items_session_id'))
        batch_op.drop_index(batch_op.f('ix_agenda_items_proposer_id'))

    op.drop_table('agenda_items')
    op.drop_table('work_sessions')
    with op.batch_alter_table('community_signups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_community_signups_person_id'))

    op.drop_table('community_signups')
    with op.batch_alter_table('work_session_series', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_work_session_series_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_work_session_series_next_starts_at'))
        batch_op.drop_index('ix_work_session_series_channel')

    op.drop_table('work_session_series')
    op.drop_table('community_channels')
