"""The "lista de asistencia" PDF: A4 landscape, institutional header on every page, numbered rows, a signature
column, "Página N de M"; black on white with grey rules so it prints well on any printer."""

import io
from collections.abc import Callable, Iterable

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, TableStyle

from foros.core.export import Column
from foros.core.formatting import fmt_date, fmt_datetime
from foros.core.identity import current_identity
from foros.core.pdf import fonts, numbered_canvas, styles

PAGE = landscape(A4)
MARGIN = 12 * mm
HEADER_HEIGHT = 30 * mm
#: Longest text put in one cell of the printed list (a 10,000-character field would fill pages).
MAX_CELL_CHARS = 300
NUMBER_WIDTH = 10 * mm
SIGNATURE_WIDTH = 45 * mm


def _cell(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "tzinfo"):
        return fmt_datetime(value)
    text = str(value)
    return text if len(text) <= MAX_CELL_CHARS else text[: MAX_CELL_CHARS - 1] + "…"


#: Cells up to this length are drawn as plain strings (one line, 5–10× faster than a Paragraph); longer ones wrap.
PLAIN_CHARS = 28


def _flowable(text: str, style):
    if len(text) <= PLAIN_CHARS and "\n" not in text:
        return text
    return Paragraph(_escape(text), style)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def attendance_pdf(event, *, subtitle: str, columns: list[Column], rows: Iterable[dict],
                   progress: Callable[[int], None] | None = None) -> bytes:
    """The attendance list as PDF bytes."""
    regular, bold = fonts()
    cell_style = ParagraphStyle("AttendanceCell", fontName=regular, fontSize=8, leading=10)
    head_style = ParagraphStyle("AttendanceHead", fontName=bold, fontSize=8, leading=10)
    identity = current_identity()
    dates = ", ".join(fmt_date(d.day, "long") for d in event.days)
    place = event.full_address
    width = PAGE[0] - 2 * MARGIN

    def header(canvas, page: int, total: int) -> None:
        canvas.saveState()
        top = PAGE[1] - MARGIN
        x = MARGIN
        if identity.pdf_logo is not None:
            canvas.drawImage(str(identity.pdf_logo), x, top - 16 * mm, 16 * mm, 16 * mm,
                             preserveAspectRatio=True, mask="auto")
            x += 19 * mm
        canvas.setFont(bold, 11)
        canvas.drawString(x, top - 4 * mm, identity.name)
        canvas.setFont(bold, 13)
        canvas.drawString(x, top - 10 * mm, f"Lista de asistencia — {event.title}"[:120])
        canvas.setFont(regular, 9)
        canvas.drawString(x, top - 15 * mm, f"{dates} · {place}"[:170])
        canvas.drawString(x, top - 20 * mm, subtitle[:170])
        canvas.setStrokeColor(colors.black)
        canvas.line(MARGIN, top - 23 * mm, PAGE[0] - MARGIN, top - 23 * mm)
        canvas.setFont(regular, 8)
        canvas.drawRightString(PAGE[0] - MARGIN, MARGIN / 2, f"Página {page} de {total}")
        canvas.restoreState()

    data_width = width - NUMBER_WIDTH - SIGNATURE_WIDTH
    weights = [c.width or 15 for c in columns]
    widths = [NUMBER_WIDTH] + [data_width * w / sum(weights) for w in weights] + [SIGNATURE_WIDTH]
    table = [[Paragraph("No.", head_style)] + [Paragraph(_escape(c.header), head_style) for c in columns]
             + [Paragraph("Firma", head_style)]]
    for number, row in enumerate(rows, 1):
        table.append([str(number)] + [_flowable(_cell(row.get(c.key)), cell_style) for c in columns] + [""])
        if progress is not None:
            progress(number)
    story = [LongTable(table, colWidths=widths, repeatRows=1, style=TableStyle([
        ("FONT", (0, 0), (-1, -1), regular, 8),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dddddd")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f2f2f2")]),
        ("TOPPADDING", (0, 1), (-1, -1), 7),  # room for a signature
        ("BOTTOMPADDING", (0, 1), (-1, -1), 7),
    ]))]
    if len(table) == 1:
        story.append(Paragraph("No hay personas con estos filtros.", styles()["body"]))
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=PAGE, leftMargin=MARGIN, rightMargin=MARGIN, bottomMargin=MARGIN,
                            topMargin=MARGIN + HEADER_HEIGHT, title=f"Lista de asistencia — {event.title}",
                            author=identity.name)
    doc.build(story, canvasmaker=numbered_canvas(header))
    return out.getvalue()
