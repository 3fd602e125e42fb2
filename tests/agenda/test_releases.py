"""Released programme versions: numbering, what changed, calendar SEQUENCE/UID across releases, change e-mails."""

from datetime import time, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from foros.agenda import programme as prog
from foros.agenda import releases
from foros.agenda import sessions as agenda_sessions
from foros.agenda.models import SessionStatus
from foros.agenda.releases import pending_changes, release_programme, released_programme
from foros.core.errors import DomainError
from foros.core.time import local_today, utcnow
from foros.events.models import Modality
from foros.events.services import DayInput
from foros.extensions import db
from foros.mail.models import OutboxMessage
from foros.registration.inputs import RegistrationInput
from foros.registration.lifecycle import cancel_registration
from foros.registration.signup import register_attendee
from tests.conftest import make_event, make_person, make_session

SECRET_LINK = "https://reunion.example.org/j/sala-secreta-123"


def move(session, *, starts, ends, day=None):
    """Edit a draft session's times through the organizers' service."""
    data = agenda_sessions.session_form_input(session)
    data.starts, data.ends = starts, ends
    if day is not None:
        data.day = day
    agenda_sessions.save_session(session.event, data, session=session)


def edit(session, **changes):
    data = agenda_sessions.session_form_input(session)
    for name, value in changes.items():
        setattr(data, name, value)
    agenda_sessions.save_session(session.event, data, session=session)


def feed(client, event) -> dict:
    """The public feed parsed back with icalendar: {uid: VEVENT}."""
    response = client.get(f"/eventos/{event.slug}/programa.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    cal = Calendar.from_ical(response.data)
    return {str(item["UID"]): item for item in cal.walk("VEVENT")}


def outbox(kind):
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)
                                   .order_by(OutboxMessage.id)))


@pytest.fixture
def clock(monkeypatch):
    """Release times one hour apart (iCalendar times have whole seconds)."""
    moments = iter(utcnow() + timedelta(hours=hours) for hours in range(100))
    monkeypatch.setattr(releases, "utcnow", lambda: next(moments))


@pytest.fixture
def two_days(app):
    today = local_today() + timedelta(days=20)
    return make_event(modality=Modality.HIBRIDA, capacity_virtual=100,
                      days=[DayInput(today, time(9, 0), time(18, 0)),
                            DayInput(today + timedelta(days=2), time(9, 0), time(18, 0))])


# --- The difference between two releases (pure) ------------------------------------------------------------


def _snap(uid="u1", **values):
    base = {"uid": uid, "title": "Panel", "type": "Panel", "day": "2030-06-06",
            "starts_at": "2030-06-06T16:00:00+00:00", "ends_at": "2030-06-06T17:00:00+00:00", "room": "Sala A",
            "modality": "hibrida", "status": "active",
            "description": "", "capacity": None, "link": "https://a.example/1", "people": []}
    return {**base, **values}


def test_compare_names_each_kind_of_change():
    before = [_snap("same"), _snap("moved"), _snap("room"), _snap("link"), _snap("title"), _snap("cancel"),
              _snap("deleted")]
    after = [_snap("same"),
             _snap("moved", starts_at="2030-06-06T18:00:00+00:00", ends_at="2030-06-06T19:00:00+00:00"),
             _snap("room", room="Sala B"), _snap("link", link="https://a.example/2"), _snap("title", title="Otro"),
             _snap("cancel", status="cancelled"), _snap("new"), _snap("never", status="cancelled")]
    sessions, changes = prog.compare(before, after)
    kinds = {c["uid"]: c["kinds"] for c in changes}
    assert kinds == {"moved": ["moved"], "room": ["room"], "link": ["link"], "title": ["updated"],
                     "cancel": ["cancelled"], "new": ["new"], "deleted": ["cancelled"]}
    uids = {s["uid"]: s["status"] for s in sessions}
    assert uids["deleted"] == "cancelled"  # kept, so calendars get STATUS:CANCELLED
    assert "never" not in uids  # cancelled before it was ever released: not in the programme
    moved = next(c for c in changes if c["uid"] == "moved")
    assert moved["before"]["starts_at"] == "2030-06-06T16:00:00+00:00"
    marks = {c.uid: c.public_marks for c in prog.read_changes({"changes": changes})}
    assert marks["moved"] == marks["room"] == ("cambió de sala/horario",)
    assert marks["link"] == marks["title"] == ("actualizado",)  # the public never learns a link changed
    assert marks["new"] == ("nuevo",) and marks["cancel"] == ("cancelado",)


