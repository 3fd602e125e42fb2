"""Tables of a networking session: services (seating, late arrivals, rules) and the organizer's page."""

from datetime import time

import pytest
from sqlalchemy import select

from foros.core.errors import DomainError, NotFound
from foros.extensions import db
from foros.networking import tables
from foros.networking.models import NetworkingTable, SeatSource, TableSeat
from tests.certificates.helpers import add_person, admit, day_lists, past_event
from tests.conftest import make_session

SECTORS = ["servidor_publico", "academia", "estudiante", "sociedad_civil"]


def _scenario(people=12, table_count=3):
    """A past event with a networking session, ``table_count`` tables and ``people`` admitted attendees."""
    event = past_event(days=1)
    session = make_session(event, "Intercambio de experiencias", starts=time(12, 0), ends=time(13, 30),
                           type_key="networking")
    for number in range(1, table_count + 1):
        tables.save_table(session, tables.TableInput(number=number, topic=f"Tema {number}"))
    door = day_lists(event)[0]
    registrations = []
    for i in range(people):
        registration = add_person(event, f"Persona {i:02d}", f"p{i}@example.org", sector=SECTORS[i % 4],
                                  municipality_key=["15106", "15031", "15057"][i % 3])
        admit(registration, door)
        registrations.append(registration)
    db.session.commit()
    return event, session, registrations, door


def _seating(session):
    return {t.number: [s.registration.sector for s in t.seats] for t in tables.session_tables(session)}


def test_automatic_assignment_balances_and_mixes(app):
    _event, session, _people, _door = _scenario(people=12, table_count=3)
    assert tables.assign_automatically(session) == 12
    seating = _seating(session)
    assert [len(v) for v in seating.values()] == [4, 4, 4]
    assert all(len(set(sectors)) == 4 for sectors in seating.values())  # every table has all four sectors
    assert not tables.unseated(session)


def test_only_checked_in_attendees_are_seated(app):
    event, session, _people, _door = _scenario(people=4, table_count=2)
    outsider = add_person(event, "Sin entrada", "no@example.org", sector="academia")
    assert outsider not in tables.checked_in(session)
    assert tables.assign_automatically(session) == 4
    table = tables.session_tables(session)[0]
    with pytest.raises(DomainError) as caught:
        tables.seat_attendee(table, outsider.id)
    assert caught.value.code == "not_checked_in"


def test_late_arrivals_never_move_anyone(app):
    event, session, _people, door = _scenario(people=9, table_count=3)
    tables.assign_automatically(session)
    before = {seat.registration_id: seat.table_id for seat in db.session.scalars(select(TableSeat))}
    late = add_person(event, "Llega tarde", "tarde@example.org", sector="medios", municipality_key="15106")
    admit(late, door)
    assert tables.assign_automatically(session) == 1
    after = {seat.registration_id: seat.table_id for seat in db.session.scalars(select(TableSeat))}
    assert {k: after[k] for k in before} == before
    late_seat = db.session.scalar(select(TableSeat).where(TableSeat.registration_id == late.id))
    assert late_seat.source == SeatSource.LATE
    sizes = [len(t.seats) for t in tables.session_tables(session)]
    assert max(sizes) - min(sizes) <= 1


def test_manual_seat_moves_a_person_and_one_seat_per_session(app):
    _event, session, people, _door = _scenario(people=3, table_count=2)
    first, second = tables.session_tables(session)
    tables.seat_attendee(first, people[0].id)
    tables.seat_attendee(second, people[0].id)
    seats = list(db.session.scalars(select(TableSeat).where(TableSeat.registration_id == people[0].id)))
    assert [s.table_id for s in seats] == [second.id]


def test_table_numbers_are_unique_and_inputs_checked(app):
    _event, session, _people, _door = _scenario(people=0, table_count=1)
    for data, field in ((tables.TableInput(number=1), "number"), (tables.TableInput(number=None), "number"),
                        (tables.TableInput(number=0), "number"),
                        (tables.TableInput(number=5, topic="x" * 301), "topic")):
        with pytest.raises(DomainError) as caught:
            tables.save_table(session, data)
        assert field in caught.value.fields


def test_only_networking_sessions_have_tables(app):
    event = past_event(days=1)
    panel = make_session(event, "Panel")
    with pytest.raises(NotFound):
        tables.get_networking_session(event, panel.id)


def test_capture_tokens_are_random_and_closing_is_recorded(app):
    _event, session, _people, _door = _scenario(people=0, table_count=2)
    first, second = tables.session_tables(session)
    assert first.capture_token != second.capture_token and len(first.capture_token) >= 30
    tables.set_capture_open(first, False)
    assert not first.capture_open and first.capture_closed_at is not None


def test_organizer_page_adds_tables_assigns_and_closes(organizer_client):
    event, session, _people, _door = _scenario(people=6, table_count=0)
    base = f"/gestion/eventos/{event.slug}/networking/{session.id}/mesas"
    listing = organizer_client.get(f"/gestion/eventos/{event.slug}/networking").get_data(as_text=True)
    assert session.title in listing
    assert organizer_client.post(base, data={"number": "1", "topic": "¿Cómo incluir a la ciudadanía?",
                                             "facilitator": "Ana", "rapporteur": "Luis"}).status_code == 302
    assert organizer_client.post(base, data={"number": "2"}).status_code == 302
    again = organizer_client.post(base, data={"number": "2", "topic": "Repetida"})
    assert again.status_code == 422
    page = again.get_data(as_text=True)
    assert "Ya existe la mesa 2" in page and 'value="Repetida"' in page  # the form keeps what was typed
    assert organizer_client.post(f"{base}/asignacion-automatica").status_code == 302
    page = organizer_client.get(base).get_data(as_text=True)
    assert "Mesa 1: ¿Cómo incluir a la ciudadanía?" in page and "sin mesa: 0" in page
    table = db.session.scalar(select(NetworkingTable).where(NetworkingTable.number == 1))
    assert organizer_client.post(f"{base}/{table.id}/cerrar-captura").status_code == 302
    db.session.refresh(table)
    assert not table.capture_open
    assert "Captura cerrada" in organizer_client.get(base).get_data(as_text=True)


@pytest.mark.parametrize("data", [
    {"number": ""}, {"number": "abc"}, {"number": "-3"}, {"number": "99999999999999999999"},
    {"number": "3", "topic": "x" * 20_000}, {"number": "3", "topic": "<script>alert(1)</script>\x00"},
])
def test_bad_table_input_never_500s(organizer_client, data):
    event, session, _people, _door = _scenario(people=0, table_count=0)
    base = f"/gestion/eventos/{event.slug}/networking/{session.id}/mesas"
    response = organizer_client.post(base, data=data)
    assert response.status_code in (302, 400, 422)
    if response.status_code == 302:
        assert "<script>" not in organizer_client.get(base).get_data(as_text=True)


def test_bad_seat_and_unknown_ids(organizer_client):
    event, session, _people, _door = _scenario(people=1, table_count=1)
    table = tables.session_tables(session)[0]
    base = f"/gestion/eventos/{event.slug}/networking/{session.id}/mesas"
    assert organizer_client.post(f"{base}/{table.id}/asignar", data={"registration_id": "zzz"}).status_code == 302
    assert not table.seats
    assert organizer_client.post(f"{base}/999999/asignar", data={"registration_id": "1"}).status_code == 404
    assert organizer_client.get(f"/gestion/eventos/{event.slug}/networking/999999/mesas").status_code == 404
