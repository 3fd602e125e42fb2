"""Public pages and the organizer's event pages."""

from datetime import timedelta

from sqlalchemy import func, select

from foros.core.time import local_today
from foros.events.models import Event, EventStatus
from foros.extensions import db
from tests.conftest import make_event


def _form(**overrides):
    day = local_today() + timedelta(days=12)
    data = {
        "title": "Foro Regional de Gobierno Abierto — Villa Guerrero", "slug": "", "kind": "foro_regional",
        "municipality_key": "15113", "venue": "Casa de Cultura", "address": "Centro", "modality": "hibrida",
        "capacity_in_person": "120", "capacity_virtual": "", "online_url": "https://example.org/vivo",
        "registration_opens_at": "", "registration_closes_at": "", "description": "Descripción",
        "institutions": "INFOEM\nAyuntamiento", "days-0-day": day.isoformat(), "days-0-starts": "09:00",
        "days-0-ends": "14:00", "days-1-day": "", "days-1-starts": "", "days-1-ends": "",
    }
    data.update(overrides)
    return data


def test_home_lists_upcoming_and_past(client):
    make_event(title="Foro que viene")
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Foro que viene" in html and "Próximos eventos" in html
    assert 'lang="es-MX"' in html


def test_event_page_shows_spanish_dates_and_municipality(client):
    event = make_event()
    html = client.get(f"/eventos/{event.slug}").get_data(as_text=True)
    assert "Chimalhuacán" in html and "de 09:00 a 14:00" in html and "14:00 h" not in html
    day = event.days[0].day
    from babel.dates import format_date

    assert format_date(day, format="full", locale="es_MX") in html


def test_draft_event_page_is_404(client):
    event = make_event(publish=False)
    assert client.get(f"/eventos/{event.slug}").status_code == 404


def test_organizer_creates_edits_and_publishes_event(organizer_client):
    response = organizer_client.post("/gestion/eventos/nuevo", data=_form())
    assert response.status_code == 302
    event = db.session.scalar(select(Event))
    assert event.slug == "foro-regional-de-gobierno-abierto-villa-guerrero"
    assert event.institution_list == ["INFOEM", "Ayuntamiento"]
    assert event.capacity_virtual is None

    response = organizer_client.get(f"/gestion/eventos/{event.slug}")
    html = response.get_data(as_text=True)
    assert 'value="Casa de Cultura"' in html and 'value="09:00"' in html

    response = organizer_client.post(f"/gestion/eventos/{event.slug}",
                                     data=_form(venue="Auditorio", slug=event.slug, capacity_virtual="500"))
    assert response.status_code == 302
    db.session.expire_all()
    assert event.venue == "Auditorio" and event.capacity_virtual == 500

    # A draft is hidden from the public; its organizer sees it only as a marked preview (issue 10, point 23).
    assert organizer_client.application.test_client().get(f"/eventos/{event.slug}").status_code == 404
    assert "Vista previa: borrador" in organizer_client.get(f"/eventos/{event.slug}").get_data(as_text=True)
    response = organizer_client.post(f"/gestion/eventos/{event.slug}/estado", data={"accion": "publish"})
    assert response.status_code == 302
    db.session.expire_all()
    assert event.status == EventStatus.PUBLISHED
    assert "Auditorio" in organizer_client.get(f"/eventos/{event.slug}").get_data(as_text=True)


def test_adding_a_second_day(organizer_client):
    organizer_client.post("/gestion/eventos/nuevo", data=_form())
    event = db.session.scalar(select(Event))
    second = (local_today() + timedelta(days=13)).isoformat()
    organizer_client.post(f"/gestion/eventos/{event.slug}", data=_form(
        slug=event.slug, **{"days-1-day": second, "days-1-starts": "10:00", "days-1-ends": "13:00"}))
    db.session.expire_all()
    assert [d.day.isoformat() for d in event.days][1] == second


