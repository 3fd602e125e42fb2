"""Joint declarations (issue 15): the "Declaratoria Conjunta" a municipality and the institute sign after a
forum, its versions and signatories, how each signature was given, the audit trail behind the sealed final PDF,
and the municipal process around it (forum → convocatoria → firma → Secretariado Técnico → Plan de Acción).

A ``Declaration`` belongs to a municipality (catalogue key) and optionally to a forum (``Event``). Its text lives
in ``DeclarationVersion`` rows: the SHA-256 of the rendered PDF bytes is fixed when signing opens; an edit after
that makes a new version and voids the signatures given on the old one (``voided_at``). ``Signatory`` rows carry
the person, their ``SignatoryRole`` (an editable list) and their state; each signature is a ``SignatureRecord``
tied to the version and to the hash of the document that was signed. Links and one-time codes are stored only
as SHA-256 hashes. ``AuditTrailEvent`` rows are what the final PDF's certificate page prints. ``FinalDocument``
holds the sealed PDF (PAdES) and its hash; ``ScannedCopy`` the organizer's scan of the autograph copy.
"""

import enum
import secrets
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from foros.core.editable_list import EditableList, seed_rows, seed_when_created
from foros.core.time import utcnow
from foros.core.types import UTCDateTime, enum_type
from foros.extensions import db

#: The roles every installation starts with: (stable key, name, position). Organizers may rename them, add
#: others or retire them (the issue: "presidencia municipal, órgano garante, … — editable").
DEFAULT_SIGNATORY_ROLES = [
    ("presidencia_municipal", "Presidencia municipal", 10),
    ("organo_garante", "Órgano garante", 20),
    ("sistema_nacional", "Sistema Nacional de Transparencia", 30),
    ("comite_participacion", "Comité de Participación Ciudadana", 40),
    ("sociedad_civil", "Sociedad civil", 50),
    ("testigo_honor", "Testigo de honor", 60),
]

#: Crockford's base32 (no I, L, O, U): a verification code is read from paper and typed by people.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
#: Length of a verification code (16 characters: 80 bits).
CODE_LENGTH = 16


