"""Text people type, cleaned once for every form and API field (no control characters, no bidi overrides),
and the one place where text is folded for comparison or turned into a slug."""

import re
import unicodedata

#: A slug in a URL (events, check-in lists): lower-case letters and digits in words joined by single hyphens.
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
SLUG_RE = re.compile(SLUG_PATTERN)

#: C0/C1 control characters except tab, line feed and carriage return (normal whitespace handling stays with
#: each field), and the invisible bidirectional controls (U+202A–U+202E embeddings and overrides, U+2066–U+2069
#: isolates, U+200E/U+200F/U+061C marks): a name with U+202E shows reversed on every page, list and PDF.
#: Bidi text is handled by stripping these on input; the letters of right-to-left scripts are kept.
_UNWANTED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def clean_text(value):
    """Remove control and bidi-control characters from a string; anything else is returned as it is."""
    if isinstance(value, str) and not (value.isascii() and value.isprintable()):
        return _UNWANTED.sub("", value)
    return value


def ascii_lower(text) -> str:
    """``text`` in lower case without accents (NFKD, non-ASCII dropped): «Ñuñoa Álvarez» → «nunoa alvarez»."""
    return unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode("ascii").lower()


def fold(text) -> str:
    """How typed text is compared: lower case, no accents, underscores as spaces, single spaces."""
    return " ".join(ascii_lower(text).replace("_", " ").split())


def slugify(text, max_length: int = 80) -> str:
    """'Foro Regional — Chimalhuacán 2023' → 'foro-regional-chimalhuacan-2023' (at most ``max_length``)."""
    return re.sub(r"[^a-z0-9]+", "-", ascii_lower(text)).strip("-")[:max_length].strip("-")


def normalize_email(email) -> str:
    """How an e-mail address is stored and compared: trimmed, lower case (``None`` → ``""``)."""
    return (email or "").strip().lower()