def test_invalid_form_keeps_input_and_saves_nothing(organizer_client):
    response = organizer_client.post("/gestion/eventos/nuevo", data=_form(
        title="x" * 10_000, venue="Sede que se conserva", **{"days-0-ends": "08:00"}))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Sede que se conserva" in html and "Revise el formulario" in html
    assert db.session.scalar(select(func.count()).select_from(Event)) == 0


def test_day_row_missing_time_is_reported(organizer_client):
    response = organizer_client.post("/gestion/eventos/nuevo", data=_form(**{"days-0-starts": ""}))
    assert response.status_code == 422 and "Falta este dato" in response.get_data(as_text=True)


def test_html_in_text_is_escaped_on_public_page(client):
    event = make_event(title="<script>alert(1)</script> Foro", description="<b>negritas</b>")
    html = client.get(f"/eventos/{event.slug}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;negritas&lt;/b&gt;" in html


def test_manage_list_filters_by_status(organizer_client):
    make_event(title="Publicado uno")
    make_event(title="Borrador dos", publish=False)
    html = organizer_client.get("/gestion/eventos?estado=draft").get_data(as_text=True)
    assert "Borrador dos" in html and "Publicado uno" not in html
    assert organizer_client.get("/gestion/eventos?estado=nada").status_code == 200


def test_day_errors_mark_that_rows_inputs_and_name_the_date_in_spanish(organizer_client):
    from html.parser import HTMLParser

    from babel.dates import format_date

    class Page(HTMLParser):
        """Attributes of each input, and the text of each element with an id."""

        def __init__(self):
            super().__init__()
            self.inputs, self.text, self._open = {}, {}, []

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "input":
                self.inputs[attrs.get("id")] = attrs
            elif tag not in ("br", "img", "meta", "link", "hr"):
                self._open.append(attrs.get("id"))
                if attrs.get("id"):
                    self.text[attrs["id"]] = ""

        def handle_endtag(self, tag):
            if tag not in ("input", "br", "img", "meta", "link", "hr") and self._open:
                self._open.pop()

        def handle_data(self, data):
            for element_id in filter(None, self._open):
                self.text[element_id] += data

    first = local_today() + timedelta(days=12)
    second = first + timedelta(days=1)
    # Row 0 is fine, row 1 left empty, row 2 ends before it starts, row 3 repeats row 0's date. The service
    # counts only the rows filled in, so its third day is the form's row 3: the form maps them back.
    response = organizer_client.post("/gestion/eventos/nuevo", data=_form(**{
        "days-2-day": second.isoformat(), "days-2-starts": "14:00", "days-2-ends": "09:00",
        "days-3-day": first.isoformat(), "days-3-starts": "16:00", "days-3-ends": "18:00",
    }))
    assert response.status_code == 422
    page = Page()
    page.feed(response.get_data(as_text=True))

    ends_first = f"El {format_date(second, format='long', locale='es_MX')}: la hora de término debe ser " \
                 "posterior a la de inicio."
    repeated = f"El día {format_date(first, format='long', locale='es_MX')} está repetido."
    assert page.text["days-2-error"].strip() == ends_first
    assert page.text["days-3-error"].strip() == repeated
    assert second.isoformat() not in page.text["days-2-error"]  # no ISO dates in what people read
    for row in (2, 3):
        for part in ("day", "starts", "ends"):
            attrs = page.inputs[f"days-{row}-{part}"]
            assert attrs.get("aria-invalid") == "true", (row, part)
            assert attrs.get("aria-describedby") == f"days-{row}-error", (row, part)
    for row in (0, 1):
        assert f"days-{row}-error" not in page.text
        for part in ("day", "starts", "ends"):
            assert "aria-invalid" not in page.inputs[f"days-{row}-{part}"], (row, part)
    # What was typed stays, and the summary at the top lists both problems too.
    assert page.inputs["days-2-starts"]["value"] == "14:00"
    assert page.inputs["days-3-day"]["value"] == first.isoformat()
    assert ends_first in page.text["errores"] and repeated in page.text["errores"]
    assert db.session.scalar(select(func.count()).select_from(Event)) == 0
