"""Electronic signing (issue 15, point 4): personal expiring links, reading, signing in order, declining.

A signatory moves pendiente → invitado (a link was e-mailed) → visto (they opened the document) → firmado, or
rechazado (with a reason). Each link is a random token whose SHA-256 alone is stored (``SigningLink``); it
expires, and it stops opening once used to sign or decline or once a newer link replaces it. Marking "visto"
is a POST (the button that opens the document), never the GET of the link: GET writes nothing, and e-mail
scanners that follow links must not mark a document as read. Each step writes an ``AuditTrailEvent`` (time,
IP, user agent, document hash: the final PDF's certificate page) and an entry in the audit log. With a signing
order, a signatory signs once everyone with a lower number has signed; they are invited when their turn
arrives. The last signature makes the declaration firmada and builds the sealed final PDF.

One-time codes live in ``signing_codes.py``; in-person (autograph) signing in ``signing_inperson.py``.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app

from foros.audit.services import record_action
from foros.core.errors import DomainError
from foros.core.municipalities import get_municipality
from foros.core.time import as_utc, utcnow
from foros.core.urls import external_url
from foros.declarations import signing_codes
from foros.declarations.models import (
    Declaration,
    DeclarationStatus,
    SignatoryStatus,
    SignatureRecord,
    SigningLink,
    SigningMethod,
    TrailKind,
)
from foros.declarations.signing_common import as_actor, document_hash, is_turn, log, require_turn, trail
from foros.declarations.signing_image import decode_drawing
from foros.extensions import db
from foros.mail.services import queue_message

#: Days a signing link stays valid (``DECLARATION_LINK_DAYS`` in the configuration overrides it).
LINK_DAYS = 14
#: What the signatory accepts by ticking the box; stored with each signature as shown.
CONSENT_TEXT = ("Declaro que leí el documento y que firmo electrónicamente esta declaratoria con mi nombre; "
                "acepto que esta firma electrónica, confirmada con el código enviado a mi correo, exprese mi "
                "voluntad de suscribirla como si la firmara de mi puño y letra.")
REASON_MAX = 2000
TYPED_NAME_MAX = 200
#: Called with the declaration when its last signature arrives: the final sealed PDF is built by
#: ``versions.finalize_when_complete``, connected in ``create_app`` (versions imports this module, not back).
completed_hooks: list = []


def on_completed(hook) -> None:
    """Connect ``hook(declaration)`` to run when a declaration's last signature arrives (once per hook)."""
    if hook not in completed_hooks:
        completed_hooks.append(hook)


@dataclass
class Visit:
    """A link that opened: its row and its signatory (and whether it is their turn yet)."""

    link: SigningLink
    signatory: object
    turn: bool


def hash_token(token: str) -> str:
    """SHA-256 (hex) of a link token: what the database keeps."""
    return hashlib.sha256((token or "").encode()).hexdigest()


def _link_days() -> int:
    return int(current_app.config.get("DECLARATION_LINK_DAYS", LINK_DAYS))


def _due_for_invitation(declaration):
    return [s for s in declaration.signatories
            if s.status == SignatoryStatus.PENDING and s.email and is_turn(s)]


# --- invitations --------------------------------------------------------------------------------------------

def mail_new_link(signatory, now=None) -> str:
    """E-mail the signatory a new personal link (older unused ones stop opening), changing nothing else: the
    caller records why (an invitation here, a reminder on the board). Returns the token (only the e-mail and the
    caller see it)."""
    declaration = signatory.declaration
    if declaration.status != DeclarationStatus.SIGNING:
        raise DomainError("declaration_not_signing", "La declaratoria no está en firma.", status=409)
    if not signatory.email:
        raise DomainError("signatory_without_email",
                          "Esta persona no tiene correo: registre su firma autógrafa en el evento.", status=409)
    if signatory.status == SignatoryStatus.SIGNED:
        raise DomainError("already_signed", "Esta persona ya firmó.", status=409)
    now = now or utcnow()
    for old in signatory.links:
        if old.used_at is None and old.revoked_at is None:
            old.revoked_at = now
    token = secrets.token_urlsafe(32)
    link = SigningLink(signatory=signatory, token_hash=hash_token(token), created_at=now,
                       expires_at=now + timedelta(days=_link_days()))
    db.session.add(link)
    municipality = get_municipality(declaration.municipality_key)
    queue_message("declaration.invitation", signatory.email, "declarations/invitation", name=signatory.name,
                  title=declaration.title, municipality=municipality.name if municipality else "",
                  role=signatory.role.name if signatory.role else signatory.position,
                  link=external_url("declarations_signing.sign", token=token),
                  expires_at=link.expires_at)
    return token


