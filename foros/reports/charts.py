"""Charts of the event report drawn with reportlab graphics from plain data, readable printed in black and white:
series told apart by shade *and* by the value written at the end of every bar, and a legend."""

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors

from foros.core import pdf

#: Fills of the series: a dark and a light grey, both outlined in black, so that they print apart.
SERIES_FILLS = (colors.Color(0.25, 0.25, 0.25), colors.Color(0.82, 0.82, 0.82), colors.white)
_LABEL_CHARS = 30


def bar_chart(categories: list[str], series: list[tuple[str, list[int]]], width: float) -> Drawing:
    """Horizontal bars: one group per category, one bar per series, the value at the end of each bar."""
    regular, _bold = pdf.fonts()
    bar_height = 9
    group = bar_height * len(series) + 8
    legend_height = 16
    plot_height = group * len(categories)
    height = plot_height + legend_height + 24
    drawing = Drawing(width, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 150, 14
    chart.width, chart.height = width - chart.x - 40, plot_height
    # reportlab draws the first category, and in a group the first series, at the bottom: give it both upside
    # down, so that the chart reads from the top like the table below it and the legend.
    chart.data = [list(reversed(values)) for _name, values in reversed(series)]
    chart.barWidth = bar_height
    chart.groupSpacing = 8
    chart.barSpacing = 1
    chart.bars.strokeColor = colors.black
    chart.bars.strokeWidth = 0.5
    for index in range(len(series)):
        chart.bars[index].fillColor = SERIES_FILLS[(len(series) - 1 - index) % len(SERIES_FILLS)]
    chart.categoryAxis.categoryNames = [_short(c) for c in reversed(categories)]
    chart.categoryAxis.labels.fontName = regular
    chart.categoryAxis.labels.fontSize = 8
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -4
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max(1, *[max(values or [0]) for _name, values in series]) * 1.15
    chart.valueAxis.labels.fontName = regular
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = lambda v: f"{v:,.0f}" if float(v).is_integer() else ""
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = regular
    chart.barLabels.fontSize = 7
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = chart.x, height - 6
    legend.fontName, legend.fontSize = regular, 8
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.deltax = 120
    legend.colorNamePairs = [(SERIES_FILLS[i % len(SERIES_FILLS)], name) for i, (name, _v) in enumerate(series)]
    legend.strokeColor = colors.black
    legend.strokeWidth = 0.5
    drawing.add(legend)
    return drawing


def _short(label: str) -> str:
    return label if len(label) <= _LABEL_CHARS else label[: _LABEL_CHARS - 1] + "…"

