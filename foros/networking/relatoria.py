"""The "relatoría" of a networking session: what it is made of (plain data, built by
``foros.networking.consolidation.relatoria_of``), its A4 PDF, and its rows for CSV/XLSX/JSON through the one
exporter. The PDF: the session and its date, the tables and their topics, participation by sector, the
numbered published conclusions (themes, tables of origin, supports), and an annex with every table's original
text."""

import io
from dataclasses import dataclass, field
from datetime import datetime
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from foros.core import pdf
from foros.core.export import Column
from foros.core.formatting import fmt_date, fmt_datetime, fmt_number, fmt_time
from foros.core.identity import current_identity

MARGIN = 18 * mm


@dataclass(frozen=True)
class TableSummary:
    """One table of the session as the relatoría shows it."""

    number: int
    topic: str
    facilitator: str
    rapporteur: str
    seats: int
    #: The table's original conclusions, as the rapporteur left them (the annex).
    originals: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class NumberedConclusion:
    """A published consolidated conclusion with its number in the list."""

    number: int
    text: str
    themes: list[str]
    #: Numbers of the tables whose conclusions it consolidates (provenance).
    tables: list[int]
    supports: int


@dataclass(frozen=True)
class Relatoria:
    """Everything the relatoría says about one networking session."""

    event_title: str
    event_slug: str
    session_title: str
    starts_at: datetime
    ends_at: datetime
    published_at: datetime | None
    tables: list[TableSummary]
    #: (sector label, people seated at the tables), largest first.
    sectors: list[tuple[str, int]]
    conclusions: list[NumberedConclusion]


#: The columns of the CSV/XLSX export (and the keys of each JSON item).
COLUMNS = [
    Column("number", "Número", 8),
    Column("text", "Conclusión", 80),
    Column("themes", "Temas", 30),
    Column("tables", "Mesas de origen", 16),
    Column("supports", "Apoyos", 10),
    Column("session", "Sesión", 40),
    Column("event", "Evento", 40),
]


def export_rows(relatoria: Relatoria) -> list[dict]:
    """One row per numbered conclusion, for the exporter."""
    return [{"number": c.number, "text": c.text, "themes": ", ".join(c.themes),
             "tables": ", ".join(str(n) for n in c.tables), "supports": c.supports,
             "session": relatoria.session_title, "event": relatoria.event_title} for c in relatoria.conclusions]


def as_json(relatoria: Relatoria) -> dict:
    """The relatoría for analysis: session, tables with their originals, sectors and numbered conclusions."""
    return {
        "event": {"slug": relatoria.event_slug, "title": relatoria.event_title},
        "session": {"title": relatoria.session_title, "starts_at": relatoria.starts_at.isoformat(),
                    "ends_at": relatoria.ends_at.isoformat()},
        "published_at": relatoria.published_at.isoformat() if relatoria.published_at else None,
        "tables": [{"number": t.number, "topic": t.topic, "facilitator": t.facilitator,
                    "rapporteur": t.rapporteur, "seats": t.seats, "original_conclusions": t.originals}
                   for t in relatoria.tables],
        "participation_by_sector": [{"sector": label, "people": count} for label, count in relatoria.sectors],
        "conclusions": [{"number": c.number, "text": c.text, "themes": c.themes, "tables": c.tables,
                         "supports": c.supports} for c in relatoria.conclusions],
    }


