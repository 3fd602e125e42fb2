"""Organizer pages of the draft programme and the people's private link."""

import io

from PIL import Image
from sqlalchemy import select

from foros.agenda.models import Person, Session, SessionPerson, SessionStatus, SessionType
from foros.checkin.models import CheckinList
from foros.extensions import db
from tests.conftest import make_event, make_person, make_session


def _type_id(key="panel"):
    return db.session.scalar(select(SessionType.id).where(SessionType.key == key))


def _session_form(event, **overrides):
    data = {"title": "Panel: ¿Gobierno abierto o Estado abierto?", "type_id": str(_type_id()),
            "day": event.days[0].day.isoformat(), "starts": "10:00", "ends": "11:00", "room_id": "",
            "modality": "hibrida", "online_url": "https://reunion.example.org/panel", "description": "",
            "capacity": ""}
    data.update(overrides)
    return data


def test_seeded_session_types(app):
    assert [t.key for t in db.session.scalars(select(SessionType).order_by(SessionType.position))] == [
        "inauguracion", "conferencia_magistral", "panel", "mesa_de_trabajo", "networking", "taller", "receso",
        "clausura"]


def test_organizer_creates_and_edits_a_session(organizer_client):
    event = make_event()
    response = organizer_client.post(f"/gestion/eventos/{event.slug}/programa/sesiones/nueva",
                                     data=_session_form(event))
    assert response.status_code == 302
    session = db.session.scalar(select(Session))
    assert session.modality.value == "hibrida" and session.event_day_id == event.days[0].id
    uid = session.uid
    page = organizer_client.get(f"/gestion/eventos/{event.slug}/programa")
    assert "¿Gobierno abierto o Estado abierto?" in page.get_data(as_text=True)
    response = organizer_client.post(f"/gestion/eventos/{event.slug}/programa/sesiones/{session.id}",
                                     data=_session_form(event, starts="13:30", ends="15:00"),
                                     follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Aviso: La sesión queda fuera del horario de la sede ese día (de 09:00 a 14:00)." in html
    db.session.expire_all()
    assert db.session.get(Session, session.id).uid == uid  # the iCalendar UID never changes


def test_ending_before_starting_is_a_field_error_and_keeps_what_was_typed(organizer_client):
    event = make_event()
    response = organizer_client.post(f"/gestion/eventos/{event.slug}/programa/sesiones/nueva",
                                     data=_session_form(event, starts="11:00", ends="10:00"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "termina antes de empezar" in html and "¿Gobierno abierto o Estado abierto?" in html
    assert db.session.scalar(select(Session.id)) is None


def test_bad_input_never_500s(organizer_client):
    event = make_event()
    for bad in ({"type_id": "abc"}, {"type_id": "999999"}, {"room_id": "77"}, {"day": "mañana"},
                {"modality": "telepatía"}, {"online_url": "javascript:alert(1)"}, {"capacity": "-3"}):
        response = organizer_client.post(f"/gestion/eventos/{event.slug}/programa/sesiones/nueva",
                                         data=_session_form(event, **bad))
        assert response.status_code == 422, bad
    assert organizer_client.get(f"/gestion/eventos/{event.slug}/programa/sesiones/999999").status_code == 404


def test_people_rooms_types_and_the_session_list(organizer_client):
    event = make_event()
    session = make_session(event)
    db.session.commit()
    base = f"/gestion/eventos/{event.slug}/programa"
    assert organizer_client.post(f"{base}/personas", data={"name": "Mtra. Ana Pérez", "cargo": "Comisionada",
                                                           "institution": "Infoem", "email": "ana@example.org",
                                                           "bio": ""}).status_code == 302
    person = db.session.scalar(select(Person))
    found = organizer_client.get(f"{base}/sesiones/{session.id}?q=infoem").get_data(as_text=True)
    assert "Agregar a Mtra. Ana Pérez" in found
    assert organizer_client.post(f"{base}/sesiones/{session.id}/personas",
                                 data={"person_id": person.id, "role": "moderador"}).status_code == 302
    assignment = db.session.scalar(select(SessionPerson))
    assert assignment.role.value == "moderador" and assignment.position == 1
    assert organizer_client.post(f"{base}/sesiones/{session.id}/personas/{assignment.id}",
                                 data={"role": "panelista", "position": "3"}).status_code == 302
    db.session.expire_all()
    assert (assignment.role.value, assignment.position) == ("panelista", 3)
    # Rooms and types.
    assert organizer_client.post(f"{base}/salas", data={"name": "Sala A", "capacity": "80"}).status_code == 302
    assert organizer_client.post(f"{base}/salas", data={"name": "sala a"}).status_code == 422
    assert organizer_client.post("/gestion/programa/tipos", data={"name": "Presentación de libro"}).status_code \
        == 302
    # The session's own door list.
    assert organizer_client.post(f"{base}/sesiones/{session.id}/lista").status_code == 302
    db.session.expire_all()
    checkin_list = db.session.get(CheckinList, db.session.get(Session, session.id).checkin_list_id)
    assert checkin_list.name == session.title and checkin_list.event_id == event.id
    organizer_client.post(f"{base}/sesiones/{session.id}/lista")  # twice: still one list
    assert db.session.scalar(select(CheckinList).where(CheckinList.slug == checkin_list.slug)) is not None
    # Cancel.
    organizer_client.post(f"{base}/sesiones/{session.id}/estado", data={"status": "cancelled"})
    db.session.expire_all()
    assert db.session.get(Session, session.id).status == SessionStatus.CANCELLED


def test_staff_and_anonymous_cannot_edit_the_programme(client, staff_client):
    event = make_event()
    session = make_session(event)
    db.session.commit()
    for url in (f"/gestion/eventos/{event.slug}/programa", f"/gestion/eventos/{event.slug}/programa/personas",
                f"/gestion/eventos/{event.slug}/programa/sesiones/{session.id}", "/gestion/programa/tipos"):
        assert staff_client.get(url).status_code == 403
    assert staff_client.post(f"/gestion/eventos/{event.slug}/programa/sesiones/{session.id}/estado",
                             data={"status": "cancelled"}).status_code == 403
    client.get("/salir")
    assert client.get(f"/gestion/eventos/{event.slug}/programa").status_code == 302


def _photo_bytes(fmt="JPEG"):
    buffer = io.BytesIO()
    image = Image.new("RGB", (1200, 900), (0, 90, 160))
    exif = Image.Exif()
    exif[0x010F] = "CamaraEspia"
    image.save(buffer, format=fmt, exif=exif.tobytes())
    return buffer.getvalue()


def test_private_link_confirms_once_and_corrects_bio_and_photo(client, organizer_client):
    event = make_event()
    ana = make_person("Ana Pérez")
    session = make_session(event, people=[(ana, "ponente")])
    db.session.commit()
    token, assignment_id = ana.token, session.people[0].id
    assert client.get("/participantes/token-que-no-existe").status_code == 404
    page = client.get(f"/participantes/{token}")
    assert page.status_code == 200 and "Panel de apertura" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "private, no-store"
    url = f"/participantes/{token}/confirmar/{assignment_id}"
    assert "quedó confirmada" in client.post(url, follow_redirects=True).get_data(as_text=True)
    first = db.session.scalar(select(SessionPerson.confirmed_at))
    assert "ya estaba confirmada" in client.post(url, follow_redirects=True).get_data(as_text=True)
    assert db.session.scalar(select(SessionPerson.confirmed_at)) == first
    assert client.post(f"/participantes/otro-token/confirmar/{assignment_id}").status_code == 404
    # Organizers see who has confirmed.
    assert "Confirmó el" in organizer_client.get(f"/gestion/eventos/{event.slug}/programa/personas") \
        .get_data(as_text=True)
    # Bio and photo.
    profile = {"cargo": "Comisionada", "institution": "Infoem", "bio": "Especialista en apertura."}
    assert client.post(f"/participantes/{token}/perfil", data=profile).status_code == 302
    refused = client.post(f"/participantes/{token}/foto",
                          data={"photo": (io.BytesIO(b"no soy una imagen" * 10), "foto.jpg")},
                          content_type="multipart/form-data")
    assert refused.status_code == 422 and "no es una imagen válida" in refused.get_data(as_text=True)
    assert client.post(f"/participantes/{token}/foto", data={"photo": (io.BytesIO(_photo_bytes()), "yo.jpg")},
                       content_type="multipart/form-data").status_code == 302
    db.session.expire_all()
    person = db.session.get(Person, ana.id)
    assert person.bio == "Especialista en apertura." and person.has_photo
    served = client.get(f"/personas/{person.public_key}/foto")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert "max-age" in served.headers["Cache-Control"] and b"CamaraEspia" not in served.data
    assert client.get("/personas/nadie/foto").status_code == 404
