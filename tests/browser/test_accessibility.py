"""Accessibility (axe-core) of the public pages and the organizer's event form; phone-width layout."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from foros.demo.data import load_demo_data
from foros.extensions import db
from tests.browser.live import PHONE, log_in

pytestmark = pytest.mark.browser

PUBLIC_PAGES = [
    "/",
    "/eventos/foro-regional-texcoco",  # upcoming, registration open, long title and description
    "/eventos/jornadas-gobierno-abierto-2023",  # past, two days, hybrid
    "/entrar",
    "/api/v1/docs",
]
BLOCKING_IMPACTS = {"serious", "critical"}

# axe runs through Playwright's evaluate (the DevTools protocol), which the page's CSP does not govern, so
# the contexts keep the app's real CSP: no bypass_csp needed.
_axe = Axe()


@pytest.fixture
def demo(live_server):
    """The demo programme: past and upcoming events with real-looking text."""
    with live_server.app.app_context():
        load_demo_data()
        db.session.commit()
        db.session.remove()
    return live_server


def blocking_violations(page) -> list[str]:
    """Run axe on the page and describe each serious or critical problem on a few readable lines.

    Results axe could not decide ("incomplete") count too: that is how it reports an aria-describedby
    pointing at an id that does not exist, which is a real fault for screen-reader users.
    """
    response = _axe.run(page).response
    found = []
    for kind, results in (("violation", response["violations"]), ("needs review", response["incomplete"])):
        found += [_describe(page, kind, r) for r in results if r.get("impact") in BLOCKING_IMPACTS]
    return found


def _describe(page, kind: str, violation: dict) -> str:
    lines = [f"{page.url} — {kind} [{violation['impact']}] {violation['id']}: {violation['help']}",
             f"    {violation['helpUrl']}"]
    for node in violation["nodes"][:5]:
        lines.append(f"    at {', '.join(map(str, node['target']))}: {node['html'][:160]}")
        summary = (node.get("failureSummary") or "").replace("\n", " ")
        if summary:
            lines.append(f"      {summary[:300]}")
    return "\n".join(lines)


def test_pages_have_no_serious_accessibility_violations(page, demo):
    problems = []
    for path in PUBLIC_PAGES:
        response = page.goto(path)
        assert response.status == 200, path
        problems += blocking_violations(page)

    log_in(page, demo.organizer_email)
    page.goto("/gestion/eventos/nuevo")
    expect(page.get_by_role("heading", name="Nuevo evento")).to_be_visible()
    problems += blocking_violations(page)

    # The same form showing errors (messages, aria-invalid, the summary box).
    page.get_by_role("button", name="Crear evento").click()
    expect(page.get_by_role("alert")).to_contain_text("Revise el formulario.")
    problems += blocking_violations(page)

    # An existing event: the status card with its buttons above the form.
    page.goto("/gestion/eventos/foro-regional-texcoco")
    expect(page.get_by_role("heading", name="Estado: Publicado")).to_be_visible()
    problems += blocking_violations(page)

    assert not problems, "axe found serious or critical problems:\n\n" + "\n\n".join(problems)


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"])
def test_public_pages_fit_a_phone_screen(page, demo):
    # page.evaluate goes through the DevTools protocol, which the CSP (no 'unsafe-eval') does not block.
    too_wide = {}
    for path in PUBLIC_PAGES:
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        width = page.evaluate("() => document.scrollingElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[path] = width
    assert not too_wide, f"pages wider than {PHONE['width']} px (horizontal scroll): {too_wide}"
