"""Registration services: validation, duplicates, capacity, waitlist, promotion, corrections, privacy."""

from datetime import time, timedelta

import pytest
from sqlalchemy import func, select

from foros.core.errors import DomainError
from foros.core.time import local_today, utcnow
from foros.events.models import Modality
from foros.events.services import DayInput
from foros.extensions import db
from foros.mail.models import OutboxMessage
from foros.registration import codes, lifecycle, signup
from foros.registration.codes import make_code, read_code
from foros.registration.inputs import RegistrationInput
from foros.registration.models import Registration, RegistrationSource, RegistrationStatus
from tests.conftest import make_event


def person(n=1, **overrides):
    values = dict(name=f"Persona Número {n}", email=f"persona{n}@example.org", sector="ciudadania",
                  municipality_key="15031", privacy_consent=True)
    values.update(overrides)
    return RegistrationInput(**values)


def kinds():
    return [m.kind for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]


def test_register_confirms_and_queues_confirmation(app):
    event = make_event(capacity_in_person=2)
    result = signup.register_attendee(event, person(1, email="Ana@Example.ORG"))
    db.session.commit()
    reg = result.registration
    assert result.created and reg.status == RegistrationStatus.CONFIRMED
    assert reg.email == "Ana@example.org" and reg.email_normalized == "ana@example.org"
    assert reg.modality == "presencial" and [d.day for d in reg.days] == [event.days[0].day]
    assert reg.privacy_consent_at is not None and event.confirmed_in_person == 1
    assert kinds() == ["registration.confirmed"]
    message = db.session.scalars(select(OutboxMessage)).one()
    assert message.to_address == "Ana@example.org" and reg.access_token in message.body_text


def test_duplicate_email_creates_nothing_and_resends_link(app):
    event = make_event()
    signup.register_attendee(event, person(1))
    result = signup.register_attendee(event, person(1, email=" PERSONA1@example.org ", name="Otra Persona"))
    db.session.commit()
    assert result.duplicate
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 1
    assert kinds() == ["registration.confirmed", "registration.link_resent"]
    assert event.confirmed_in_person == 1


def test_duplicates_resend_the_link_once_per_window(app):
    """Issue 10 point 15: one re-sent link per registration per REGISTRATION_LINK_RESEND_SECONDS."""
    event = make_event()
    signup.register_attendee(event, person(1))
    start = utcnow()
    for n in range(5):
        result = signup.register_attendee(event, person(1), now=start + timedelta(seconds=n))
        assert result.duplicate
    db.session.commit()
    assert kinds() == ["registration.confirmed", "registration.link_resent"]
    reg = db.session.scalars(select(Registration)).one()
    assert reg.link_resent_at is not None
    # After the window the link goes again (once).
    later = start + timedelta(seconds=app.config["REGISTRATION_LINK_RESEND_SECONDS"] + 1)
    for _ in range(3):
        signup.register_attendee(event, person(1), now=later)
    db.session.commit()
    assert kinds() == ["registration.confirmed", "registration.link_resent", "registration.link_resent"]


def test_full_event_waitlists_with_position_and_cancellation_promotes(app):
    event = make_event(capacity_in_person=2)
    first, second, third, fourth = (signup.register_attendee(event, person(i)).registration for i in range(4))
    db.session.commit()
    assert [r.status for r in (first, second)] == [RegistrationStatus.CONFIRMED] * 2
    assert [signup.waitlist_position(r) for r in (third, fourth)] == [1, 2]
    promoted = lifecycle.cancel_registration(first)
    db.session.commit()
    assert promoted == [third] and third.status == RegistrationStatus.CONFIRMED
    assert signup.waitlist_position(fourth) == 1
    assert event.confirmed_in_person == 2
    assert kinds()[-2:] == ["registration.promoted", "registration.cancelled"]
    lifecycle.cancel_registration(fourth)  # a waitlisted cancellation frees no seat
    db.session.commit()
    assert event.confirmed_in_person == 2


def test_cancel_twice_is_refused(app):
    reg = signup.register_attendee(make_event(), person()).registration
    lifecycle.cancel_registration(reg)
    with pytest.raises(DomainError) as err:
        lifecycle.cancel_registration(reg)
    assert err.value.code == "already_cancelled"


def test_cancelled_email_may_register_again(app):
    event = make_event()
    reg = signup.register_attendee(event, person()).registration
    lifecycle.cancel_registration(reg)
    again = signup.register_attendee(event, person())
    db.session.commit()
    assert again.created and again.registration.id != reg.id


