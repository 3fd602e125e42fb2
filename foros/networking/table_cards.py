"""Printable table cards (issue 14, point 2): one A4 page per table of a networking session, with the QR of
the table's capture link, its number and topic, and a line on how to use it. Black and white friendly."""

import io
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Image, PageBreak, Paragraph, SimpleDocTemplate, Spacer

from foros.core import pdf
from foros.core.formatting import fmt_date, fmt_time
from foros.core.identity import current_identity
from foros.core.urls import external_url

MARGIN = 18 * mm
QR_SIZE = 95 * mm


class _QR(Flowable):
    """The capture link's QR, centred, drawn as vector squares."""

    def __init__(self, text: str, size: float):
        super().__init__()
        self.text, self.size = text, size

    def wrap(self, avail_width, _avail_height):
        self._offset = max(0.0, (avail_width - self.size) / 2)
        return avail_width, self.size

    def draw(self):
        pdf.draw_qr(self.canv, self.text, self._offset, 0, self.size)


def capture_url(table) -> str:
    """The table's capture link, on PUBLIC_URL (printed, so never built from the request's Host header)."""
    return external_url("networking_capture.capture_page", capture_token=table.capture_token)


def table_cards_pdf(event, session, tables) -> bytes:
    """One card per table: institute, session, «Mesa N», topic, the QR of the capture link and the link itself."""
    s = pdf.styles()
    centred = {name: ParagraphStyle(f"Card{name}", parent=style, alignment=TA_CENTER)
               for name, style in s.items()}
    number = ParagraphStyle("CardNumber", parent=centred["title"], fontSize=44, leading=50, spaceAfter=4)
    identity = current_identity()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=15 * mm,
                            bottomMargin=15 * mm, title=f"Tarjetas de mesa — {session.title}",
                            author=identity.name or "Foros", subject="Enlaces de captura de conclusiones")
    when = f"{fmt_date(session.starts_at).capitalize()}, {fmt_time(session.starts_at)}–{fmt_time(session.ends_at)}"
    story = []
    if not tables:
        story.append(Paragraph("Esta sesión aún no tiene mesas.", s["body"]))
    for i, table in enumerate(tables):
        if i:
            story.append(PageBreak())
        if identity.pdf_logo is not None:
            story += [Image(str(identity.pdf_logo), width=18 * mm, height=18 * mm, kind="proportional"),
                      Spacer(1, 2 * mm)]
        url = capture_url(table)
        story += [
            Paragraph(escape(identity.name), centred["small"]),
            Paragraph(escape(event.title), centred["body"]),
            Paragraph(escape(f"{session.title} · {when}"), centred["small"]),
            Spacer(1, 6 * mm),
            Paragraph(f"Mesa {table.number}", number),
        ]
        if table.topic:
            story.append(Paragraph(escape(table.topic), centred["big"]))
        story += [Spacer(1, 8 * mm), _QR(url, QR_SIZE), Spacer(1, 6 * mm),
                  Paragraph("<b>Relatoría:</b> escanee el código con su teléfono para anotar las conclusiones de "
                            "esta mesa. No necesita cuenta; lo que escriba se guarda solo.", centred["body"]),
                  Spacer(1, 3 * mm),
                  Paragraph(escape(url), centred["small"]),
                  Paragraph("Este enlace abre solo esta mesa: compártalo únicamente con quien lleve la relatoría.",
                            centred["small"])]
        if table.rapporteur or table.facilitator:
            people = " · ".join(p for p in (f"Facilita: {table.facilitator}" if table.facilitator else "",
                                            f"Relatoría: {table.rapporteur}" if table.rapporteur else "") if p)
            story += [Spacer(1, 3 * mm), Paragraph(escape(people), centred["small"])]
    doc.build(story)
    return buffer.getvalue()