# --- Releasing ------------------------------------------------------------------------------------------------


def test_releases_are_numbered_and_refuse_an_empty_or_unchanged_programme(app, organizer):
    event = make_event()
    with pytest.raises(DomainError) as empty:
        release_programme(event, actor=organizer)
    assert empty.value.code == "empty_programme"
    make_session(event, "Inauguración", type_key="inauguracion", starts=time(9, 0), ends=time(9, 30))
    first = release_programme(event, "Primera versión", actor=organizer)
    assert first.release.number == 1 and [c.kinds for c in first.changes] == [("new",)]
    with pytest.raises(DomainError) as unchanged:
        release_programme(event, "Primera versión", actor=organizer)
    assert unchanged.value.code == "nothing_to_release"
    make_session(event, "Clausura", type_key="clausura", starts=time(13, 0), ends=time(13, 30))
    assert [c.title for c in pending_changes(event)] == ["Clausura"]
    second = release_programme(event, actor=organizer)
    assert second.release.number == 2
    programme = released_programme(event)
    assert programme.number == 2 and [s.title for s in programme.sessions] == ["Inauguración", "Clausura"]
    assert programme.session(programme.sessions[1].uid).marks == ("nuevo",)
    assert pending_changes(event) == []
    with pytest.raises(DomainError) as too_long:
        release_programme(event, "x" * 1001, actor=organizer)
    assert too_long.value.code == "note_too_long"


def test_public_pages_show_the_release_not_the_draft(client):
    event = make_event()
    session = make_session(event, "Panel publicado")
    release_programme(event)
    edit(session, title="Título todavía en borrador")
    db.session.commit()
    page = client.get(f"/eventos/{event.slug}/programa").get_data(as_text=True)
    assert "Panel publicado" in page and "Título todavía en borrador" not in page


def test_uid_never_changes_and_sequence_grows_with_each_released_change(client, two_days, clock):
    event = two_days
    panel = make_session(event, "¿Gobierno abierto o Estado abierto?", starts=time(10, 0), ends=time(11, 30))
    other = make_session(event, "Conferencia magistral", type_key="conferencia_magistral", starts=time(12, 0),
                         ends=time(13, 0))
    release_programme(event)
    db.session.commit()
    first = feed(client, event)
    assert set(first) == {panel.uid, other.uid}
    assert all(int(item["SEQUENCE"]) == 0 for item in first.values())
    vevent = first[panel.uid]
    assert vevent["DTSTART"].params["TZID"] == "America/Mexico_City"
    assert vevent["DTSTART"].dt.hour == 10 and str(vevent["STATUS"]) == "CONFIRMED"

    move(panel, starts=time(16, 0), ends=time(17, 30))
    release_programme(event)
    db.session.commit()
    second = feed(client, event)
    assert set(second) == {panel.uid, other.uid}  # same UIDs: calendars update, never duplicate
    assert int(second[panel.uid]["SEQUENCE"]) == 1 and second[panel.uid]["DTSTART"].dt.hour == 16
    assert second[panel.uid]["LAST-MODIFIED"].dt > first[panel.uid]["LAST-MODIFIED"].dt
    assert int(second[other.uid]["SEQUENCE"]) == 0  # unchanged: untouched
    assert second[other.uid]["LAST-MODIFIED"].dt == first[other.uid]["LAST-MODIFIED"].dt

    agenda_sessions.set_session_status(panel, SessionStatus.CANCELLED)
    release_programme(event)
    db.session.commit()
    third = feed(client, event)
    assert int(third[panel.uid]["SEQUENCE"]) == 2 and str(third[panel.uid]["STATUS"]) == "CANCELLED"
    assert db.session.get(type(panel), panel.id).sequence == 2

    cal = Calendar.from_ical(client.get(f"/eventos/{event.slug}/programa.ics").data)
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["America/Mexico_City"]
    single = Calendar.from_ical(client.get(f"/eventos/{event.slug}/programa/sesiones/{other.uid}.ics").data)
    assert [str(v["UID"]) for v in single.walk("VEVENT")] == [other.uid]


