"""The map of the Estado de México: a mark per municipality, its area proportional to the people counted.

Drawn from the municipality catalogue's seat coordinates (``foros/core/data/municipios_edomex.csv``) with an
equirectangular projection corrected by cos(latitude) — the state spans two degrees, so the distortion is
negligible. One layout feeds two renderers: ``map_svg`` (SVG text for web pages, no script and no inline
style, so it passes the CSP) and ``map_drawing`` (a reportlab Drawing for PDFs such as the event report).
"""

import math
from dataclasses import dataclass
from functools import lru_cache

from markupsafe import Markup, escape
from reportlab.graphics.shapes import Circle, Drawing, String
from reportlab.lib import colors

from foros.core.formatting import fmt_number
from foros.core.municipalities import all_municipalities

BRAND = "#6b1e3a"
BACKDROP = "#8a8178"
PADDING = 14
LEGEND_HEIGHT = 54


@dataclass(frozen=True)
class Mark:
    """One municipality on the map: where, how big, what it says."""

    key: str
    name: str
    x: float
    y: float
    r: float
    count: int | None
    #: True when the figure is withheld (open data suppression): drawn as an empty ring, no size.
    reserved: bool = False

    @property
    def title(self) -> str:
        if self.reserved:
            return f"{self.name}: dato reservado"
        return f"{self.name}: {fmt_number(self.count)}"


@dataclass(frozen=True)
class MapLayout:
    width: float
    height: float  # of the map itself; the legend sits below
    backdrop: tuple[tuple[float, float], ...]
    marks: tuple[Mark, ...]
    legend: tuple[tuple[int, float], ...]  # (value, radius)


@lru_cache(maxsize=8)
def _projection(width: float):
    """Projected seats of all municipalities, scaled to ``width``: {key: (name, x, y)} and the map height."""
    places = all_municipalities()
    mid_lat = math.radians(sum(m.lat for m in places) / len(places))
    xs = [m.lon * math.cos(mid_lat) for m in places]
    ys = [-m.lat for m in places]
    scale = (width - 2 * PADDING) / (max(xs) - min(xs))
    height = (max(ys) - min(ys)) * scale + 2 * PADDING
    points = {m.key: (m.name, PADDING + (x - min(xs)) * scale, PADDING + (y - min(ys)) * scale)
              for m, x, y in zip(places, xs, ys, strict=True)}
    return points, height


def _legend_values(largest: int) -> list[int]:
    if largest <= 0:
        return []
    values = {largest, max(1, round(largest / 4)), max(1, round(largest / 16))}
    return sorted(values, reverse=True)


def layout(counts: dict[str, int], *, reserved=(), width: float = 600) -> MapLayout:
    """Place a mark per municipality with people (``counts``: INEGI key → count) and the reserved ones."""
    points, height = _projection(float(width))
    max_radius = width * 0.055
    largest = max((c for c in counts.values() if c), default=0)

    def radius(count: int) -> float:
        return max(1.8, max_radius * math.sqrt(count / largest)) if largest else 0

    marks = [Mark(key, points[key][0], points[key][1], points[key][2], radius(count), count)
             for key, count in counts.items() if count and key in points]
    marks.sort(key=lambda m: -m.r)  # big circles first, so small ones stay visible on top
    marks += [Mark(key, points[key][0], points[key][1], points[key][2], 4.0, None, reserved=True)
              for key in sorted(reserved) if key in points and not counts.get(key)]
    backdrop = tuple((x, y) for _name, x, y in points.values())
    legend = tuple((value, radius(value)) for value in _legend_values(largest))
    return MapLayout(float(width), height, backdrop, tuple(marks), legend)


def _f(value: float) -> str:
    return f"{value:.1f}"


def map_svg(counts: dict[str, int], *, title: str, reserved=(), width: int = 600,
            id_prefix: str = "mapa", unit: str = "personas", legend: bool = True) -> Markup:
    """SVG text of the map, with a title, a description, a ``<title>`` per mark and (``legend``) a legend.

    Web pages draw the legend in HTML beside it (``map_figure``): text inside an SVG has no background a
    contrast checker can read; a standalone SVG file keeps its own."""
    plan = layout(counts, reserved=reserved, width=width)
    total_height = plan.height + (LEGEND_HEIGHT if legend else 0)
    top = sorted((m for m in plan.marks if not m.reserved), key=lambda m: -(m.count or 0))
    if top:
        description = (f"Círculos de área proporcional al número de {unit} en {len(top)} municipios; "
                       f"el mayor, {top[0].name}, con {fmt_number(top[0].count)}. "
                       "Los puntos grises son las cabeceras de los 125 municipios.")
    else:
        description = "Sin participantes que mostrar. Los puntos grises son las cabeceras de los 125 municipios."
    if any(m.reserved for m in plan.marks):
        description += " Los anillos vacíos marcan municipios con dato reservado (menos de 5 personas)."
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="stats-map" viewBox="0 0 {_f(plan.width)} '
        f'{_f(total_height)}" role="img" aria-labelledby="{id_prefix}-t {id_prefix}-d">',
        f'<title id="{id_prefix}-t">{escape(title)}</title>',
        f'<desc id="{id_prefix}-d">{escape(description)}</desc>',
        f'<rect x="0" y="0" width="{_f(plan.width)}" height="{_f(plan.height)}" fill="#fbfaf8" '
        'stroke="#d6d2cc"/>',
        f'<g fill="{BACKDROP}" aria-hidden="true">',
        *(f'<circle cx="{_f(x)}" cy="{_f(y)}" r="1.6"/>' for x, y in plan.backdrop),
        "</g>",
        f'<g fill="{BRAND}" fill-opacity="0.55" stroke="{BRAND}" stroke-width="1">',
    ]
    for mark in plan.marks:
        fill = ' fill="none" stroke-dasharray="2 2"' if mark.reserved else ""
        parts.append(f'<circle cx="{_f(mark.x)}" cy="{_f(mark.y)}" r="{_f(mark.r)}"{fill}>'
                     f"<title>{escape(mark.title)}</title></circle>")
    parts.append("</g>")
    if legend:
        parts.append(_svg_legend(plan, unit))
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  (every text in it went through escape())


