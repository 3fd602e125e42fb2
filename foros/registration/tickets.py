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
from foros.core.qr import qr_image
from foros.core.qr import qr_png as _qr_png
from foros.core.time import LOCAL_TZ, to_local
from foros.events.models import Modality
from foros.registration.models import RegistrationStatus


def qr_png(code: str) -> bytes:
    """PNG of the ticket's QR."""
    return _qr_png(code)


def _place(event) -> str:
    municipality = event.municipality.name if event.municipality else ""
    parts = [event.venue, event.address, f"{municipality}, Estado de México" if municipality else ""]
    return ", ".join(p for p in parts if p)


def ticket_pdf(registration) -> bytes:
    """A4 ticket: event, venue, dates, name, status and a large QR (about 7 cm, prints and scans well)."""
    from foros.registration.services import ticket_code

    event = registration.event
    s = pdf.styles()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm,
                            bottomMargin=16 * mm, title=f"Boleto — {event.title}", author="Foros",
                            subject="Boleto de registro")
    code = ticket_code(registration)
    qr = io.BytesIO()
    qr_image(code, box_size=12).save(qr, format="PNG")
    qr.seek(0)
    status = registration.status.label
    if registration.status == RegistrationStatus.WAITLISTED:
        status += " (le avisaremos por correo si se libera un lugar)"
    days = "<br/>".join(
        escape(f"{fmt_date(d.day)}, de {fmt_time(d.starts_at)} a {fmt_time(d.ends_at)} h")
        for d in registration.days
    )
    story = [
        Paragraph("Boleto de acceso", s["small"]),
        Paragraph(escape(event.title), s["title"]),
        Paragraph(escape(registration.name), s["big"]),
        Spacer(1, 4 * mm),
        Table(
            [[Image(qr, width=70 * mm, height=70 * mm),
              [Paragraph("Fechas", s["heading"]), Paragraph(days, s["body"]),
               Paragraph("Sede", s["heading"]), Paragraph(escape(_place(event)) or "—", s["body"]),
               Paragraph("Modalidad", s["heading"]), Paragraph(Modality(registration.modality).label, s["body"]),
               Paragraph("Estado", s["heading"]), Paragraph(escape(status), s["body"])]]],
            colWidths=[76 * mm, None],
            style=TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]),
        ),
        Spacer(1, 3 * mm),
        Paragraph(f"Código: {escape(code)}", s["code"]),
        Spacer(1, 3 * mm),
        Paragraph("Presente este código QR en la entrada, impreso o en la pantalla de su teléfono. "
                  "Es personal: cada código se admite una sola vez.", s["body"]),
        Spacer(1, 6 * mm),
        Paragraph("El código no contiene datos personales. Puede consultar, corregir o cancelar su registro "
                  "desde el enlace que recibió por correo.", s["small"]),
    ]
    doc.build(story)
    return buffer.getvalue()


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
        item.add("summary", event.title)
        item.add("dtstart", to_local(day.starts_at).astimezone(LOCAL_TZ))
        item.add("dtend", to_local(day.ends_at).astimezone(LOCAL_TZ))
        item.add("dtstamp", registration.created_at)
        item.add("location", _place(event))
        description = event.description[:500]
        if registration.modality == Modality.VIRTUAL and event.online_url:
            description = f"Transmisión: {event.online_url}\n\n{description}"
        item.add("description", description)
        if event.online_url and registration.modality == Modality.VIRTUAL:
            item.add("url", event.online_url)
        cal.add_component(item)
    cal.add_missing_timezones()
    return cal.to_ical()
