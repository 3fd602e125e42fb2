"""Statistics and open data in a browser (desktop and 360 px): the organizer opens the charts and the map;
axe-core finds no serious or critical problem on the statistics and open-data pages."""

import pytest
from playwright.sync_api import expect

from tests.browser.live import PHONE, log_in
from tests.browser.test_accessibility import blocking_violations, demo  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser

JORNADAS = "jornadas-gobierno-abierto-2023"


def _fits(page) -> None:
    width = page.evaluate("() => document.scrollingElement.scrollWidth")
    assert width <= max(PHONE["width"], page.viewport_size["width"]), f"{page.url}: {width} px wide"


def test_organizer_opens_the_statistics_and_its_map(page, demo):  # noqa: F811
    log_in(page, demo.organizer_email)
    page.goto(f"/gestion/eventos/{JORNADAS}")
    page.get_by_role("link", name="Estadísticas y datos abiertos").click()
    expect(page.get_by_role("heading", name="Estadísticas", exact=True)).to_be_visible()
    expect(page.get_by_role("table", name="Por sector")).to_be_visible()
    expect(page.get_by_role("table", name="Por lista de acceso (esperadas y admitidas)")).to_contain_text(
        "Sesión de networking")
    state_map = page.get_by_role("img", name="Mapa del Estado de México: personas registradas por municipio")
    state_map.scroll_into_view_if_needed()
    expect(state_map).to_be_visible()
    assert page.locator("svg.stats-map circle title").filter(has_text="Toluca:").count() == 1
    expect(page.get_by_role("table", name="Personas por municipio de residencia")).to_contain_text("Toluca")
    _fits(page)
    problems = blocking_violations(page)

    page.goto("/gestion/estadisticas?tipo=foro_regional")
    expect(page.get_by_role("table", name="Por evento").first).to_contain_text("Villa Guerrero")
    _fits(page)
    problems += blocking_violations(page)

    for path in ("/datos-abiertos", f"/datos-abiertos/{JORNADAS}", "/datos-abiertos/diccionario"):
        assert page.goto(path).status == 200, path
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        _fits(page)
        problems += blocking_violations(page)
    assert not problems, "axe found serious or critical problems:\n\n" + "\n\n".join(problems)
