"""The event report: its section mechanism, the figures it prints, and who may download it."""

import io
import re
from datetime import time, timedelta

import pytest
from pypdf import PdfReader
from reportlab.platypus import Paragraph
from sqlalchemy import func, select

from foros.checkin import scan as scanning
from foros.checkin import services as checkin
from foros.checkin.models import Checkin
from foros.core.identity import current_identity
from foros.core.time import local_today
from foros.events.services import DayInput
from foros.extensions import db
from foros.registration.inputs import RegistrationInput
from foros.registration.lifecycle import cancel_registration
from foros.registration.models import Registration, RegistrationStatus
from foros.registration.signup import register_attendee
from foros.reports.document import event_report_pdf
from foros.reports.sections import register_section, registered_sections, unregister_section
from tests.conftest import make_event


def pdf_text(data: bytes) -> str:
    """All pages' text, whitespace collapsed to single spaces."""
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def page_count(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def event(app):
    today = local_today()
    return make_event(title="Foro Regional de Gobierno Abierto — Villa Guerrero", municipality_key="15113",
                      capacity_in_person=4,
                      days=[DayInput(today, time(0, 0), time(23, 59)),
                            DayInput(today + timedelta(days=1), time(9, 0), time(14, 0))],
                      institutions="Ayuntamiento de Villa Guerrero\nComité de Participación Ciudadana",
                      description="Un foro para construir juntos la agenda local de apertura.")


@pytest.fixture
def section():
    """A section registered by the test, always taken out again."""
    keys = []

    def register(key, title, order, build):
        keys.append(key)
        return register_section(key, title, order, build)

    yield register
    for key in keys:
        unregister_section(key)


def paragraph(text):
    return lambda event, ctx: [Paragraph(text, ctx.styles["body"])]


def test_a_registered_section_appears_in_the_pdf_and_disappears_when_unregistered(event, section):
    section("prueba", "Sección de la prueba", 15, paragraph("Contenido que sólo escribe la prueba"))

    text = pdf_text(event_report_pdf(event))
    assert "Sección de la prueba" in text
    assert "Contenido que sólo escribe la prueba" in text
    assert text.count("Sección de la prueba") == 2  # in the contents and as the chapter's heading

    unregister_section("prueba")
    text = pdf_text(event_report_pdf(event))
    assert "Sección de la prueba" not in text
    assert "Contenido que sólo escribe la prueba" not in text


def test_sections_are_ordered_and_numbered(event, section):
    section("zz_last", "Conclusiones de prueba", 90, paragraph("al final"))
    section("aa_first", "Agenda de prueba", 5, paragraph("al principio"))
    assert [s.key for s in registered_sections()][:1] == ["aa_first"]

    text = pdf_text(event_report_pdf(event))
    headings = ["1. Agenda de prueba", "2. Datos del evento", "3. Registro y asistencia",
                "4. Conclusiones de prueba"]
    assert [text.count(h) for h in headings] == [2, 2, 2, 2]  # the contents, then the chapter
    contents = [text.index(h) for h in headings]
    chapters = [text.rindex(h) for h in headings]
    assert contents == sorted(contents) and chapters == sorted(chapters) and contents[-1] < chapters[0]


def test_a_section_with_nothing_to_say_is_left_out(event, section):
    section("vacia", "Sección sin datos", 30, lambda event, ctx: None)
    section("lista_vacia", "Otra sección sin datos", 31, lambda event, ctx: [])
    section("con_datos", "Sección con datos", 32, paragraph("Aquí sí hay algo"))

    text = pdf_text(event_report_pdf(event))
    assert "sin datos" not in text
    assert "3. Sección con datos" in text  # numbering skips what was left out


def test_cover_contents_and_page_numbers(event):
    data = event_report_pdf(event)
    reader = PdfReader(io.BytesIO(data))
    total = len(reader.pages)
    cover = " ".join(reader.pages[0].extract_text().split())
    assert current_identity().name in cover
    assert "Informe del evento" in cover
    assert event.title in cover
    contents = " ".join(reader.pages[1].extract_text().split())
    assert "Contenido" in contents and "Datos del evento" in contents and "Registro y asistencia" in contents
    for number, page in enumerate(reader.pages, start=1):
        assert f"Página {number} de {total}" in " ".join(page.extract_text().split())
    assert reader.metadata.title == f"Informe del evento — {event.title}"
    assert [item.title for item in reader.outline] == ["1. Datos del evento", "2. Registro y asistencia"]


def test_event_data_section(event):
    text = pdf_text(event_report_pdf(event))
    for expected in ("Foro regional", "Villa Guerrero", "Ayuntamiento de Villa Guerrero",
                     "Comité de Participación Ciudadana", "Un foro para construir juntos la agenda local",
                     "4 lugares", "Presencial"):
        assert expected in text


def person(n, **overrides):
    values = dict(name=f"Persona {n}", email=f"p{n}@example.org", sector="academia", municipality_key="15113",
                  privacy_consent=True, days=[local_today(), local_today() + timedelta(days=1)])
    values.update(overrides)
    return RegistrationInput(**values)


@pytest.fixture
def attended_event(event, organizer):
    """Six registrations on a capacity of four (two wait), one cancellation (one promoted), three admitted."""
    people = [person(1, sector="academia", gender="mujer"),
              person(2, sector="academia", gender="hombre", municipality_key="15031"),
              person(3, sector="estudiante", gender="mujer", municipality_key="15031"),
              person(4, sector="servidor_publico", gender="mujer", municipality_key="15024"),
              person(5, sector="estudiante", municipality_key="otra"),
              person(6, sector="sociedad_civil", gender="no_binario")]
    registrations = [register_attendee(event, p).registration for p in people]
    db.session.commit()
    cancel_registration(registrations[1], notify=False)
    db.session.commit()
    door, _list = checkin.open_door(organizer, event)
    for registration in registrations[2:5]:
        db.session.refresh(registration)
        assert scanning.admit_registration(door, registration)["result"] == "accepted"
    db.session.commit()
    return event


def _count(*conditions) -> int:
    return db.session.scalar(select(func.count()).select_from(Registration).where(*conditions))


def test_the_figures_in_the_pdf_are_the_databases(attended_event):
    event = attended_event
    mine = Registration.event_id == event.id
    confirmed = Registration.status == RegistrationStatus.CONFIRMED
    waitlisted = _count(mine, Registration.status == RegistrationStatus.WAITLISTED)
    cancelled = _count(mine, Registration.status == RegistrationStatus.CANCELLED)
    admitted = db.session.scalar(select(func.count(func.distinct(Checkin.registration_id)))
                                 .where(Checkin.result == "accepted", Checkin.undone_at.is_(None)))
    assert (_count(mine, confirmed), waitlisted, cancelled, admitted) == (4, 1, 1, 3)  # the scenario holds

    text = pdf_text(event_report_pdf(event))

    assert f"Registros recibidos {_count(mine)}" in text
    assert f"Registrados (confirmados) {_count(mine, confirmed)}" in text
    assert f"En lista de espera {waitlisted}" in text
    assert f"Cancelados {cancelled}" in text
    assert f"Asistentes {admitted}" in text
    assert "Inasistencia presencial 1 (25 %)" in text
    # Confirmed registrations and people admitted per sector (label, registered, admitted), from the rows.
    for label, condition in (("Academia", Registration.sector == "academia"),
                             ("Estudiante", Registration.sector == "estudiante"),
                             ("Servidor(a) público(a)", Registration.sector == "servidor_publico"),
                             ("Mujer", Registration.gender == "mujer"),
                             ("Otra entidad", Registration.municipality_key == "otra")):
        registered = _count(mine, confirmed, condition)
        came = db.session.scalar(select(func.count(func.distinct(Checkin.registration_id)))
                                 .join(Registration, Registration.id == Checkin.registration_id)
                                 .where(condition, confirmed, Checkin.result == "accepted"))
        assert registered
        assert re.search(rf"{re.escape(label)} {registered} {came}\b", text), (label, registered, came)
    # The first day's list expects the confirmed in-person people and admitted three.
    assert re.search(rf"Día 1 — .+? {_count(mine, confirmed)} 3\b", text)
    assert "Por municipio de residencia" in text


def test_an_event_without_registrations_says_so(event):
    text = pdf_text(event_report_pdf(event))
    assert "Este evento no tiene registros." in text


def test_long_and_marked_up_text_does_not_break_the_report(app):
    event = make_event(title="<b>Foro</b> & «Ñandú»",
                       description=("Párrafo <script>x</script> ñ " * 400 + "\n\n") * 3,
                       institutions="\n".join(f"Institución número {n} & <i>asociados</i>" for n in range(60)))
    data = event_report_pdf(event)
    text = pdf_text(data)
    assert "<b>Foro</b> & «Ñandú»" in text
    assert "<script>x</script>" in text
    assert page_count(data) > 4


# --- the page ----------------------------------------------------------------------------------------------------

def test_organizers_download_the_report(organizer_client, attended_event):
    response = organizer_client.get(f"/gestion/eventos/{attended_event.slug}/informe.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f'attachment; filename="informe-{attended_event.slug}.pdf"'
    assert "Registrados (confirmados) 4" in pdf_text(response.data)


def test_the_management_page_links_to_the_report(organizer_client, event):
    page = organizer_client.get(f"/gestion/eventos/{event.slug}").get_data(as_text=True)
    assert f'href="/gestion/eventos/{event.slug}/informe.pdf"' in page
    assert "Informe del evento" in page


def test_staff_and_anonymous_are_refused(app, client, staff_client, event):
    url = f"/gestion/eventos/{event.slug}/informe.pdf"
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/entrar" in anonymous.headers["Location"]
    assert staff_client.get(url).status_code == 403


def test_unknown_event_is_not_found(organizer_client):
    assert organizer_client.get("/gestion/eventos/no-existe/informe.pdf").status_code == 404

