"""Released programme versions ("publicar programa"): snapshot the draft, number it, advance the calendars'
SEQUENCE of what changed, and tell the attendees and the people concerned by a move, a cancellation or a new
link — one e-mail each per release, through the outbox in the release's transaction."""

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from foros.agenda.models import ProgrammeRelease, Session, SessionPerson
from foros.agenda.programme import (
    CANCELLED,
    LINK,
    MOVED,
    NEW,
    ROOM,
    Change,
    Programme,
    ReleasedSession,
    compare,
    read_changes,
    read_programme,
    read_session,
)
from foros.audit.services import record_action
from foros.core.errors import DomainError
from foros.core.time import as_utc, to_local, utcnow
from foros.core.urls import external_url
from foros.events.models import Event
from foros.extensions import db
from foros.mail.services import queue_message
from foros.registration.codes import ticket_url
from foros.registration.models import Registration, RegistrationStatus

#: Longest public note of a release.
NOTE_MAX = 1000
ATTENDEE_KIND = "agenda.changed"
PERSON_KIND = "agenda.person_changed"


# --- Reading releases -------------------------------------------------------------------------------------


def latest_release(event) -> ProgrammeRelease | None:
    """The event's newest release (None before the first "publicar programa")."""
    return db.session.scalar(select(ProgrammeRelease).where(ProgrammeRelease.event_id == event.id)
                             .order_by(ProgrammeRelease.number.desc()).limit(1))


def event_releases(event) -> list[ProgrammeRelease]:
    """Every release of the event, newest first."""
    return list(db.session.scalars(select(ProgrammeRelease).where(ProgrammeRelease.event_id == event.id)
                                   .order_by(ProgrammeRelease.number.desc())))


def as_programme(release: ProgrammeRelease) -> Programme:
    return read_programme(release.number, release.published_at, release.note, release.snapshot or {})


def released_programme(event) -> Programme | None:
    """The latest released programme as plain data, or None when nothing has been released."""
    release = latest_release(event)
    return as_programme(release) if release is not None else None


# --- The draft as a snapshot ------------------------------------------------------------------------------


def _iso(moment) -> str | None:
    return as_utc(moment).isoformat() if moment is not None else None


def session_snapshot(session: Session) -> dict:
    """One draft session as it goes into a release (see ``foros.agenda.programme`` for the format)."""
    return {
        "uid": session.uid, "title": session.title,
        "type": session.session_type.name if session.session_type else "",
        "type_key": session.session_type.key or "" if session.session_type else "",
        "day": to_local(session.starts_at).date().isoformat(), "starts_at": _iso(session.starts_at),
        "ends_at": _iso(session.ends_at), "room": session.room.name if session.room else "",
        "modality": str(session.modality), "status": str(session.status), "description": session.description or "",
        "capacity": session.capacity, "link": session.online_url or "",
        "sequence": session.sequence or 0, "last_modified": _iso(session.last_modified),
        "people": [{"key": sp.person.public_key, "name": sp.person.name, "cargo": sp.person.cargo or "",
                    "institution": sp.person.institution or "", "role": str(sp.role)} for sp in session.people],
    }


def draft_sessions(event) -> list[Session]:
    """The draft: every session row of the event with what a snapshot reads, in time order."""
    return list(db.session.scalars(
        select(Session).where(Session.event_id == event.id)
        .options(selectinload(Session.session_type), selectinload(Session.room),
                 selectinload(Session.people).selectinload(SessionPerson.person))
        .order_by(Session.starts_at, Session.id)))


def pending_changes(event) -> list[Change]:
    """What "publicar programa" would release now, against the latest release (the organizer's preview)."""
    release = latest_release(event)
    previous = (release.snapshot or {}).get("sessions", []) if release else []
    _sessions, changes = compare(previous, [session_snapshot(s) for s in draft_sessions(event)])
    return list(read_changes({"changes": changes}))


# --- Releasing --------------------------------------------------------------------------------------------


@dataclass
class ReleaseResult:
    """A new release and who was told about it."""

    release: ProgrammeRelease
    changes: list[Change]
    attendees_notified: int = 0
    people_notified: int = 0
    notified_uids: set = field(default_factory=set)


def release_programme(event, note: str = "", *, actor=None) -> ReleaseResult:
    """Publish the draft as the next numbered version; advance SEQUENCE/LAST-MODIFIED of changed sessions;
    queue one e-mail per attendee and per person concerned by a move, a cancellation or a new link."""
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise DomainError("note_too_long", f"La nota puede tener hasta {NOTE_MAX} caracteres.",
                          fields={"note": f"Hasta {NOTE_MAX} caracteres."})
    _lock_event(event)
    previous_release = latest_release(event)
    previous = (previous_release.snapshot or {}).get("sessions", []) if previous_release else []
    rows = draft_sessions(event)
    if not rows and not previous:
        raise DomainError("empty_programme", "El programa no tiene sesiones: agregue al menos una antes de "
                                             "publicarlo.")
    sessions, changes = compare(previous, [session_snapshot(s) for s in rows])
    if previous_release is not None and not changes and note == (previous_release.note or ""):
        raise DomainError("nothing_to_release", "El programa no tiene cambios desde la versión "
                                                f"{previous_release.number}: no hay nada nuevo que publicar.")
    now = utcnow()
    _advance_sequences(rows, sessions, {c["uid"] for c in changes}, {s["uid"] for s in previous}, now)
    number = (previous_release.number if previous_release else 0) + 1
    release = ProgrammeRelease(event_id=event.id, number=number, published_at=now, note=note,
                               published_by_id=getattr(actor, "id", None),
                               snapshot={"sessions": sessions, "changes": changes})
    db.session.add(release)
    db.session.flush()
    result = ReleaseResult(release=release, changes=list(read_changes({"changes": changes})))
    if previous_release is not None:
        _notify(event, release, result, {s["uid"]: s for s in previous})
    record_action(actor, "agenda.release", event, label=f"{event.title} — versión {number}", details={
        "number": number, "note": note, "sessions_changed": len(changes),
        "attendees_notified": result.attendees_notified, "people_notified": result.people_notified})
    return result