def new_verification_code() -> str:
    """A declaration's public verification code: random, opaque (never derived from the id)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class SignatoryRole(EditableList, db.Model):
    """A role a signatory signs in (presidencia municipal, órgano garante…): one editable list."""

    __tablename__ = "signatory_roles"

    name: Mapped[str] = mapped_column(String(120), unique=True)


def seed_signatory_roles(connection) -> None:
    """Insert the default roles (as the migration does); for a freshly created or emptied table."""
    seed_rows(connection, SignatoryRole, DEFAULT_SIGNATORY_ROLES)


seed_when_created(SignatoryRole, DEFAULT_SIGNATORY_ROLES)


class DeclarationTemplate(db.Model):
    """An editable model text with placeholders ({municipio}, {fecha}, {lugar}, {firmantes}…)."""

    __tablename__ = "declaration_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    #: Default title of declarations made from it (may hold placeholders too).
    title: Mapped[str] = mapped_column(String(250), default="")
    #: The text with placeholders; paragraphs separated by blank lines.
    body: Mapped[str] = mapped_column(Text)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    def __repr__(self):
        return f"<DeclarationTemplate {self.id} {self.name!r}>"


class DeclarationStatus(enum.StrEnum):
    """borrador → en firma → firmada, or pospuesta (reason, expected date) or cancelada."""

    DRAFT = "draft"
    SIGNING = "signing"
    SIGNED = "signed"
    POSTPONED = "postponed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {
            "draft": "Borrador",
            "signing": "En firma",
            "signed": "Firmada",
            "postponed": "Pospuesta",
            "cancelled": "Cancelada",
        }[self.value]


class Declaration(db.Model):
    """A joint declaration of one municipality, optionally tied to a forum."""

    __tablename__ = "declarations"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Municipality catalogue key (foros.core.municipalities).
    municipality_key: Mapped[str] = mapped_column(String(5), index=True)
    #: The forum it follows from; NULL when not tied to an event.
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"), nullable=True,
                                                 index=True)
    #: The template it was made from (kept for reference; the text lives in its versions).
    template_id: Mapped[int | None] = mapped_column(ForeignKey("declaration_templates.id", ondelete="SET NULL"),
                                                    nullable=True)
    title: Mapped[str] = mapped_column(String(250))
    #: Place of signing ({lugar}).
    place: Mapped[str] = mapped_column(String(250), default="")
    #: Planned or actual signing date ({fecha}); NULL: not set yet.
    signing_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[DeclarationStatus] = mapped_column(enum_type(DeclarationStatus),
                                                      default=DeclarationStatus.DRAFT, index=True)
    #: Reason of the last postponement or cancellation (shown on the board); empty otherwise.
    status_reason: Mapped[str] = mapped_column(Text, default="")
    #: When a postponed declaration is expected to resume; NULL when unknown or not postponed.
    expected_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    #: Public verification code (footer, QR, /declaratorias/verificar/<code>): random, not the id.
    verification_code: Mapped[str] = mapped_column(String(24), unique=True, default=new_verification_code)
    #: When signing was (last) opened; NULL while never opened.
    signing_opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: When the last signature completed it; NULL until signed.
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    event = relationship("Event")
    template = relationship("DeclarationTemplate")
    created_by = relationship("User")
    versions = relationship("DeclarationVersion", back_populates="declaration", cascade="all, delete-orphan",
                            order_by="DeclarationVersion.number")
    signatories = relationship("Signatory", back_populates="declaration", cascade="all, delete-orphan",
                               order_by="(Signatory.sort_order, Signatory.id)")
    trail = relationship("AuditTrailEvent", back_populates="declaration", cascade="all, delete-orphan",
                         order_by="(AuditTrailEvent.at, AuditTrailEvent.id)")
    scanned_copies = relationship("ScannedCopy", back_populates="declaration", cascade="all, delete-orphan",
                                  order_by="ScannedCopy.id")
    final_documents = relationship("FinalDocument", back_populates="declaration", cascade="all, delete-orphan",
                                   order_by="FinalDocument.id")

    @property
    def current_version(self):
        """The newest version (the one being edited or signed); None before the first is written."""
        return self.versions[-1] if self.versions else None

    @property
    def final_document(self):
        """The sealed final PDF of the current version, if it was made."""
        version = self.current_version
        for final in reversed(self.final_documents):
            if version is not None and final.version_id == version.id:
                return final
        return None

    def __repr__(self):
        return f"<Declaration {self.id} {self.municipality_key} {self.status}>"


class DeclarationVersion(db.Model):
    """One version of a declaration's text; its PDF and SHA-256 are fixed when signing opens."""

    __tablename__ = "declaration_versions"
    __table_args__ = (
        UniqueConstraint("declaration_id", "number", name="declaration_number"),
        CheckConstraint("number > 0", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declarations.id", ondelete="CASCADE"), index=True)
    #: 1, 2, 3… per declaration.
    number: Mapped[int] = mapped_column(Integer)
    #: The text with placeholders already filled in; paragraphs separated by blank lines.
    body: Mapped[str] = mapped_column(Text)
    #: SHA-256 (hex) of ``document_pdf``, fixed when signing opens; NULL while a draft.
    content_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    #: The document as rendered when signing opened (the exact bytes people read and sign).
    document_pdf: Mapped[bytes | None] = deferred(mapped_column(LargeBinary, nullable=True))
    #: When the content was fixed (signing opened on this version); NULL while editable.
    fixed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: When a later edit replaced it (its signatures are void); NULL while current.
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    declaration = relationship("Declaration", back_populates="versions")
    created_by = relationship("User")

    @property
    def is_fixed(self) -> bool:
        return self.content_sha256 is not None

    def __repr__(self):
        return f"<DeclarationVersion {self.declaration_id} v{self.number}>"


class SignatoryStatus(enum.StrEnum):
    """pendiente → invitado → visto → firmado, or rechazado (with a reason)."""

    PENDING = "pending"
    INVITED = "invited"
    VIEWED = "viewed"
    SIGNED = "signed"
    DECLINED = "declined"

    @property
    def label(self) -> str:
        return {
            "pending": "Pendiente",
            "invited": "Invitado",
            "viewed": "Visto",
            "signed": "Firmado",
            "declined": "Rechazado",
        }[self.value]


class SigningMethod(enum.StrEnum):
    """Electronic (link, code, drawing or typed name) or autograph at the event."""

    ELECTRONIC = "electronic"
    AUTOGRAPH = "autograph"

    @property
    def label(self) -> str:
        return {"electronic": "Electrónica", "autograph": "Autógrafa en el evento"}[self.value]


class Signatory(db.Model):
    """A person who signs a declaration: who they are, their role and where they stand."""

    __tablename__ = "signatories"

    id: Mapped[int] = mapped_column(primary_key=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declarations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    #: Cargo ("Presidenta Municipal Constitucional").
    position: Mapped[str] = mapped_column(String(200), default="")
    institution: Mapped[str] = mapped_column(String(250), default="")
    role_id: Mapped[int | None] = mapped_column(ForeignKey("signatory_roles.id", ondelete="SET NULL"),
                                                nullable=True, index=True)
    email: Mapped[str] = mapped_column(String(254), default="")
    #: Signing order (1 signs first); NULL: any time. Equal numbers may sign in any order among themselves.
    signing_order: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: Order of the signature blocks in the document (ascending).
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[SignatoryStatus] = mapped_column(enum_type(SignatoryStatus), default=SignatoryStatus.PENDING)
    #: Decline reason (rechazado); empty otherwise.
    reason: Mapped[str] = mapped_column(Text, default="")
    #: How they signed; NULL until signed.
    method: Mapped[SigningMethod | None] = mapped_column(enum_type(SigningMethod), nullable=True)
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    viewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: Last reminder e-mail (one click or the periodic task); NULL: never reminded.
    last_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    declaration = relationship("Declaration", back_populates="signatories")
    role = relationship("SignatoryRole")
    signatures = relationship("SignatureRecord", back_populates="signatory", cascade="all, delete-orphan",
                              order_by="SignatureRecord.id")
    links = relationship("SigningLink", back_populates="signatory", cascade="all, delete-orphan",
                         order_by="SigningLink.id")
    codes = relationship("OneTimeCode", back_populates="signatory", cascade="all, delete-orphan",
                         order_by="OneTimeCode.id")

    @property
    def current_signature(self):
        """The signature given on the declaration's current version and not voided, if any."""
        version = self.declaration.current_version
        for record in reversed(self.signatures):
            if version is not None and record.version_id == version.id and record.voided_at is None:
                return record
        return None

    def __repr__(self):
        return f"<Signatory {self.id} declaration={self.declaration_id} {self.status}>"


class SignatureRecord(db.Model):
    """One signature given on one version: the drawing or typed name, when, from where, on which hash."""

    __tablename__ = "signature_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    signatory_id: Mapped[int] = mapped_column(ForeignKey("signatories.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("declaration_versions.id", ondelete="CASCADE"),
                                            index=True)
    method: Mapped[SigningMethod] = mapped_column(enum_type(SigningMethod))
    #: The drawn signature as PNG (electronic, drawn); NULL otherwise.
    drawn_png: Mapped[bytes | None] = deferred(mapped_column(LargeBinary, nullable=True))
    #: The typed name (electronic, typed); empty otherwise.
    typed_name: Mapped[str] = mapped_column(String(200), default="")
    #: The consent text the signatory accepted, as shown to them.
    consent_text: Mapped[str] = mapped_column(Text, default="")
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Client address (electronic) or empty (autograph recorded by an organizer).
    ip: Mapped[str] = mapped_column(String(45), default="")
    user_agent: Mapped[str] = mapped_column(String(500), default="")
    #: SHA-256 of the version's document the signature was given on.
    document_sha256: Mapped[str] = mapped_column(String(64))
    #: The organizer who recorded an autograph signature; NULL for electronic ones.
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                       nullable=True)
    #: When an edit made a new version (this signature no longer counts); NULL while valid.
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    signatory = relationship("Signatory", back_populates="signatures")
    version = relationship("DeclarationVersion")
    recorded_by = relationship("User")

    def __repr__(self):
        return f"<SignatureRecord {self.id} signatory={self.signatory_id} version={self.version_id}>"


class SigningLink(db.Model):
    """A signatory's personal signing link: only the SHA-256 of its token is stored."""

    __tablename__ = "signing_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    signatory_id: Mapped[int] = mapped_column(ForeignKey("signatories.id", ondelete="CASCADE"), index=True)
    #: SHA-256 (hex) of the token in the URL; the token itself is only in the e-mail.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: When it was used to sign or decline (then it no longer opens); NULL while unused.
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: When a newer link or a new version replaced it; NULL while valid.
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    signatory = relationship("Signatory", back_populates="links")

    def __repr__(self):
        return f"<SigningLink {self.id} signatory={self.signatory_id}>"


class OneTimeCode(db.Model):
    """A one-time code sent by e-mail to confirm a signature: hashed, expiring, with counted attempts."""

    __tablename__ = "one_time_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    signatory_id: Mapped[int] = mapped_column(ForeignKey("signatories.id", ondelete="CASCADE"), index=True)
    #: The link it was asked from; NULL if the link row is gone.
    link_id: Mapped[int | None] = mapped_column(ForeignKey("signing_links.id", ondelete="SET NULL"),
                                                nullable=True)
    #: SHA-256 (hex) of the code, salted with the link's token hash by the service.
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: Wrong tries so far; the service refuses the code after its limit.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: When the right code was entered; NULL while unverified.
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    signatory = relationship("Signatory", back_populates="codes")
    link = relationship("SigningLink")

    def __repr__(self):
        return f"<OneTimeCode {self.id} signatory={self.signatory_id} attempts={self.attempts}>"


class TrailKind(enum.StrEnum):
    """What an audit-trail event records (printed on the final PDF's certificate page)."""

    CREATED = "created"
    SIGNING_OPENED = "signing_opened"
    VERSION_CREATED = "version_created"
    SENT = "sent"
    REMINDED = "reminded"
    VIEWED = "viewed"
    CODE_SENT = "code_sent"
    CODE_VERIFIED = "code_verified"
    CODE_FAILED = "code_failed"
    SIGNED = "signed"
    DECLINED = "declined"
    VOIDED = "voided"
    AUTOGRAPH_RECORDED = "autograph_recorded"
    SCAN_UPLOADED = "scan_uploaded"
    COMPLETED = "completed"
    SEALED = "sealed"

    @property
    def label(self) -> str:
        return TRAIL_KIND_LABELS[self]


TRAIL_KIND_LABELS = {
    TrailKind.CREATED: "Creada",
    TrailKind.SIGNING_OPENED: "Firma abierta",
    TrailKind.VERSION_CREATED: "Nueva versión",
    TrailKind.SENT: "Invitación enviada",
    TrailKind.REMINDED: "Recordatorio enviado",
    TrailKind.VIEWED: "Documento visto",
    TrailKind.CODE_SENT: "Código enviado",
    TrailKind.CODE_VERIFIED: "Código verificado",
    TrailKind.CODE_FAILED: "Código incorrecto",
    TrailKind.SIGNED: "Firmado",
    TrailKind.DECLINED: "Rechazado",
    TrailKind.VOIDED: "Firma anulada",
    TrailKind.AUTOGRAPH_RECORDED: "Firma autógrafa registrada",
    TrailKind.SCAN_UPLOADED: "Copia escaneada cargada",
    TrailKind.COMPLETED: "Firmas completas",
    TrailKind.SEALED: "Documento final sellado",
}


class AuditTrailEvent(db.Model):
    """One event in a declaration's signing history: kind, time, who, from where, on which document hash."""

    __tablename__ = "declaration_trail"

    id: Mapped[int] = mapped_column(primary_key=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declarations.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("declaration_versions.id", ondelete="SET NULL"),
                                                   nullable=True)
    signatory_id: Mapped[int | None] = mapped_column(ForeignKey("signatories.id", ondelete="SET NULL"),
                                                     nullable=True)
    kind: Mapped[TrailKind] = mapped_column(enum_type(TrailKind, length=30))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ip: Mapped[str] = mapped_column(String(45), default="")
    user_agent: Mapped[str] = mapped_column(String(500), default="")
    #: SHA-256 of the version's document at the time; empty before signing opened.
    document_sha256: Mapped[str] = mapped_column(String(64), default="")
    #: Extra facts (decline reason, organizer id, version numbers…).
    details: Mapped[dict] = mapped_column(JSON, default=dict)

    declaration = relationship("Declaration", back_populates="trail")
    version = relationship("DeclarationVersion")
    signatory = relationship("Signatory")

    def __repr__(self):
        return f"<AuditTrailEvent {self.declaration_id} {self.kind}>"


class ScannedCopy(db.Model):
    """The scan of the autograph-signed paper copy an organizer uploaded (a PDF, stored with its hash)."""

    __tablename__ = "declaration_scans"

    id: Mapped[int] = mapped_column(primary_key=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declarations.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("declaration_versions.id", ondelete="SET NULL"),
                                                   nullable=True)
    filename: Mapped[str] = mapped_column(String(255), default="")
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    declaration = relationship("Declaration", back_populates="scanned_copies")
    version = relationship("DeclarationVersion")
    uploaded_by = relationship("User")

    def __repr__(self):
        return f"<ScannedCopy {self.id} declaration={self.declaration_id}>"


class FinalDocument(db.Model):
    """The final PDF of a fully signed version: signatures placed, certificate page, PAdES seal."""

    __tablename__ = "declaration_final_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declarations.id", ondelete="CASCADE"), index=True)
    #: The version it was made from (one final document per version).
    version_id: Mapped[int] = mapped_column(ForeignKey("declaration_versions.id", ondelete="CASCADE"),
                                            unique=True)
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    #: SHA-256 (hex) of ``content``: what the public verification compares uploads with.
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    sealed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Subject of the sealing certificate (for the verification page).
    seal_subject: Mapped[str] = mapped_column(String(300), default="")
    #: Whether a timestamp authority's token was embedded.
    timestamped: Mapped[bool] = mapped_column(default=False)

    declaration = relationship("Declaration", back_populates="final_documents")
    version = relationship("DeclarationVersion")

    def __repr__(self):
        return f"<FinalDocument {self.id} declaration={self.declaration_id}>"


