"""The registration and attendance figures section of the event report: totals, then each breakdown of the
statistics (``foros.stats.services.event_statistics``) as a chart with its numbers in a table, then the map."""

from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, KeepTogether, Paragraph, Spacer, Table, TableStyle

from foros.core.formatting import fmt_number
from foros.reports.charts import bar_chart
from foros.stats.maps import map_drawing
from foros.stats.services import DIMENSIONS, event_statistics, municipality_counts

TITLE = "Registro y asistencia"
#: Municipalities listed one by one under the map; the rest are added up in one row.
MAP_TABLE_ROWS = 20
_PEOPLE = ("Registrados", "Asistentes")


def figures_section(event, ctx) -> list:
    """Totals, the breakdowns by sector, sex, modality, day and check-in list, and the map of municipalities."""
    stats = event_statistics(event)
    ctx.shared["statistics"] = stats
    s = ctx.styles
    totals = stats["totals"]
    received = totals["registered"] + totals["waitlisted"] + totals["cancelled"]
    rate = totals["no_show_rate"]
    story = [
        Paragraph("Registrados: registros confirmados (con lugar). Asistentes: registrados admitidos al menos una "
                  "vez en alguna lista de acceso. Inasistencia: registrados presenciales nunca admitidos.",
                  s["small"]),
        Spacer(1, 2 * mm),
        _table(["Indicador", "Personas"], [
            ["Registros recibidos", received],
            ["Registrados (confirmados)", totals["registered"]],
            ["En lista de espera", totals["waitlisted"]],
            ["Cancelados", totals["cancelled"]],
            ["Asistentes", totals["admitted"]],
            ["Registrados presenciales", totals["in_person"]],
            ["Inasistencia presencial", totals["no_show"] if rate is None
             else f"{fmt_number(totals['no_show'])} ({rate * 100:.0f} %)"],
        ], ctx),
    ]
    if not received:
        return [*story, Spacer(1, 3 * mm), Paragraph("Este evento no tiene registros.", s["body"])]
    for key in ("sector", "sex", "modality"):
        story += _breakdown(f"Por {DIMENSIONS[key].lower()}", stats["breakdowns"][key], _PEOPLE, ctx)
    if len(stats["days"]) > 1:
        story += _breakdown("Por día", stats["days"], _PEOPLE, ctx)
    story += _breakdown("Por lista de acceso", stats["lists"], ("Esperados", "Admitidos"), ctx)
    story += _map(stats["breakdowns"]["municipality"], ctx)
    return story


def _breakdown(title: str, rows: list[dict], names: tuple[str, str], ctx) -> list:
    if not rows:
        return []
    chart = bar_chart([r["label"] for r in rows],
                      [(names[0], [r["registered"] for r in rows]), (names[1], [r["admitted"] for r in rows])],
                      ctx.width)
    table = _table(["", *names], [[r["label"], r["registered"], r["admitted"]] for r in rows], ctx)
    return [CondPageBreak(60 * mm), Paragraph(escape(title), ctx.styles["heading"]), KeepTogether(chart),
            Spacer(1, 2 * mm), table, Spacer(1, 4 * mm)]


def _map(rows: list[dict], ctx) -> list:
    if not rows:
        return []
    shown = rows[:MAP_TABLE_ROWS]
    table_rows = [[r["label"], r["registered"], r["admitted"]] for r in shown]
    rest = rows[len(shown):]
    if rest:
        table_rows.append([f"Otros {len(rest)} municipios", sum(r["registered"] for r in rest),
                           sum(r["admitted"] for r in rest)])
    drawing = map_drawing(municipality_counts(rows), width=ctx.width, unit="registrados")
    return [CondPageBreak(120 * mm), Paragraph("Por municipio de residencia", ctx.styles["heading"]),
            Paragraph("Círculos de área proporcional a los registrados de cada municipio; puntos grises: las "
                      "cabeceras de los 125 municipios.", ctx.styles["small"]),
            KeepTogether(drawing), Spacer(1, 3 * mm), _table(["Municipio", *_PEOPLE], table_rows, ctx)]


def _table(header: list[str], rows: list[list], ctx) -> Table:
    s = ctx.styles

    def cell(value, style):
        return Paragraph(escape(fmt_number(value) if isinstance(value, int) else str(value)), style)

    numbers = 30 * mm
    data = [[cell(h, s["small"]) for h in header]] + [[cell(v, s["body"]) for v in row] for row in rows]
    table = Table(data, colWidths=[ctx.width - numbers * (len(header) - 1)] + [numbers] * (len(header) - 1),
                  hAlign="LEFT", repeatRows=1)
    table.setStyle(TableStyle([
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
        ("LINEBELOW", (0, 1), (-1, -1), 0.3, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return table
