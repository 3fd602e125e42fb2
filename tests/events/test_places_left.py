"""Issue 10 point 4: the home and event pages say how many places are left, or that new people wait."""

from sqlalchemy import update

from foros.events.models import Event, Modality
from foros.extensions import db
from tests.conftest import make_event


def fill(event, in_person=0, virtual=0):
    db.session.execute(update(Event).where(Event.id == event.id).values(
        confirmed_in_person=in_person, confirmed_virtual=virtual))
    db.session.commit()


def test_full_event_announces_the_waitlist_on_home_and_event_page(client):
    event = make_event(capacity_in_person=20)
    fill(event, in_person=20)
    for path in ("/", f"/eventos/{event.slug}"):
        html = client.get(path).get_data(as_text=True)
        assert "Cupo lleno: lista de espera" in html and "Quedan" not in html


def test_places_left_are_counted(client):
    event = make_event(capacity_in_person=20)
    fill(event, in_person=17)
    for path in ("/", f"/eventos/{event.slug}"):
        assert "Quedan 3 lugares" in client.get(path).get_data(as_text=True)
    fill(event, in_person=19)
    assert "Queda 1 lugar" in client.get("/").get_data(as_text=True)


def test_hybrid_event_shows_each_modality(client):
    event = make_event(modality=Modality.HIBRIDA, capacity_in_person=10, capacity_virtual=None)
    fill(event, in_person=10)
    html = client.get(f"/eventos/{event.slug}").get_data(as_text=True)
    assert "Presencial · Cupo lleno: lista de espera" in html and "Virtual · Sin límite de cupo" in html
    event2 = make_event(title="Otro foro", modality=Modality.HIBRIDA, capacity_in_person=10, capacity_virtual=5)
    fill(event2, in_person=4, virtual=5)
    html = client.get(f"/eventos/{event2.slug}").get_data(as_text=True)
    assert "Presencial · Quedan 6 lugares" in html and "Virtual · Cupo lleno: lista de espera" in html


def test_no_capacity_no_announcement(client):
    event = make_event(capacity_in_person=None)
    html = client.get(f"/eventos/{event.slug}").get_data(as_text=True)
    assert "Registro abierto" in html and "Quedan" not in html and "Cupo lleno" not in html