def issue_link(signatory, actor=None) -> str:
    """Invite the signatory (again): a new personal link by e-mail (``mail_new_link``); status invitado, a
    "sent" trail event and an invitation or re-invitation in the audit log. Returns the token."""
    now, declaration = utcnow(), signatory.declaration
    token = mail_new_link(signatory, now)
    previous = signatory.status
    signatory.status = SignatoryStatus.INVITED
    signatory.invited_at = now
    signatory.reason = ""
    signatory.declined_at = None
    signatory.viewed_at = None
    trail(declaration, TrailKind.SENT, signatory=signatory, reinvited=previous != SignatoryStatus.PENDING)
    log(actor, "declaration.signatory_invited" if previous == SignatoryStatus.PENDING
         else "declaration.signatory_reinvited", signatory, previous_status=previous, status=signatory.status)
    db.session.flush()
    return token


def invite_due_signatories(declaration, actor=None) -> int:
    """Invite every pending signatory with an e-mail whose turn has come (when signing opens, and after each
    signature). Returns how many were invited."""
    due = _due_for_invitation(declaration)
    for signatory in due:
        issue_link(signatory, actor)
    return len(due)


def reinvite_signatory(signatory, actor) -> str:
    """The organizer sends a new link (after a decline, an expired link or a lost e-mail)."""
    if signatory.status == SignatoryStatus.PENDING and not is_turn(signatory):
        raise DomainError("not_your_turn", "Aún no es el turno de esta persona en el orden de firma.", status=409)
    return issue_link(signatory, actor)


# --- the link -----------------------------------------------------------------------------------------------

def open_link(token: str) -> Visit:
    """The link behind ``token``, judged: unknown (404), expired, used or replaced (410), declaration not in
    signing (409). Reads only."""
    link = db.session.scalar(db.select(SigningLink).where(SigningLink.token_hash == hash_token(token)))
    if link is None or len(token or "") > 100:
        raise DomainError("link_unknown", "Este enlace de firma no existe. Revise que lo copió completo.",
                          status=404)
    signatory = link.signatory
    if link.used_at is not None or signatory.status in (SignatoryStatus.SIGNED, SignatoryStatus.DECLINED):
        raise DomainError("link_used", "Este enlace ya se usó: la respuesta quedó registrada.", status=410)
    if link.revoked_at is not None:
        raise DomainError("link_replaced", "Este enlace fue reemplazado por uno más reciente: use el último "
                          "correo que recibió.", status=410)
    if as_utc(link.expires_at) <= utcnow():
        raise DomainError("link_expired", "Este enlace venció. Pida a los organizadores que le envíen uno nuevo.",
                          status=410)
    if signatory.declaration.status != DeclarationStatus.SIGNING:
        raise DomainError("declaration_not_signing", "La declaratoria no está en firma por ahora "
                          f"({signatory.declaration.status.label.lower()}).", status=409)
    return Visit(link=link, signatory=signatory, turn=is_turn(signatory))


def mark_viewed(visit: Visit, *, ip: str, user_agent: str) -> None:
    """The signatory opened the document (the button on the link's page): invitado → visto, once, and only when
    it is their turn (before it, the page says to wait and offers no button; a forged POST records nothing)."""
    signatory = visit.signatory
    if signatory.status != SignatoryStatus.INVITED or not visit.turn:
        return
    signatory.status = SignatoryStatus.VIEWED
    signatory.viewed_at = utcnow()
    trail(signatory.declaration, TrailKind.VIEWED, signatory=signatory, ip=ip, user_agent=user_agent)
    log(as_actor(signatory), "declaration.signatory_viewed", signatory, status=signatory.status)
    db.session.flush()


