"""Every HTML form an organizer meets, posted with bad input: never a 500, never an English message.

The demo is loaded; an organizer's test client follows every link from the events page (two pages per endpoint,
as the browser crawl in tests/browser/test_every_page.py does) and collects each POST form it sees. Each form is
then sent as rendered (its own values), empty, and with every field spoiled by kind — 10 000 characters in text,
letters in numbers, impossible dates, choices that are not offered, a file that is not what it claims. The answer
must be a page or a redirect below 500 (the test app propagates an exception, which fails the test too), and a
refused form must speak Spanish (no WTForms default message). Row forms that refuse by a redirect with a flash
(a list's inline "asignar", "tema") are fine: the message is Spanish and nothing changes.

It complements tests/core/test_api_fuzz.py (the API, from its document) and the hand-written cases of
tests/core/test_bad_input.py: this one finds the forms by itself, so a new form is fuzzed the day it appears.
"""

import io
from collections import Counter
from urllib.parse import urljoin, urlsplit

import lxml.html
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from foros.declarations import signing
from foros.declarations.models import Declaration, DeclarationStatus, Signatory, SignatoryStatus
from foros.demo.data import load_demo_data
from foros.events.models import Event, EventStatus
from foros.extensions import db
from foros.registration.models import Registration
from tests.core.test_bad_input import ENGLISH

START = ["/gestion/eventos/jornadas-gobierno-abierto-2023", "/gestion/eventos", "/"]
PER_ENDPOINT = 2
#: Not pages (files, the API) and not forms to spoil (logging out ends the crawl's session).
SKIP_PATHS = ("/static/", "/api/", "/salir")
SKIP_SUFFIXES = (".pdf", ".csv", ".xlsx", ".ics", ".zip", ".json", ".png", ".jpg", ".svg", ".html", ".txt")
LONG = "Ñ" * 10_000


def _endpoint(adapter, path: str) -> str | None:
    try:
        return adapter.match(path, method="GET")[0]
    except HTTPException:
        return None


def _is_page(path: str) -> bool:
    return not path.startswith(SKIP_PATHS) and not path.endswith(SKIP_SUFFIXES)


def collect_forms(client, app, start=START) -> dict[str, list]:
    """The POST forms on the pages reachable by links: action path → the forms (lxml) that post there."""
    adapter = app.url_map.bind("localhost")
    queue, seen, per_endpoint, forms = list(start), set(), Counter(), {}
    while queue:
        path = queue.pop(0)
        endpoint = _endpoint(adapter, urlsplit(path).path)
        if path in seen or endpoint is None or per_endpoint[endpoint] >= PER_ENDPOINT:
            continue
        seen.add(path)
        per_endpoint[endpoint] += 1
        response = client.get(path)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        tree = lxml.html.fromstring(response.get_data(as_text=True))
        for form in tree.forms:
            if (form.method or "GET").upper() != "POST":
                continue
            action = urlsplit(urljoin(f"http://localhost{path}", form.get("action") or path)).path
            if _is_page(action):
                forms.setdefault(action, []).append(form)
        for href in tree.xpath("//a/@href"):
            target = urlsplit(urljoin(f"http://localhost{path}", href))
            if target.netloc == "localhost" and _is_page(target.path):
                queue.append(target.path + (f"?{target.query}" if target.query else ""))
    return forms


def _fields(form) -> list[tuple[str, str, object]]:
    """(name, kind, element) for every named field of the form."""
    found = []
    for element in form.inputs:
        name = element.get("name")
        if not name:
            continue
        if element.tag == "select":
            kind = "select"
        elif element.tag == "textarea":
            kind = "text"
        else:
            kind = (element.get("type") or "text").lower()
        found.append((name, kind, element))
    return found


def as_rendered(form) -> dict:
    """What a browser would send without touching anything (checkboxes as they are, the first button)."""
    data, files = {}, {}
    for name, kind, element in _fields(form):
        if kind in ("submit", "button", "reset", "image"):
            continue
        if kind == "file":
            files[name] = (io.BytesIO(b""), "")
        elif kind in ("checkbox", "radio"):
            if element.checked:
                data.setdefault(name, []).append(element.get("value") or "on")
        elif kind == "select":
            chosen = element.value
            if isinstance(chosen, set | list):
                chosen = next(iter(chosen), "")
            data[name] = chosen or ""
        else:
            data[name] = element.value or ""
    buttons = [e for _n, k, e in _fields(form) if k == "submit"]
    if buttons:
        data[buttons[0].get("name")] = buttons[0].get("value") or ""
    return {**data, **files}


