"""background jobs and attendance export defaults

``background_jobs`` holds long work run by the worker (big attendance exports, certificate ZIPs): status,
progress and the produced file (a BLOB, reachable by every process behind the one database);
``attendance_export_defaults`` the columns an organizer saved as an event's default for attendance exports.

Revision ID: b7c2d9e4f1a0
Revises: ecc6f92cbb0b
Create Date: 2026-12-01 11:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

import foros.core.types

# revision identifiers, used by Alembic.
revision = 'b7c2d9e4f1a0'
down_revision = 'ecc6f92cbb0b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('background_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=43), nullable=False),
    sa.Column('kind', sa.String(length=60), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('queued', 'running', 'done', 'failed', name='jobstatus', native_enum=False,
                                length=20), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('progress_done', sa.Integer(), nullable=False),
    sa.Column('progress_total', sa.Integer(), nullable=False),
    sa.Column('result_filename', sa.String(length=200), nullable=False),
    sa.Column('result_mimetype', sa.String(length=120), nullable=False),
    sa.Column('result_size', sa.Integer(), nullable=False),
    sa.Column('result_data', sa.LargeBinary(), nullable=True),
    sa.Column('error', sa.String(length=500), nullable=False),
    sa.Column('created_at', foros.core.types.UTCDateTime(), nullable=False),
    sa.Column('started_at', foros.core.types.UTCDateTime(), nullable=True),
    sa.Column('finished_at', foros.core.types.UTCDateTime(), nullable=True),
    sa.Column('expires_at', foros.core.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_background_jobs_event_id_events'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'],
                            name=op.f('fk_background_jobs_requested_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_background_jobs')),
    sa.UniqueConstraint('token', name=op.f('uq_background_jobs_token'))
    )
    with op.batch_alter_table('background_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_background_jobs_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_background_jobs_status'), ['status'], unique=False)

    op.create_table('attendance_export_defaults',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('columns', sa.JSON(), nullable=False),
    sa.Column('updated_at', foros.core.types.UTCDateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'],
                            name=op.f('fk_attendance_export_defaults_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'],
                            name=op.f('fk_attendance_export_defaults_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_attendance_export_defaults'))
    )


def downgrade():
    op.drop_table('attendance_export_defaults')
    with op.batch_alter_table('background_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_background_jobs_status'))
        batch_op.drop_index(batch_op.f('ix_background_jobs_event_id'))
    op.drop_table('background_jobs')
