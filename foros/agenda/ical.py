"""The programme as iCalendar (``icalendar``): the event's subscribable feed, a registrant's personal feed and
one file per session.

Calendar clients update an entry instead of duplicating it when its UID stays and its SEQUENCE grows: the UID
is the session's random ``uid`` (never changed), SEQUENCE and LAST-MODIFIED come from the release that last
changed the session, and a cancelled session stays in the feed with STATUS:CANCELLED. Times carry
TZID=America/Mexico_City with its VTIMEZONE. Only a personal feed of the virtual modality carries online links.
"""

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from icalendar import Calendar
from icalendar import Event as CalendarEvent

from foros.agenda.programme import ReleasedSession
from foros.core.time import LOCAL_TZ, as_utc

PRODID = "-//Foros de Gobierno Abierto//programa//ES"


def calendar(sessions: Iterable[ReleasedSession], *, name: str, stamp: datetime, location: str = "",
             session_url: Callable[[ReleasedSession], str] | None = None, with_links: bool = False,
             refresh_hours: int | None = None) -> bytes:
    """A VCALENDAR of ``sessions``; ``with_links`` only for a registrant of the virtual modality."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "America/Mexico_City")
    if refresh_hours:  # subscribed calendars look again this often (RFC 7986, and Outlook's older property)
        cal.add("refresh-interval", timedelta(hours=refresh_hours), parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", timedelta(hours=refresh_hours))
    for session in sessions:
        cal.add_component(_vevent(session, stamp=stamp, location=location, session_url=session_url,
                                  with_links=with_links))
    cal.add_missing_timezones()
    return cal.to_ical()


def _vevent(session: ReleasedSession, *, stamp, location, session_url, with_links) -> CalendarEvent:
    item = CalendarEvent()
    item.add("uid", session.uid)
    item.add("sequence", session.sequence)
    item.add("dtstamp", as_utc(stamp))
    item.add("last-modified", as_utc(session.last_modified or stamp))
    item.add("dtstart", as_utc(session.starts_at).astimezone(LOCAL_TZ))
    item.add("dtend", as_utc(session.ends_at).astimezone(LOCAL_TZ))
    item.add("summary", f"{session.title} (cancelada)" if session.cancelled else session.title)
    item.add("status", "CANCELLED" if session.cancelled else "CONFIRMED")
    if session.type:
        item.add("categories", [session.type])
    place = ", ".join(part for part in (session.room, location) if part)
    if session.modality == "virtual":
        place = "En línea"
    if place:
        item.add("location", place)
    lines = []
    link = session.link if with_links and not session.cancelled else ""
    if link:
        lines.append(f"Enlace para conectarse: {link}")
    if session.type:
        lines.append(session.type + (f" · {session.modality_label}" if session.modality else ""))
    lines += [f"{p.role_label}: {p.name}" + (f" ({p.affiliation})" if p.affiliation else "")
              for p in session.people]
    if session.description:
        lines += ["", session.description]
    item.add("description", "\n".join(lines).strip())
    if link:
        item.add("url", link)
    elif session_url is not None:
        item.add("url", session_url(session))
    return item
