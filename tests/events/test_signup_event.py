"""``get_signup_event``: the registration API's ORM-free read of an event agrees with the ``Event`` model."""

from datetime import time, timedelta

import pytest

from foros.core.errors import NotFound
from foros.core.time import local_today, utcnow
from foros.events.models import Modality
from foros.events.services import DayInput, change_status, get_event
from foros.extensions import db
from foros.registration.signup import get_signup_event
from tests.conftest import make_event

FIELDS = ("id", "slug", "title", "venue", "address", "status", "modality", "sector_options",
          "registration_opens_at", "registration_closes_at")


def _same_as_model(slug: str):
    snapshot = get_signup_event(slug)
    event = get_event(slug)
    for name in FIELDS:
        assert getattr(snapshot, name) == getattr(event, name), name
    assert [(d.id, d.day, d.starts_at, d.ends_at) for d in snapshot.days] == [
        (d.id, d.day, d.starts_at, d.ends_at) for d in event.days]
    now = utcnow()
    for moment in (now, now + timedelta(days=400), now - timedelta(days=400)):
        assert snapshot.registration_open(moment) == event.registration_open(moment)
        assert snapshot.is_past(moment) == event.is_past(moment)
    assert (snapshot.starts_at, snapshot.ends_at, snapshot.is_public) == (event.starts_at, event.ends_at,
                                                                          event.is_public)
    return snapshot


def test_fields_days_and_rules_match_the_model(app):
    start = local_today() + timedelta(days=5)
    event = make_event(
        modality=Modality.HIBRIDA, capacity_virtual=50, address="Av. Juárez 1, Centro",
        # Given out of order: the snapshot lists days by start, as Event.days does.
        days=[DayInput(start + timedelta(days=1), time(10, 0), time(15, 0)),
              DayInput(start, time(9, 0), time(14, 0))],
        registration_opens_at=utcnow() - timedelta(days=1), registration_closes_at=utcnow() + timedelta(days=2))
    snapshot = _same_as_model(event.slug)
    assert [d.day for d in snapshot.days] == [start, start + timedelta(days=1)]
    assert snapshot.modality is Modality.HIBRIDA and snapshot.registration_open()


def test_closed_window_and_closed_event(app):
    event = make_event(registration_closes_at=utcnow() - timedelta(hours=1))
    assert not _same_as_model(event.slug).registration_open()
    change_status(event, "close")
    db.session.commit()
    assert not _same_as_model(event.slug).registration_open()


def test_drafts_unknown_slugs_and_long_slugs_are_not_found(app):
    draft = make_event(publish=False)
    for slug in (draft.slug, "no-existe", "x" * 5000, ""):
        with pytest.raises(NotFound):
            get_signup_event(slug)
