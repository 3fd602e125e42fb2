"""Public verification of declarations: find one by its code, what the public may see (status, signatories'
names, roles and dates, the hash), and the check of an uploaded PDF (the registered final document byte for
byte? its seal intact?)."""

import hashlib
import io
from dataclasses import dataclass

from flask import current_app
from pypdf import PdfReader
from pypdf.errors import PdfReadError
from sqlalchemy import select

from foros.core.errors import DomainError
from foros.core.municipalities import get_municipality
from foros.declarations.models import CODE_ALPHABET, Declaration, DeclarationStatus
from foros.declarations.seal import SealCheck, check_seal
from foros.extensions import db

#: Letters people confuse with digits in Crockford's base32, read as the digit.
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})


def normalize_code(typed: str) -> str:
    """A typed code without spaces or dashes, upper-case, O/I/L read as 0/1; other characters dropped."""
    upper = (typed or "").upper().translate(_CONFUSABLE)
    return "".join(c for c in upper if c in CODE_ALPHABET)[:32]


def find_by_code(typed: str) -> Declaration | None:
    """The declaration whose verification code this is (drafts included: the page says where it stands)."""
    code = normalize_code(typed)
    if not code:
        return None
    return db.session.scalar(select(Declaration).where(Declaration.verification_code == code))


def seal_facts(declaration: Declaration) -> dict:
    """Whether the current version's final document is sealed, its hash, when it was sealed (UTC) and whether
    its seal carries the timestamp authority's token (checked when it was sealed)."""
    final = declaration.final_document
    return {"sealed": final is not None, "final_sha256": final.sha256 if final else None,
            "sealed_at": final.sealed_at if final else None, "timestamped": bool(final and final.timestamped)}


def public_summary(declaration: Declaration) -> dict:
    """What anyone may know about a declaration: no e-mails, no IP addresses, no reasons for declining."""
    municipality = get_municipality(declaration.municipality_key)
    version = declaration.current_version
    return {
        "code": declaration.verification_code,
        "title": declaration.title,
        "municipality": municipality.name if municipality else "",
        "municipality_key": declaration.municipality_key,
        "status": declaration.status.value,
        "status_label": declaration.status.label,
        "version": version.number if version else None,
        "document_sha256": version.content_sha256 if version else None,
        **seal_facts(declaration),
        "signed_at": declaration.signed_at if declaration.status == DeclarationStatus.SIGNED else None,
        "signatories": [{
            "name": s.name,
            "position": s.position,
            "institution": s.institution,
            "role": s.role.name if s.role else "",
            "status": s.status.value,
            "status_label": s.status.label,
            "method": s.method.value if s.method else None,
            "method_label": s.method.label if s.method else "",
            "signed_at": s.signed_at,
        } for s in declaration.signatories],
    }


@dataclass(frozen=True)
class UploadCheck:
    """The answer to "is this file the registered final document?"."""

    sha256: str
    #: Byte for byte the registered final document.
    matches: bool
    seal: SealCheck


def _refuse(code: str, message: str, status: int = 422) -> DomainError:
    return DomainError(code, message, fields={"archivo": [message]}, status=status)


def max_upload_bytes() -> int:
    return int(current_app.config.get("DECLARATIONS_VERIFY_MAX_BYTES", 5 * 1024 * 1024))


def check_pdf(data: bytes) -> None:
    """Judge an upload as a PDF by its content (header and a parse), within the size limit."""
    limit = max_upload_bytes()
    if not data:
        raise _refuse("upload_empty", "Elija el archivo PDF que quiere verificar.")
    if len(data) > limit:
        raise _refuse("upload_too_large", f"El archivo pasa de {limit // (1024 * 1024)} MB: no puede ser el "
                                          "documento final de una declaratoria.", status=413)
    if not data[:1024].lstrip().startswith(b"%PDF-"):
        raise _refuse("upload_not_pdf", "El archivo no es un PDF (aunque su nombre termine en .pdf).")
    try:
        pages = len(PdfReader(io.BytesIO(data), strict=False).pages)
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError, RecursionError):
        raise _refuse("upload_not_pdf", "El archivo no se lee como PDF: puede estar dañado.") from None
    if pages < 1:
        raise _refuse("upload_not_pdf", "El PDF no tiene páginas.")


def check_upload(declaration: Declaration, data: bytes) -> UploadCheck:
    """Compare an uploaded PDF with the declaration's sealed final document and validate its seal."""
    check_pdf(data)
    digest = hashlib.sha256(data).hexdigest()
    final = declaration.final_document
    return UploadCheck(sha256=digest, matches=final is not None and final.sha256 == digest,
                       seal=check_seal(data))
