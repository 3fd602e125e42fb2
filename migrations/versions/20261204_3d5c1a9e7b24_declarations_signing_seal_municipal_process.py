"""declarations (issue 15): templates, declarations, versions, signatory roles (seeded), signatories, signatures,
signing links and one-time codes (hashed), the audit trail, scanned copies, sealed final documents, municipal
processes and their milestones

Revision ID: 3d5c1a9e7b24
Revises: dca007414aa5
Create Date: 2026-12-04 10:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

import foros.core.types

# The seeded signatory roles, written here (not imported) so the migration never changes with the code.
ROLES = [
    ("presidencia_municipal", "Presidencia municipal", 10),
    ("organo_garante", "Órgano garante", 20),
    ("sistema_nacional", "Sistema Nacional de Transparencia", 30),
    ("comite_participacion", "Comité de Participación Ciudadana", 40),
    ("sociedad_civil", "Sociedad civil", 50),
    ("testigo_honor", "Testigo de honor", 60),
]


# revision identifiers, used by Alembic.
revision = '3d5c1a9e7b24'
down_revision = 'dca007414aa5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('declaration_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=250), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', foros.core.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', foros.core.types.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_declaration_templates')),
    sa.UniqueConstraint('name', name=op.f('uq_declaration_templates_name'))
    )
    op.create_table('municipal_processes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_key', sa.String(length=5), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_at', foros.core.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', foros.core.types.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_municipal_processes')),
    sa.UniqueConstraint('municipality_key', name=op.f('uq_municipal_processes_municipality_key'))
    )
    roles = op.create_table('signatory_roles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=True),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signatory_roles')),
    sa.UniqueConstraint('key', name=op.f('uq_signatory_roles_key')),
    sa.UniqueConstraint('name', name=op.f('uq_signatory_roles_name'))
    )
    op.bulk_insert(roles, [{"key": key, "name": name, "position": position, "is_active": True}
                           for key, name, position in ROLES])
    op.create_table('declarations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_key', sa.String(length=5), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('template_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=250), nullable=False),
    sa.Column('place', sa.String(length=250), nullable=False),
    sa.Column('signing_date', sa.Date(), nullable=True),
    sa.Column('status', sa.Enum('draft', 'signing', 'signed', 'postponed', 'cancelled', name='declarationstatus', native_enum=False, length=20), nullable=False),
    sa.Column('status_reason', sa.Text(), nullable=False),
    sa.Column('expected_date', sa.Date(), nullable=True),
    sa.Column('verification_code', sa.String(length=24), nullable=False),
    sa.Column('signing_opened_at', foros.core.types.UTCDateTime(), nullable=True),
    sa.Column('signed_at', foros.core.types.UTCDateTime(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', foros.core.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', foros.core.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_declarations_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_declarations_event_id_events'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['template_id'], ['declaration_templates.id'], name=op.f('fk_declarations_template_id_declaration_templates'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_declarations')),
    sa.UniqueConstraint('verification_code', name=op.f('uq_declarations_verification_code'))
    )
    with op.batch_alter_table('declarations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_declarations_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_declarations_municipality_key'), ['municipality_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_declarations_status'), ['status'], unique=False)

    op.create_table('declaration_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('declaration_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('content_sha256', sa.String(length=64), nullable=True),
    sa.Column('document_pdf', sa.LargeBinary(), nullable=True),
    sa.Column('fixed_at', foros.core.types.UTCDateTime(), nullable=True),
    sa.Column('voided_at', foros.core.types.UTCDateTime(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', foros.core.types.UTCDateTime(), nullable=False),
    sa.CheckConstraint('number > 0', name=op.f('ck_declaration_versions_number_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_declaration_versions_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['declaration_id'], ['declarations.id'], name=op.f('fk_declaration_versions_declaration_id_declarations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_declaration_versions')),
    sa.UniqueConstraint('declaration_id', 'number', name='declaration_number')
    )
    with op.batch_alter_table('declaration_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_declaration_versions_content_sha256'), ['content_sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_declaration_versions_declaration_id'), ['declaration_id'], unique=False)

    op.create_table('process_milestones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('forum', 'call', 'signing', 'secretariat', 'action_plan', name='milestonekind', native_enum=False, length=20), nullable=False),
    sa.Column('status', sa.Enum('pending', 'scheduled', 'in_progress', 'done', 'postponed', 'cancelled', name='milestonestatus', native_enum=False, length=20), nullable=False),
    sa.Column('planned_date', sa.Date(), nullable=True),
    sa.Column('actual_date', sa.Date(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('declaration_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', foros.core.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['declaration_id'], ['declarations.id'], name=op.f('fk_process_milestones_declaration_id_declarations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_process_milestones_event_id_events'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['process_id'], ['municipal_processes.id'], name=op.f('fk_process_milestones_process_id_municipal_processes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_process_milestones')),
    sa.UniqueConstraint('process_id', 'kind', name='process_kind')
    )
    with op.batch_alter_table('process_milestones', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_process_milestones_process_id'), ['process_id'], unique=False)

    op.create_table('signatories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('declaration_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('position', sa.String(length=200), nullable=False),
    sa.Column('institution', sa.String(length=250), nullable=False),
    sa.Column('role_id', sa.Integer(), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('signing_order', sa.Integer(), nullable=True),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'invited', 'viewed', 'signed', 'declined', name='signatorystatus', native_enum=False, length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('method', sa.Enum('electronic', 'autograph', name='signingmethod', native_enum=False, length=20), nullable=True),
    sa.Column('invited_at', foros.core.types.UTCDateTime(), nullable=True),
    sa.Column('viewed_at', foros.core.types.UTCDateTime(), nullable=True),
    sa.Column('signed_at', foros.core.types.UTCDateTime(), nullable=True),
    sa.Column('declined_at', foros.core.types.UTCDateTime(), nullable=True),
    sa.Column('last_reminded_at', foros.core.types.UTCDateTime(), nullable=True),
    sa.Column('created_at', foros.core.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['declaration_id'], ['declarations.id'], name=op.f('fk_signatories_declaration_id_declarations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['role_id'], ['signatory_roles.id'], name=op.f('fk_signatories_role_id_signatory_roles'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signatories'))
    )
    with op.batch_alter_table('signatories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signatories_declaration_id'), ['declaration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_signatories_role_id'), ['role_id'], unique=False)

    op.create_table('declaration_final_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('declaration_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('sealed_at', foros.core.types.UTCDateTime(), nullable=False),
    sa.Column('seal_subject', sa.String(length=300), nullable=False),
    sa.Column('timestamped', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['declaration_id'], ['declarations.id'], name=op.f('fk_declaration_final_documents_declaration_id_declarations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['declaration_versions.id'], name=op.f('fk_declaration_final_documents_version_id_declaration_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_declaration_final_documents')),
    sa.UniqueConstraint('version_id', name=op.f('uq_declaration_final_documents_version_id'))
    )
    with op.batch_alter_table('declaration_final_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_declaration_final_documents_declaration_id'), ['declaration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_declaration_final_documents_sha256'), ['sha256'], unique=False)

    op.create_table('declaration_scans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('declaration_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=True),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=True),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', foros.core.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['declaration_id'], ['declarations.id'], name=op.f('fk_declaration_scans_declaration_id_declarations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_declaration_scans_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['version_id'], ['declaration_versions.id'], name=op.f('fk_declaration_scans_version_id_declaration_versions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_declaration_scans'))
    )
    with op.batch_alter_table('declaration_scans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_declaration_scans_declaration_id'), ['declaration_id'], unique=False)

    op.create_table('declaration_trail',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('declaration_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=True),
    sa.Column('signatory_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('created', 'signing_opened', 'version_created', 'sent', 'reminded', 'viewed', 'code_sent', 'code_verified', 'code_failed', 'signed', 'declined', 'voided', 'autograph_recorded', 'scan_uploaded', 'completed', 'sealed', name='trailkind', native_enum=False, length=30), nullable=False),
    sa.Column('at', foros.core.types.UTCDateTime(), nullable=False),
    sa.Column('ip', sa.String(length=45), nullable=False),
    sa.Column('user_agent', sa.String(length=500), nullable=False),
    sa.Column('document_sha256', sa.String(length=64), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['declaration_id'], ['declarations.id'], name=op.f('fk_declaration_trail_declaration_id_declarations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['signatory_id'], ['signatories.id'], name=op.f('fk_declaration_trail_signatory_id_signatories'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['version_id'], ['declaration_versions.id'], name=op.f('fk_declaration_trail_version_id_declaration_versions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_declaration_trail'))
    )
    with op.batch_alter_table('declaration_trail', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_declaration_trail_declaration_id'), ['declaration_id'], unique=False)

    op.create_table('signature_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('signatory_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('method', sa.Enum('electronic', 'autograph', name='signingmethod', native_enum=False, length=20), nullable=False),
    sa.Column('drawn_png', sa.LargeBinary(), nullable=True),
    sa.Column('typed_name', sa.String(length=200), nullable=False),
    sa.Column('consent_text', sa.Text(), nullable=False),
    sa.Column('signed_at', foros.core.types.UTCDateTime(), nullable=False),
    sa.Column('ip', sa.String(length=45), nullable=False),
    sa.Column('user_agent', sa.String(length=500), nullable=False),
    sa.Column('document_sha256', sa.String(length=64), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('voided_at', foros.core.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_signature_records_recorded_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['signatory_id'], ['signatories.id'], name=op.f('fk_signature_records_signatory_id_signatories'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['declaration_versions.id'], name=op.f('fk_signature_records_version_id_declaration_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signature_records'))
    )
    with op.batch_alter_table('signature_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signature_records_signatory_id'), ['signatory_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_signature_records_version_id'), ['version_id'], unique=False)

    op.create_table('signing_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('signatory_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', foros.core.types.UTCDateTime(), nullable=False),
    sa.Column('expires_at', foros.core.types.UTCDateTime(), nullable=False),
    sa.Column('used_at', foros.core.types.UTCDateTime(), nullable=True),
    sa.Column('revoked_at', foros.core.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['signatory_id'], ['signatories.id'], name=op.f('fk_signing_links_signatory_id_signatories'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signing_links')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_signing_links_token_hash'))
    )
    with op.batch_alter_table('signing_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signing_links_signatory_id'), ['signatory_id'], unique=False)

    op.create_table('one_time_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('signatory_id', sa.Integer(), nullable=False),
    sa.Column('link_id', sa.Integer(), nullable=True),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', foros.core.types.UTCDateTime(), nullable=False),
    sa.Column('expires_at', foros.core.types.UTCDateTime(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('verified_at', foros.core.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['link_id'], ['signing_links.id'], name=op.f('fk_one_time_codes_link_id_signing_links'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['signatory_id'], ['signatories.id'], name=op.f('fk_one_time_codes_signatory_id_signatories'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_one_time_codes'))
    )
    with op.batch_alter_table('one_time_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_one_time_codes_signatory_id'), ['signatory_id'], unique=False)



def downgrade():
    with op.batch_alter_table('one_time_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_one_time_codes_signatory_id'))

    op.drop_table('one_time_codes')
    with op.batch_alter_table('signing_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signing_links_signatory_id'))

    op.drop_table('signing_links')
    with op.batch_alter_table('signature_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signature_records_version_id'))
        batch_op.drop_index(batch_op.f('ix_signature_records_signatory_id'))

    op.drop_table('signature_records')
    with op.batch_alter_table('declaration_trail', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_declaration_trail_declaration_id'))

    op.drop_table('declaration_trail')
    with op.batch_alter_table('declaration_scans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_declaration_scans_declaration_id'))

    op.drop_table('declaration_scans')
    with op.batch_alter_table('declaration_final_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_declaration_final_documents_sha256'))
        batch_op.drop_index(batch_op.f('ix_declaration_final_documents_declaration_id'))

    op.drop_table('declaration_final_documents')
    with op.batch_alter_table('signatories', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signatories_role_id'))
        batch_op.drop_index(batch_op.f('ix_signatories_declaration_id'))

    op.drop_table('signatories')
    with op.batch_alter_table('process_milestones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_process_milestones_process_id'))

    op.drop_table('process_milestones')
    with op.batch_alter_table('declaration_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_declaration_versions_declaration_id'))
        batch_op.drop_index(batch_op.f('ix_declaration_versions_content_sha256'))

    op.drop_table('declaration_versions')
    with op.batch_alter_table('declarations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_declarations_status'))
        batch_op.drop_index(batch_op.f('ix_declarations_municipality_key'))
        batch_op.drop_index(batch_op.f('ix_declarations_event_id'))

    op.drop_table('declarations')
    op.drop_table('signatory_roles')
    op.drop_table('municipal_processes')
    op.drop_table('declaration_templates')
