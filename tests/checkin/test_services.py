"""Check-in services: every scan result, idempotent scan_id, lists, undo, search, counts."""

import uuid
from datetime import time, timedelta

import pytest
from sqlalchemy import func, select

from foros.accounts.models import Role
from foros.accounts.services import update_user
from foros.checkin import scan as scanning
from foros.checkin import services
from foros.checkin.models import Checkin, CheckinList
from foros.core.errors import DomainError
from foros.core.time import local_to_utc, local_today, utcnow
from foros.events.models import Modality
from foros.events.services import DayInput
from foros.extensions import db
from foros.registration.codes import make_code, ticket_code
from foros.registration.inputs import RegistrationInput
from foros.registration.lifecycle import cancel_registration
from foros.registration.signup import register_attendee
from tests.conftest import make_event


def person(n, **overrides):
    values = dict(name=f"Persona {n} Apellido", email=f"p{n}@example.org", sector="academia",
                  municipality_key="15031", privacy_consent=True, organization="UAEMéx")
    values.update(overrides)
    return RegistrationInput(**values)


@pytest.fixture
def event(app):
    return make_event(capacity_in_person=2, days=[DayInput(local_today(), time(0, 0), time(23, 59))])


@pytest.fixture
def two_day_event(app):
    today = local_today()
    return make_event(title="Jornadas", days=[DayInput(today, time(0, 0), time(23, 59)),
                                              DayInput(today + timedelta(days=1), time(9), time(14))])


@pytest.fixture
def door(event, organizer):
    door, _list = services.open_door(organizer, event)
    db.session.commit()
    return door


def scan(door, code, scan_id=None, **kwargs):
    answer = scanning.check_in(door, code, scan_id=scan_id or str(uuid.uuid4()), **kwargs)
    db.session.commit()
    return answer


def test_default_lists_one_per_day_and_today_is_default(two_day_event, organizer):
    event = two_day_event
    door, checkin_list = services.open_door(organizer, event)
    lists = services.ensure_default_lists(event)
    assert [cl.slug for cl in lists] == [d.day.isoformat() for d in event.days]
    assert checkin_list.event_day_id == event.days[0].id and checkin_list.slug == local_today().isoformat()
    services.ensure_default_lists(event)
    assert db.session.scalar(select(func.count()).select_from(CheckinList)) == 2


def test_accepted_then_already_checked_in(door, event):
    reg = register_attendee(event, person(1)).registration
    db.session.commit()
    first = scan(door, ticket_code(reg), device="Puerta 1")
    assert first["result"] == "accepted"
    assert first["attendee"] == {"name": "Persona 1 Apellido", "organization": "UAEMéx", "sector": "Academia"}
    assert "email" not in str(first)
    second = scan(door, ticket_code(reg), device="Puerta 2")
    assert second["result"] == "already_checked_in" and second["first_checkin"]["device"] == "Puerta 1"


def test_same_scan_id_returns_first_answer_and_writes_once(door, event):
    reg = register_attendee(event, person(1)).registration
    db.session.commit()
    scan_id = str(uuid.uuid4())
    assert scan(door, ticket_code(reg), scan_id)["result"] == "accepted"
    assert scan(door, ticket_code(reg), scan_id)["result"] == "accepted"
    assert db.session.scalar(select(func.count()).select_from(Checkin)) == 1
    other = str(uuid.uuid4())
    assert scan(door, ticket_code(reg), other)["result"] == "already_checked_in"
    assert scan(door, ticket_code(reg), other)["result"] == "already_checked_in"
    assert db.session.scalar(select(func.count()).select_from(Checkin)) == 2


def test_invalid_unknown_cancelled_waitlisted_wrong_event(door, event, organizer):
    assert scan(door, "F1" + "A" * 29)["result"] == "invalid_signature"
    assert scan(door, "cualquier cosa")["result"] == "invalid_signature"
    assert scan(door, make_code("ab" * 8))["result"] == "unknown"
    a = register_attendee(event, person(1)).registration
    b = register_attendee(event, person(2)).registration
    c = register_attendee(event, person(3)).registration  # capacity 2: waitlisted
    cancel_registration(b, notify=False)  # c is promoted
    d = register_attendee(event, person(4)).registration  # waitlisted
    other_event = make_event(title="Otro foro")
    e = register_attendee(other_event, person(5)).registration
    db.session.commit()
    assert scan(door, ticket_code(a))["result"] == "accepted"
    assert scan(door, ticket_code(b))["result"] == "cancelled"
    assert scan(door, ticket_code(c))["result"] == "accepted"
    answer = scan(door, ticket_code(d))
    assert answer["result"] == "waitlisted" and answer["attendee"]["name"] == "Persona 4 Apellido"
    assert scan(door, ticket_code(e))["result"] == "wrong_event"


