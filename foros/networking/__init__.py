"""Networking conclusions (issue 14): tables, capture from a phone, consolidation, publication, state agenda."""

from foros.networking import errors  # noqa: E402,F401  (declares its error codes: foros.core.error_catalogue)
