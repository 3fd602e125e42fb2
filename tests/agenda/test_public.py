"""The public programme: pages, feeds, PDF, API and report read the latest release; the online link reaches
only confirmed registrants of the virtual modality (ticket page, personal feed), never anything public."""

import io
from datetime import time, timedelta

import pytest
from icalendar import Calendar
from pypdf import PdfReader

from foros.agenda import sessions as agenda_sessions
from foros.agenda.releases import release_programme
from foros.core.identity import current_identity
from foros.core.time import local_today
from foros.events.models import Modality
from foros.events.services import DayInput
from foros.extensions import db
from foros.registration.inputs import RegistrationInput
from foros.registration.signup import register_attendee
from foros.reports.document import event_report_pdf
from tests.conftest import csrf_token_from, make_event, make_person, make_session

LINK = "https://reunion.example.org/j/enlace-privado-987"


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(data)).pages)


def _register(event, email, modality):
    data = RegistrationInput(name=f"Persona {modality}", email=email, sector="ciudadania",
                             municipality_key="15031", modality=modality, days=[event.days[0].day],
                             privacy_consent=True)
    return register_attendee(event, data).registration


@pytest.fixture
def hybrid(app):
    """A hybrid event with a released programme: a hybrid panel with a private link and two people."""
    day = local_today() + timedelta(days=15)
    event = make_event(title="Jornadas de Gobierno Abierto", modality=Modality.HIBRIDA, capacity_virtual=50,
                       days=[DayInput(day, time(9, 0), time(18, 0))])
    room = agenda_sessions.create_room(event, name="Auditorio principal", capacity=None, for_venue=False)
    moderator = make_person("Mtra. Moderadora Ejemplo", cargo="Comisionada",
                            institution="Instituto de Transparencia",
                            bio="Especialista en apertura gubernamental.")
    panelist = make_person("Dr. Panelista Ejemplo", institution="Sociedad civil")
    panel = make_session(event, "¿Gobierno abierto o Estado abierto?", starts=time(10, 0), ends=time(11, 30),
                         room=room, modality="hibrida", online_url=LINK,
                         people=[(moderator, "moderador"), (panelist, "panelista")])
    release_programme(event, "Programa preliminar")
    db.session.commit()
    return event, panel, moderator


def test_programme_session_and_person_pages(client, hybrid):
    event, panel, moderator = hybrid
    page = client.get(f"/eventos/{event.slug}/programa")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "¿Gobierno abierto o Estado abierto?" in html and "Auditorio principal" in html
    assert "Mtra. Moderadora Ejemplo" in html and "Moderador(a)" in html
    assert "Versión 1" in html and "Programa preliminar" in html
    session_page = client.get(f"/eventos/{event.slug}/programa/sesiones/{panel.uid}")
    assert session_page.status_code == 200 and "Dr. Panelista Ejemplo" in session_page.get_data(as_text=True)
    person_page = client.get(f"/eventos/{event.slug}/programa/personas/{moderator.public_key}")
    assert person_page.status_code == 200
    assert "Especialista en apertura gubernamental." in person_page.get_data(as_text=True)
    assert client.get(f"/eventos/{event.slug}/programa/sesiones/no-existe@foros").status_code == 404
    assert client.get(f"/eventos/{event.slug}/programa/personas/nadie").status_code == 404
    stranger = make_person("Persona fuera del programa")
    db.session.commit()
    assert client.get(f"/eventos/{event.slug}/programa/personas/{stranger.public_key}").status_code == 404


def test_marks_what_changed_in_the_latest_release(client, hybrid):
    event, panel, _moderator = hybrid
    data = agenda_sessions.session_form_input(panel)
    data.starts, data.ends = time(12, 0), time(13, 30)
    agenda_sessions.save_session(event, data, session=panel)
    make_session(event, "Clausura", type_key="clausura", starts=time(17, 0), ends=time(17, 30))
    release_programme(event, "Se movió el panel")
    db.session.commit()
    html = client.get(f"/eventos/{event.slug}/programa").get_data(as_text=True)
    assert "cambió de sala/horario" in html and "nuevo" in html
    assert "Versión 2" in html and "Se movió el panel" in html
    assert "antes:" in html  # the changes per release say where it was


def test_before_any_release_nothing_is_public(client):
    event = make_event()
    make_session(event, "Sesión en borrador")
    db.session.commit()
    html = client.get(f"/eventos/{event.slug}/programa").get_data(as_text=True)
    assert "todavía no se ha publicado" in html and "Sesión en borrador" not in html
    assert client.get(f"/eventos/{event.slug}/programa.pdf").status_code == 404
    api = client.get(f"/api/v1/events/{event.slug}/sessions").get_json()
    assert api["version"] is None and api["sessions"] == []
    assert b"Sesi\xc3\xb3n en borrador" not in client.get(f"/eventos/{event.slug}/programa.ics").data


def test_draft_events_programme_is_not_public(client):
    event = make_event(publish=False)
    make_session(event, "Sesión")
    release_programme(event)
    db.session.commit()
    assert client.get(f"/eventos/{event.slug}/programa").status_code == 404
    assert client.get(f"/api/v1/events/{event.slug}/sessions").status_code == 404