def relatoria_pdf(relatoria: Relatoria) -> bytes:
    """The relatoría as an A4 PDF, readable printed in black and white."""
    s = pdf.styles()
    identity = current_identity()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=16 * mm,
                            bottomMargin=18 * mm, title=f"Relatoría — {relatoria.session_title}",
                            author=identity.name or "Foros", subject="Relatoría de la sesión de networking")
    story = []
    if identity.pdf_logo is not None:
        story += [Image(str(identity.pdf_logo), width=22 * mm, height=22 * mm, kind="proportional", hAlign="LEFT"),
                  Spacer(1, 2 * mm)]
    story += [Paragraph(escape(identity.name), s["small"]), Paragraph("Relatoría", s["title"]),
              Paragraph(escape(relatoria.session_title), s["big"]),
              Paragraph(escape(relatoria.event_title), s["body"]),
              Paragraph(escape(f"{fmt_date(relatoria.starts_at).capitalize()}, {fmt_time(relatoria.starts_at)}–"
                               f"{fmt_time(relatoria.ends_at)} (hora del centro de México)"), s["body"])]
    if relatoria.published_at:
        when = fmt_datetime(relatoria.published_at, "long")
        story.append(Paragraph(escape(f"Conclusiones publicadas el {when}"),
                               s["small"]))
    story += [Spacer(1, 5 * mm), *conclusions_story(relatoria, s, doc.width)]
    story += [Spacer(1, 4 * mm), Paragraph("Mesas de trabajo", s["heading"]),
              tables_table(relatoria, s, doc.width)]
    if relatoria.sectors:
        story += [Spacer(1, 4 * mm), Paragraph("Participación por sector", s["heading"]),
                  _grid([["Sector", "Personas"]] + [[label, fmt_number(n)] for label, n in relatoria.sectors],
                        [doc.width * 0.7, doc.width * 0.3], s)]
    story += [Spacer(1, 6 * mm), Paragraph("Anexo: texto original de cada mesa", s["heading"])]
    for table in relatoria.tables:
        story.append(Paragraph(f"<b>Mesa {table.number}</b>" + (f": {escape(table.topic)}" if table.topic else ""),
                               s["body"]))
        if not table.originals:
            story.append(Paragraph("Sin conclusiones registradas.", s["small"]))
        for i, text in enumerate(table.originals, start=1):
            story.append(Paragraph(f"{table.number}.{i}. {escape(text)}", s["small"]))
        story.append(Spacer(1, 2 * mm))
    footer = f"{identity.name} · Relatoría: {relatoria.session_title}"
    doc.build(story, canvasmaker=pdf.numbered_canvas(pdf.page_footer(footer)))
    return buffer.getvalue()


def conclusions_story(relatoria: Relatoria, s, width: float) -> list:
    """The numbered conclusions (also the event report's section body)."""
    story = [Paragraph("Conclusiones", s["heading"])]
    if not relatoria.conclusions:
        return story + [Paragraph("Aún no hay conclusiones publicadas.", s["body"])]
    for c in relatoria.conclusions:
        facts = [f"Mesas: {', '.join(str(n) for n in c.tables)}" if c.tables else "",
                 f"Temas: {', '.join(c.themes)}" if c.themes else "",
                 f"Apoyos: {fmt_number(c.supports)}"]
        story += [Paragraph(f"<b>{c.number}.</b> {escape(c.text)}", s["body"]),
                  Paragraph(escape(" · ".join(f for f in facts if f)), s["small"]), Spacer(1, 2 * mm)]
    return story


def tables_table(relatoria: Relatoria, s, width: float):
    """Number, topic, facilitator, rapporteur and seats of each table."""
    rows = [["Mesa", "Tema o pregunta", "Facilitación", "Relatoría", "Personas"]]
    rows += [[str(t.number), t.topic, t.facilitator, t.rapporteur, fmt_number(t.seats)] for t in relatoria.tables]
    return _grid(rows, [width * w for w in (0.08, 0.42, 0.19, 0.19, 0.12)], s)


def _grid(rows: list[list[str]], widths: list[float], s) -> Table:
    cell = ParagraphStyle("ForosRelCell", parent=s["body"], fontSize=9.5, leading=12)
    head = ParagraphStyle("ForosRelHead", parent=cell, fontName=pdf.fonts()[1])
    data = [[Paragraph(escape(str(v)), head if i == 0 else cell) for v in row] for i, row in enumerate(rows)]
    table = Table(data, colWidths=widths, hAlign="LEFT", repeatRows=1)
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
        ("LINEBELOW", (0, 1), (-1, -1), 0.3, colors.grey),
    ]))
    return table
