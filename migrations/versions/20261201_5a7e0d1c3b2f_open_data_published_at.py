"""events.open_data_published_at: when organizers released an event's anonymised figures as open data

Revision ID: 5a7e0d1c3b2f
Revises: 21969a4820a4
Create Date: 2026-12-01 10:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

import foros.core.types

# revision identifiers, used by Alembic.
revision = '5a7e0d1c3b2f'
down_revision = '21969a4820a4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('open_data_published_at', foros.core.types.UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('open_data_published_at')
