"""The attendee's ticket as files: QR image, A4 PDF (readable on a phone), and an .ics calendar file."""

import io
from xml.sax.saxutils import escape

from icalendar import Calendar
from icalendar import Event as CalendarEvent
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from foros.core import pdf
from foros.core.formatting import fmt_date, fmt_time
from foros.core.identity import current_identity
from foros.core.qr import qr_image
from foros.core.qr import qr_png as _qr_png
from foros.core.time import LOCAL_TZ, to_local
from foros.events.models import Modality
from foros.registration.codes import ticket_code
from foros.registration.models import RegistrationStatus
from foros.registration.signup import waitlist_position


def qr_png(code: str) -> bytes:
    """PNG of the ticket's QR."""
    return _qr_png(code)


def ticket_pdf(registration) -> bytes:
    """A4 ticket: institute, event, venue, dates, name, status and — only when confirmed — a large QR (about
    7 cm, prints and scans well). A waitlisted registration gets a receipt that says so, without a QR."""
    event = registration.event
    s = pdf.styles()
    identity = current_identity()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm,
                            bottomMargin=16 * mm, title=f"Boleto — {event.title}", author=identity.name or "Foros",
                            subject="Boleto de registro")
    confirmed = registration.status == RegistrationStatus.CONFIRMED
    days = "<br/>".join(
        escape(f"{fmt_date(d.day)}, de {fmt_time(d.starts_at)} a {fmt_time(d.ends_at)}")
        for d in registration.days
    )
    facts = [Paragraph("Fechas", s["heading"]), Paragraph(days, s["body"]),
             Paragraph("Sede", s["heading"]), Paragraph(escape(event.full_address) or "—", s["body"]),
             Paragraph("Modalidad", s["heading"]), Paragraph(Modality(registration.modality).label, s["body"])]
    story = [*_letterhead(identity, s),
             Paragraph("Boleto de acceso" if confirmed else "Comprobante de registro", s["small"]),
             Paragraph(escape(event.title), s["title"]),
             Paragraph(escape(registration.name), s["big"]),
             Spacer(1, 4 * mm)]
    if confirmed:
        code = ticket_code(registration)
        qr = io.BytesIO()
        qr_image(code, box_size=12).save(qr, format="PNG")
        qr.seek(0)
        facts += [Paragraph("Estado", s["heading"]), Paragraph(escape(registration.status.label), s["body"])]
        story += [
            Table([[Image(qr, width=70 * mm, height=70 * mm), facts]], colWidths=[76 * mm, None],
                  style=TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")])),
            Spacer(1, 3 * mm),
            Paragraph(f"Código: {escape(code)}", s["code"]),
            Spacer(1, 3 * mm),
            Paragraph("Presente este código QR en la entrada, impreso o en la pantalla de su teléfono. "
                      "Es personal: cada código se admite una sola vez.", s["body"]),
        ]
    else:
        position = waitlist_position(registration)
        story += [
            Paragraph(f"LISTA DE ESPERA · LUGAR {position}", s["title"]),
            Paragraph("Todavía no tiene lugar confirmado: el cupo está lleno. Este comprobante no da acceso a la "
                      "entrada y no lleva código QR. Si alguien cancela, confirmaremos su registro "
                      "automáticamente y le enviaremos por correo su boleto con código QR.", s["body"]),
            Spacer(1, 3 * mm),
            *facts,
        ]
    story += [
        Spacer(1, 6 * mm),
        Paragraph(("El código no contiene datos personales. " if confirmed else "")
                  + "Puede consultar, corregir o cancelar su registro desde el enlace que recibió por correo.",
                  s["small"]),
    ]
    doc.build(story)
    return buffer.getvalue()


def _letterhead(identity, s) -> list:
    """The institute's logo and name across the top of the page."""
    name = Paragraph(escape(identity.name), s["heading"])
    if identity.pdf_logo is None:
        return [name, Spacer(1, 2 * mm)]
    logo = Image(str(identity.pdf_logo), width=14 * mm, height=14 * mm, kind="proportional")
    return [Table([[logo, name]], colWidths=[18 * mm, None],
                  style=TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (0, 0), 0)])),
            Spacer(1, 3 * mm)]


def event_ics(registration) -> bytes:
    """The days the person attends, as VEVENTs with TZID America/Mexico_City and stable UIDs."""
    event = registration.event
    cal = Calendar()
    cal.add("prodid", "-//Foros de Gobierno Abierto//foros//ES")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-timezone", "America/Mexico_City")
    for day in registration.days:
        item = CalendarEvent()
        item.add("uid", f"foros-{event.slug}-{day.day.isoformat()}-{registration.ticket_id}@foros")
        if registration.status == RegistrationStatus.WAITLISTED:
            item.add("summary", f"{event.title} (lista de espera)")
            item.add("status", "TENTATIVE")
        else:
            item.add("summary", event.title)
        item.add("dtstart", to_local(day.starts_at).astimezone(LOCAL_TZ))
        item.add("dtend", to_local(day.ends_at).astimezone(LOCAL_TZ))
        item.add("dtstamp", registration.created_at)
        item.add("location", event.full_address)
        description = event.description[:500]
        if registration.status == RegistrationStatus.WAITLISTED:
            description = ("Está en lista de espera: todavía no tiene lugar confirmado. Le avisaremos por correo "
                           f"si se libera uno.\n\n{description}")
        if registration.modality == Modality.VIRTUAL and event.online_url:
            description = f"Transmisión: {event.online_url}\n\n{description}"
        item.add("description", description)
        if event.online_url and registration.modality == Modality.VIRTUAL:
            item.add("url", event.online_url)
        cal.add_component(item)
    cal.add_missing_timezones()
    return cal.to_ical()
