"""The networking demo (issue 14, point 8): the 2023 Jornadas' eight published conclusions traced to their tables,
a regional forum's smaller session, and the state agenda drawing on both; idempotent."""

import html
import json

from sqlalchemy import func, select

from foros.demo.data import load_demo_data
from foros.demo.networking import FORUM_CONCLUSIONS, JORNADAS_CONCLUSIONS, JORNADAS_TABLES
from foros.events.services import get_event
from foros.extensions import db
from foros.networking import consolidation
from foros.networking.models import ConsolidatedConclusion, HistoryAction, StateAgenda, TableConclusion

INCLUSION = ("La necesidad de incluir a toda la ciudadanía (estudiantes, empresarios y sociedad civil) en las "
             "decisiones del gobierno")
VULNERABLE = ("No perder de vista a grupos vulnerables, y dar atención a comunidades que no tienen acceso a "
              "internet")


def _session(slug):
    return consolidation.networking_sessions(get_event(slug))[0]


def test_demo_networking(app, client):
    load_demo_data()
    db.session.commit()
    session = _session("jornadas-gobierno-abierto-2023")
    assert session.title == "Intercambio de Experiencias para Articular la Agenda Estatal de Apertura"
    tables = consolidation.session_tables(session)
    assert [t.number for t in tables] == [1, 2, 3, 4, 5, 6]
    assert all(t.topic and t.facilitator and t.rapporteur and t.seats for t in tables)
    sizes = [len(t.seats) for t in tables]
    assert max(sizes) - min(sizes) <= 1
    published = consolidation.published_conclusions(session)
    assert [c.text for c in published] == [text for _ref, text in JORNADAS_CONCLUSIONS]
    assert published[0].text == INCLUSION and published[1].text == VULNERABLE
    # Every original of every table is traced to exactly one published conclusion; three came from two tables.
    originals = [o for t in tables for o in consolidation.current_originals(t)]
    assert len(originals) == sum(len(t.originals) for t in JORNADAS_TABLES)
    assert all(len(o.consolidated) == 1 and o.consolidated[0] in published for o in originals)
    merged = [c for c in published if len(consolidation.source_tables(c)) == 2]
    assert len(merged) == 3
    assert consolidation.source_tables(published[0]) == [1, 5]
    assert all(any(h.action == HistoryAction.MERGED for h in c.history) for c in merged)
    assert all(c.themes for c in published)

    forum = _session("foro-regional-chimalhuacan-2023")
    assert [c.text for c in consolidation.published_conclusions(forum)] == [t for _r, t in FORUM_CONCLUSIONS]

    # The public pages and the relatoría show the eight, numbered.
    page = html.unescape(client.get("/eventos/jornadas-gobierno-abierto-2023/conclusiones").get_data(as_text=True))
    for _ref, text in JORNADAS_CONCLUSIONS:
        assert text in page
    assert "Mesas de origen: 1, 5" in page
    relatoria = client.get(f"/eventos/jornadas-gobierno-abierto-2023/conclusiones/{session.id}/relatoria.json")
    assert relatoria.status_code == 200
    body = json.loads(relatoria.get_data(as_text=True))
    assert [c["text"] for c in body["conclusions"]] == [text for _ref, text in JORNADAS_CONCLUSIONS]
    assert client.get(f"/eventos/jornadas-gobierno-abierto-2023/conclusiones/{session.id}/relatoria.pdf"
                      ).status_code == 200
    api = client.get("/api/v1/events/jornadas-gobierno-abierto-2023/conclusions").get_json()
    first = api["sessions"][0]["conclusions"][0]
    assert (first["number"], first["text"], first["tables"]) == (1, INCLUSION, [1, 5])
    assert len(api["sessions"][0]["conclusions"]) == 8

    # The state agenda draws on the Jornadas and on the regional forum.
    agenda_page = html.unescape(client.get("/agenda-estatal").get_data(as_text=True))
    assert "Agenda Estatal de Gobierno Abierto" in agenda_page
    assert INCLUSION in agenda_page and FORUM_CONCLUSIONS[0][1] in agenda_page
    assert "Jornadas de Gobierno Abierto 2023 — conclusión 1 (mesas 1, 5)" in agenda_page
    assert "Jornadas de Gobierno Abierto 2023 — conclusión 5 (mesa 1)" in agenda_page
    assert "Chimalhuacán — conclusión 1 (mesa 1)" in agenda_page
    agenda = db.session.scalar(select(StateAgenda))
    assert len(agenda.items) == len(JORNADAS_CONCLUSIONS) + len(FORUM_CONCLUSIONS)

    counts = [db.session.scalar(select(func.count()).select_from(m))
              for m in (TableConclusion, ConsolidatedConclusion, StateAgenda)]
    load_demo_data()  # twice: nothing new
    db.session.commit()
    assert [db.session.scalar(select(func.count()).select_from(m))
            for m in (TableConclusion, ConsolidatedConclusion, StateAgenda)] == counts
