"""Files added to an e-mail at delivery, built by the domain that owns the data they come from.

Mail sits below the domains whose messages carry files (a ticket's QR and ``.ics`` belong to registration),
so it cannot import them: each such domain registers a builder for the message kinds it owns, and
``create_app`` (the composition root) does the registering.
"""

from collections.abc import Callable
from dataclasses import dataclass

from foros.mail.models import OutboxMessage


@dataclass(frozen=True)
class Attachment:
    """One file added to a message at delivery."""

    filename: str
    maintype: str
    subtype: str
    data: bytes


@dataclass(frozen=True)
class AttachmentBuilder:
    """The files of one family of messages: whether a message gets them now, and the files themselves."""

    applies: Callable[[OutboxMessage], bool]
    build: Callable[[OutboxMessage], list[Attachment]]


_builders: dict[str, AttachmentBuilder] = {}


def register_attachments(kind_prefix: str, builder: AttachmentBuilder) -> None:
    """Give messages whose kind starts with ``kind_prefix`` the files of ``builder`` (one builder per prefix;
    registering again replaces it, so building a second app is harmless)."""
    _builders[kind_prefix] = builder


def _builders_for(message: OutboxMessage) -> list[AttachmentBuilder]:
    return [builder for prefix, builder in _builders.items()
            if message.kind.startswith(prefix) and builder.applies(message)]


def has_attachments(message: OutboxMessage) -> bool:
    """Whether ``message`` would carry files if it were delivered now (decided at delivery, not at queuing)."""
    return bool(_builders_for(message))


def message_attachments(message: OutboxMessage) -> list[Attachment]:
    """The files to add to ``message``, built now by the builders registered for its kind."""
    return [attachment for builder in _builders_for(message) for attachment in builder.build(message)]
