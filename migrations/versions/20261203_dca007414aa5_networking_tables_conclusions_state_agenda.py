"""networking (issue 14): tables, seats, table conclusions, themes (seeded), consolidation, supports, state agenda

``networking_tables`` belong to an agenda session (type networking) and carry a random ``capture_token``;
``table_conclusions`` are the tables' originals with an optimistic-concurrency ``version`` and an idempotency
``client_uuid``; ``consolidated_sources`` links consolidated conclusions to those originals (provenance);
``conclusion_themes`` starts with the issue's seven themes (stable keys).

Revision ID: dca007414aa5
Revises: 7fc15b10894b
Create Date: 2026-12-03 10:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

import foros.core.types

# The seeded themes, written here (not imported) so the migration never changes with the code.
THEMES = [
    ("participacion", "Participación ciudadana", 10),
    ("transparencia", "Transparencia", 20),
    ("rendicion_de_cuentas", "Rendición de cuentas", 30),
    ("anticorrupcion", "Anticorrupción", 40),
    ("tecnologia", "Tecnología e innovación", 50),
    ("jovenes", "Jóvenes", 60),
    ("grupos_vulnerables", "Grupos vulnerables", 70),
]


# revision identifiers, used by Alembic.
revision = 'dca007414aa5'
down_revision = '7fc15b10894b'
branch_labels = None
depends_on = None


def upgrade():
    themes = op.create_table('conclusion_themes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=True),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conclusion_themes')),
    sa.UniqueConstraint('key', name=op.f('uq_conclusion_themes_key')),
    sa.UniqueConstraint('name', name=op.f('uq_conclusion_themes_name'))
    )
    op.bulk_insert(themes, [{"key": key, "name": name, "position": position, "is_active": True}
                            for key, name, position in THEMES])
    op.create_table('state_agendas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=250), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('public_key', sa.String(length=32), nullable=False),
    sa.Column('status', sa.Enum('draft', 'published', name='stateagendastatus', native_enum=False, length=20), nullable=False),
    sa.Column('published_at', foros.core.types.UTCDateTime(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', foros.core.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', foros.core.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_state_agendas_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_state_agendas')),
    sa.UniqueConstraint('public_key', name=op.f('uq_state_agendas_public_key'))
    )
    op.create_table('consolidated_conclusions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'approved', name='conclusionstatus', native_enum=False, length=20), nullable=False),
    sa.Column('approved_at', foros.core.types.UTCDateTime(), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('published_at', foros.core.types.UTCDateTime(), nullable=True),
    sa.Column('created_at', foros.core.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', foros.core.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_consolidated_conclusions_approved_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['session_id'], ['agenda_sessions.id'], name=op.f('fk_consolidated_conclusions_session_id_agenda_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consolidated_conclusions'))
    )
    with op.batch_alter_table('consolidated_conclusions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consolidated_conclusions_session_id'), ['session_id'], unique=False)

    op.create_table('networking_tables',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('topic', sa.String(length=300), nullable=False),
    sa.Column('facilitator', sa.String(length=200), nullable=False),
    sa.Column('rapporteur', sa.String(length=200), nullable=False),
    sa.Column('capture_token', sa.String(length=64), nullable=False),
    sa.Column('capture_closed_at', foros.core.types.UTCDateTime(), nullable=True),
    sa.Column('created_at', foros.core.types.UTCDateTime(), nullable=False),
    sa.CheckConstraint('number > 0', name=op.f('ck_networking_tables_number_positive')),
    sa.ForeignKeyConstraint(['session_id'], ['agenda_sessions.id'], name=op.f('fk_networking_tables_session_id_agenda_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_networking_tables')),
    sa.UniqueConstraint('capture_token', name=op.f('uq_networking_tables_capture_token')),
    sa.UniqueConstraint('session_id', 'number', name='session_number')
    )
    with op.batch_alter_table('networking_tables', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_networking_tables_session_id'), ['session_id'], unique=False)

    op.create_table('conclusion_history',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conclusion_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.Enum('created', 'edited', 'themes', 'merged', 'split', 'reordered', 'approved', 'reopened', 'published', 'withdrawn', name='historyaction', native_enum=False, length=20), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('at', foros.core.types.UTCDateTime(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['conclusion_id'], ['consolidated_conclusions.id'], name=op.f('fk_conclusion_history_conclusion_id_consolidated_conclusions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_conclusion_history_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conclusion_history'))
    )
    with op.batch_alter_table('conclusion_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conclusion_history_conclusion_id'), ['conclusion_id'], unique=False)

    op.create_table('conclusion_supports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conclusion_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('created_at', foros.core.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['conclusion_id'], ['consolidated_conclusions.id'], name=op.f('fk_conclusion_supports_conclusion_id_consolidated_conclusions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_conclusion_supports_registration_id_registrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conclusion_supports')),
    sa.UniqueConstraint('conclusion_id', 'registration_id', name='conclusion_registration')
    )
    with op.batch_alter_table('conclusion_supports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conclusion_supports_registration_id'), ['registration_id'], unique=False)

    op.create_table('consolidated_conclusion_themes',
    sa.Column('conclusion_id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['conclusion_id'], ['consolidated_conclusions.id'], name=op.f('fk_consolidated_conclusion_themes_conclusion_id_consolidated_conclusions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['theme_id'], ['conclusion_themes.id'], name=op.f('fk_consolidated_conclusion_themes_theme_id_conclusion_themes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('conclusion_id', 'theme_id', name=op.f('pk_consolidated_conclusion_themes'))
    )
    with op.batch_alter_table('consolidated_conclusion_themes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consolidated_conclusion_themes_theme_id'), ['theme_id'], unique=False)

    op.create_table('state_agenda_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agenda_id', sa.Integer(), nullable=False),
    sa.Column('conclusion_id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['agenda_id'], ['state_agendas.id'], name=op.f('fk_state_agenda_items_agenda_id_state_agendas'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['conclusion_id'], ['consolidated_conclusions.id'], name=op.f('fk_state_agenda_items_conclusion_id_consolidated_conclusions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['theme_id'], ['conclusion_themes.id'], name=op.f('fk_state_agenda_items_theme_id_conclusion_themes'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_state_agenda_items')),
    sa.UniqueConstraint('agenda_id', 'conclusion_id', name='agenda_conclusion')
    )
    with op.batch_alter_table('state_agenda_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_state_agenda_items_agenda_id'), ['agenda_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_state_agenda_items_conclusion_id'), ['conclusion_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_state_agenda_items_theme_id'), ['theme_id'], unique=False)

    op.create_table('table_conclusions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('table_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('backing_sectors', sa.String(length=300), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('client_uuid', sa.String(length=36), nullable=True),
    sa.Column('created_at', foros.core.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', foros.core.types.UTCDateTime(), nullable=False),
    sa.Column('deleted_at', foros.core.types.UTCDateTime(), nullable=True),
    sa.CheckConstraint('version > 0', name=op.f('ck_table_conclusions_version_positive')),
    sa.ForeignKeyConstraint(['table_id'], ['networking_tables.id'], name=op.f('fk_table_conclusions_table_id_networking_tables'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_table_conclusions')),
    sa.UniqueConstraint('table_id', 'client_uuid', name='table_client_uuid')
    )
    with op.batch_alter_table('table_conclusions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_table_conclusions_table_id'), ['table_id'], unique=False)

    op.create_table('table_seats',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('table_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.Enum('manual', 'auto', 'late', name='seatsource', native_enum=False, length=20), nullable=False),
    sa.Column('seated_at', foros.core.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_table_seats_registration_id_registrations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['agenda_sessions.id'], name=op.f('fk_table_seats_session_id_agenda_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['table_id'], ['networking_tables.id'], name=op.f('fk_table_seats_table_id_networking_tables'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_table_seats')),
    sa.UniqueConstraint('session_id', 'registration_id', name='session_registration')
    )
    with op.batch_alter_table('table_seats', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_table_seats_registration_id'), ['registration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_table_seats_table_id'), ['table_id'], unique=False)

    op.create_table('consolidated_sources',
    sa.Column('consolidated_id', sa.Integer(), nullable=False),
    sa.Column('table_conclusion_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['consolidated_id'], ['consolidated_conclusions.id'], name=op.f('fk_consolidated_sources_consolidated_id_consolidated_conclusions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['table_conclusion_id'], ['table_conclusions.id'], name=op.f('fk_consolidated_sources_table_conclusion_id_table_conclusions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('consolidated_id', 'table_conclusion_id', name=op.f('pk_consolidated_sources'))
    )
    with op.batch_alter_table('consolidated_sources', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consolidated_sources_table_conclusion_id'), ['table_conclusion_id'], unique=False)

    op.create_table('table_conclusion_themes',
    sa.Column('conclusion_id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['conclusion_id'], ['table_conclusions.id'], name=op.f('fk_table_conclusion_themes_conclusion_id_table_conclusions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['theme_id'], ['conclusion_themes.id'], name=op.f('fk_table_conclusion_themes_theme_id_conclusion_themes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('conclusion_id', 'theme_id', name=op.f('pk_table_conclusion_themes'))
    )
    with op.batch_alter_table('table_conclusion_themes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_table_conclusion_themes_theme_id'), ['theme_id'], unique=False)



def downgrade():
    with op.batch_alter_table('table_conclusion_themes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_table_conclusion_themes_theme_id'))

    op.drop_table('table_conclusion_themes')
    with op.batch_alter_table('consolidated_sources', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consolidated_sources_table_conclusion_id'))

    op.drop_table('consolidated_sources')
    with op.batch_alter_table('table_seats', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_table_seats_table_id'))
        batch_op.drop_index(batch_op.f('ix_table_seats_registration_id'))

    op.drop_table('table_seats')
    with op.batch_alter_table('table_conclusions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_table_conclusions_table_id'))

    op.drop_table('table_conclusions')
    with op.batch_alter_table('state_agenda_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_state_agenda_items_theme_id'))
        batch_op.drop_index(batch_op.f('ix_state_agenda_items_conclusion_id'))
        batch_op.drop_index(batch_op.f('ix_state_agenda_items_agenda_id'))

    op.drop_table('state_agenda_items')
    with op.batch_alter_table('consolidated_conclusion_themes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consolidated_conclusion_themes_theme_id'))

    op.drop_table('consolidated_conclusion_themes')
    with op.batch_alter_table('conclusion_supports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conclusion_supports_registration_id'))

    op.drop_table('conclusion_supports')
    with op.batch_alter_table('conclusion_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conclusion_history_conclusion_id'))

    op.drop_table('conclusion_history')
    with op.batch_alter_table('networking_tables', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_networking_tables_session_id'))

    op.drop_table('networking_tables')
    with op.batch_alter_table('consolidated_conclusions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consolidated_conclusions_session_id'))

    op.drop_table('consolidated_conclusions')
    op.drop_table('state_agendas')
    op.drop_table('conclusion_themes')
