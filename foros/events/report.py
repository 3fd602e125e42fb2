"""The event's own section of the event report: what it was, when, where, who took part, how many places."""

from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from foros.core.formatting import fmt_date, fmt_number, fmt_time

TITLE = "Datos del evento"


def event_section(event, ctx) -> list:
    """Title, kind, status, days, venue, municipality, modality, capacity, institutions and description."""
    s = ctx.styles
    municipality = event.municipality
    days = "<br/>".join(escape(f"{fmt_date(d.day)}, de {fmt_time(d.starts_at)} a {fmt_time(d.ends_at)}")
                        for d in event.days) or "—"
    rows = [
        ("Evento", escape(event.title)),
        ("Tipo", escape(event.kind.label)),
        ("Estado", escape(event.status.label)),
        ("Fechas (hora del centro de México)", days),
        ("Sede", escape(event.full_address) or "—"),
        ("Municipio", escape(municipality.name) if municipality else "—"),
        ("Modalidad", escape(event.modality.label)),
        *[(f"Cupo {mode.label.lower()}", _capacity(event.capacity_for(mode)))
          for mode in event.modality.attendance_modes],
    ]
    table = Table([[Paragraph(label, s["small"]), Paragraph(value, s["body"])] for label, value in rows],
                  colWidths=[50 * mm, ctx.width - 50 * mm], hAlign="LEFT")
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.grey),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]))
    story = [table]
    institutions = event.institution_list
    if institutions:
        story += [Spacer(1, 4 * mm), Paragraph("Instituciones participantes", s["heading"]),
                  *[Paragraph(f"• {escape(name)}", s["body"]) for name in institutions]]
    paragraphs = [p.strip() for p in (event.description or "").split("\n\n") if p.strip()]
    if paragraphs:
        story += [Spacer(1, 4 * mm), Paragraph("Descripción", s["heading"]),
                  *[Paragraph(escape(p).replace("\n", "<br/>"), s["body"]) for p in paragraphs]]
    return story


def _capacity(places: int | None) -> str:
    return "Sin límite" if places is None else f"{fmt_number(places)} lugares"

