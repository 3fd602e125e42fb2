"""Event services: validation, days in local time, life cycle, public listings, audit."""

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from foros.audit.models import AuditEntry
from foros.core.errors import DomainError, NotFound
from foros.core.time import local_today, utcnow
from foros.events import services
from foros.events.models import EventStatus, Modality
from foros.events.services import DayInput
from foros.extensions import db
from tests.conftest import make_event, make_event_input


def test_create_event_stores_days_in_utc_and_slug_from_title(app, organizer):
    day = local_today() + timedelta(days=5)
    event = services.create_event(make_event_input(days=[DayInput(day, time(9, 0), time(14, 0))]),
                                  actor=organizer)
    db.session.commit()
    assert event.slug == "foro-regional-de-gobierno-abierto-chimalhuacan"
    assert event.status == EventStatus.DRAFT
    assert event.days[0].starts_at.tzinfo is not None
    assert event.days[0].starts_at.utcoffset() == timedelta(0)
    assert event.days[0].starts_at.hour == 15  # 09:00 in Mexico City (UTC-6, no DST since 2022)
    db.session.expire_all()
    assert event.days[0].starts_at.tzinfo is not None  # read back from the database still aware


@pytest.mark.parametrize("overrides, field", [
    ({"title": "  "}, "title"),
    ({"slug": "No Vale!"}, "slug"),
    ({"municipality_key": "09001"}, "municipality_key"),
    ({"days": []}, "days"),
    ({"capacity_in_person": -1}, "capacity_in_person"),
    ({"modality": Modality.VIRTUAL, "capacity_in_person": 10}, "capacity_in_person"),
    ({"online_url": "javascript:alert(1)"}, "online_url"),
])
def test_invalid_event_raises_field_errors(app, overrides, field):
    with pytest.raises(DomainError) as err:
        services.create_event(make_event_input(**overrides))
    assert err.value.code == "invalid_event"
    assert field in err.value.fields


def test_day_must_end_after_start_and_not_repeat(app):
    day = local_today() + timedelta(days=3)
    with pytest.raises(DomainError) as err:
        services.create_event(make_event_input(days=[DayInput(day, time(14, 0), time(9, 0)),
                                                     DayInput(day, time(9, 0), time(10, 0))]))
    # Each error is keyed by the day it is about, and names the date in Spanish.
    from babel.dates import format_date

    when = format_date(day, format="long", locale="es_MX")  # "24 de diciembre de 2026"
    assert err.value.fields == {
        "days-0": [f"El {when}: la hora de término debe ser posterior a la de inicio."],
        "days-1": [f"El día {when} está repetido."],
    }


def test_registration_window_must_be_ordered(app):
    now = utcnow()
    with pytest.raises(DomainError) as err:
        services.create_event(make_event_input(registration_opens_at=now, registration_closes_at=now))
    assert "registration_closes_at" in err.value.fields


def test_duplicate_slug_is_refused(app):
    make_event(slug="foro-uno")
    with pytest.raises(DomainError) as err:
        services.create_event(make_event_input(slug="foro-uno"))
    assert "slug" in err.value.fields


def test_life_cycle_and_invalid_transitions(app, organizer):
    event = make_event(publish=False)
    with pytest.raises(DomainError) as err:
        services.change_status(event, "close")
    assert err.value.code == "invalid_transition"
    services.change_status(event, "publish", actor=organizer)
    assert event.status == EventStatus.PUBLISHED and event.published_at is not None
    services.change_status(event, "close", actor=organizer)
    assert not event.registration_open()
    services.change_status(event, "archive", actor=organizer)
    with pytest.raises(DomainError):
        services.update_event(event, make_event_input())
    services.change_status(event, "unarchive", actor=organizer)
    assert event.status == EventStatus.CLOSED


def test_registration_open_respects_window_and_end(app):
    event = make_event()
    assert event.registration_open()
    event.registration_closes_at = utcnow() - timedelta(minutes=1)
    assert not event.registration_open()
    event.registration_closes_at = None
    event.registration_opens_at = utcnow() + timedelta(days=1)
    assert not event.registration_open()
    later = datetime(2100, 1, 1, tzinfo=UTC)
    assert not event.registration_open(now=later)  # after the event ended


def test_public_listing_hides_drafts_and_archived_and_splits_past(app):
    past_day = local_today() - timedelta(days=30)
    past = make_event(title="Pasado", days=[DayInput(past_day, time(9), time(10))])
    upcoming = make_event(title="Próximo")
    make_event(title="Borrador", publish=False)
    archived = make_event(title="Archivado")
    services.change_status(archived, "archive")
    db.session.commit()
    up, old = services.public_events()
    assert [e.title for e in up] == ["Próximo"] and [e.title for e in old] == ["Pasado"]
    with pytest.raises(NotFound):
        services.get_public_event(archived.slug)
    assert services.get_public_event(past.slug) == past and upcoming.is_public


def test_update_records_changed_fields_in_audit(app, organizer):
    event = make_event(actor=organizer)
    new_day = local_today() + timedelta(days=40)
    services.update_event(event, make_event_input(title="Título nuevo", slug=event.slug, venue="Otra sede",
                                                  days=[DayInput(new_day, time(10), time(12))]),
                          actor=organizer)
    db.session.commit()
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "event.update")).one()
    assert entry.details["title"][1] == "Título nuevo"
    assert entry.details["venue"] == ["Auditorio Municipal", "Otra sede"]
    assert entry.details["days"][1] == [f"{new_day.isoformat()} 10:00-12:00"]
    assert entry.actor_id == organizer.id and entry.object_id == str(event.id)
    assert [d.day for d in event.days] == [new_day]
