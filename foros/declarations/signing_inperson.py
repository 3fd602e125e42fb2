"""In-person signing (issue 15, point 5): autograph signatures recorded by an organizer, and the scanned copy.

At the event the signatories sign the paper copy; an organizer records each autograph signature with the time
it was given (method "autógrafa en el evento"), then uploads the scan of the signed paper. The scan is judged by
its content — a ``%PDF-`` header and a parse by pypdf with at least one page — never by its name, within
``SCAN_MAX_BYTES``; it is stored with its SHA-256.
"""

import hashlib
import io
from datetime import datetime

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from foros.audit.services import record_action
from foros.core.errors import DomainError
from foros.core.time import as_utc, utcnow
from foros.declarations.models import (
    DeclarationStatus,
    ScannedCopy,
    SignatoryStatus,
    SignatureRecord,
    SigningMethod,
    TrailKind,
)
from foros.declarations.signing import after_signature
from foros.declarations.signing_common import document_hash, log, trail
from foros.extensions import db

#: Largest scan accepted (bytes): under the app-wide MAX_CONTENT_LENGTH (8 MB) so that the page says why; a few
#: pages scanned at 200-300 dpi in greyscale fit under it.
SCAN_MAX_BYTES = 6 * 1024 * 1024
#: What a view reads from the upload at most (one byte more than the limit, to tell "too big").
SCAN_READ_LIMIT = SCAN_MAX_BYTES + 1


def _refuse(field: str, code: str, message: str, status: int = 422):
    return DomainError(code, message, fields={field: [message]}, status=status)


def record_autograph(signatory, *, signed_at: datetime, actor) -> SignatureRecord:
    """Record that the signatory signed the paper copy at ``signed_at`` (UTC): firmado, method autógrafa."""
    declaration = signatory.declaration
    if declaration.status != DeclarationStatus.SIGNING:
        raise DomainError("declaration_not_signing", "La declaratoria no está en firma.", status=409)
    if signatory.status == SignatoryStatus.SIGNED:
        raise DomainError("already_signed", "Esta persona ya firmó.", status=409)
    version = declaration.current_version
    when = as_utc(signed_at)
    if when > utcnow():
        raise _refuse("signed_at", "signed_at_future", "La hora de la firma no puede ser posterior a ahora.")
    opened = declaration.signing_opened_at or (version.fixed_at if version else None)
    if opened is not None and when < as_utc(opened).replace(second=0, microsecond=0):
        raise _refuse("signed_at", "signed_at_before_opening",
                      "La hora de la firma es anterior a la apertura de la firma de esta versión.")
    record = SignatureRecord(signatory=signatory, version_id=version.id, method=SigningMethod.AUTOGRAPH,
                             signed_at=when, document_sha256=document_hash(declaration),
                             recorded_by_id=getattr(actor, "id", None), consent_text="")
    db.session.add(record)
    previous = signatory.status
    signatory.status = SignatoryStatus.SIGNED
    signatory.method = SigningMethod.AUTOGRAPH
    signatory.signed_at = when
    now = utcnow()
    for link in signatory.links:  # an e-mailed link must not sign a second time
        if link.used_at is None and link.revoked_at is None:
            link.revoked_at = now
    trail(declaration, TrailKind.AUTOGRAPH_RECORDED, signatory=signatory, signed_at=when.isoformat(),
          recorded_by=getattr(actor, "name", ""))
    log(actor, "declaration.signatory_autograph", signatory, previous_status=previous, status=signatory.status,
        method=signatory.method, signed_at=when)
    db.session.flush()
    after_signature(declaration, actor)
    return record


def check_scan(data: bytes) -> int:
    """Judge an upload as a PDF by content (header + pypdf parse); return its page count."""
    if not data:
        raise _refuse("scan", "scan_empty", "Elija el archivo PDF escaneado.")
    if len(data) > SCAN_MAX_BYTES:
        raise _refuse("scan", "scan_too_large",
                      f"El archivo pasa de {SCAN_MAX_BYTES // (1024 * 1024)} MB: escanee en menor resolución.",
                      status=413)
    if not data[:1024].lstrip().startswith(b"%PDF-"):
        raise _refuse("scan", "scan_not_pdf", "El archivo no es un PDF (aunque su nombre termine en .pdf).")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        pages = len(reader.pages)
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError, RecursionError):
        raise _refuse("scan", "scan_not_pdf", "El archivo no se lee como PDF: puede estar dañado.") from None
    if pages < 1:
        raise _refuse("scan", "scan_not_pdf", "El PDF no tiene páginas.")
    return pages


def upload_scan(declaration, *, filename: str, data: bytes, actor) -> ScannedCopy:
    """Keep the scan of the autograph-signed copy (a real PDF within the size limit) with its SHA-256."""
    if declaration.status not in (DeclarationStatus.SIGNING, DeclarationStatus.SIGNED):
        raise DomainError("declaration_not_signing", "La copia firmada se carga cuando la declaratoria está en "
                          "firma o firmada.", status=409)
    pages = check_scan(data)
    digest = hashlib.sha256(data).hexdigest()
    version = declaration.current_version
    name = " ".join((filename or "").replace("/", " ").replace("\\", " ").split())[:255] or "copia-firmada.pdf"
    scan = ScannedCopy(declaration=declaration, version_id=version.id if version else None, filename=name,
                       content=data, size=len(data), sha256=digest, uploaded_by_id=getattr(actor, "id", None),
                       uploaded_at=utcnow())
    db.session.add(scan)
    trail(declaration, TrailKind.SCAN_UPLOADED, sha256=digest, pages=pages, filename=name)
    record_action(actor, "declaration.scan_uploaded", declaration, object_type="declaration",
                  label=declaration.title, details={"file": name, "sha256": digest, "pages": pages})
    db.session.flush()
    return scan
