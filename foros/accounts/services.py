"""Account services: create and edit accounts, check passwords, issue and revoke API tokens."""

import hashlib
import secrets
from datetime import datetime, timedelta
from functools import cache

from flask import current_app, has_request_context, url_for
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import bindparam, case, delete, func, or_, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from foros.accounts.models import ApiToken, LoginThrottle, Role, User
from foros.audit.services import record_action
from foros.core.db import dialect_insert
from foros.core.error_catalogue import Catalogue
from foros.core.errors import DomainError
from foros.core.text import normalize_email
from foros.core.time import as_utc, utcnow
from foros.core.urls import external_url
from foros.extensions import db
from foros.mail.services import queue_message

MIN_PASSWORD_LENGTH = 10
#: The error codes these services raise (foros.core.error_catalogue; listed in the OpenAPI document).
CATALOGUE = Catalogue("accounts", {
    "duplicate_email": (409, "Ya existe una cuenta con ese correo."),
    "inactive_user": (409, "La cuenta está desactivada: actívela antes de enviar el enlace."),
    "invalid_reset_link": (400, "El enlace para restablecer la contraseña no es válido, ya se usó o caducó. Pida "
                                "uno nuevo."),
    "self_demotion": (422, "No puede quitarse a sí mismo el rol de organizador ni desactivarse."),
    "weak_password": (422, "La contraseña es demasiado corta."),
})

#: Prefix of every token, so leaked tokens are recognisable by secret scanners.
TOKEN_PREFIX = "foros_"  # noqa: S105 (a public prefix, not a secret)


def _hash(password: str) -> str:
    """Hash with the configured method (scrypt by default; tests use a fast one)."""
    return generate_password_hash(password, method=current_app.config.get("PASSWORD_HASH_METHOD", "scrypt"))


def _dummy_hash() -> str:
    """A hash to compare against when the e-mail is unknown, so timing does not reveal accounts."""
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    if method not in _DUMMY_HASHES:
        _DUMMY_HASHES[method] = generate_password_hash("not-a-real-password", method=method)
    return _DUMMY_HASHES[method]


_DUMMY_HASHES: dict[str, str] = {}


def get_user_by_email(email: str) -> User | None:
    """Return the account with this e-mail (case-insensitive), or None."""
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def _check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise DomainError(
            "weak_password",
            f"La contraseña debe tener al menos {MIN_PASSWORD_LENGTH} caracteres.",
            fields={"password": [f"Mínimo {MIN_PASSWORD_LENGTH} caracteres."]},
        )


def create_user(*, email: str, name: str, role: Role | str, password: str, events=(), actor=None) -> User:
    """Create an account; staff may be assigned to events."""
    email = normalize_email(email)
    if get_user_by_email(email):
        raise DomainError("duplicate_email", "Ya existe una cuenta con ese correo.",
                          fields={"email": ["Ya existe una cuenta con ese correo."]}, status=409)
    _check_password(password)
    user = User(
        email=email,
        name=name.strip(),
        role=Role(role),
        password_hash=_hash(password),
        session_token=secrets.token_hex(16),
        events=list(events),
    )
    db.session.add(user)
    db.session.flush()
    record_action(actor, "user.create", user, details={"role": user.role, "events": [e.slug for e in events]})
    return user


def update_user(user: User, *, name: str, role: Role | str, active: bool, events=(), actor=None) -> User:
    """Change an account's name, role, status and event assignments."""
    role = Role(role)
    if actor is not None and actor.id == user.id and (role != Role.ORGANIZER or not active):
        raise DomainError("self_demotion", "No puede quitarse a sí mismo el rol de organizador ni desactivarse.")
    before = {"name": user.name, "role": user.role.value, "active": user.active,
              "events": [e.slug for e in user.events]}
    user.name = name.strip()
    user.role = role
    if user.active and not active:
        user.session_token = secrets.token_hex(16)  # ends the account's open sessions
    user.active = active
    user.events = list(events) if role == Role.STAFF else []
    after = {"name": user.name, "role": user.role.value, "active": user.active,
             "events": [e.slug for e in user.events]}
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    record_action(actor, "user.update", user, details=changes)
    return user


def set_password(user: User, password: str, *, actor=None, action: str = "user.password") -> None:
    """Set a new password and end the account's other sessions (and any reset link sent before)."""
    _check_password(password)
    user.password_hash = _hash(password)
    user.session_token = secrets.token_hex(16)
    record_action(actor, action, user)


def authenticate(email: str, password: str) -> User | None:
    """Return the active account for these credentials, or None."""
    user = get_user_by_email(email)
    if user is None:
        check_password_hash(_dummy_hash(), password or "")
        return None
    if not check_password_hash(user.password_hash, password or "") or not user.active:
        return None
    user.last_login_at = utcnow()
    return user