SPOILED = {
    "text": LONG, "search": LONG, "email": "no-es-correo" + LONG, "url": "javascript:alert(1)", "tel": LONG,
    "password": LONG, "number": "doce", "date": "2024-13-45", "time": "25:99", "datetime-local": "mañana",
    "hidden": LONG, "select": "opcion-que-no-existe", "checkbox": "tal-vez", "radio": "ninguna",
}


def spoiled(form) -> dict:
    """Every field given the wrong kind of value for it (files: a PNG header named .pdf, then plain text)."""
    data = as_rendered(form)
    for name, kind, _element in _fields(form):
        if name == "csrf_token" or kind in ("submit", "button", "reset", "image"):
            continue
        if kind == "file":
            data[name] = (io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"no soy un PDF" * 100), "documento.pdf")
        elif kind in SPOILED:
            data[name] = SPOILED[kind]
    return data


def emptied(form) -> dict:
    data = as_rendered(form)
    for name, kind, _element in _fields(form):
        if name != "csrf_token" and kind not in ("submit", "button", "reset", "image", "hidden"):
            data[name] = (io.BytesIO(b""), "") if kind == "file" else ""
    return data


def _check(response, action: str, variant: str) -> list[str]:
    problems = []
    if response.status_code >= 500:
        problems.append(f"{variant} POST {action}: HTTP {response.status_code}")
    elif response.mimetype == "text/html" and response.status_code >= 400:
        html = response.get_data(as_text=True)
        english = [word for word in ENGLISH if word in html]
        if english:
            problems.append(f"{variant} POST {action}: English message on the page {english}")
    return problems


def fuzz(client, forms: dict[str, list]) -> list[str]:
    """Post each form spoiled, empty, then as rendered; the problems found."""
    problems = []
    # Spoiled and empty first (refusals change nothing), then as rendered (may act: cancel, publish, delete).
    for variant, build in (("spoiled", spoiled), ("empty", emptied), ("as rendered", as_rendered)):
        for action, variants in sorted(forms.items()):
            for form in variants[:1]:
                response = client.post(action, data=build(form))  # files: multipart by themselves
                problems += _check(response, action, variant)
                db.session.rollback()
    return problems


def test_every_organizer_form_survives_bad_input(app, organizer_client):
    load_demo_data()
    db.session.commit()
    forms = collect_forms(organizer_client, app)
    assert len(forms) > 40, sorted(forms)  # the crawl still finds the organizer's forms
    problems = fuzz(organizer_client, forms)
    assert not problems, "\n".join(problems)


def test_every_public_form_survives_bad_input(app, client):
    """Without an account: the event pages' registration, an attendee's ticket (correct, cancel), a signatory's
    signing page (open, code, sign, decline) and the public verification upload."""
    load_demo_data()
    db.session.commit()
    registration = db.session.scalars(select(Registration).join(Registration.event)
                                      .where(Event.status == EventStatus.PUBLISHED)
                                      .order_by(Registration.id)).first()
    signatory = db.session.scalars(select(Signatory).where(Signatory.status == SignatoryStatus.INVITED)).first()
    token = signing.issue_link(signatory)
    signing.mark_viewed(signing.open_link(token), ip="203.0.113.7", user_agent="fuzz")  # the page's forms: sign
    verification = db.session.scalars(select(Declaration.verification_code)
                                      .where(Declaration.status == DeclarationStatus.SIGNED)).first()
    db.session.commit()
    start = ["/", f"/boleto/{registration.access_token}", f"/firmar/{token}",
             f"/declaratorias/verificar/{verification}"]
    forms = collect_forms(client, app, start)
    wanted = {"/boleto/", "/codigo", "/rechazar", "/declaratorias/verificar", "/registro"}
    assert all(any(part in action for action in forms) for part in wanted), sorted(forms)
    problems = fuzz(client, forms)
    assert not problems, "\n".join(problems)