class MilestoneKind(enum.StrEnum):
    """The municipal path, in order: forum → convocatoria → firma → Secretariado Técnico → Plan de Acción."""

    FORUM = "forum"
    CALL = "call"
    SIGNING = "signing"
    SECRETARIAT = "secretariat"
    ACTION_PLAN = "action_plan"

    @property
    def label(self) -> str:
        return {
            "forum": "Foro",
            "call": "Convocatoria",
            "signing": "Firma de la declaratoria",
            "secretariat": "Instalación del Secretariado Técnico Municipal",
            "action_plan": "Plan de Acción Municipal",
        }[self.value]


class MilestoneStatus(enum.StrEnum):
    """Where one milestone stands."""

    PENDING = "pending"
    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    POSTPONED = "postponed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {
            "pending": "Pendiente",
            "scheduled": "Programado",
            "in_progress": "En curso",
            "done": "Realizado",
            "postponed": "Pospuesto",
            "cancelled": "Cancelado",
        }[self.value]


class MunicipalProcess(db.Model):
    """One municipality's path toward its Technical Secretariat and Action Plan."""

    __tablename__ = "municipal_processes"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Municipality catalogue key; one process per municipality.
    municipality_key: Mapped[str] = mapped_column(String(5), unique=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    milestones = relationship("Milestone", back_populates="process", cascade="all, delete-orphan",
                              order_by="Milestone.id")

    def __repr__(self):
        return f"<MunicipalProcess {self.id} {self.municipality_key}>"


class Milestone(db.Model):
    """One step of a municipal process: planned and actual dates, status and notes."""

    __tablename__ = "process_milestones"
    __table_args__ = (UniqueConstraint("process_id", "kind", name="process_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("municipal_processes.id", ondelete="CASCADE"),
                                            index=True)
    kind: Mapped[MilestoneKind] = mapped_column(enum_type(MilestoneKind))
    status: Mapped[MilestoneStatus] = mapped_column(enum_type(MilestoneStatus), default=MilestoneStatus.PENDING)
    planned_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    actual_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    #: Free notes ("pospuesta por proceso electoral").
    notes: Mapped[str] = mapped_column(Text, default="")
    #: The forum (kind forum) or the declaration (kind signing) it refers to, when known.
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"), nullable=True)
    declaration_id: Mapped[int | None] = mapped_column(ForeignKey("declarations.id", ondelete="SET NULL"),
                                                       nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    process = relationship("MunicipalProcess", back_populates="milestones")
    event = relationship("Event")
    declaration = relationship("Declaration")

    def __repr__(self):
        return f"<Milestone {self.process_id} {self.kind} {self.status}>"
