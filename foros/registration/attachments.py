"""The ticket's files on registration e-mail (QR and calendar), registered with mail by ``create_app``."""

from foros.mail.attachments import Attachment, AttachmentBuilder
from foros.mail.models import OutboxMessage
from foros.registration.codes import ticket_code
from foros.registration.models import RegistrationStatus
from foros.registration.tickets import event_ics, qr_png

#: Message kinds that carry the ticket.
KIND_PREFIX = "registration."


def attaches_ticket(message: OutboxMessage) -> bool:
    """Registration e-mail carries the QR and the calendar file while the ticket admits its holder.

    Decided at delivery: a confirmation sent after the person cancelled carries no QR, and someone still on
    the waiting list gets theirs with the promotion e-mail, not before. Anonymised registrations get nothing.
    """
    registration = message.registration
    return (message.kind.startswith(KIND_PREFIX) and registration is not None
            and registration.anonymized_at is None and registration.status == RegistrationStatus.CONFIRMED)


def ticket_attachments(message: OutboxMessage) -> list[Attachment]:
    """The QR image and the ``.ics`` of the message's registration, built now."""
    registration = message.registration
    return [
        Attachment("boleto-qr.png", "image", "png", qr_png(ticket_code(registration))),
        Attachment("evento.ics", "text", "calendar", event_ics(registration)),
    ]


TICKET_FILES = AttachmentBuilder(applies=attaches_ticket, build=ticket_attachments)