def _lock_event(event) -> None:
    """Serialise releases of one event (two organizers pressing the button get versions n and n+1): the event's
    row locked on PostgreSQL (only its id: no outer join to lock); SQLite's POSTs hold the write lock from BEGIN;
    the unique (event, number) stays the last guard."""
    db.session.execute(select(Event.id).where(Event.id == event.id).with_for_update())


def _advance_sequences(rows, sessions: list[dict], changed: set, released_before: set, now) -> None:
    """Each changed session that calendars already hold gets SEQUENCE + 1; every changed one LAST-MODIFIED now.

    The snapshot (``sessions``) gets the same values as the rows, so the feeds read them from the release."""
    by_uid = {row.uid: row for row in rows}
    for snapshot in sessions:
        uid = snapshot["uid"]
        if uid not in changed:
            if snapshot.get("last_modified") is None:
                snapshot["last_modified"] = now.isoformat()
            continue
        row = by_uid.get(uid)
        sequence = int(snapshot.get("sequence") or 0) + (1 if uid in released_before else 0)
        if row is not None:
            row.sequence = sequence
            row.last_modified = now
        snapshot["sequence"] = sequence
        snapshot["last_modified"] = now.isoformat()


# --- Telling people ---------------------------------------------------------------------------------------


def _notify(event, release, result: ReleaseResult, before: dict) -> None:
    notified = [c for c in result.changes if c.notified]
    if not notified:
        return
    sessions = {s["uid"]: read_session(s) for s in release.snapshot["sessions"]}
    items = [(change, sessions[change.uid], before.get(change.uid)) for change in notified]
    result.notified_uids = {change.uid for change in notified}
    result.attendees_notified = _notify_attendees(event, release, items)
    result.people_notified = _notify_people(event, release, items)


def concerns(registration_days: set, modality: str, change: Change, session: ReleasedSession,
             before: dict | None) -> bool:
    """Whether a change touches an attendee of these days and modality (a new link: only the virtual ones)."""
    days = {session.day.isoformat()} | ({before["day"]} if before else set())
    if registration_days and not days & registration_days:
        return False
    if not session.serves(modality):
        return False
    return modality == "virtual" or not set(change.kinds) <= {LINK, NEW}  # a new link is only for the virtual


def _attendee_lines(change: Change, session: ReleasedSession, before: dict | None, modality: str) -> dict:
    """What the e-mail says about one session for one attendee (the link only to the virtual modality)."""
    kinds = set(change.kinds)
    return {"session": session, "before": _read_before(before), "cancelled": CANCELLED in kinds,
            "moved": MOVED in kinds, "room": ROOM in kinds,
            "link": session.link if LINK in kinds and modality == "virtual" and session.link else "",
            "new": NEW in kinds}


def _read_before(before: dict | None) -> ReleasedSession | None:
    return read_session(before) if before else None


def _notify_attendees(event, release, items) -> int:
    registrations = db.session.scalars(
        select(Registration).where(Registration.event_id == event.id,
                                   Registration.status.in_([RegistrationStatus.CONFIRMED,
                                                            RegistrationStatus.WAITLISTED]),
                                   Registration.email.is_not(None))
        .options(selectinload(Registration.days)).order_by(Registration.id))
    programme_url = external_url("agenda_public.programme", slug=event.slug)
    count = 0
    for registration in registrations:
        if not registration.email:
            continue
        days = {d.day.isoformat() for d in registration.days}
        lines = [_attendee_lines(change, session, before, registration.modality)
                 for change, session, before in items
                 if concerns(days, registration.modality, change, session, before)]
        if not lines:
            continue
        queue_message(ATTENDEE_KIND, registration.email, "agenda/changed", registration_id=registration.id,
                      event=event, release=release, name=registration.name, lines=lines,
                      programme_url=programme_url, ticket_url=ticket_url(registration))
        count += 1
    return count


def _notify_people(event, release, items) -> int:
    uids = [change.uid for change, _session, _before in items]
    rows = db.session.execute(
        select(SessionPerson).join(Session).where(Session.uid.in_(uids))
        .options(selectinload(SessionPerson.person))).scalars()
    people = {}
    for row in rows:
        if row.person.email:
            people.setdefault(row.person.id, (row.person, set()))[1].add(row.session.uid)
    programme_url = external_url("agenda_public.programme", slug=event.slug)
    count = 0
    for person, uids_of_person in people.values():
        lines = [{"session": session, "before": _read_before(before), "cancelled": CANCELLED in change.kinds,
                  "moved": MOVED in change.kinds, "room": ROOM in change.kinds,
                  "link": session.link if LINK in change.kinds else "", "new": NEW in change.kinds}
                 for change, session, before in items if change.uid in uids_of_person]
        queue_message(PERSON_KIND, person.email, "agenda/person_changed", event=event, release=release,
                      name=person.name, lines=lines, programme_url=programme_url)
        count += 1
    return count