def test_the_virtual_link_never_appears_in_public(client, hybrid):
    event, panel, moderator = hybrid
    public_urls = [f"/eventos/{event.slug}/programa", f"/eventos/{event.slug}/programa/sesiones/{panel.uid}",
                   f"/eventos/{event.slug}/programa/personas/{moderator.public_key}",
                   f"/eventos/{event.slug}/programa.ics",
                   f"/eventos/{event.slug}/programa/sesiones/{panel.uid}.ics",
                   f"/api/v1/events/{event.slug}/sessions", f"/eventos/{event.slug}", "/api/v1/events",
                   f"/api/v1/events/{event.slug}"]
    for url in public_urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert LINK.encode() not in response.data, url
        assert b"enlace-privado" not in response.data, url
    assert "enlace-privado" not in pdf_text(client.get(f"/eventos/{event.slug}/programa.pdf").data)
    assert b"enlace-privado" not in client.get("/api/v1/openapi.json").data


def test_the_link_reaches_only_confirmed_virtual_registrants(client, hybrid):
    event, panel, _moderator = hybrid
    in_person = _register(event, "presencial@example.org", "presencial")
    online = _register(event, "virtual@example.org", "virtual")
    db.session.commit()
    in_person_feed = client.get(f"/boleto/{in_person.access_token}/programa.ics")
    assert in_person_feed.status_code == 200 and in_person_feed.headers["Cache-Control"] == "private, no-store"
    assert LINK.encode() not in in_person_feed.data
    assert [str(v["UID"]) for v in Calendar.from_ical(in_person_feed.data).walk("VEVENT")] == [panel.uid]
    assert LINK not in client.get(f"/boleto/{in_person.access_token}").get_data(as_text=True)
    online_feed = Calendar.from_ical(client.get(f"/boleto/{online.access_token}/programa.ics").data)
    [vevent] = online_feed.walk("VEVENT")
    assert str(vevent["UID"]) == panel.uid and LINK in str(vevent["DESCRIPTION"]) and str(vevent["URL"]) == LINK
    ticket = client.get(f"/boleto/{online.access_token}").get_data(as_text=True)
    assert LINK in ticket and "Mi programa en el calendario" in ticket
    assert client.get("/boleto/no-existe/programa.ics").status_code == 404


def test_an_in_person_feed_leaves_out_virtual_only_sessions(client, hybrid):
    event, panel, _moderator = hybrid
    online_only = make_session(event, "Taller en línea", type_key="taller", starts=time(15, 0), ends=time(16, 0),
                               modality="virtual", online_url=LINK + "-taller")
    release_programme(event)
    in_person = _register(event, "presencial@example.org", "presencial")
    online = _register(event, "virtual@example.org", "virtual")
    db.session.commit()
    uids = {str(v["UID"]) for v in Calendar.from_ical(
        client.get(f"/boleto/{in_person.access_token}/programa.ics").data).walk("VEVENT")}
    assert uids == {panel.uid}
    uids = {str(v["UID"]) for v in Calendar.from_ical(
        client.get(f"/boleto/{online.access_token}/programa.ics").data).walk("VEVENT")}
    assert uids == {panel.uid, online_only.uid}


def test_api_lists_the_released_sessions(client, hybrid):
    event, panel, _moderator = hybrid
    body = client.get(f"/api/v1/events/{event.slug}/sessions").get_json()
    assert body["version"] == 1 and body["note"] == "Programa preliminar"
    [session] = body["sessions"]
    assert session["uid"] == panel.uid and session["room"] == "Auditorio principal"
    assert session["type"] == "Panel" and session["type_key"] == "panel" and session["modality"] == "hibrida"
    assert [(p["name"], p["role"]) for p in session["people"]] == [("Mtra. Moderadora Ejemplo", "moderador"),
                                                                  ("Dr. Panelista Ejemplo", "panelista")]
    assert session["url"].endswith(f"/eventos/{event.slug}/programa/sesiones/{panel.uid}")
    assert "link" not in session and "online_url" not in session
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/events/{slug}/sessions" in spec["paths"]
    assert client.get("/api/v1/events/no-existe/sessions").get_json()["error"]["code"] == "event_not_found"


def test_programme_pdf_and_report_section(client, hybrid, organizer):
    event, _panel, _moderator = hybrid
    response = client.get(f"/eventos/{event.slug}/programa.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert current_identity().name in text and "Jornadas de Gobierno Abierto" in text
    assert "¿Gobierno abierto o Estado abierto?" in text and "Auditorio principal" in text
    assert "Mtra. Moderadora Ejemplo" in text and "10:00" in text and "Página 1 de" in text
    report = pdf_text(event_report_pdf(event))
    assert "Programa" in report and "Versión 1 del programa" in report
    assert "¿Gobierno abierto o Estado abierto?" in report


def test_organizer_releases_from_the_page(organizer_client, app):
    event = make_event()
    make_session(event, "Inauguración", type_key="inauguracion", starts=time(9, 0), ends=time(9, 30))
    db.session.commit()
    url = f"/gestion/eventos/{event.slug}/programa/publicar"
    page = organizer_client.get(url)
    assert page.status_code == 200 and "Inauguración" in page.get_data(as_text=True)
    token = csrf_token_from(page.get_data(as_text=True))
    done = organizer_client.post(url, data={"csrf_token": token, "note": "Primera versión"}, follow_redirects=True)
    assert "Programa publicado: versión 1." in done.get_data(as_text=True)
    again = organizer_client.post(url, data={"csrf_token": token, "note": "Primera versión"})
    assert again.status_code == 422 and "no tiene cambios" in again.get_data(as_text=True)
    too_long = organizer_client.post(url, data={"csrf_token": token, "note": "x" * 1200})
    assert too_long.status_code == 422 and "x" * 1200 in too_long.get_data(as_text=True)


def test_staff_cannot_release(staff_client):
    event = make_event()
    db.session.commit()
    assert staff_client.get(f"/gestion/eventos/{event.slug}/programa/publicar").status_code == 403
