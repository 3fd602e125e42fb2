"""Buttons that higher domains add to the attendee's ticket page (e.g. "Descargar constancia").

Registration sits below them and must not import them: each registers a provider here from ``create_app``;
the ticket page shows what the providers return for the registration.
"""

from collections.abc import Callable

#: ``provider(registration) -> [(label, url), ...]``
TicketLinkProvider = Callable[..., list[tuple[str, str]]]

_PROVIDERS: list[TicketLinkProvider] = []


def register_ticket_links(provider: TicketLinkProvider) -> None:
    """Add a provider once (create_app may run several times in one process)."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def ticket_links(registration) -> list[tuple[str, str]]:
    """Every registered provider's buttons for this registration, in registration order."""
    return [link for provider in _PROVIDERS for link in provider(registration)]
