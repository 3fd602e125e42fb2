"""Statistics pages: organizers only, the numbers shown, filters, bad input, GET writes nothing."""

import pytest
from sqlalchemy import func, select

from foros.audit.models import AuditEntry
from foros.checkin.models import Checkin
from foros.extensions import db

PAGES = ["/gestion/eventos/foro-pasado/estadisticas", "/gestion/estadisticas"]


@pytest.mark.parametrize("url", PAGES)
def test_staff_are_refused_and_anonymous_sent_to_login(app, past_event, staff_client, url):
    assert staff_client.get(url).status_code == 403
    response = app.test_client().get(url)
    assert response.status_code == 302 and "/entrar" in response.headers["Location"]


def test_staff_cannot_publish_open_data(staff_client, past_event):
    response = staff_client.post(f"/gestion/eventos/{past_event.slug}/datos-abiertos", data={"accion": "publicar"})
    assert response.status_code in (400, 403)
    db.session.refresh(past_event)
    assert past_event.open_data_published_at is None


def test_event_page_shows_the_figures_charts_and_map(organizer_client, past_event):
    response = organizer_client.get(f"/gestion/eventos/{past_event.slug}/estadisticas")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'class="charts-css bar' in html and "charts.css-1.2.0/charts.min.css" in html
    assert "<title>Toluca: 12</title>" in html and "<title>Chimalhuacán: 6</title>" in html
    assert "Servidor(a) público(a)" in html and "Otra entidad" in html
    assert "22.2 %" in html  # 4 of 18 in person did not come
    assert 'style="' not in html  # the CSP forbids inline styles: sizes are classes
    assert 'class="stats-registered cs-83"' in html  # the largest bar, with room for its number


def test_overview_filters_and_bad_input(organizer_client, past_event):
    html = organizer_client.get("/gestion/estadisticas?desde=2023-06-01&hasta=2023-06-30&tipo=foro_regional"
                                ).get_data(as_text=True)
    assert past_event.title in html
    html = organizer_client.get("/gestion/estadisticas?tipo=jornada").get_data(as_text=True)
    assert "No hay eventos con esos filtros" in html
    assert organizer_client.get("/gestion/estadisticas?tipo=%00").status_code == 400  # NUL: the house's rule
    for query in ("desde=ayer", "tipo=otro-tipo", "hasta=2023-01-01&desde=2023-02-01", "tipo=" + "x" * 5000):
        response = organizer_client.get("/gestion/estadisticas?" + query)
        assert response.status_code == 422, query
        assert "No hay eventos con esos filtros" in response.get_data(as_text=True)


def test_statistics_and_open_data_pages_write_nothing(organizer_client, past_event):
    def snapshot():
        return (db.session.scalar(select(func.count()).select_from(AuditEntry)),
                db.session.scalar(select(func.count()).select_from(Checkin)))
    before = snapshot()
    for url in [*PAGES, "/datos-abiertos", "/datos-abiertos.csv", "/datos-abiertos.json",
                "/datos-abiertos/diccionario", f"/datos-abiertos/{past_event.slug}"]:
        assert organizer_client.get(url).status_code in (200, 404)
    assert snapshot() == before
    db.session.refresh(past_event)
    assert past_event.open_data_published_at is None