def test_capacity_per_modality_in_hybrid_event(app):
    event = make_event(modality=Modality.HIBRIDA, capacity_in_person=1, capacity_virtual=None)
    a = signup.register_attendee(event, person(1, modality="presencial")).registration
    b = signup.register_attendee(event, person(2, modality="presencial")).registration
    c = signup.register_attendee(event, person(3, modality="virtual")).registration
    assert (a.status, b.status, c.status) == (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED,
                                              RegistrationStatus.CONFIRMED)
    with pytest.raises(DomainError) as err:
        signup.register_attendee(event, person(4))
    assert "modality" in err.value.fields


def test_raising_capacity_promotes_waitlist(app, organizer):
    from foros.events.services import update_event
    from tests.conftest import make_event_input

    event = make_event(capacity_in_person=1)
    signup.register_attendee(event, person(1))
    waiting = signup.register_attendee(event, person(2)).registration
    update_event(event, make_event_input(slug=event.slug, capacity_in_person=2, days=[
        DayInput(d.day, time(9), time(14)) for d in event.days]), actor=organizer)
    db.session.commit()
    assert waiting.status == RegistrationStatus.CONFIRMED and event.confirmed_in_person == 2


def test_capacity_cannot_drop_below_confirmed(app, organizer):
    from foros.events.services import update_event
    from tests.conftest import make_event_input

    event = make_event(capacity_in_person=3)
    signup.register_attendee(event, person(1))
    signup.register_attendee(event, person(2))
    with pytest.raises(DomainError) as err:
        update_event(event, make_event_input(slug=event.slug, capacity_in_person=1, days=[
            DayInput(d.day, time(9), time(14)) for d in event.days]), actor=organizer)
    assert "capacity_in_person" in err.value.fields


def test_database_refuses_counter_above_capacity(app):
    from sqlalchemy.exc import IntegrityError

    event = make_event(capacity_in_person=1)
    event.confirmed_in_person = 2
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize("overrides, field", [
    ({"name": ""}, "name"),
    ({"name": "x" * 10_000}, "name"),
    ({"email": "no-es-correo"}, "email"),
    ({"email": "a@b.c\r\nBcc: victima@example.org"}, "email"),
    ({"phone": "llámame"}, "phone"),
    ({"sector": "astronauta"}, "sector"),
    ({"municipality_key": "09001"}, "municipality_key"),
    ({"gender": "x"}, "gender"),
    ({"modality": "virtual"}, "modality"),
    ({"privacy_consent": False}, "privacy_consent"),
    ({"organization": "o" * 201}, "organization"),
    ({"accessibility": "a" * 10_000}, "accessibility"),
])
def test_invalid_input_is_rejected_per_field(app, overrides, field):
    event = make_event()
    with pytest.raises(DomainError) as err:
        signup.register_attendee(event, person(**overrides))
    assert err.value.code == "invalid_registration" and field in err.value.fields
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


def test_other_state_and_days_of_multi_day_event(app):
    first = local_today() + timedelta(days=5)
    event = make_event(days=[DayInput(first, time(9), time(14)), DayInput(first + timedelta(days=2), time(9),
                                                                          time(14))])
    with pytest.raises(DomainError) as err:
        signup.register_attendee(event, person(municipality_key="otra"))
    assert "days" in err.value.fields
    with pytest.raises(DomainError):
        signup.register_attendee(event, person(days=[first + timedelta(days=1)]))
    reg = signup.register_attendee(event, person(municipality_key="otra", days=[first + timedelta(days=2)]))
    assert reg.registration.municipality_key == "otra"
    assert [d.day for d in reg.registration.days] == [first + timedelta(days=2)]


def test_closed_registration_refuses_public_but_not_organizers(app, organizer):
    from foros.events.services import change_status

    event = make_event()
    change_status(event, "close")
    with pytest.raises(DomainError) as err:
        signup.register_attendee(event, person())
    assert err.value.code == "registration_closed"
    result = signup.register_attendee(event, person(), source=RegistrationSource.MANUAL, actor=organizer,
                                        require_consent=False)
    assert result.created


