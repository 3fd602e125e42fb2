"""Error codes, one catalogue per domain: each domain's ``errors.py`` declares the codes its services raise,
with a Spanish default message and the HTTP status; the OpenAPI document lists every code (core/api.py).

``DomainError("code")`` without a message takes the catalogue's message and status; a raise that passes its
own message (with the numbers of the case) keeps it. tests/core/test_error_catalogue.py proves every code
raised in foros/ is catalogued and documented."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ErrorCode:
    """One stable code: what API clients switch on, the Spanish default message, the HTTP status."""

    code: str
    message: str
    status: int = 422
    domain: str = ""


#: Every catalogued code, filled as each domain's errors module is imported (the domains' packages do it).
_REGISTRY: dict[str, ErrorCode] = {}


class Catalogue:
    """The error codes of one domain: ``Catalogue("events", {"event_not_found": (404, "…")})``."""

    def __init__(self, domain: str, entries: dict[str, tuple[int, str]]):
        self.domain = domain
        self.codes = {code: ErrorCode(code, message, status, domain)
                      for code, (status, message) in entries.items()}
        for code, entry in self.codes.items():
            known = _REGISTRY.get(code)
            if known is not None and known.domain != domain:
                raise ValueError(f"El código de error {code!r} ya está en el catálogo de {known.domain!r}.")
            _REGISTRY[code] = entry

    def __contains__(self, code: str) -> bool:
        return code in self.codes


def lookup(code: str) -> ErrorCode | None:
    """The catalogue's entry for ``code`` (None when no domain declared it)."""
    return _REGISTRY.get(code)


def all_codes() -> list[ErrorCode]:
    """Every catalogued code, sorted by domain then code (for the OpenAPI document)."""
    return sorted(_REGISTRY.values(), key=lambda entry: (entry.domain, entry.code))
