"""The "lista de asistencia" PDF: A4 landscape, institutional header on every page, numbered rows, a signature
column, "Página N de M"; black on white with grey rules so it prints well on any printer.

Drawn straight on the canvas, row by row, with fixed row heights: every row has room for a signature, so the
number of pages is known before the first is drawn ("Página N de M" needs no second pass), and a cell's text
is fitted to its column — wrapped to two lines at most, then cut with an ellipsis — instead of being laid out
by a platypus table (which measured every cell twice and split the table page by page: 27 s for 10,000 rows,
see bench/README.md). The header that repeats on each page is drawn once as a form (a PDF XObject) and
placed on every page.
"""

from collections.abc import Callable, Iterable
from functools import partial

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from foros.core.export import Column
from foros.core.formatting import fmt_date, fmt_datetime
from foros.core.identity import current_identity
from foros.core.pdf import fonts

PAGE = landscape(A4)
MARGIN = 12 * mm
#: Height of the institutional header above the table.
HEADER_HEIGHT = 26 * mm
#: Longest text looked at for one cell (a 10,000-character field is cut long before it is measured).
MAX_CELL_CHARS = 300
NUMBER_WIDTH = 10 * mm
SIGNATURE_WIDTH = 45 * mm
FONT_SIZE = 8
LEADING = 9.5
PAD = 3
HEAD_ROW = 16
#: Every row is this tall: two lines of text, or room for a signature.
ROW = 24
#: Rows on one page.
PER_PAGE = int((PAGE[1] - MARGIN - HEADER_HEIGHT - HEAD_ROW - MARGIN) // ROW)
ELLIPSIS = "…"
STRIPE = colors.HexColor("#f2f2f2")
HEAD_FILL = colors.HexColor("#dddddd")
_FORM = "attendance-head"


def ellipsize(text: str, width: float, font: str, size: float = FONT_SIZE) -> str:
    """``text`` cut (with an ellipsis) to fit ``width`` points."""
    if stringWidth(text, font, size) <= width:
        return text
    low, high = 0, len(text)  # the longest prefix that fits with the ellipsis: binary search
    room = width - stringWidth(ELLIPSIS, font, size)
    while low < high:
        middle = (low + high + 1) // 2
        if stringWidth(text[:middle], font, size) <= room:
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + ELLIPSIS


def fit(text: str, width: float, font: str, size: float = FONT_SIZE) -> tuple[str, ...]:
    """The lines a cell shows: one if it fits, else wrapped at spaces to two, the second cut with an ellipsis."""
    text = " ".join(text[:MAX_CELL_CHARS].split())
    if stringWidth(text, font, size) <= width:
        return (text,)
    lines = simpleSplit(text, font, size, width)
    if len(lines) == 1:  # one word wider than the column
        return (ellipsize(lines[0], width, font, size),)
    first, rest = ellipsize(lines[0], width, font, size), " ".join(lines[1:])
    if len(lines) > 2 and not rest.endswith(ELLIPSIS):
        rest += " " + ELLIPSIS  # there was more: say so even if the cut lands at a word's end
    return first, ellipsize(rest, width, font, size)


def _text(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "tzinfo"):
        return fmt_datetime(value)
    return str(value)


def _columns(columns: list[Column]) -> list[float]:
    """Widths: the number, each data column by its weight, the signature."""
    data_width = PAGE[0] - 2 * MARGIN - NUMBER_WIDTH - SIGNATURE_WIDTH
    weights = [c.width or 15 for c in columns]
    return [NUMBER_WIDTH] + [data_width * w / sum(weights) for w in weights] + [SIGNATURE_WIDTH]


def _cells(columns: list[Column], widths: list[float], rows: Iterable[dict], font: str,
           progress: Callable[[int], None] | None) -> list[tuple]:
    """Each row's cells as the lines drawn; a value seen before in a column is fitted once."""
    fitters = []
    for column, width in zip(columns, widths[1:-1], strict=True):
        seen: dict[str, tuple[str, ...]] = {}
        fitters.append((column.key, seen, partial(fit, width=width - 2 * PAD, font=font)))
    prepared = []
    for number, row in enumerate(rows, 1):
        cells = []
        for key, seen, fitter in fitters:
            text = _text(row.get(key))
            lines = seen.get(text)
            if lines is None:
                lines = seen[text] = fitter(text)
            cells.append(lines)
        prepared.append(tuple(cells))
        if progress is not None:
            progress(number)
    return prepared


def attendance_pdf(event, *, subtitle: str, columns: list[Column], rows: Iterable[dict],
                   progress: Callable[[int], None] | None = None) -> bytes:
    """The attendance list as PDF bytes."""
    regular, bold = fonts()
    identity = current_identity()
    widths = _columns(columns)
    xs = [MARGIN]
    for width in widths:
        xs.append(xs[-1] + width)
    cells = _cells(columns, widths, rows, regular, progress)
    pages = max(1, -(-len(cells) // PER_PAGE))
    canvas = Canvas(None, pagesize=PAGE)
    canvas.setTitle(f"Lista de asistencia — {event.title}")
    canvas.setAuthor(identity.name)
    table_top = PAGE[1] - MARGIN - HEADER_HEIGHT
    _draw_head_form(canvas, event, identity, subtitle, columns, xs, table_top, regular, bold)
    for page in range(pages):
        canvas.doForm(_FORM)
        chunk = cells[page * PER_PAGE:(page + 1) * PER_PAGE]
        _draw_rows(canvas, chunk, page * PER_PAGE, xs, table_top - HEAD_ROW, regular)
        if not cells:
            canvas.setFont(regular, 10)
            canvas.drawString(MARGIN, table_top - HEAD_ROW - 16, "No hay personas con estos filtros.")
        canvas.setFont(regular, FONT_SIZE)
        canvas.drawRightString(PAGE[0] - MARGIN, MARGIN / 2, f"Página {page + 1} de {pages}")
        canvas.showPage()
    return canvas.getpdfdata()


def _draw_head_form(canvas, event, identity, subtitle, columns, xs, table_top, regular, bold) -> None:
    """The part every page repeats — the institute, the event, the filters and the table's header row."""
    canvas.beginForm(_FORM)
    top = PAGE[1] - MARGIN
    x = MARGIN
    if identity.pdf_logo is not None:
        canvas.drawImage(str(identity.pdf_logo), x, top - 16 * mm, 16 * mm, 16 * mm,
                         preserveAspectRatio=True, mask="auto")
        x += 19 * mm
    room = PAGE[0] - MARGIN - x
    dates = ", ".join(fmt_date(d.day, "long") for d in event.days)
    canvas.setFillColor(colors.black)
    canvas.setFont(bold, 11)
    canvas.drawString(x, top - 4 * mm, ellipsize(identity.name, room, bold, 11))
    canvas.setFont(bold, 13)
    canvas.drawString(x, top - 10 * mm, ellipsize(f"Lista de asistencia — {event.title}", room, bold, 13))
    canvas.setFont(regular, 9)
    canvas.drawString(x, top - 15 * mm, ellipsize(f"{dates} · {event.full_address}", room, regular, 9))
    canvas.drawString(x, top - 20 * mm, ellipsize(subtitle, room, regular, 9))
    canvas.setStrokeColor(colors.black)
    canvas.setLineWidth(1)
    canvas.line(MARGIN, top - 23 * mm, PAGE[0] - MARGIN, top - 23 * mm)
    canvas.setFillColor(HEAD_FILL)
    canvas.rect(xs[0], table_top - HEAD_ROW, xs[-1] - xs[0], HEAD_ROW, stroke=0, fill=1)
    canvas.setFillColor(colors.black)
    canvas.setFont(bold, FONT_SIZE)
    labels = ["No.", *(c.header for c in columns), "Firma"]
    for label, left, right in zip(labels, xs, xs[1:], strict=False):
        room, size = right - left - 2 * PAD, FONT_SIZE
        while size > 6 and stringWidth(label, bold, size) > room:  # a narrow column's header: smaller first
            size -= 0.5
        canvas.setFont(bold, size)
        canvas.drawString(left + PAD, table_top - HEAD_ROW + 5, ellipsize(label, room, bold, size))
    canvas.setLineWidth(0.5)
    canvas.grid(xs, [table_top, table_top - HEAD_ROW])
    canvas.endForm()


def _draw_rows(canvas, chunk: list[tuple], first: int, xs: list[float], top: float, regular: str) -> None:
    """One page's rows: stripes, rules, then all the text in one text object."""
    if not chunk:
        return
    stripes = canvas.beginPath()
    for n in range(1, len(chunk), 2):
        stripes.rect(xs[0], top - ROW * (n + 1), xs[-1] - xs[0], ROW)
    canvas.setFillColor(STRIPE)
    canvas.drawPath(stripes, stroke=0, fill=1)
    canvas.setFillColor(colors.black)
    canvas.setStrokeColor(colors.black)
    canvas.setLineWidth(0.5)
    canvas.grid(xs, [top - ROW * n for n in range(len(chunk) + 1)])
    text = canvas.beginText()
    text.setFont(regular, FONT_SIZE, LEADING)
    drop = FONT_SIZE * 0.35  # from the middle of a line to its baseline
    for n, cells in enumerate(chunk):
        row_middle = top - ROW * n - ROW / 2
        number = str(first + n + 1)
        text.setTextOrigin(xs[1] - PAD - stringWidth(number, regular, FONT_SIZE), row_middle - drop)
        text.textOut(number)
        for lines, x in zip(cells, xs[1:], strict=False):
            if len(lines) == 1:
                if lines[0]:
                    text.setTextOrigin(x + PAD, row_middle - drop)
                    text.textOut(lines[0])
            else:
                text.setTextOrigin(x + PAD, row_middle + LEADING / 2 - drop)
                text.textOut(lines[0])
                text.setTextOrigin(x + PAD, row_middle - LEADING / 2 - drop)
                text.textOut(lines[1])
    canvas.drawText(text)
