"""Public agenda pages: the released programme by day, a page per session and per person, the subscribable
feed, a calendar file per session, the programme PDF, and the registrant's personal feed (from the ticket
link). None of them shows an online link except the personal feed of a confirmed virtual registrant."""

from dataclasses import replace

from flask import Response, render_template, url_for
from flask_login import current_user

from foros.accounts.auth import public
from foros.agenda import ical, pdf
from foros.agenda import public_bp as bp
from foros.agenda.public import (
    personal_sessions,
    public_sessions,
    release_history,
    released_person,
    released_session,
)
from foros.agenda.releases import released_programme
from foros.core.export import content_disposition
from foros.core.time import utcnow
from foros.core.urls import external_url
from foros.events.services import get_public_event
from foros.registration import lifecycle
from foros.registration.models import RegistrationStatus

#: Subscribed calendars look for changes this often.
FEED_REFRESH_HOURS = 1


def _calendar_response(data: bytes, filename: str, *, private: bool = False) -> Response:
    response = Response(data, mimetype="text/calendar")
    response.headers["Content-Disposition"] = content_disposition(filename).replace("attachment", "inline", 1)
    # A personal feed carries the registrant's links: no shared cache. The public feed may be cached briefly.
    response.headers["Cache-Control"] = "private, no-store" if private else "public, max-age=300"
    return response


@bp.get("/eventos/<slug>/programa")
@public
def programme(slug):
    """The latest released programme by day, with what changed, and the changes of every release (organizers
    also see a draft event's, as on the event's own page)."""
    event = get_public_event(slug, preview=getattr(current_user, "is_organizer", False))
    history = release_history(event)
    current = history[0] if history else None
    return render_template("agenda/programme.html", event=event, programme=current, history=history)


@bp.get("/eventos/<slug>/programa/sesiones/<session_uid>")
@public
def session_page(slug, session_uid):
    """One released session: when, where, who, what changed."""
    event = get_public_event(slug)
    programme_ = released_programme(event)
    session = released_session(programme_, session_uid)
    return render_template("agenda/session.html", event=event, programme=programme_, session=session)


@bp.get("/eventos/<slug>/programa/personas/<person_key>")
@public
def person_page(slug, person_key):
    """A person on the released programme: position, institution, bio, photo and their sessions here."""
    event = get_public_event(slug)
    programme_ = released_programme(event)
    person, sessions = released_person(programme_, person_key)
    roles = {s.uid: [p.role_label for p in s.people if p.key == person_key] for s in sessions}
    return render_template("agenda/person.html", event=event, person=person, sessions=sessions,
                           photo_url=photo_url(person), roles=roles)


@bp.get("/eventos/<slug>/programa.ics")
@public
def feed(slug):
    """The event's subscribable feed: every released session (cancelled ones as STATUS:CANCELLED), no links."""
    event = get_public_event(slug)
    programme_ = released_programme(event)
    data = ical.calendar(public_sessions(programme_), name=f"Programa — {event.title}",
                         stamp=programme_.published_at if programme_ else utcnow(), location=event.full_address,
                         session_url=_session_url(event), refresh_hours=FEED_REFRESH_HOURS)
    return _calendar_response(data, f"programa-{event.slug}.ics")


@bp.get("/eventos/<slug>/programa/sesiones/<session_uid>.ics")
@public
def session_file(slug, session_uid):
    """One released session as a calendar file (no link)."""
    event = get_public_event(slug)
    programme_ = released_programme(event)
    session = released_session(programme_, session_uid)
    data = ical.calendar([replace(session, link="")], name=session.title, stamp=programme_.published_at,
                         location=event.full_address, session_url=_session_url(event))
    return _calendar_response(data, f"sesion-{event.slug}.ics")


@bp.get("/eventos/<slug>/programa.pdf")
@public
def programme_pdf(slug):
    """The released programme as an A4 PDF (cover, days, sessions, rooms, people)."""
    event = get_public_event(slug)
    programme_ = released_programme(event)
    if programme_ is None:
        return render_template("agenda/programme.html", event=event, programme=None, history=[]), 404
    response = Response(pdf.programme_pdf(event, programme_), mimetype="application/pdf")
    response.headers["Content-Disposition"] = content_disposition(f"programa-{event.slug}.pdf")
    return response


@bp.get("/boleto/<token>/programa.ics")
@public
def personal_feed(token):
    """The registrant's feed: their days, their modality, and — for confirmed virtual registrants — the links."""
    registration = lifecycle.get_by_token(token)
    event = registration.event
    if registration.status == RegistrationStatus.CANCELLED:
        return render_template("registration/ticket_unavailable.html", reg=registration, event=event), 410
    programme_ = released_programme(event)
    data = ical.calendar(personal_sessions(programme_, registration), name=f"Mi programa — {event.title}",
                         stamp=programme_.published_at if programme_ else utcnow(), location=event.full_address,
                         session_url=_session_url(event), with_links=True, refresh_hours=FEED_REFRESH_HOURS)
    return _calendar_response(data, f"mi-programa-{event.slug}.ics", private=True)


def _session_url(event):
    def build(session):
        return external_url("agenda_public.session_page", slug=event.slug, session_uid=session.uid)
    return build


def photo_url(person) -> str:
    """The public URL of a person's photo ('' without one), changing whenever the photo does."""
    if not person.has_photo:
        return ""
    return url_for("agenda_people.photo", person_key=person.public_key,
                   v=int(person.photo_updated_at.timestamp()))
