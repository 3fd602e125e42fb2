"""Capture from phones in a browser (issue 14, Done when, the rapporteurs' half): two rapporteurs on 360 px phones
(two browser contexts) enter conclusions for two tables at the same time; one loses the signal mid-way
(``context.set_offline``), keeps typing, gets the signal back, and the server ends up with everything (read back
from the database, not the page). axe-core finds no serious or critical problem on the capture page.

``networking_tables`` and ``rapporteurs_capture`` are importable by the organizer's half of the story
(tests/browser/test_networking.py): it can seat, consolidate and publish what they capture.
"""

import time as clock
from datetime import time, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from foros.core.time import local_today
from foros.events.services import DayInput
from foros.extensions import db
from foros.networking import tables
from foros.networking.models import NetworkingTable, TableConclusion
from tests.browser.live import PHONE
from tests.browser.test_accessibility import blocking_violations
from tests.conftest import make_event, make_session

pytestmark = pytest.mark.browser

#: What each table's rapporteur writes (the 2023 Jornadas' wording); the last of table 1 is typed offline.
TABLE_1 = [
    "La necesidad de incluir a toda la ciudadanía (estudiantes, empresarios y sociedad civil) en las decisiones "
    "del gobierno",
    "No perder de vista a grupos vulnerables, y dar atención a comunidades que no tienen acceso a internet",
    "Capacitar a las personas servidoras públicas en apertura y datos abiertos",
]
TABLE_2 = [
    "Publicar la información municipal en formatos abiertos y lenguaje claro",
    "Crear mecanismos de seguimiento ciudadano a los compromisos de gobierno abierto",
]


def networking_tables(live, count=2) -> tuple[str, int, list[str]]:
    """An event with a networking session and ``count`` tables: (event slug, session id, capture tokens)."""
    with live.app.app_context():
        event = make_event(title="Jornadas de Gobierno Abierto — Toluca",
                           days=[DayInput(local_today() + timedelta(days=3), time(9, 0), time(15, 0))])
        session = make_session(event, "Intercambio de experiencias", starts=time(12, 0), ends=time(13, 30),
                               type_key="networking")
        for number in range(1, count + 1):
            tables.save_table(session, tables.TableInput(number=number, topic=f"Mesa temática {number}"))
        db.session.commit()
        result = event.slug, session.id, [t.capture_token for t in tables.session_tables(session)]
        db.session.remove()
    return result


def server_texts(live, token: str) -> list[str]:
    """The table's current conclusions as the server has them, in order."""
    with live.app.app_context():
        texts = list(db.session.scalars(
            select(TableConclusion.text).join(NetworkingTable, NetworkingTable.id == TableConclusion.table_id)
            .where(NetworkingTable.capture_token == token, TableConclusion.deleted_at.is_(None))
            .order_by(TableConclusion.position, TableConclusion.id)))
        db.session.remove()
    return texts


def wait_for_server(live, token: str, expected: list[str], timeout: float = 20.0) -> list[str]:
    """Poll the database until the table holds ``expected`` (or the time runs out); the last reading."""
    deadline = clock.monotonic() + timeout
    texts = server_texts(live, token)
    while texts != expected and clock.monotonic() < deadline:
        clock.sleep(0.25)
        texts = server_texts(live, token)
    return texts


def _add(page, text: str, theme: str | None = None) -> None:
    """Type a conclusion in «Agregar conclusión» as a rapporteur does and press the button."""
    new = page.get_by_role("region", name="Agregar conclusión")
    box = new.get_by_label("Conclusión", exact=True)
    box.click()
    box.press_sequentially(text[:12], delay=15)  # typed (input events), then the rest at once
    box.fill(text)
    if theme:
        new.get_by_label(theme, exact=True).check()
    new.get_by_role("button", name="Agregar conclusión").click()
    expect(box).to_have_value("")
    expect(page.locator(".capture-pending").filter(has_text=text)).to_be_visible()


def rapporteurs_capture(browser, live, token_1: str, token_2: str) -> list:
    """Two rapporteurs on 360 px phones fill two tables at once; table 1's loses the signal mid-way and types
    on. Returns their pages (contexts still open: the caller closes them with ``page.context.close()``)."""
    phones = [browser.new_context(base_url=live.url, viewport=PHONE, is_mobile=True, has_touch=True,
                                  locale="es-MX", timezone_id="America/Mexico_City") for _ in range(2)]
    one, two = (ctx.new_page() for ctx in phones)
    one.goto(f"/mesa/{token_1}")
    two.goto(f"/mesa/{token_2}")
    expect(one.get_by_role("heading", name="Mesa 1: Mesa temática 1", level=1)).to_be_visible()
    expect(two.get_by_role("heading", name="Mesa 2: Mesa temática 2", level=1)).to_be_visible()
    status_one, status_two = one.locator("#estado-captura"), two.locator("#estado-captura")

    _add(one, TABLE_1[0], theme="Participación ciudadana")
    _add(two, TABLE_2[0], theme="Transparencia")
    expect(status_one).to_have_text("Guardado")
    expect(status_two).to_have_text("Guardado")

    phones[0].set_offline(True)  # table 1's phone loses the signal…
    _add(one, TABLE_1[1], theme="Grupos vulnerables")
    new = one.get_by_role("region", name="Agregar conclusión")
    new.get_by_label("Conclusión", exact=True).fill(TABLE_1[2])  # …and keeps typing (not even pressing «Agregar»)
    expect(status_one).to_contain_text("Sin conexión: se guardará al volver la señal")
    stored = one.evaluate("Object.values(JSON.parse(localStorage.getItem("
                          f"'foros-captura:{token_1}') || '{{}}')).map((e) => e.text)")
    assert TABLE_1[1] in stored and TABLE_1[2] in stored  # kept on the phone meanwhile
    _add(two, TABLE_2[1])  # table 2 goes on, online, at the same time
    expect(status_two).to_have_text("Guardado")
    assert server_texts(live, token_1) == TABLE_1[:1]  # what table 1 typed offline is only on the phone

    phones[0].set_offline(False)  # the signal is back
    expect(status_one).to_have_text("Guardado", timeout=15_000)
    return [one, two]


def test_two_rapporteurs_capture_at_once_and_a_dropped_connection_loses_nothing(browser, live_server):
    _slug, _session_id, (token_1, token_2) = networking_tables(live_server)
    pages = rapporteurs_capture(browser, live_server, token_1, token_2)
    try:
        assert wait_for_server(live_server, token_1, TABLE_1) == TABLE_1
        assert wait_for_server(live_server, token_2, TABLE_2) == TABLE_2
        with live_server.app.app_context():
            first = db.session.scalar(select(TableConclusion).where(TableConclusion.text == TABLE_1[0]))
            assert [t.name for t in first.themes] == ["Participación ciudadana"]
            second = db.session.scalar(select(TableConclusion).where(TableConclusion.text == TABLE_1[1]))
            assert [t.name for t in second.themes] == ["Grupos vulnerables"]
            db.session.remove()
        # Reloaded, the page shows everything as the server has it, and nothing is left waiting on the phone.
        one = pages[0]
        one.reload()
        for text in TABLE_1:
            expect(one.get_by_role("textbox", name="Conclusión").filter(has_text=text)).to_have_count(1)
        assert one.evaluate(f"localStorage.getItem('foros-captura:{token_1}')") in (None, "{}")
        problems = blocking_violations(one)
        assert not problems, "axe found serious or critical problems:\n\n" + "\n\n".join(problems)
    finally:
        for page in pages:
            page.context.close()
