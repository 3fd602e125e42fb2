"""A past two-day hybrid event with known people and admissions (see ``EXPECTED``)."""

from datetime import date, datetime, time

import pytest
from sqlalchemy import select

from foros.checkin.models import Checkin
from foros.checkin.scan import check_in
from foros.checkin.services import open_door, undo_checkin
from foros.core.time import LOCAL_TZ
from foros.events.models import Modality
from foros.events.services import DayInput
from foros.extensions import db
from foros.registration.codes import ticket_code
from foros.registration.inputs import RegistrationInput
from foros.registration.lifecycle import cancel_registration
from foros.registration.signup import register_attendee
from tests.conftest import make_event

DAY1, DAY2 = date(2023, 6, 6), date(2023, 6, 8)


def _people(event, n, *, prefix, sector, gender, municipality, modality, days):
    out = []
    for i in range(n):
        data = RegistrationInput(name=f"{prefix} {i}", email=f"{prefix.lower()}{i}@example.org", sector=sector,
                                 gender=gender, municipality_key=municipality, modality=modality, days=days,
                                 privacy_consent=True)
        out.append(register_attendee(event, data, notify=False, check_open=False).registration)
    return out


def _admit(event, organizer, people, day, hour, minute):
    door, _list = open_door(organizer, event, day.isoformat())
    when = datetime(day.year, day.month, day.day, hour, minute, tzinfo=LOCAL_TZ)
    for person in people:
        assert check_in(door, ticket_code(person), scanned_at=when, now=when)["result"] == "accepted"


def build_past_event(organizer, slug="foro-pasado"):
    """21 confirmed people (18 in person), 14 admitted; one cancelled, one admission undone."""
    event = make_event(slug=slug, modality=Modality.HIBRIDA, capacity_in_person=100, capacity_virtual=100,
                       days=[DayInput(DAY1, time(9, 0), time(14, 0)), DayInput(DAY2, time(9, 0), time(14, 0))])
    officials = _people(event, 12, prefix="Funcionaria", sector="servidor_publico", gender="mujer",
                        municipality="15106", modality="presencial", days=[DAY1, DAY2])
    students = _people(event, 6, prefix="Estudiante", sector="estudiante", gender="hombre",
                       municipality="15031", modality="presencial", days=[DAY1])
    _people(event, 3, prefix="Academica", sector="academia", gender="mujer", municipality="otra",
            modality="virtual", days=[DAY1, DAY2])
    cancelled = _people(event, 1, prefix="Cancelada", sector="medios", gender="mujer", municipality="15106",
                        modality="presencial", days=[DAY1])
    cancel_registration(cancelled[0], notify=False)
    _admit(event, organizer, officials, DAY1, 9, 5)
    _admit(event, organizer, students[:3], DAY1, 9, 20)
    mistaken = db.session.scalars(select(Checkin).where(Checkin.registration_id == students[2].id)).one()
    undo_checkin(mistaken, actor=organizer)
    _admit(event, organizer, officials[:8], DAY2, 9, 40)
    db.session.commit()
    return event


#: What the statistics of ``build_past_event`` must say.
EXPECTED = {
    "totals": {"registered": 21, "admitted": 14, "waitlisted": 0, "cancelled": 1, "in_person": 18,
               "no_show": 4},
    "sector": {"servidor_publico": (12, 12), "estudiante": (6, 2), "academia": (3, 0)},
    "sex": {"mujer": (15, 12), "hombre": (6, 2)},
    "municipality": {"15106": (12, 12), "15031": (6, 2), "otra": (3, 0)},
    "modality": {"presencial": (18, 14), "virtual": (3, 0)},
    "days": {DAY1.isoformat(): (21, 14), DAY2.isoformat(): (15, 8)},
    "lists": {DAY1.isoformat(): (18, 14), DAY2.isoformat(): (12, 8)},
    "arrivals": {DAY1: {"09:00": 12, "09:15": 2}, DAY2: {"09:30": 8}},
}


@pytest.fixture
def past_event(app, organizer):
    return build_past_event(organizer)