def test_update_registration_checks_email_and_modality_seats(app):
    event = make_event(modality=Modality.HIBRIDA, capacity_in_person=1, capacity_virtual=1)
    a = signup.register_attendee(event, person(1, modality="presencial")).registration
    b = signup.register_attendee(event, person(2, modality="virtual")).registration
    db.session.commit()
    with pytest.raises(DomainError) as err:
        lifecycle.update_registration(b, person(2, email="persona1@example.org", modality="virtual"))
    assert err.value.code == "duplicate"
    with pytest.raises(DomainError) as err:
        lifecycle.update_registration(b, person(2, modality="presencial"))
    assert err.value.code == "no_seats"
    db.session.rollback()
    lifecycle.cancel_registration(db.session.get(Registration, a.id))
    b = db.session.get(Registration, b.id)
    lifecycle.update_registration(b, person(2, name="Nombre Corregido", modality="presencial"))
    db.session.commit()
    assert b.modality == "presencial" and b.name == "Nombre Corregido"
    assert (event.confirmed_in_person, event.confirmed_virtual) == (1, 0)


def test_signed_codes_detect_forgery_without_database(app):
    reg = signup.register_attendee(make_event(), person()).registration
    code = codes.ticket_code(reg)
    assert len(code) == 31 and code.isalnum() and code.isupper()
    assert read_code(code) == reg.ticket_id and read_code(code.lower()) == reg.ticket_id
    tampered = code[:-1] + ("A" if code[-1] != "A" else "B")
    assert read_code(tampered) is None
    other_id = make_code("00" * 8)
    forged = other_id[:18] + code[18:]
    assert read_code(forged) is None
    for junk in ["", "F1", "X" * 31, code + "A", "F1" + "0" * 29, "F1" + "!" * 29]:
        assert read_code(junk) is None
    assert reg.name not in code and reg.email not in code
    app.config["SECRET_KEY"] = "another-secret-key-entirely-xxxxxxxxxxxxxxx"
    assert read_code(code) is None


def test_code_fits_a_small_qr(app):
    from foros.core.qr import qr_version

    reg = signup.register_attendee(make_event(), person()).registration
    assert qr_version(codes.ticket_code(reg)) <= 4


def test_anonymize_after_event_keeps_counts(app, organizer):
    event = make_event(days=[DayInput(local_today() + timedelta(days=1), time(9), time(10))])
    for i in range(3):
        signup.register_attendee(event, person(i, gender="mujer", sector="academia"))
    with pytest.raises(DomainError) as err:
        lifecycle.anonymize_event(event, actor=organizer)
    assert err.value.code == "event_not_over"
    before = lifecycle.registration_counts(event)
    assert lifecycle.anonymize_event(event, actor=organizer, now=utcnow() + timedelta(days=3)) == 3
    db.session.commit()
    assert lifecycle.registration_counts(event) == before
    assert before["sector"] == {"academia": 3} and before["gender"] == {"mujer": 3}
    rows = db.session.scalars(select(Registration)).all()
    assert all(r.email is None and r.phone == "" and r.name == "Persona anonimizada" for r in rows)
    messages = db.session.scalars(select(OutboxMessage)).all()
    assert len(messages) == 3 and all(m.to_address == "" and "persona" not in m.body_text for m in messages)
    assert {m.status.value for m in messages} == {"failed"}


def test_search_and_filters(app):
    event = make_event(modality=Modality.HIBRIDA, capacity_in_person=10, capacity_virtual=10)
    signup.register_attendee(event, person(1, name="María López", organization="UAEMéx",
                                             modality="presencial"))
    signup.register_attendee(event, person(2, name="Juan Pérez", sector="academia", modality="virtual",
                                             municipality_key="15106"))
    db.session.commit()

    def names(**filters):
        return [r.name for r in db.session.scalars(lifecycle.search_registrations(event, **filters))]

    assert names(text="uaem") == ["María López"]
    assert names(text="%") == []
    assert names(sector="academia") == ["Juan Pérez"]
    assert names(modality="presencial") == ["María López"]
    assert names(municipality_key="15106") == ["Juan Pérez"]
    assert names(day_id=event.days[0].id) == ["Juan Pérez", "María López"]
    assert names(status="waitlisted") == []


def test_every_single_character_change_is_refused(app):
    """Changing any one character of a code (also the last, whose spare bit Base32 ignores) is refused."""
    reg = signup.register_attendee(make_event(), person()).registration
    code = codes.ticket_code(reg)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    for i in range(len(code)):
        for c in alphabet:
            if c != code[i]:
                assert read_code(code[:i] + c + code[i + 1:]) is None, (i, c)
