"""The one PDF style module: fonts with Spanish accents and shared paragraph styles (reportlab)."""

import os
from collections.abc import Callable
from functools import lru_cache
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as pdf_canvas
from reportlab.platypus import Image, Paragraph, Spacer

from foros.core.qr import qr_matrix

BRAND = colors.HexColor("#6b1e3a")
#: The page margin of the A4 documents (programme, report, relatoría): the footer sits below it.
MARGIN = 18 * mm
_DEJAVU = [
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
]


@lru_cache(maxsize=1)
def fonts() -> tuple[str, str]:
    """Register DejaVu Sans when the system has it; else use Helvetica (Latin-1 covers Spanish)."""
    for regular, bold in _DEJAVU:
        if os.path.exists(regular) and os.path.exists(bold):
            pdfmetrics.registerFont(TTFont("Foros", regular))
            pdfmetrics.registerFont(TTFont("Foros-Bold", bold))
            return "Foros", "Foros-Bold"
    return "Helvetica", "Helvetica-Bold"


@lru_cache(maxsize=1)
def styles() -> dict[str, ParagraphStyle]:
    """Title, heading, body and small styles."""
    regular, bold = fonts()
    base = getSampleStyleSheet()["Normal"]
    return {
        "title": ParagraphStyle("ForosTitle", parent=base, fontName=bold, fontSize=20, leading=24,
                                textColor=BRAND, spaceAfter=8),
        "heading": ParagraphStyle("ForosHeading", parent=base, fontName=bold, fontSize=13, leading=16,
                                  spaceBefore=6, spaceAfter=4),
        "body": ParagraphStyle("ForosBody", parent=base, fontName=regular, fontSize=11, leading=15),
        "big": ParagraphStyle("ForosBig", parent=base, fontName=bold, fontSize=16, leading=20),
        "small": ParagraphStyle("ForosSmall", parent=base, fontName=regular, fontSize=8.5, leading=11,
                                textColor=colors.HexColor("#4a5560")),
        "code": ParagraphStyle("ForosCode", parent=base, fontName="Courier-Bold", fontSize=11, leading=14),
    }


def numbered_canvas(decorate: Callable) -> type:
    """A canvas class that holds the pages back until the end, then calls ``decorate(canvas, page, total)`` on
    each — for headers and footers that say "Página N de M" (pass it as ``canvasmaker``)."""

    class NumberedCanvas(pdf_canvas.Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages = []

        def showPage(self):  # noqa: N802 (reportlab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                decorate(self, self._pageNumber, total)
                super().showPage()
            super().save()

    return NumberedCanvas


def page_footer(text: str, *, margin: float = MARGIN) -> Callable:
    """The one running footer, for ``numbered_canvas``: a grey rule, ``text`` (cut to the line) at the left and
    "Página N de M" at the right, below the bottom margin."""
    regular, _bold = fonts()
    label = text if len(text) <= 95 else text[:94] + "…"

    def draw(canvas, page: int, total: int) -> None:
        width, _height = canvas._pagesize
        canvas.saveState()
        canvas.setFont(regular, 8)
        canvas.setStrokeGray(0.5)
        canvas.line(margin, margin - 4 * mm, width - margin, margin - 4 * mm)
        canvas.drawString(margin, margin - 8 * mm, label)
        canvas.drawRightString(width - margin, margin - 8 * mm, f"Página {page} de {total}")
        canvas.restoreState()

    return draw


def cover_page(organization: str, logo, *, kind: str, title: str, details: list[str], notes: list[str]) -> list:
    """The cover of an event's document (programme, report): the institute's logo and name, what the document is,
    the event's title, ``details`` (dates, venue) and small ``notes`` (version, when it was made)."""
    centred = {name: ParagraphStyle(f"{style.name}Centred", parent=style, alignment=1)
               for name, style in styles().items()}
    story = [Spacer(1, 28 * mm)]
    if logo is not None:
        story += [Image(str(logo), width=38 * mm, height=38 * mm, kind="proportional"), Spacer(1, 6 * mm)]
    story += [Paragraph(escape(organization), centred["big"]), Spacer(1, 24 * mm),
              Paragraph(escape(kind), centred["heading"]), Paragraph(escape(title), centred["title"]),
              Spacer(1, 4 * mm)]
    story += [Paragraph(escape(line), centred["body"]) for line in details if line]
    story.append(Spacer(1, 28 * mm))
    story += [Paragraph(escape(line), centred["small"]) for line in notes if line]
    return story


def draw_qr(canvas, text: str, x: float, y: float, size: float) -> None:
    """The QR of ``text`` as black squares on a white square of ``size`` at (x, y) (vector: sharp in print, and no
    image to encode per page), with a one-module margin."""
    matrix = qr_matrix(text)
    count = len(matrix)
    module = size / (count + 2)
    canvas.saveState()
    canvas.setFillColor(colors.white)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColor(colors.black)
    path = canvas.beginPath()
    for row, cells in enumerate(matrix):
        top = y + size - (row + 1) * module - module
        col = 0
        while col < count:
            if cells[col]:
                start = col
                while col < count and cells[col]:
                    col += 1
                path.rect(x + (start + 1) * module, top, (col - start) * module, module)
            else:
                col += 1
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()
