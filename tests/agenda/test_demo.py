"""The demo programmes: the 2023 Jornadas, each regional forum, and the upcoming Jornadas with a later change."""

from datetime import date

from sqlalchemy import func, select

from foros.agenda.models import Session
from foros.agenda.releases import event_releases, released_programme
from foros.demo.data import load_demo_data
from foros.events.services import get_event
from foros.extensions import db


def test_demo_programmes(app, client):
    load_demo_data()
    db.session.commit()
    jornadas = released_programme(get_event("jornadas-gobierno-abierto-2023"))
    by_title = {s.title: s for s in jornadas.sessions}
    panel = by_title["¿Gobierno abierto o Estado abierto? Rumbo a un nuevo paradigma de gobernanza"]
    assert panel.day == date(2023, 6, 6) and panel.type_key == "panel"
    assert any(s.type_key == "inauguracion" and s.day == date(2023, 6, 6) for s in jornadas.sessions)
    networking = by_title["Intercambio de Experiencias para Articular la Agenda Estatal de Apertura"]
    assert networking.day == date(2023, 6, 8) and networking.type_key == "networking"
    for slug in ("foro-regional-chimalhuacan-2023", "foro-regional-villa-guerrero-2023", "foro-regional-texcoco"):
        forum = released_programme(get_event(slug))
        institutions = {p.institution for s in forum.sessions for p in s.people}
        assert "Sistema Nacional de Transparencia" in institutions
        assert any("Comité de Participación Ciudadana" in name for name in institutions)
        assert any(name.startswith("Ayuntamiento de") for name in institutions)
        assert any("sociedad civil" in name for name in institutions)
    upcoming = get_event("jornadas-gobierno-abierto")
    assert [r.number for r in event_releases(upcoming)] == [2, 1]
    page = client.get("/eventos/jornadas-gobierno-abierto/programa").get_data(as_text=True)
    assert "cambió de sala/horario" in page and "Sala B" in page
    sessions = db.session.scalar(select(func.count()).select_from(Session))
    load_demo_data()  # twice: nothing new
    assert db.session.scalar(select(func.count()).select_from(Session)) == sessions
    assert [r.number for r in event_releases(upcoming)] == [2, 1]
