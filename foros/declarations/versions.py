"""The document's life: fixing a version when signing opens (PDF bytes + SHA-256), a new version when the text
changes afterwards (voiding the signatures on the old one and telling the signatories), and the final sealed PDF
once everyone signed."""

import hashlib
import logging
from dataclasses import dataclass

from sqlalchemy import select

from foros.audit.services import record_action
from foros.core.errors import DomainError
from foros.core.municipalities import get_municipality
from foros.core.time import utcnow
from foros.declarations.document import render_document, render_final
from foros.declarations.models import (
    Declaration,
    DeclarationStatus,
    DeclarationVersion,
    FinalDocument,
    SignatoryStatus,
    SigningMethod,
    TrailKind,
)
from foros.declarations.seal import SealUnavailable, seal_pdf, signer_subject
from foros.declarations.signing import invite_due_signatories
from foros.declarations.signing_common import trail
from foros.extensions import db
from foros.mail.services import queue_message

log = logging.getLogger(__name__)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fix_version(declaration, version: DeclarationVersion) -> DeclarationVersion:
    """Render ``version`` and fix its bytes and their SHA-256 (what every signature will point at)."""
    if version.is_fixed:
        return version
    db.session.flush()  # signatories' roles and ids are read by the renderer
    pdf = render_document(declaration, version)
    version.document_pdf = pdf
    version.content_sha256 = sha256_hex(pdf)
    version.fixed_at = utcnow()
    return version


def open_signing(declaration, *, actor=None) -> DeclarationVersion:
    """Fix the current version's document (PDF + hash) and record that signing opened; the pending signatories
    whose turn it is get their links."""
    version = declaration.current_version
    if version is None:
        raise DomainError("no_version", "La declaratoria no tiene texto.", status=409)
    fix_version(declaration, version)
    declaration.signing_opened_at = utcnow()
    declaration.status = DeclarationStatus.SIGNING  # the links below need it; the caller sets it too
    trail(declaration, TrailKind.SIGNING_OPENED, version=version.number)
    db.session.flush()
    invite_due_signatories(declaration, actor)
    return version


def new_version(declaration, body: str, *, actor=None) -> DeclarationVersion:
    """The text changed after it was fixed: a new version (fixed at once while signing is open) replaces the
    old one, whose signatures are voided; every signatory is told and invited again."""
    old = declaration.current_version
    if old is None or not old.is_fixed:
        raise DomainError("version_not_fixed", "El texto aún no está fijado: se edita sin nueva versión.",
                          status=409)
    now = utcnow()
    old.voided_at = now
    version = DeclarationVersion(number=old.number + 1, body=body, created_by_id=getattr(actor, "id", None),
                                 created_at=now)
    declaration.versions.append(version)
    db.session.flush()
    before = {s.id: s.status for s in declaration.signatories}
    voided = _void_signatures(declaration, old, now)
    # Each signatory sent back to pendiente is a status change: the log says who was where.
    reset = [{"signatory": s.name, "previous_status": before[s.id].value, "status": s.status.value}
             for s in declaration.signatories if before[s.id] != s.status]
    if declaration.status == DeclarationStatus.SIGNING:
        fix_version(declaration, version)
    trail(declaration, TrailKind.VERSION_CREATED, version=version.number, previous=old.number,
          voided=len(voided))
    record_action(actor, "declaration.new_version", declaration, label=declaration.title,
                  details={"version": version.number, "previous": old.number,
                           "voided": [s.name for s in voided], "signatories": reset})
    _tell_signatories(declaration, old, version, voided)
    db.session.flush()
    if declaration.status == DeclarationStatus.SIGNING:
        invite_due_signatories(declaration, actor)
    return version


def _void_signatures(declaration, old: DeclarationVersion, now) -> list:
    """Void the signatures given on ``old``; every signatory starts again from pendiente."""
    voided = []
    for signatory in declaration.signatories:
        for record in signatory.signatures:
            if record.version_id == old.id and record.voided_at is None:
                record.voided_at = now
                voided.append(signatory)
                trail(declaration, TrailKind.VOIDED, signatory=signatory, version=old.number)
        for link in signatory.links:
            if link.used_at is None and link.revoked_at is None:
                link.revoked_at = now
        signatory.status = SignatoryStatus.PENDING
        signatory.method = None
        signatory.signed_at = signatory.viewed_at = signatory.declined_at = None
        signatory.reason = ""
    return voided


def _tell_signatories(declaration, old, version, voided) -> None:
    municipality = get_municipality(declaration.municipality_key)
    voided_ids = {s.id for s in voided}
    for signatory in declaration.signatories:
        if not signatory.email or (signatory.invited_at is None and signatory.id not in voided_ids):
            continue
        queue_message("declaration.new_version", signatory.email, "declarations/new_version",
                      name=signatory.name, title=declaration.title,
                      municipality=municipality.name if municipality else "", old_number=old.number,
                      number=version.number, voided=signatory.id in voided_ids,
                      signing=declaration.status == DeclarationStatus.SIGNING)


