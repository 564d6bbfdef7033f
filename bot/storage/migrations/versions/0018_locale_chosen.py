"""people.locale_chosen: whether a person's language was given (by the platform, `chat
--locale` or an answer) rather than defaulted, so onboarding does not ask for it again

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # People already known keep being asked as before (false): nothing told us their choice.
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locale_chosen', sa.Boolean(),
                                      server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_column('locale_chosen')