# --- failed logins per account ------------------------------------------------------------------------
# Counted in the database, so the limit holds across every app process (the per-address limit lives in the
# rate limiter's storage, per process with memory://). Keyed by the e-mail tried, known or not: an unknown
# address locks the same way, so the lock tells nothing about which accounts exist.

def _login_key(email: str) -> str:
    return hashlib.sha256(normalize_email(email).encode("utf-8")).hexdigest()


def login_lock_minutes() -> int:
    """The window of the per-account limit, in whole minutes (for messages)."""
    return max(1, round(current_app.config.get("LOGIN_ACCOUNT_FAILURE_WINDOW_SECONDS", 900) / 60))


def claim_login_attempt(email: str, *, now: datetime | None = None) -> bool:
    """Count one login attempt against the e-mail tried; False (nothing counted) once the window's
    LOGIN_ACCOUNT_FAILURE_LIMIT attempts are used up — then not even the right password gets in.

    Counting before the password is checked (and giving the attempt back on success) makes the limit
    exact under concurrent attempts from several processes: one ``INSERT … ON CONFLICT DO UPDATE … WHERE``.
    """
    limit = int(current_app.config.get("LOGIN_ACCOUNT_FAILURE_LIMIT", 10))
    if limit <= 0:
        return True
    now = now or utcnow()
    cutoff = now - timedelta(seconds=current_app.config.get("LOGIN_ACCOUNT_FAILURE_WINDOW_SECONDS", 900))
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.window_started_at < cutoff))
    return db.session.execute(_claim_statement(db.session.get_bind().dialect.name), {
        "key": _login_key(email), "now": now, "cutoff": cutoff, "limit": limit}).first() is not None


@cache
def _claim_statement(dialect: str):
    table = LoginThrottle.__table__
    expired = table.c.window_started_at < bindparam("cutoff")
    insert = dialect_insert(dialect)(table).values(email_hash=bindparam("key"), failures=1,
                                                   window_started_at=bindparam("now"))
    return insert.on_conflict_do_update(
        index_elements=[table.c.email_hash],
        set_={"failures": case((expired, 1), else_=table.c.failures + 1),
              "window_started_at": case((expired, bindparam("now")), else_=table.c.window_started_at)},
        where=or_(expired, table.c.failures < bindparam("limit")),
    ).returning(table.c.email_hash)


def release_login_attempt(email: str) -> None:
    """Give back the attempt a successful login claimed. Never a reset: an attacker who guesses while the
    owner logs in now and then still gets only LOGIN_ACCOUNT_FAILURE_LIMIT guesses per window."""
    db.session.execute(update(LoginThrottle).where(LoginThrottle.email_hash == _login_key(email),
                                                   LoginThrottle.failures > 0)
                       .values(failures=LoginThrottle.failures - 1))


def clear_login_failures(email: str) -> None:
    """Forget the failed logins of an address (its owner proved control of the mailbox: password reset)."""
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.email_hash == _login_key(email)))


# --- password reset by e-mail --------------------------------------------------------------------------
# The link carries a signed token (SECRET_KEY) holding the account, the time it was issued and a fingerprint
# of the current password hash: it expires after PASSWORD_RESET_MAX_AGE_SECONDS, and using it changes the
# hash, so it works once (and every older link dies with it). Nothing is stored but the time of the last
# e-mail, which limits them to one per PASSWORD_RESET_RESEND_SECONDS per account.

def _reset_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="foros.password-reset")


def _password_fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode("utf-8")).hexdigest()[:20]


def password_reset_token(user: User, *, now: datetime | None = None) -> str:
    """A reset token for ``user``'s current password, issued ``now``."""
    issued = int((now or utcnow()).timestamp())
    return _reset_serializer().dumps([user.id, _password_fingerprint(user), issued])


def password_reset_minutes() -> int:
    """How long a reset link works, in whole minutes (for messages)."""
    return max(1, round(current_app.config.get("PASSWORD_RESET_MAX_AGE_SECONDS", 3600) / 60))


def user_for_reset_token(token: str, *, now: datetime | None = None) -> User:
    """The active account a reset token is for; DomainError ``invalid_reset_link`` if it is forged,
    expired, already used (the password changed since) or the account is disabled."""
    invalid = DomainError("invalid_reset_link", "El enlace para restablecer la contraseña no es válido, ya se "
                          "usó o caducó. Pida uno nuevo.", status=400)
    if not token or len(token) > 300:
        raise invalid
    try:
        user_id, fingerprint, issued = _reset_serializer().loads(token)
    except (BadSignature, TypeError, ValueError):
        raise invalid from None
    if not isinstance(user_id, int) or not isinstance(issued, int):
        raise invalid
    age = (now or utcnow()).timestamp() - issued
    if age < 0 or age > current_app.config.get("PASSWORD_RESET_MAX_AGE_SECONDS", 3600):
        raise invalid
    user = db.session.get(User, user_id)
    if user is None or not user.active or _password_fingerprint(user) != fingerprint:
        raise invalid
    return user