# --- the final document ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SealedFinal:
    """A final document rendered and sealed, not stored yet (``seal_final``)."""

    version_id: int
    content: bytes
    timestamped: bool
    #: How many of its signatures are autograph (for the audit entry).
    autograph: int


def _fixed_version(declaration) -> DeclarationVersion:
    version = declaration.current_version
    if version is None or not version.is_fixed:
        raise DomainError("not_signed", "La declaratoria no tiene un texto fijado.", status=409)
    return version


def seal_final(declaration) -> SealedFinal:
    """Render the final PDF of a fully signed declaration (signatures placed, audit-trail certificate) and seal
    it (with the timestamp authority's token when one is configured). Writes nothing."""
    version = _fixed_version(declaration)
    if any(s.status != SignatoryStatus.SIGNED for s in declaration.signatories):
        raise DomainError("signatures_missing", "Faltan firmas.", status=409)
    records = {s.id: record for s in declaration.signatories if (record := s.current_signature) is not None}
    db.session.flush()
    content, timestamped = seal_pdf(render_final(declaration, version, records, list(declaration.trail)))
    return SealedFinal(version_id=version.id, content=content, timestamped=timestamped,
                       autograph=sum(1 for r in records.values() if r.method == SigningMethod.AUTOGRAPH))


def _claim(declaration) -> FinalDocument | None:
    """Lock the declaration's row for this transaction, then read it again: its final document, if one was
    stored by now. The lock is the claim that makes one final document of two finalizations at once: the second
    waits here (``FOR UPDATE`` on PostgreSQL; on SQLite writers take turns at BEGIN) and then finds the first's
    document — it never reaches the unique ``version_id`` of final documents."""
    db.session.flush()
    db.session.execute(select(Declaration.id).where(Declaration.id == declaration.id).with_for_update())
    db.session.expire(declaration)
    return declaration.final_document


def _store(declaration, made: SealedFinal, actor) -> FinalDocument:
    final = FinalDocument(declaration=declaration, version_id=made.version_id, content=made.content,
                          sha256=sha256_hex(made.content), sealed_at=utcnow(), seal_subject=signer_subject(),
                          timestamped=made.timestamped)
    db.session.add(final)
    trail(declaration, TrailKind.SEALED, sha256=final.sha256, timestamped=made.timestamped)
    record_action(actor, "declaration.sealed", declaration, label=declaration.title,
                  details={"sha256": final.sha256, "version": declaration.current_version.number,
                           "autograph": made.autograph})
    db.session.flush()
    return final


def finalize(declaration, *, actor=None) -> FinalDocument:
    """Build, seal and store the final PDF of a fully signed declaration (idempotent per version). The row is
    claimed first, so a second finalization at the same moment (the last signature, an organizer's "Sellar", the
    periodic task) waits and returns the first's document without asking the timestamp authority. The seal is
    made before anything is added: when it fails (no certificate, the authority down) nothing is written and
    sealing can be retried."""
    _fixed_version(declaration)
    existing = _claim(declaration)
    if existing is not None:
        return existing
    return _store(declaration, seal_final(declaration), actor)


def store_sealed(declaration, made: SealedFinal, *, actor=None) -> FinalDocument:
    """Store a final document sealed before this transaction began — the periodic task seals in a read
    transaction, so no writer waits while the timestamp authority answers. The claim decides: if another
    finalization stored one meanwhile, that one is returned and ``made`` dropped; if the declaration moved on
    (a new version), nothing is stored."""
    existing = _claim(declaration)
    if existing is not None:
        return existing
    version = _fixed_version(declaration)
    if declaration.status != DeclarationStatus.SIGNED or version.id != made.version_id \
            or any(s.status != SignatoryStatus.SIGNED for s in declaration.signatories):
        raise DomainError("signatures_missing", "La declaratoria cambió mientras se sellaba: faltan firmas.",
                          status=409)
    return _store(declaration, made, actor)


def finalize_when_complete(declaration) -> None:
    """The signing flow's completion hook: seal now; when sealing is not possible (no configured seal, the
    timestamp authority down), leave it for the periodic task (``foros.worker.seal_declarations_task``), the
    organizer's "Sellar" button or ``flask declarations finalize`` (the signatures stand either way)."""
    try:
        finalize(declaration)
    except SealUnavailable as exc:
        log.warning("declaration %s signed but not sealed (%s): %s", declaration.id, exc.code, exc.message)


def seal_signed(declaration, *, actor) -> FinalDocument:
    """An organizer seals the final document of a signed declaration left unsealed when its last signature
    arrived (the certificate or the timestamp authority failed then)."""
    if declaration.status != DeclarationStatus.SIGNED:
        raise DomainError("signatures_missing", "La declaratoria aún no está firmada por todas las personas.",
                          status=409)
    return finalize(declaration, actor=actor)
