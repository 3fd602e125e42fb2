"""Every page an organizer can reach, in a real browser on the demo data: followed link by link from the
organizer's menu, on a 360 px phone and on a 1366 px laptop. Each page answers, never scrolls sideways (a
table wider than the screen scrolls inside its own box on a phone, never on a laptop), and axe finds no
serious or critical problem. The crawl must reach every organizer page of the URL map: a new page that no link
leads to fails here, and so does a new page that does not fit a phone.
"""

import re
from urllib.parse import urljoin, urlsplit

import pytest
from werkzeug.exceptions import HTTPException

from foros.demo.data import DEMO_PASSWORD, STAFF_EMAIL, load_demo_data
from foros.extensions import db
from tests.browser.live import DESKTOP, FITS, PHONE, TABLES_OVERFLOWING, log_in
from tests.browser.test_accessibility import blocking_violations

pytestmark = pytest.mark.browser

#: Where an organizer begins (the menu leads everywhere else); the Jornadas first, the event with every domain.
START = ["/gestion/eventos/jornadas-gobierno-abierto-2023", "/gestion/eventos", "/"]
#: Pages visited per endpoint (the first ones a link leads to): enough to meet its different states.
PER_ENDPOINT = 2
#: Links that are not pages to look at: files, logging out, the door (tested on its own in test_checkin).
NOT_PAGES = re.compile(r"\.(pdf|csv|xlsx|ics|zip|json|png|jpe?g|svg|html|txt|<\w+>)$|^/(static|api)/|^/salir$")


def _organizer_pages(app) -> set[str]:
    """The endpoints of every HTML page under /gestion that answers GET (files and the door excepted)."""
    found = set()
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.rule.startswith("/gestion") and not NOT_PAGES.search(rule.rule) \
                and not rule.rule.startswith("/puerta"):
            found.add(rule.endpoint)
    return found


def _endpoint(adapter, path: str) -> str | None:
    try:
        endpoint, _args = adapter.match(path, method="GET")
    except HTTPException:
        return None
    return endpoint


def crawl(page, app, viewport, start=START) -> tuple[set[str], list[str]]:
    """Follow every same-site link from the start pages; return the endpoints seen and the problems found."""
    adapter = app.url_map.bind("localhost")
    phone = viewport["width"] < 600
    queue, seen, per_endpoint, problems = list(start), set(), {}, []
    while queue:
        path = queue.pop(0)
        endpoint = _endpoint(adapter, urlsplit(path).path)
        if path in seen or endpoint is None or per_endpoint.get(endpoint, 0) >= PER_ENDPOINT:
            continue
        seen.add(path)
        per_endpoint[endpoint] = per_endpoint.get(endpoint, 0) + 1
        response = page.goto(path)
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        if response.status >= 400:
            problems.append(f"{path}: HTTP {response.status}")
            continue
        if not page.evaluate(FITS):
            width = page.evaluate("document.documentElement.scrollWidth")
            problems.append(f"{path}: {width} px wide on a {viewport['width']} px screen")
        overflowing = page.evaluate(TABLES_OVERFLOWING, phone)
        if overflowing:
            problems.append(f"{path}: tables wider than their box {overflowing}")
        if per_endpoint[endpoint] == 1:
            problems += blocking_violations(page)
        base = page.url
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))"):
            target = urlsplit(urljoin(base, href))
            if target.netloc != urlsplit(base).netloc or NOT_PAGES.search(target.path):
                continue
            queue.append(target.path + (f"?{target.query}" if target.query else ""))
    return set(per_endpoint), problems


def _load_demo(live_server) -> None:
    with live_server.app.app_context():
        load_demo_data()
        db.session.commit()
        db.session.remove()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_every_organizer_page_answers_fits_and_passes_axe(page, live_server, viewport):
    _load_demo(live_server)
    log_in(page, live_server.organizer_email)
    seen, problems = crawl(page, live_server.app, viewport)
    assert not problems, "\n".join(problems)
    pages = _organizer_pages(live_server.app)
    assert len(pages) > 40, pages  # the rule above still finds the organizer's pages
    unreached = pages - seen
    assert not unreached, f"no link leads to these organizer pages: {sorted(unreached)}"


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"])
def test_every_page_of_the_door_staff_fits_a_phone_and_passes_axe(page, live_server, viewport):
    """The demo's staff account on a phone: their events, each event's door and lists, the public pages."""
    _load_demo(live_server)
    log_in(page, STAFF_EMAIL, DEMO_PASSWORD)
    seen, problems = crawl(page, live_server.app, viewport, start=["/"])
    assert not problems, "\n".join(problems)
    assert {"accounts.dashboard", "checkin.door"} <= seen, seen