def _reset_url(token: str) -> str:
    """The link, always on PUBLIC_URL: never on the request's Host header, which whoever asks for the reset
    chooses (a forged Host would mail the victim a link to the attacker's server, token included)."""
    if not has_request_context():
        return external_url("accounts.reset_password", token=token)
    return current_app.config["PUBLIC_URL"].rstrip("/") + url_for("accounts.reset_password", token=token)


def _queue_reset_link(user: User, now: datetime) -> None:
    url = _reset_url(password_reset_token(user, now=now))
    queue_message("user.password_reset", user.email, "password_reset", user=user, reset_url=url,
                  minutes=password_reset_minutes())


def request_password_reset(email: str, *, now: datetime | None = None) -> None:
    """"¿Olvidó su contraseña?": e-mail a reset link to this address's active account, if there is one, at
    most once per PASSWORD_RESET_RESEND_SECONDS. Says nothing either way (no account enumeration)."""
    user = get_user_by_email(email)
    if user is None or not user.active:
        return
    now = now or utcnow()
    cutoff = now - timedelta(seconds=current_app.config.get("PASSWORD_RESET_RESEND_SECONDS", 600))
    claimed = db.session.execute(update(User).where(
        User.id == user.id,
        or_(User.password_reset_sent_at.is_(None), User.password_reset_sent_at < cutoff),
    ).values(password_reset_sent_at=now).execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        return
    _queue_reset_link(user, now)
    record_action(None, "user.password_reset_request", user)


def send_password_reset(user: User, *, actor) -> None:
    """An organizer sends an account its reset link (the organizer never learns the new password)."""
    if not user.active:
        raise DomainError("inactive_user", "La cuenta está desactivada: actívela antes de enviar el enlace.",
                          status=409)
    now = utcnow()
    user.password_reset_sent_at = now
    _queue_reset_link(user, now)
    record_action(actor, "user.password_reset_link", user)


def reset_password(token: str, password: str, *, now: datetime | None = None) -> User:
    """Set a new password through a reset link; the link stops working and other sessions end."""
    user = user_for_reset_token(token, now=now)
    set_password(user, password, actor=user, action="user.password_reset")
    clear_login_failures(user.email)
    return user


def hash_token(token: str) -> str:
    """Return the stored form of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


#: A token's last use is written at most this often, so a busy scanner does not write on every request.
TOKEN_USE_INTERVAL = timedelta(seconds=60)


def token_hash_if_well_formed(token: str) -> str | None:
    """The stored form of a bearer token that could be one of ours (prefix, length), else None: the one
    check every token route makes before looking a token up (``active_token``, the device scan)."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    return hash_token(token)


def touch_token(token_id: int, last_used_at: datetime | None, now: datetime) -> None:
    """Note a token's use, unless it was noted less than ``TOKEN_USE_INTERVAL`` ago."""
    if last_used_at is None or now - as_utc(last_used_at) > TOKEN_USE_INTERVAL:
        db.session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))


def create_token(user: User, label: str = "", *, actor=None) -> tuple[ApiToken, str]:
    """Issue a bearer token for ``user``; returns the row and the token (shown once)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user=user, label=(label or "").strip()[:100], token_hash=hash_token(token),
                   prefix=token[: len(TOKEN_PREFIX) + 4])
    db.session.add(row)
    db.session.flush()
    record_action(actor, "token.create", row, object_type="api_token",
                  label=f"{row.label or row.prefix} ({user.email})")
    return row, token


def revoke_token(row: ApiToken, *, actor=None) -> None:
    """Revoke a token; it stops working at once."""
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        record_action(actor, "token.revoke", row, object_type="api_token",
                      label=f"{row.label or row.prefix} ({row.user.email})")


def user_for_token(token: str) -> User | None:
    """Return the active account behind a bearer token, or None."""
    row = active_token(token)
    return row.user if row is not None else None


def active_token(token: str, *, record_use: bool = False) -> ApiToken | None:
    """Return the unrevoked token row of an active account for this bearer token, or None.

    ``record_use``: note the last use on the row (a writing request; GETs write nothing).
    """
    token_hash = token_hash_if_well_formed(token)
    if token_hash is None:
        return None
    row = db.session.scalar(
        select(ApiToken).where(ApiToken.token_hash == token_hash, ApiToken.revoked_at.is_(None))
    )
    if row is None or not row.user.active:
        return None
    now = utcnow()
    # At most once a minute, so a busy scanner does not write on every request.
    if record_use and (row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60):
        row.last_used_at = now
    return row


def count_organizers() -> int:
    """Return how many active organizer accounts exist."""
    return db.session.scalar(
        select(func.count()).select_from(User).where(User.role == Role.ORGANIZER, User.active.is_(True))
    )
