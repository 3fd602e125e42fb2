"""What the public and each registrant see of the released programme (reads only; no request, no forms).

Public pages, the public feed, the API and the PDF read ``Programme`` sessions and never their ``link``; only
``personal_sessions`` of a confirmed registrant of the virtual modality keeps it.
"""

from dataclasses import replace

from flask import url_for
from sqlalchemy import select

from foros.agenda.models import Person
from foros.agenda.programme import Programme, ReleasedSession
from foros.agenda.releases import as_programme, event_releases
from foros.core.errors import NotFound
from foros.core.formatting import fmt_time
from foros.events.models import Modality
from foros.extensions import db
from foros.registration.models import RegistrationStatus


def release_history(event) -> list[Programme]:
    """Every release of the event as a ``Programme`` (its changes and note), newest first."""
    return [as_programme(release) for release in event_releases(event)]


def released_session(programme: Programme | None, uid: str) -> ReleasedSession:
    """A session of the released programme, or NotFound (draft sessions are not public)."""
    session = programme.session(uid) if programme is not None and uid and len(uid) <= 80 else None
    if session is None:
        raise NotFound("session_not_found", "No existe esa sesión en el programa publicado.")
    return session


def released_person(programme: Programme | None, key: str) -> tuple[Person, list[ReleasedSession]]:
    """A person on the released programme and their sessions in it, or NotFound (nobody else is public)."""
    sessions = programme.sessions_of(key) if programme is not None and key and len(key) <= 32 else []
    person = db.session.scalar(select(Person).where(Person.public_key == key)) if sessions else None
    if person is None:
        raise NotFound("person_not_found", "Esa persona no participa en el programa publicado de este evento.")
    return person, sessions


def gets_links(registration) -> bool:
    """Online links go only to confirmed registrants of the virtual modality."""
    return registration.modality == Modality.VIRTUAL and registration.status == RegistrationStatus.CONFIRMED


def personal_sessions(programme: Programme | None, registration) -> list[ReleasedSession]:
    """The released sessions of the registrant's days and modality; links only when ``gets_links``."""
    if programme is None:
        return []
    days = {d.day for d in registration.days}
    keep_links = gets_links(registration)
    return [session if keep_links else replace(session, link="")
            for session in programme.sessions
            if (not days or session.day in days) and session.serves(registration.modality)]


def public_sessions(programme: Programme | None) -> list[ReleasedSession]:
    """The released sessions without their links (for the public feed and anything anonymous)."""
    return [replace(s, link="") for s in programme.sessions] if programme is not None else []


def ticket_links(registration) -> list[tuple[str, str]]:
    """The ticket page's buttons: the programme, the personal feed and, for virtual registrants, each link."""
    if registration.status == RegistrationStatus.CANCELLED:
        return []
    programme = _programme_of(registration.event)
    if programme is None:
        return []
    links = [("Programa del evento", url_for("agenda_public.programme", slug=registration.event.slug)),
             ("Mi programa en el calendario", url_for("agenda_public.personal_feed",
                                                       token=registration.access_token))]
    if gets_links(registration):
        links += [(f"Conectarse: {s.title} ({s.day.day:02d}/{s.day.month:02d}, {fmt_time(s.starts_at)})", s.link)
                  for s in personal_sessions(programme, registration) if s.link and not s.cancelled]
    return links


def _programme_of(event) -> Programme | None:
    releases = event_releases(event)
    return as_programme(releases[0]) if releases else None