def _refuse(field: str, code: str, message: str):
    return DomainError(code, message, fields={field: [message]})


def sign_electronically(visit: Visit, *, code: str, method: str, drawing: str = "", typed_name: str = "",
                        consent: bool, ip: str, user_agent: str) -> SignatureRecord:
    """Sign from the link: consent, a drawing or the typed name, and the one-time code (checked last, so a wrong
    code counts as an attempt and nothing else is written)."""
    require_turn(visit)
    signatory = visit.signatory
    if signatory.status != SignatoryStatus.VIEWED:
        raise DomainError("not_viewed", "Abra el documento antes de firmarlo.", status=409)
    if not consent:
        raise _refuse("consent", "consent_required", "Marque la casilla de consentimiento para firmar.")
    png, name = None, ""
    if method == "drawn":
        png = decode_drawing(drawing)
    elif method == "typed":
        name = " ".join((typed_name or "").split())
        if len(name) < 3 or len(name) > TYPED_NAME_MAX:
            raise _refuse("typed_name", "typed_name_required", "Escriba su nombre completo para firmar.")
    else:
        raise _refuse("method", "method_required", "Elija cómo firmar: trazando su firma o escribiendo su nombre.")
    signing_codes.verify_code(visit, code, ip=ip, user_agent=user_agent)
    now = utcnow()
    version = signatory.declaration.current_version
    record = SignatureRecord(signatory=signatory, version_id=version.id, method=SigningMethod.ELECTRONIC,
                             drawn_png=png, typed_name=name, consent_text=CONSENT_TEXT, signed_at=now,
                             ip=(ip or "")[:45], user_agent=(user_agent or "")[:500],
                             document_sha256=document_hash(signatory.declaration))
    db.session.add(record)
    previous = signatory.status
    signatory.status = SignatoryStatus.SIGNED
    signatory.method = SigningMethod.ELECTRONIC
    signatory.signed_at = now
    visit.link.used_at = now
    trail(signatory.declaration, TrailKind.SIGNED, signatory=signatory, ip=ip, user_agent=user_agent,
          method="drawn" if png else "typed")
    log(as_actor(signatory), "declaration.signatory_signed", signatory, previous_status=previous,
         status=signatory.status, method=signatory.method)
    db.session.flush()
    after_signature(signatory.declaration)
    return record


def decline(visit: Visit, *, reason: str, ip: str, user_agent: str) -> None:
    """Decline to sign, with a reason (the organizers see it; they may invite again)."""
    signatory = visit.signatory
    reason = (reason or "").strip()
    if len(reason) < 3:
        raise _refuse("reason", "reason_required", "Escriba el motivo por el que no firma.")
    if len(reason) > REASON_MAX:
        raise _refuse("reason", "reason_too_long", f"El motivo admite hasta {REASON_MAX} caracteres.")
    previous = signatory.status
    now = utcnow()
    signatory.status = SignatoryStatus.DECLINED
    signatory.reason = reason
    signatory.declined_at = now
    visit.link.used_at = now
    trail(signatory.declaration, TrailKind.DECLINED, signatory=signatory, ip=ip, user_agent=user_agent,
          reason=reason)
    log(as_actor(signatory), "declaration.signatory_declined", signatory, previous_status=previous,
         status=signatory.status, reason=reason)
    db.session.flush()


# --- after each signature -----------------------------------------------------------------------------------

def after_signature(declaration: Declaration, actor=None) -> None:
    """Invite whoever's turn has now come; when everyone signed, the declaration becomes firmada and its final
    sealed PDF is built (``completed_hooks``)."""
    if all(s.status == SignatoryStatus.SIGNED for s in declaration.signatories):
        now = utcnow()
        declaration.status = DeclarationStatus.SIGNED
        declaration.signed_at = now
        trail(declaration, TrailKind.COMPLETED)
        record_action(actor, "declaration.signed", declaration, object_type="declaration",
                      label=declaration.title, details={"status": declaration.status})
        db.session.flush()
        for hook in completed_hooks:
            hook(declaration)
        return
    invite_due_signatories(declaration, actor)