def test_a_session_deleted_from_the_draft_stays_cancelled_in_the_feed(client):
    event = make_event()
    session = make_session(event, "Mesa que se borra")
    uid = session.uid
    release_programme(event)
    db.session.delete(session)
    db.session.flush()
    result = release_programme(event)
    db.session.commit()
    assert [c.kinds for c in result.changes] == [("cancelled",)]
    item = feed(client, event)[uid]
    assert str(item["STATUS"]) == "CANCELLED" and int(item["SEQUENCE"]) == 1


# --- Change e-mails -----------------------------------------------------------------------------------------


def _register(event, name, email, modality, days):
    person = RegistrationInput(name=name, email=email, sector="ciudadania", municipality_key="15031",
                               modality=modality, days=days, privacy_consent=True)
    return register_attendee(event, person).registration


def test_one_email_per_attendee_concerned_per_release(two_days):
    event = two_days
    day1, day2 = event.days[0].day, event.days[1].day
    host = make_person("Lic. Persona Anfitriona", email="anfitriona@example.org")
    moderator = make_person("Mtra. Persona Moderadora", email="moderadora@example.org")
    no_email = make_person("Dr. Persona Sin Correo")
    room = agenda_sessions.create_room(event, name="Sala A", capacity=None, for_venue=False)
    opening = make_session(event, "Inauguración", type_key="inauguracion", starts=time(9, 0), ends=time(9, 45),
                           room=room, people=[(host, "anfitrion")])
    panel = make_session(event, "Panel híbrido", starts=time(10, 0), ends=time(11, 0), modality="hibrida",
                         online_url=SECRET_LINK, people=[(moderator, "moderador"), (host, "panelista"),
                                                         (no_email, "panelista")])
    closing = make_session(event, "Intercambio de experiencias", type_key="networking", day=day2,
                           starts=time(10, 0), ends=time(12, 0))
    in_person = _register(event, "Asistente Presencial", "presencial@example.org", "presencial", [day1])
    online = _register(event, "Asistente Virtual", "virtual@example.org", "virtual", [day1])
    second_day = _register(event, "Asistente Día Dos", "dia2@example.org", "presencial", [day2])
    gone = _register(event, "Asistente Cancelado", "cancelado@example.org", "presencial", [day1, day2])
    cancel_registration(gone)
    release_programme(event)
    assert outbox("agenda.changed") == [] and outbox("agenda.person_changed") == []  # a first release tells no one

    move(opening, starts=time(9, 15), ends=time(10, 0))  # in person only: the virtual attendee is not concerned
    edit(panel, online_url=SECRET_LINK + "-nuevo")  # a new link: only the virtual attendee hears of it
    agenda_sessions.set_session_status(closing, SessionStatus.CANCELLED)
    result = release_programme(event, "Cambios de última hora")
    db.session.commit()
    mails = {m.to_address: m for m in outbox("agenda.changed")}
    assert sorted(mails) == ["dia2@example.org", "presencial@example.org", "virtual@example.org"]
    assert result.attendees_notified == 3
    assert "Inauguración" in mails["presencial@example.org"].body_text
    assert SECRET_LINK not in mails["presencial@example.org"].body_text + mails["presencial@example.org"].body_html
    assert "Panel híbrido" not in mails["presencial@example.org"].body_text
    assert SECRET_LINK + "-nuevo" in mails["virtual@example.org"].body_text
    assert "Inauguración" not in mails["virtual@example.org"].body_text
    assert "SE CANCELÓ" in mails["dia2@example.org"].body_text
    assert "Cambios de última hora" in mails["dia2@example.org"].body_text
    assert mails["presencial@example.org"].registration_id == in_person.id
    assert mails["virtual@example.org"].registration_id == online.id
    assert mails["dia2@example.org"].registration_id == second_day.id
    people = {m.to_address: m for m in outbox("agenda.person_changed")}
    # One each, however many of their sessions changed; a person without an address gets none.
    assert sorted(people) == ["anfitriona@example.org", "moderadora@example.org"]
    assert "Inauguración" in people["anfitriona@example.org"].body_text
    assert "Panel híbrido" in people["anfitriona@example.org"].body_text

    edit(panel, title="Panel híbrido: ¿Gobierno abierto o Estado abierto?")  # content only: nobody is e-mailed
    release_programme(event)
    db.session.commit()
    assert len(outbox("agenda.changed")) == 3 and len(outbox("agenda.person_changed")) == 2
