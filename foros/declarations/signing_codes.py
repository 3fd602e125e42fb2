"""One-time codes that confirm an electronic signature: 6 digits by e-mail, hashed, 10 minutes, 5 attempts.

The code is stored as SHA-256 of (the link's token hash, the code): a database leak alone gives neither the link
nor a usable code. Only the newest code of a link counts. A wrong code counts an attempt that is kept even though
the signature is refused (the view commits it); after ``MAX_ATTEMPTS`` wrong tries the code is dead and a new one
must be asked for. Sending is rate-limited per signatory: one code per ``RESEND_SECONDS`` and at most
``MAX_PER_HOUR`` in an hour, counted from the rows themselves (no limiter state to lose).
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from sqlalchemy import func, select

from foros.core.errors import DomainError
from foros.core.time import as_utc, utcnow
from foros.declarations.models import OneTimeCode, SignatoryStatus, TrailKind
from foros.declarations.signing_common import require_turn, trail
from foros.extensions import db
from foros.mail.services import queue_message

CODE_MINUTES = 10
MAX_ATTEMPTS = 5
RESEND_SECONDS = 60
MAX_PER_HOUR = 5


def _hash(link, code: str) -> str:
    return hashlib.sha256(f"{link.token_hash}:{code}".encode()).hexdigest()


def send_code(visit, *, ip: str, user_agent: str) -> None:
    """E-mail a new 6-digit code to the signatory (rate-limited); the previous ones stop counting."""
    require_turn(visit)
    signatory = visit.signatory
    if signatory.status != SignatoryStatus.VIEWED:
        raise DomainError("not_viewed", "Abra el documento antes de pedir el código.", status=409)
    now = utcnow()
    recent = db.session.execute(
        select(func.count(OneTimeCode.id), func.max(OneTimeCode.created_at))
        .where(OneTimeCode.signatory_id == signatory.id, OneTimeCode.created_at > now - timedelta(hours=1))
    ).one()
    if recent[1] is not None and as_utc(recent[1]) > now - timedelta(seconds=RESEND_SECONDS):
        raise DomainError("code_rate_limited", "Ya le enviamos un código hace menos de un minuto: revise su "
                          "correo (también la carpeta de no deseados) o espere un momento.", status=429)
    if recent[0] >= MAX_PER_HOUR:
        raise DomainError("code_rate_limited", "Pidió demasiados códigos en la última hora. Inténtelo más tarde.",
                          status=429)
    code = f"{secrets.randbelow(1_000_000):06d}"
    db.session.add(OneTimeCode(signatory=signatory, link_id=visit.link.id, code_hash=_hash(visit.link, code),
                               created_at=now, expires_at=now + timedelta(minutes=CODE_MINUTES), attempts=0))
    declaration = signatory.declaration
    queue_message("declaration.code", signatory.email, "declarations/code", name=signatory.name,
                  title=declaration.title, code=code, minutes=CODE_MINUTES)
    trail(declaration, TrailKind.CODE_SENT, signatory=signatory, ip=ip, user_agent=user_agent)
    db.session.flush()


def verify_code(visit, code: str, *, ip: str, user_agent: str) -> None:
    """Check the code typed against the link's newest one; a wrong one counts an attempt (flushed, kept)."""
    signatory = visit.signatory
    latest = db.session.scalar(select(OneTimeCode).where(OneTimeCode.link_id == visit.link.id)
                               .order_by(OneTimeCode.id.desc()).limit(1).with_for_update())
    typed = "".join((code or "").split())

    def refuse(error_code, message):
        return DomainError(error_code, message, fields={"code": [message]})

    if latest is None or latest.verified_at is not None:
        raise refuse("code_missing", "Pida primero el código de confirmación: se lo enviaremos por correo.")
    if as_utc(latest.expires_at) <= utcnow():
        raise refuse("code_expired", "El código venció (dura 10 minutos). Pida uno nuevo.")
    if latest.attempts >= MAX_ATTEMPTS:
        raise refuse("code_exhausted", "Se agotaron los intentos con este código. Pida uno nuevo.")
    right = len(typed) == 6 and typed.isdigit() and hmac.compare_digest(latest.code_hash, _hash(visit.link, typed))
    if not right:
        latest.attempts += 1
        left = MAX_ATTEMPTS - latest.attempts
        trail(signatory.declaration, TrailKind.CODE_FAILED, signatory=signatory, ip=ip,
                           user_agent=user_agent, attempts=latest.attempts)
        db.session.flush()
        if left <= 0:
            raise refuse("code_exhausted", "Código incorrecto. Se agotaron los intentos: pida un código nuevo.")
        raise refuse("code_wrong", f"Código incorrecto. Le quedan {left} intento{'s' if left != 1 else ''}.")
    latest.verified_at = utcnow()
    trail(signatory.declaration, TrailKind.CODE_VERIFIED, signatory=signatory, ip=ip,
                       user_agent=user_agent)


#: Codes whose refusal must still be committed (the attempt counted).
COUNTED_FAILURES = frozenset({"code_wrong", "code_exhausted"})

