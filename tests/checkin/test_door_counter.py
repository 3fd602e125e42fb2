"""Staff see the list's admitted / expected counter at the door, in the block the door's script refreshes."""

import re
import uuid
from datetime import time

import pytest

from foros.accounts.models import Role
from foros.accounts.services import update_user
from foros.core.time import local_today
from foros.events.services import DayInput
from foros.extensions import db
from foros.registration.codes import ticket_code
from foros.registration.inputs import RegistrationInput
from foros.registration.signup import register_attendee
from tests.conftest import make_event


def counter(html: str) -> str:
    match = re.search(r'class="door-counter".*?<strong>(.*?)</strong>', html, re.S)
    assert match, "no counter on the page"
    return re.sub(r"<[^>]+>", "", match.group(1))


@pytest.fixture
def door(app, organizer, staff):
    event = make_event(capacity_in_person=10, days=[DayInput(local_today(), time(0, 0), time(23, 59))])
    people = [register_attendee(event, RegistrationInput(
        name=f"Persona {n}", email=f"p{n}@example.org", sector="academia", municipality_key="15031",
        privacy_consent=True)).registration for n in range(3)]
    update_user(staff, name=staff.name, role=Role.STAFF, active=True, events=[event], actor=organizer)
    db.session.commit()
    return {"url": f"/puerta/{event.slug}/{local_today().isoformat()}", "people": people}


def test_staff_see_admitted_of_expected_on_the_door_and_in_the_refreshed_block(staff_client, door):
    assert staff_client.get("/gestion/eventos").status_code in (302, 403)  # still no dashboard for staff
    assert counter(staff_client.get(door["url"]).get_data(as_text=True)) == "0 de 3"
    assert counter(staff_client.get(f"{door['url']}/recientes").get_data(as_text=True)) == "0 de 3"

    answer = staff_client.post(f"{door['url']}/escanear",
                               json={"code": ticket_code(door["people"][0]), "scan_id": str(uuid.uuid4())})
    assert answer.get_json()["result"] == "accepted"
    assert counter(staff_client.get(f"{door['url']}/recientes").get_data(as_text=True)) == "1 de 3"
    assert counter(staff_client.get(f"{door['url']}/buscar?q=Persona").get_data(as_text=True)) == "1 de 3"
    html = staff_client.get(door["url"]).get_data(as_text=True)
    assert counter(html) == "1 de 3" and "33 % de las esperadas" in html
