"""Demo attendance beyond the day lists: session lists with their own admissions, and the open data of the
past events — so that statistics, the map, the report and the certificates look like the real thing."""

import random
from datetime import time, timedelta

from sqlalchemy import select

from foros.checkin.models import Checkin, CheckinList, ScanResult
from foros.checkin.scan import check_in
from foros.checkin.services import create_list, open_door
from foros.core.time import local_to_utc, utcnow
from foros.events.models import Event, EventStatus
from foros.extensions import db
from foros.registration.codes import ticket_code
from foros.registration.models import Registration
from foros.stats.opendata import publish_open_data


def seed_session_list(event: Event, organizer, *, day, name: str, slug: str, at: time, share: float) -> int:
    """Add a session list on ``day`` and admit ``share`` of the people admitted that day (once: idempotent)."""
    if db.session.scalar(select(CheckinList.id).where(CheckinList.event_id == event.id, CheckinList.slug == slug)):
        return 0
    create_list(event, name=name, slug=slug, day=day, actor=organizer)
    admitted_that_day = db.session.scalars(
        select(Registration).join(Checkin, Checkin.registration_id == Registration.id)
        .join(CheckinList, Checkin.list_id == CheckinList.id)
        .where(CheckinList.event_id == event.id, CheckinList.event_day_id == day.id, CheckinList.is_default,
               Checkin.result == ScanResult.ACCEPTED.value, Checkin.undone_at.is_(None))
        .order_by(Registration.id)).all()
    rnd = random.Random(f"{event.slug}/{slug}")
    door, _list = open_door(organizer, event, slug)
    start = local_to_utc(day.day, at)
    admitted = 0
    for registration in admitted_that_day:
        if rnd.random() >= share:
            continue
        when = start + timedelta(minutes=max(-20, min(40, int(rnd.gauss(0, 10)))), seconds=rnd.randint(0, 59))
        answer = check_in(door, ticket_code(registration), device="Tableta de la sala", scanned_at=when, now=when)
        admitted += answer["result"] == "accepted"
    return admitted


def publish_past_open_data(organizer) -> int:
    """Publish the figures of every past public event that has none published yet."""
    now = utcnow()
    events = db.session.scalars(select(Event).where(
        Event.open_data_published_at.is_(None),
        Event.status.in_([EventStatus.PUBLISHED, EventStatus.CLOSED]))).all()
    published = 0
    for event in events:
        if event.is_past(now):
            publish_open_data(event, actor=organizer, now=now)
            published += 1
    return published