def map_figure(counts: dict[str, int], *, title: str, reserved=(), width: int = 600, id_prefix: str = "mapa",
               unit: str = "personas") -> Markup:
    """The map for a web page: the SVG and an HTML legend (``<figcaption>``) for a ``<figure>``."""
    plan = layout(counts, reserved=reserved, width=width)
    svg = map_svg(counts, title=title, reserved=reserved, width=width, id_prefix=id_prefix, unit=unit,
                  legend=False)
    items = []
    for value, r in plan.legend:
        size = 2 * r + 2
        items.append(f'<li><svg width="{_f(size)}" height="{_f(size)}" viewBox="0 0 {_f(size)} {_f(size)}" '
                     f'aria-hidden="true"><circle cx="{_f(r + 1)}" cy="{_f(r + 1)}" r="{_f(r)}" fill="{BRAND}" '
                     f'fill-opacity="0.55" stroke="{BRAND}"/></svg>'
                     f"{escape(fmt_number(value))} {escape(unit)}</li>")
    items.append(f'<li><svg width="8" height="8" viewBox="0 0 8 8" aria-hidden="true"><circle cx="4" cy="4" '
                 f'r="2" fill="{BACKDROP}"/></svg>cabecera municipal</li>')
    if any(m.reserved for m in plan.marks):
        items.append('<li><svg width="12" height="12" viewBox="0 0 12 12" aria-hidden="true"><circle cx="6" '
                     f'cy="6" r="4.5" fill="none" stroke="{BRAND}" stroke-dasharray="2 2"/></svg>'
                     "dato reservado</li>")
    caption = f'<figcaption><ul class="stats-map-legend">{"".join(items)}</ul></figcaption>'
    return Markup(str(svg) + caption)  # noqa: S704  (every text in it went through escape())


def _svg_legend(plan: MapLayout, unit: str) -> str:
    y = plan.height + LEGEND_HEIGHT / 2
    parts = [f'<g class="stats-map-legend" font-size="12" fill="#1b1f24">'
             f'<text x="{PADDING}" y="{_f(y + 4)}">{escape(unit.capitalize())}:</text>']
    x = PADDING + 80
    for value, r in plan.legend:
        r = min(r, LEGEND_HEIGHT / 2 - 3)
        parts.append(f'<circle cx="{_f(x + r)}" cy="{_f(y)}" r="{_f(r)}" fill="{BRAND}" fill-opacity="0.55" '
                     f'stroke="{BRAND}"/>')
        parts.append(f'<text x="{_f(x + 2 * r + 4)}" y="{_f(y + 4)}">{escape(fmt_number(value))}</text>')
        x += 2 * r + 48
    parts.append(f'<circle cx="{_f(x + 2)}" cy="{_f(y)}" r="1.6" fill="{BACKDROP}"/>'
                 f'<text x="{_f(x + 8)}" y="{_f(y + 4)}">cabecera municipal</text></g>')
    return "".join(parts)


def map_drawing(counts: dict[str, int], *, reserved=(), width: float = 400, unit: str = "personas") -> Drawing:
    """The same map as a reportlab Drawing (points), readable in black and white: grey dots, outlined marks."""
    plan = layout(counts, reserved=reserved, width=width)
    height = plan.height + LEGEND_HEIGHT
    drawing = Drawing(plan.width, height)

    def flip(y: float) -> float:  # reportlab's y axis points up
        return height - y

    for x, y in plan.backdrop:
        drawing.add(Circle(x, flip(y), 1.2, fillColor=colors.HexColor(BACKDROP), strokeColor=None))
    for mark in plan.marks:
        drawing.add(Circle(mark.x, flip(mark.y), mark.r, strokeColor=colors.black, strokeWidth=0.6,
                           fillColor=None if mark.reserved else colors.Color(0.42, 0.12, 0.23, alpha=0.45),
                           strokeDashArray=[2, 2] if mark.reserved else None))
    y = flip(plan.height + LEGEND_HEIGHT / 2)
    drawing.add(String(PADDING, y - 3, f"{unit.capitalize()}:", fontSize=8))
    x = PADDING + 50
    for value, r in plan.legend:
        r = min(r, LEGEND_HEIGHT / 2 - 3)
        drawing.add(Circle(x + r, y, r, strokeColor=colors.black, strokeWidth=0.6,
                           fillColor=colors.Color(0.42, 0.12, 0.23, alpha=0.45)))
        drawing.add(String(x + 2 * r + 3, y - 3, fmt_number(value), fontSize=8))
        x += 2 * r + 36
    return drawing
