"""Account services: create and edit accounts, check passwords, issue and revoke API tokens."""

import hashlib
import secrets

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from werkzeug.security import check_password_hash, generate_password_hash

from foros.accounts.models import ApiToken, Role, User
from foros.audit.services import record_action
from foros.core.errors import DomainError
from foros.core.time import utcnow
from foros.extensions import db

MIN_PASSWORD_LENGTH = 10
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


def normalize_email(email: str) -> str:
    """Lower-case and trim an e-mail address."""
    return (email or "").strip().lower()


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


def set_password(user: User, password: str, *, actor=None) -> None:
    """Set a new password and end the account's other sessions."""
    _check_password(password)
    user.password_hash = _hash(password)
    user.session_token = secrets.token_hex(16)
    record_action(actor, "user.password", user)


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


def hash_token(token: str) -> str:
    """Return the stored form of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


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


def active_token(token: str) -> ApiToken | None:
    """Return the unrevoked token row of an active account for this bearer token, or None."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = db.session.scalar(
        select(ApiToken).where(ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None))
    )
    if row is None or not row.user.active:
        return None
    now = utcnow()
    # Write last-use at most once a minute, so a busy scanner does not write on every request.
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
        row.last_used_at = now
        try:
            db.session.commit()
        except OperationalError:  # the database is busy: last use is a hint, not worth failing for
            db.session.rollback()
            row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    return row


def count_organizers() -> int:
    """Return how many active organizer accounts exist."""
    return db.session.scalar(
        select(func.count()).select_from(User).where(User.role == Role.ORGANIZER, User.active.is_(True))
    )
