"""agenda (issue 13): session types (seeded), rooms, sessions, people, people on sessions, programme releases

``session_types`` starts with the eight types of the issue (inauguración … clausura, stable keys);
``agenda_sessions`` carries a never-changing iCalendar ``uid`` plus ``sequence``/``last_modified`` advanced by
releases; ``people`` are kept once across events with a private link token and a re-encoded photo;
``programme_releases`` hold a JSON snapshot of each released programme.

Revision ID: 7fc15b10894b
Revises: b7c2d9e4f1a0
Create Date: 2026-12-02 10:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

import foros.core.types

# The seeded types, written here (not imported) so the migration never changes with the code.
SESSION_TYPES = [
    ("inauguracion", "Inauguración", 10),
    ("conferencia_magistral", "Conferencia magistral", 20),
    ("panel", "Panel", 30),
    ("mesa_de_trabajo", "Mesa de trabajo", 40),
    ("networking", "Networking", 50),
    ("taller", "Taller", 60),
    ("receso", "Receso", 70),
    ("clausura", "Clausura", 80),
]


# revision identifiers, used by Alembic.
revision = '7fc15b10894b'
down_revision = 'b7c2d9e4f1a0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('people',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('cargo', sa.String(length=200), nullable=False),
    sa.Column('institution', sa.String(length=200), nullable=False),
    sa.Column('bio', sa.Text(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('public_key', sa.String(length=32), nullable=False),
    sa.Column('photo', sa.LargeBinary(), nullable=True),
    sa.Column('photo_content_type', sa.String(length=40), nullable=False),
    sa.Column('photo_size', sa.Integer(), server_default='0', nullable=False),
    sa.Column('photo_updated_at', foros.core.types.UTCDateTime(), nullable=True),
    sa.Column('created_at', foros.core.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', foros.core.types.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_people')),
    sa.UniqueConstraint('public_key', name=op.f('uq_people_public_key')),
    sa.UniqueConstraint('token', name=op.f('uq_people_token'))
    )
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_people_name'), ['name'], unique=False)

    session_types = op.create_table('session_types',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=True),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_types')),
    sa.UniqueConstraint('key', name=op.f('uq_session_types_key')),
    sa.UniqueConstraint('name', name=op.f('uq_session_types_name'))
    )
    op.bulk_insert(session_types, [{"key": key, "name": name, "position": position, "is_active": True}
                                   for key, name, position in SESSION_TYPES])
    op.create_table('programme_releases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('published_at', foros.core.types.UTCDateTime(), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_programme_releases_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_programme_releases_published_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_releases')),
    sa.UniqueConstraint('event_id', 'number', name='event_number')
    )
    with op.batch_alter_table('programme_releases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_releases_event_id'), ['event_id'], unique=False)

    op.create_table('rooms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('venue', sa.String(length=200), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.CheckConstraint("(event_id IS NULL) <> (venue = '')", name=op.f('ck_rooms_event_or_venue')),
    sa.CheckConstraint('capacity IS NULL OR capacity >= 0', name=op.f('ck_rooms_capacity_not_negative')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_rooms_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rooms'))
    )
    with op.batch_alter_table('rooms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rooms_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rooms_venue'), ['venue'], unique=False)

    op.create_table('agenda_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('type_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=250), nullable=False),
    sa.Column('event_day_id', sa.Integer(), nullable=True),
    sa.Column('starts_at', foros.core.types.UTCDateTime(), nullable=False),
    sa.Column('ends_at', foros.core.types.UTCDateTime(), nullable=False),
    sa.Column('room_id', sa.Integer(), nullable=True),
    sa.Column('modality', sa.Enum('presencial', 'virtual', 'hibrida', name='modality', native_enum=False, length=20), nullable=False),
    sa.Column('online_url', sa.String(length=500), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('active', 'cancelled', name='sessionstatus', native_enum=False, length=20), nullable=False),
    sa.Column('uid', sa.String(length=80), nullable=False),
    sa.Column('sequence', sa.Integer(), server_default='0', nullable=False),
    sa.Column('last_modified', foros.core.types.UTCDateTime(), nullable=True),
    sa.Column('checkin_list_id', sa.Integer(), nullable=True),
    sa.Column('created_at', foros.core.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', foros.core.types.UTCDateTime(), nullable=False),
    sa.CheckConstraint('capacity IS NULL OR capacity >= 0', name=op.f('ck_agenda_sessions_capacity_not_negative')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_agenda_sessions_ends_after_start')),
    sa.CheckConstraint('sequence >= 0', name=op.f('ck_agenda_sessions_sequence_not_negative')),
    sa.ForeignKeyConstraint(['checkin_list_id'], ['checkin_lists.id'], name=op.f('fk_agenda_sessions_checkin_list_id_checkin_lists'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_day_id'], ['event_days.id'], name=op.f('fk_agenda_sessions_event_day_id_event_days'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_agenda_sessions_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['room_id'], ['rooms.id'], name=op.f('fk_agenda_sessions_room_id_rooms'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['type_id'], ['session_types.id'], name=op.f('fk_agenda_sessions_type_id_session_types'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_sessions')),
    sa.UniqueConstraint('checkin_list_id', name=op.f('uq_agenda_sessions_checkin_list_id')),
    sa.UniqueConstraint('uid', name=op.f('uq_agenda_sessions_uid'))
    )
    with op.batch_alter_table('agenda_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agenda_sessions_event_day_id'), ['event_day_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agenda_sessions_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agenda_sessions_room_id'), ['room_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agenda_sessions_type_id'), ['type_id'], unique=False)

    op.create_table('session_people',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('ponente', 'panelista', 'moderador', 'facilitador', 'anfitrion', name='sessionrole', native_enum=False, length=20), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('confirmed_at', foros.core.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_session_people_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['agenda_sessions.id'], name=op.f('fk_session_people_session_id_agenda_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_people')),
    sa.UniqueConstraint('session_id', 'person_id', name='session_person')
    )
    with op.batch_alter_table('session_people', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_people_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_session_people_session_id'), ['session_id'], unique=False)



def downgrade():
    with op.batch_alter_table('session_people', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_people_session_id'))
        batch_op.drop_index(batch_op.f('ix_session_people_person_id'))

    op.drop_table('session_people')
    with op.batch_alter_table('agenda_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agenda_sessions_type_id'))
        batch_op.drop_index(batch_op.f('ix_agenda_sessions_room_id'))
        batch_op.drop_index(batch_op.f('ix_agenda_sessions_event_id'))
        batch_op.drop_index(batch_op.f('ix_agenda_sessions_event_day_id'))

    op.drop_table('agenda_sessions')
    with op.batch_alter_table('rooms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rooms_venue'))
        batch_op.drop_index(batch_op.f('ix_rooms_event_id'))

    op.drop_table('rooms')
    with op.batch_alter_table('programme_releases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_releases_event_id'))

    op.drop_table('programme_releases')
    op.drop_table('session_types')
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_people_name'))

    op.drop_table('people')
