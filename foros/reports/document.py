"""The event report as an A4 PDF: a cover with the institute's identity, the table of contents, then one chapter
per registered section that has something to say about the event; "Página N de M" on every page."""

import io
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, Frame, PageBreak, PageTemplate, Paragraph, Spacer
from reportlab.platypus.tableofcontents import TableOfContents

from foros.core import pdf
from foros.core.formatting import fmt_datetime, fmt_day_span
from foros.core.identity import current_identity
from foros.core.time import utcnow
from foros.reports.sections import ReportContext, registered_sections

MARGIN = 18 * mm


def event_report_pdf(event, *, now=None) -> bytes:
    """The report of ``event``: cover, contents, and each registered section whose builder returns flowables."""
    s = pdf.styles()
    identity = current_identity()
    buffer = io.BytesIO()
    doc = _ReportDocument(buffer, footer=f"{identity.name} · Informe: {event.title}",
                          title=f"Informe del evento — {event.title}", author=identity.name or "Foros",
                          subject="Informe del evento")
    ctx = ReportContext(styles=s, generated_at=now or utcnow(), width=doc.width)
    chapters = []
    for section in registered_sections():
        body = section.build(event, ctx)
        if body:
            chapters.append((section, body))
    story = [*_cover(event, identity, ctx), PageBreak(), *_contents(chapters, s)]
    for number, (section, body) in enumerate(chapters, start=1):
        heading = Paragraph(f"{number}. {escape(section.title)}", s["title"])
        heading.toc_key = f"seccion-{section.key}"
        story += [PageBreak(), heading, Spacer(1, 2 * mm), *body]
    doc.multiBuild(story, canvasmaker=pdf.numbered_canvas(pdf.page_footer(doc.footer)))
    return buffer.getvalue()


def _cover(event, identity, ctx: ReportContext) -> list:
    made = f"Generado el {fmt_datetime(ctx.generated_at, 'long')} (hora del centro de México)"
    return pdf.cover_page(identity.name, identity.pdf_logo, kind="Informe del evento", title=event.title,
                          details=[fmt_day_span(event.days), event.full_address], notes=[made])


def _contents(chapters, s) -> list:
    story = [Paragraph("Contenido", s["title"])]
    if not chapters:
        return [*story, Paragraph("Este informe todavía no tiene secciones con datos de este evento.", s["body"])]
    toc = TableOfContents(dotsMinLevel=0)
    toc.levelStyles = [ParagraphStyle("ForosToc", parent=s["body"], leftIndent=0, firstLineIndent=0,
                                      spaceBefore=2, leading=16)]
    return [*story, toc]


class _ReportDocument(BaseDocTemplate):
    """A4 pages with one frame; each chapter heading becomes a contents entry and a PDF bookmark."""

    def __init__(self, buffer, *, footer: str, **kwargs):
        super().__init__(buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                         bottomMargin=MARGIN + 6 * mm, **kwargs)
        self.footer = footer
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body")
        self.addPageTemplates([PageTemplate(id="page", frames=[frame])])

    def afterFlowable(self, flowable):
        key = getattr(flowable, "toc_key", None)
        if key is None:
            return
        text = flowable.getPlainText()
        self.canv.bookmarkPage(key)
        self.canv.addOutlineEntry(text, key, level=0)
        self.notify("TOCEntry", (0, escape(text), self.page, key))
