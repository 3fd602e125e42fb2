"""What the signing modules share: the audit trail, the audit log's actor for a signatory, the signing order."""

from types import SimpleNamespace

from foros.audit.services import record_action
from foros.core.errors import DomainError
from foros.core.time import utcnow
from foros.declarations.models import AuditTrailEvent, SignatoryStatus, TrailKind
from foros.extensions import db


def as_actor(signatory):
    """The audit log's actor for what a signatory did from their link (not an account)."""
    return SimpleNamespace(id=None, name=f"{signatory.name} (firmante)")


def document_hash(declaration) -> str:
    """SHA-256 of the current version's fixed document ('' before signing opened)."""
    version = declaration.current_version
    return (version.content_sha256 or "") if version is not None else ""


def trail(declaration, kind: TrailKind, *, signatory=None, ip: str = "", user_agent: str = "", **details):
    """Append one event to the declaration's audit trail (the certificate page of the final PDF)."""
    version = declaration.current_version
    event = AuditTrailEvent(declaration=declaration, version_id=version.id if version else None,
                            signatory_id=signatory.id if signatory is not None else None, kind=kind,
                            at=utcnow(), ip=(ip or "")[:45], user_agent=(user_agent or "")[:500],
                            document_sha256=document_hash(declaration), details=details)
    db.session.add(event)
    return event


def log(actor, action: str, signatory, **details):
    record_action(actor, action, signatory.declaration, object_type="declaration",
                  label=f"{signatory.declaration.title} — {signatory.name}",
                  details={"signatory": signatory.name, **details})


# --- order --------------------------------------------------------------------------------------------------

def is_turn(signatory) -> bool:
    """Whether the signing order lets this signatory sign now (everyone with a lower number has signed)."""
    if signatory.signing_order is None:
        return True
    return all(other.status == SignatoryStatus.SIGNED for other in signatory.declaration.signatories
               if other.signing_order is not None and other.signing_order < signatory.signing_order)


def require_turn(visit) -> None:
    if not visit.turn:
        raise DomainError("not_your_turn", "Aún no es su turno: esta declaratoria se firma en orden y faltan "
                          "firmas anteriores. Le avisaremos por correo cuando pueda firmar.", status=409)
