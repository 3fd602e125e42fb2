"""Networking conclusions end to end (issue 14, Done when): two rapporteurs on 360 px phones capture their tables'
conclusions at the same time — one loses the signal mid-way (``context.set_offline``) and recovers without
losing a word — then the organizer incorporates, merges two of them, approves and publishes; the public page
shows the numbered list, and the relatoría's PDF and XLSX (parsed back) contain it. axe-core finds no serious
or critical problem on the capture page and the public conclusions page."""

import io
import re
from datetime import time
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

from foros.extensions import db
from foros.networking import tables
from foros.networking.models import TableConclusion
from tests.browser.live import DESKTOP, PHONE, log_in
from tests.browser.test_accessibility import blocking_violations
from tests.conftest import make_event, make_session

pytestmark = pytest.mark.browser

TABLE_1 = ["Incluir a toda la ciudadanía (estudiantes, empresarios y sociedad civil) en las decisiones",
           "Datos abiertos y en lenguaje sencillo en cada ayuntamiento"]
TABLE_2 = ["Que la ciudadanía entera participe en las decisiones del gobierno, también estudiantes",
           "No perder de vista a las comunidades sin acceso a internet"]
MERGED = "La necesidad de incluir a toda la ciudadanía (estudiantes, empresarios y sociedad civil) en las " \
         "decisiones del gobierno"


def _session(live) -> tuple[str, int, list[str]]:
    """A published event with a networking session and two tables; its slug, session id and capture tokens."""
    with live.app.app_context():
        event = make_event(title="Foro de Gobierno Abierto — Ñuu Savi")
        session = make_session(event, "Intercambio de experiencias", starts=time(12, 0), ends=time(13, 30),
                               type_key="networking")
        made = [tables.save_table(session, tables.TableInput(number=n, topic=topic, rapporteur=name))
                for n, topic, name in ((1, "Participación ciudadana", "Araceli Domínguez"),
                                       (2, "Inclusión y brecha digital", "Rubén Ortiz"))]
        db.session.commit()
        result = event.slug, session.id, [t.capture_token for t in made]
        db.session.remove()
    return result


def _saved(live, token) -> list[str]:
    with live.app.app_context():
        rows = db.session.scalars(select(TableConclusion).join(TableConclusion.table)
                                  .where(tables.NetworkingTable.capture_token == token,
                                         TableConclusion.deleted_at.is_(None))
                                  .order_by(TableConclusion.position, TableConclusion.id)).all()
        texts = [r.text for r in rows]
        db.session.remove()
    return texts


def _phone(browser, live):
    return browser.new_context(base_url=live.url, viewport=PHONE, is_mobile=True, has_touch=True, locale="es-MX",
                               timezone_id="America/Mexico_City")


def _add(page, text):
    section = page.get_by_role("region", name="Agregar conclusión")
    section.get_by_role("textbox", name="Conclusión").fill(text)
    section.get_by_role("button", name="Agregar conclusión").click()


def _download(page, name) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("link", name=name, exact=True).click()
    return Path(info.value.path()).read_bytes()


def test_two_rapporteurs_capture_then_the_organizer_publishes(browser, live_server):
    slug, session_id, tokens = _session(live_server)
    first_ctx, second_ctx = _phone(browser, live_server), _phone(browser, live_server)
    try:
        first, second = first_ctx.new_page(), second_ctx.new_page()
        first.goto(f"/mesa/{tokens[0]}")
        second.goto(f"/mesa/{tokens[1]}")
        expect(first.get_by_role("heading", level=1)).to_contain_text("Mesa 1")
        expect(second.get_by_role("heading", level=1)).to_contain_text("Mesa 2")
        assert first.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
        problems = blocking_violations(first)

        # Both tables type at once; the first phone loses its signal after its first conclusion.
        _add(first, TABLE_1[0])
        _add(second, TABLE_2[0])
        expect(first.get_by_role("status")).to_have_text("Guardado")
        first_ctx.set_offline(True)
        _add(first, TABLE_1[1])
        expect(first.get_by_role("status")).to_contain_text("Sin conexión")
        _add(second, TABLE_2[1])
        expect(second.get_by_role("status")).to_have_text("Guardado")
        assert _saved(live_server, tokens[0]) == TABLE_1[:1]  # the second is only on the phone so far
        first_ctx.set_offline(False)
        expect(first.get_by_role("status")).to_have_text("Guardado", timeout=15_000)
        assert _saved(live_server, tokens[0]) == TABLE_1
        assert _saved(live_server, tokens[1]) == TABLE_2
        first.reload()  # nothing typed was lost: the page now lists both from the server
        expect(first.get_by_role("textbox", name="Conclusión")).to_have_count(3)  # two saved + the new one
    finally:
        first_ctx.close()
        second_ctx.close()

    organizer_ctx = browser.new_context(base_url=live_server.url, viewport=DESKTOP, locale="es-MX",
                                        timezone_id="America/Mexico_City")
    try:
        page = organizer_ctx.new_page()
        log_in(page, live_server.organizer_email)
        page.goto(f"/gestion/eventos/{slug}/networking/{session_id}/conclusiones")
        page.get_by_role("button", name="Incorporar textos de las mesas (4)").click()
        merge = page.get_by_role("region", name="Fusionar conclusiones")
        for original in (TABLE_1[0], TABLE_2[0]):  # the choices show the first 80 characters
            merge.get_by_role("checkbox", name=re.compile("^" + re.escape(original[:60]))).check()
        merge.get_by_role("textbox", name=re.compile("Redacción de la conclusión fusionada")).fill(MERGED)
        merge.get_by_role("button", name="Fusionar").click()
        expect(page.get_by_text("Mesas: 1, 2")).to_be_visible()
        approve = page.get_by_role("button", name=re.compile("^Aprobar"))
        for remaining in (3, 2, 1):
            expect(approve).to_have_count(remaining)
            approve.first.click()
        expect(approve).to_have_count(0)
        page.get_by_role("button", name="Publicar aprobadas").click()
    finally:
        organizer_ctx.close()

    visitor_ctx = _phone(browser, live_server)
    try:
        page = visitor_ctx.new_page()
        page.goto(f"/eventos/{slug}/conclusiones")
        items = page.locator("ol.conclusion-list > li")
        expect(items).to_have_count(3)
        expect(items.nth(0)).to_contain_text(MERGED)
        expect(items.nth(0)).to_contain_text("Mesas de origen: 1, 2")
        listed = [items.nth(i).locator("p").first.inner_text() for i in range(3)]
        assert listed == [MERGED, TABLE_1[1], TABLE_2[1]]
        assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
        problems += blocking_violations(page)
        assert not problems, "axe found serious or critical problems:\n\n" + "\n\n".join(problems)

        text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(_download(page, "Relatoría (PDF)"))).pages)
        flat = " ".join(text.split())
        positions = [flat.find(conclusion) for conclusion in listed]  # the numbered list, in its order
        assert -1 not in positions and positions == sorted(positions), positions
        for original in TABLE_1 + TABLE_2:  # the annex keeps every table's own words
            assert original in flat

        sheet = load_workbook(io.BytesIO(_download(page, "XLSX"))).active
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][:2] == ("Número", "Conclusión") and rows[0][3] == "Mesas de origen"
        assert [(int(r[0]), r[1], r[3]) for r in rows[1:]] == [(1, MERGED, "1, 2"), (2, TABLE_1[1], "1"),
                                                               (3, TABLE_2[1], "2")]
    finally:
        visitor_ctx.close()
