"""The programme as an A4 PDF (cover with the institute's identity, then each day's sessions with times, rooms
and people), and the same day tables for the agenda's section of the event report.

Black-and-white readable: nothing is told by colour alone — a cancelled session says «CANCELADA» in words and
its title is struck through; rules are grey lines that print on any printer. Never an online link.
"""

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from foros.agenda.programme import Programme, ReleasedSession
from foros.core import pdf
from foros.core.formatting import fmt_date, fmt_datetime, fmt_day_span, fmt_time
from foros.core.identity import current_identity

MARGIN = 18 * mm
TIME_COLUMN = 26 * mm


def programme_pdf(event, programme: Programme) -> bytes:
    """Cover (organization, event, dates, venue, version) and the released sessions by day."""
    s = pdf.styles()
    identity = current_identity()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=16 * mm,
                            bottomMargin=18 * mm, title=f"Programa — {event.title}",
                            author=identity.name or "Foros", subject="Programa del evento")
    story = [*_cover(event, programme, identity), PageBreak(), *day_tables(programme, s, doc.width)]
    footer = f"{identity.name} · Programa: {event.title} · versión {programme.number}"
    doc.build(story, canvasmaker=pdf.numbered_canvas(pdf.page_footer(footer)))
    return buffer.getvalue()


def _cover(event, programme: Programme, identity) -> list:
    published = (f"Versión {programme.number}, publicada el {fmt_datetime(programme.published_at, 'long')} "
                 "(hora del centro de México)")
    return pdf.cover_page(identity.name, identity.pdf_logo, kind="Programa", title=event.title,
                          details=[fmt_day_span(event.days), event.full_address],
                          notes=[published, programme.note])


def day_tables(programme: Programme, s, width: float) -> list:
    """Each day's heading and a table of its sessions (time | title, type, room, modality, people)."""
    cell = ParagraphStyle("ForosProgCell", parent=s["body"], fontSize=10, leading=13)
    small = ParagraphStyle("ForosProgSmall", parent=s["small"], fontSize=9, leading=11.5)
    story = []
    for day, sessions in programme.days():
        rows = [[Paragraph(_times(session), cell), _session_cell(session, cell, small)] for session in sessions]
        table = Table(rows, colWidths=[TIME_COLUMN, width - TIME_COLUMN], hAlign="LEFT", repeatRows=0)
        table.setStyle(TableStyle([
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.grey),
            ("TOPPADDING", (0, 0), (-1, -1), 4),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ("LEFTPADDING", (0, 0), (0, -1), 0),
        ]))
        story += [KeepTogether([Paragraph(escape(fmt_date(day).capitalize()), s["heading"]), Spacer(1, 1 * mm)]),
                  table, Spacer(1, 5 * mm)]
    return story


def _times(session: ReleasedSession) -> str:
    return f"<b>{fmt_time(session.starts_at)}</b>–{fmt_time(session.ends_at)}"


def _session_cell(session: ReleasedSession, cell, small) -> list:
    title = f"<b>{escape(session.title)}</b>"
    if session.cancelled:
        title = f"<b>CANCELADA:</b> <strike>{escape(session.title)}</strike>"
    facts = " · ".join(escape(part) for part in (session.type, session.room, session.modality_label) if part)
    lines = [Paragraph(title, cell)]
    if facts:
        lines.append(Paragraph(facts, small))
    if session.people:
        people = "<br/>".join(
            f"{escape(p.role_label)}: <b>{escape(p.name)}</b>"
            + (f", {escape(p.affiliation)}" if p.affiliation else "") for p in session.people)
        lines.append(Paragraph(people, small))
    return lines
