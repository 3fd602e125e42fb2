"""The registry of the event report's sections.

The report knows no domain: each domain that has something to say about an event registers a section — a key,
a title, an order and a ``build(event, ctx)`` function that returns reportlab flowables, or ``None`` when it has
nothing for that event. Domains below the report (events, registration, check-in) are registered by
``create_app``, the composition root; later domains register their own section the same way, and the report's
code does not change.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

#: ``build(event, ctx)``: the section's body (its heading is added by the report), or None to leave it out.
SectionBuilder = Callable[[object, "ReportContext"], list | None]


@dataclass(frozen=True)
class Section:
    """One section of the event report."""

    key: str
    title: str
    #: Position in the report, smallest first (ties by key); leave gaps (10, 20, …) for later domains.
    order: int
    build: SectionBuilder


@dataclass
class ReportContext:
    """What every section builder receives besides the event."""

    #: The shared paragraph styles (``foros.core.pdf.styles()``).
    styles: dict
    #: When the report is generated (UTC).
    generated_at: datetime
    #: Usable width of the page, in points, for tables and drawings.
    width: float
    #: Values one section computes and another may reuse (e.g. figures), keyed by the section's own names.
    shared: dict = field(default_factory=dict)


_sections: dict[str, Section] = {}


def register_section(key: str, title: str, order: int, build: SectionBuilder) -> Section:
    """Add a section to the report (registering a key again replaces it, so building a second app is harmless)."""
    section = Section(key=key, title=title, order=order, build=build)
    _sections[key] = section
    return section


def unregister_section(key: str) -> None:
    """Take a section out of the report (nothing happens if it is not there)."""
    _sections.pop(key, None)


def registered_sections() -> list[Section]:
    """Every registered section, in report order."""
    return sorted(_sections.values(), key=lambda s: (s.order, s.key))
