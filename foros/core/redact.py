"""What may go into a log line: no link secrets (ticket tokens in paths), no e-mail addresses."""

import re

from flask import request

#: A path segment that looks like a secret: 16+ characters of a URL-safe token alphabet with a digit or mixed
#: case (ticket links, reset links). Slugs are lower-case words with hyphens and stay readable.
_TOKEN_SEGMENT = re.compile(r"(?<=/)(?=[A-Za-z0-9_\-]*[0-9A-Z_])[A-Za-z0-9_\-]{16,}(?=/|$)")
_EMAIL = re.compile(r"[^\s<>()\[\]@,;:\"']+@([A-Za-z0-9.\-]+\.[A-Za-z]{2,})")


def redact_path(path: str) -> str:
    """``/boleto/Xy3…`` → ``/boleto/[secreto]``: token-like segments replaced, the rest kept for context."""
    return _TOKEN_SEGMENT.sub("[secreto]", path)


def redact_emails(text: str) -> str:
    """``ana@example.org`` → ``[correo]@example.org``: the domain helps diagnose, the person stays private."""
    return _EMAIL.sub(r"[correo]@\1", text)


def request_route() -> str:
    """The current request for a log line: its URL rule (``/boleto/<token>``), never the concrete path with
    its secrets; a redacted path when no rule matched."""
    rule = request.url_rule
    return rule.rule if rule is not None else redact_path(request.path)
