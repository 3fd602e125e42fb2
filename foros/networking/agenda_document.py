"""The "agenda estatal" as a document: published conclusions from several forums and Jornadas grouped by theme,
each item traced to its events and tables (plain data built by ``foros.networking.state_agenda``), as an A4 PDF
and as rows for XLSX through the one exporter."""

import io
from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer

from foros.core import pdf
from foros.core.export import Column
from foros.core.formatting import fmt_datetime
from foros.core.identity import current_identity
from foros.networking.relatoria import MARGIN


@dataclass(frozen=True)
class Origin:
    """Where an item comes from: an event, its networking session, the conclusion's number and its tables."""

    event_title: str
    event_slug: str
    session_title: str
    number: int
    tables: list[int]


@dataclass(frozen=True)
class AgendaItem:
    """One line of the state agenda."""

    number: int
    text: str
    theme: str
    origins: list[Origin]


@dataclass(frozen=True)
class AgendaDocument:
    """The state agenda: title, introduction, when it was last published, items grouped by theme."""

    title: str
    introduction: str
    published_at: datetime | None
    #: (theme, items) in theme order; items numbered across the whole document.
    groups: list[tuple[str, list[AgendaItem]]]

    @property
    def items(self) -> list[AgendaItem]:
        return [item for _theme, items in self.groups for item in items]


COLUMNS = [
    Column("number", "Número", 8),
    Column("theme", "Tema", 24),
    Column("text", "Compromiso o conclusión", 80),
    Column("events", "Eventos", 50),
    Column("tables", "Mesas de origen", 30),
]


def origin_label(origin: Origin) -> str:
    """«Jornadas 2023 — conclusión 3 (mesas 1, 4)», «… (mesa 2)» for one table."""
    tables = ", ".join(str(n) for n in origin.tables)
    noun = "mesa" if len(origin.tables) == 1 else "mesas"
    return f"{origin.event_title} — conclusión {origin.number}" + (f" ({noun} {tables})" if tables else "")


def export_rows(document: AgendaDocument) -> list[dict]:
    """One row per item, with its events and tables of origin."""
    return [{"number": item.number, "theme": item.theme, "text": item.text,
             "events": "; ".join(dict.fromkeys(o.event_title for o in item.origins)),
             "tables": "; ".join(origin_label(o) for o in item.origins)} for item in document.items]


def agenda_pdf(document: AgendaDocument) -> bytes:
    """The state agenda as an A4 PDF grouped by theme, each item with its origins."""
    s = pdf.styles()
    identity = current_identity()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=16 * mm,
                            bottomMargin=18 * mm, title=document.title, author=identity.name or "Foros",
                            subject="Agenda estatal de gobierno abierto")
    story = []
    if identity.pdf_logo is not None:
        story += [Image(str(identity.pdf_logo), width=22 * mm, height=22 * mm, kind="proportional", hAlign="LEFT"),
                  Spacer(1, 2 * mm)]
    story += [Paragraph(escape(identity.name), s["small"]), Paragraph(escape(document.title), s["title"])]
    if document.published_at:
        story.append(Paragraph(escape(f"Publicada el {fmt_datetime(document.published_at, 'long')}"), s["small"]))
    if document.introduction:
        story += [Spacer(1, 3 * mm), Paragraph(escape(document.introduction), s["body"])]
    if not document.groups:
        story.append(Paragraph("La agenda aún no tiene conclusiones.", s["body"]))
    for theme, items in document.groups:
        story += [Spacer(1, 4 * mm), Paragraph(escape(theme), s["heading"])]
        for item in items:
            story.append(Paragraph(f"<b>{item.number}.</b> {escape(item.text)}", s["body"]))
            origins = "; ".join(origin_label(o) for o in item.origins)
            story.append(Paragraph("Origen: " + escape(origins), s["small"]))
            story.append(Spacer(1, 2 * mm))
    doc.build(story, canvasmaker=pdf.numbered_canvas(pdf.page_footer(f"{identity.name} · {document.title}")))
    return buffer.getvalue()
