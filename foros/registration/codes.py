"""Ticket codes: an opaque, signed string for the QR — a random ticket id plus an HMAC tag, no personal data.

Format: ``F1`` + Base32(ticket_id 8 bytes ‖ HMAC-SHA256(key, "foros-ticket-v1" ‖ ticket_id)[:10]), 31
characters from QR's alphanumeric set, so the code fits a version-3 QR at error correction Q (a
cheap camera reads it from a printed A4 or a cracked screen). A forged or altered code fails the tag
check without a database lookup; 80 bits of tag make guessing hopeless.
"""

import base64
import hashlib
import hmac
import secrets

from flask import current_app

from foros.core.urls import external_url

PREFIX = "F1"
ID_BYTES = 8
TAG_BYTES = 10
CODE_LENGTH = len(PREFIX) + 29  # base32 of 18 bytes, without padding


def _key() -> bytes:
    secret = current_app.config.get("TICKET_SIGNING_KEY") or current_app.config["SECRET_KEY"]
    # Derive a separate key so the session key is never used directly for tickets.
    return hashlib.sha256(b"foros-ticket-key:" + str(secret).encode("utf-8")).digest()


def new_ticket_id() -> str:
    """A random ticket id (hex, 16 characters)."""
    return secrets.token_hex(ID_BYTES)


def _tag(raw_id: bytes, key: bytes) -> bytes:
    return hmac.new(key, b"foros-ticket-v1" + raw_id, hashlib.sha256).digest()[:TAG_BYTES]


def make_code(ticket_id: str) -> str:
    """The signed code for a ticket id."""
    raw = bytes.fromhex(ticket_id)
    return PREFIX + base64.b32encode(raw + _tag(raw, _key())).decode("ascii").rstrip("=")


def ticket_code(registration) -> str:
    """The signed code printed in ``registration``'s QR (an ORM ``Registration`` or a ``NewRegistration``)."""
    return make_code(registration.ticket_id)


def ticket_url(registration) -> str:
    """The attendee's private ticket page, on ``PUBLIC_URL``."""
    return external_url("registration.ticket", token=registration.access_token)


def read_code(code: str) -> str | None:
    """Return the ticket id if ``code`` is well formed and its signature verifies, else None."""
    code = (code or "").strip().upper()
    if len(code) != CODE_LENGTH or not code.startswith(PREFIX):
        return None
    try:
        payload = base64.b32decode(code[len(PREFIX):] + "===")
    except (ValueError, TypeError):
        return None
    if len(payload) != ID_BYTES + TAG_BYTES:
        return None
    # 29 Base32 characters carry 145 bits for 144: the last character has a spare bit. Accept only the
    # canonical spelling, so that no altered code is ever admitted, not even one naming the same ticket.
    if base64.b32encode(payload).decode("ascii").rstrip("=") != code[len(PREFIX):]:
        return None
    raw, tag = payload[:ID_BYTES], payload[ID_BYTES:]
    if not hmac.compare_digest(tag, _tag(raw, _key())):
        return None
    return raw.hex()