def test_not_valid_for_list_by_day_window_and_modality(app, organizer):
    today = local_today()
    event = make_event(modality=Modality.HIBRIDA, capacity_virtual=10, days=[
        DayInput(today, time(0, 0), time(23, 59)), DayInput(today + timedelta(days=1), time(9), time(14))])
    other_day = register_attendee(event, person(1, modality="presencial",
                                                days=[today + timedelta(days=1)])).registration
    virtual = register_attendee(event, person(2, modality="virtual", days=[today])).registration
    ok = register_attendee(event, person(3, modality="presencial", days=[today])).registration
    db.session.commit()
    door, _ = services.open_door(organizer, event)
    assert scan(door, ticket_code(other_day))["result"] == "not_valid_for_list"
    assert scan(door, ticket_code(virtual))["result"] == "not_valid_for_list"
    panel = services.create_list(event, name="Panel", slug="panel", day=None,
                                 starts_at=utcnow() + timedelta(hours=1), ends_at=utcnow() + timedelta(hours=2),
                                 modalities=["presencial", "virtual"], actor=organizer)
    db.session.commit()
    panel_door, _ = services.open_door(organizer, event, "panel")
    assert scan(panel_door, ticket_code(ok))["result"] == "not_valid_for_list"
    later = utcnow() + timedelta(minutes=90)
    assert scan(panel_door, ticket_code(ok), scanned_at=later)["result"] == "accepted"
    assert scan(panel_door, ticket_code(virtual), scanned_at=later)["result"] == "accepted"
    assert panel.slug == "panel"


def test_staff_only_at_assigned_events(event, staff, organizer):
    with pytest.raises(DomainError) as err:
        services.open_door(staff, event)
    assert err.value.status == 403
    update_user(staff, name=staff.name, role=Role.STAFF, active=True, events=[event], actor=organizer)
    door, _ = services.open_door(staff, event)
    assert door.user_id == staff.id


def test_unknown_list_is_not_found(event, organizer):
    with pytest.raises(DomainError) as err:
        services.open_door(organizer, event, "no-existe")
    assert err.value.code == "list_not_found"


def test_undo_allows_admitting_again_and_is_recorded(door, event, organizer):
    reg = register_attendee(event, person(1)).registration
    db.session.commit()
    scan(door, ticket_code(reg))
    admission = db.session.scalars(select(Checkin)).one()
    services.undo_checkin(admission, actor=organizer)
    db.session.commit()
    assert admission.undone_by_id == organizer.id and admission.undone_at is not None
    assert scan(door, ticket_code(reg))["result"] == "accepted"
    with pytest.raises(DomainError):
        services.undo_checkin(admission, actor=organizer)


def test_manual_search_and_admit(door, event):
    reg = register_attendee(event, person(1, name="Guadalupe Becerril",
                                          organization="Colectivo Norte")).registration
    register_attendee(event, person(2, name="Juan Pérez"))
    db.session.commit()
    assert [r.name for r in services.search_attendees(event, "becer")] == ["Guadalupe Becerril"]
    assert [r.name for r in services.search_attendees(event, "norte")] == ["Guadalupe Becerril"]
    assert services.search_attendees(event, "p") == []
    assert services.search_attendees(event, "%%") == []
    assert scanning.admit_registration(door, reg)["result"] == "accepted"
    db.session.commit()
    assert services.admissions_by_registration(door, [reg.id])[reg.id].device == "manual"


def test_counts_by_sector_modality_and_arrivals(door, event, organizer):
    regs = [register_attendee(event, person(i, sector="academia" if i % 2 else "medios")).registration
            for i in range(2)]
    db.session.commit()
    start = local_to_utc(local_today(), time(9, 7))
    for i, reg in enumerate(regs):
        scanning.check_in(door, ticket_code(reg), now=start + timedelta(minutes=20 * i))
    db.session.commit()
    checkin_list = db.session.get(CheckinList, door.list_id)
    counts = services.list_counts(checkin_list)
    assert counts["admitted"] == 2 and counts["expected"] == 2
    assert counts["by_sector"] == {"medios": {"admitted": 1, "expected": 1},
                                   "academia": {"admitted": 1, "expected": 1}}
    assert counts["arrivals"] == [{"start": "09:00", "count": 1}, {"start": "09:15", "count": 1}]
