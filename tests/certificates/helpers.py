"""Scenario helpers for the certificate tests: a finished two-day event, attendees, admissions."""

import uuid
from datetime import time, timedelta

from sqlalchemy import select

from foros.certificates import services
from foros.checkin.models import Checkin, CheckinList, ScanResult
from foros.core.time import local_today, utcnow
from foros.events.services import DayInput
from foros.extensions import db
from foros.registration.inputs import RegistrationInput
from foros.registration.signup import register_attendee
from tests.conftest import make_event


def past_event(days=2, **overrides):
    """A published event whose days are over (registration is closed: attendees are added by hand)."""
    start = local_today() - timedelta(days=10)
    day_inputs = [DayInput(start + timedelta(days=i), time(9, 0), time(14, 0)) for i in range(days)]
    return make_event(days=day_inputs, **overrides)


def add_person(event, name, email, **extra):
    """A confirmed registration for every day of the event."""
    values = dict(name=name, email=email, sector="ciudadania", municipality_key="15031", privacy_consent=True,
                  days=[d.day for d in event.days])
    values.update(extra)
    return register_attendee(event, RegistrationInput(**values), check_open=False).registration


def day_lists(event) -> list[CheckinList]:
    return list(db.session.scalars(select(CheckinList).where(CheckinList.event_id == event.id)
                                   .order_by(CheckinList.id)))


def admit(registration, checkin_list):
    """One accepted admission on a list (what the door records)."""
    db.session.add(Checkin(scan_id=str(uuid.uuid4()), list_id=checkin_list.id, registration_id=registration.id,
                           result=ScanResult.ACCEPTED.value, scanned_at=utcnow(), device="prueba"))
    db.session.flush()


def template_input(**overrides) -> services.TemplateInput:
    values = dict(title="Constancia de participación",
                  body="Por su participación en «{evento}», el {fechas}, en {municipio}.",
                  signers=[services.Signer("Mtra. Ana Pérez Ñúñez", "Comisionada Presidenta")])
    values.update(overrides)
    return services.TemplateInput(**values)
