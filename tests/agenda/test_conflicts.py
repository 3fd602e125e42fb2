"""Conflict warnings: the pure rules one by one (incl. across events), then the loader on saved sessions."""

from datetime import date, time

import pytest

from foros.agenda import sessions
from foros.agenda.conflicts import DaySpan, Slot, find_conflicts, session_conflicts
from foros.agenda.models import SessionStatus
from foros.core.errors import DomainError
from foros.core.time import local_to_utc
from foros.extensions import db
from tests.conftest import make_event, make_person, make_session

DAY = date(2026, 6, 6)
DAYS = [DaySpan(DAY, local_to_utc(DAY, time(9)), local_to_utc(DAY, time(18)))]


def slot(key, start, end, *, event_id=1, event_title="Jornadas 2026", room=None, people=(), day=DAY,
         title=None):
    return Slot(key=key, title=title or f"Sesión {key}", event_id=event_id, event_title=event_title,
                starts_at=local_to_utc(day, start), ends_at=local_to_utc(day, end), room_id=room,
                room_name=f"Sala {room}" if room else "", people=tuple(people))


ANA = (7, "Ana Pérez")


def test_no_warning_for_a_clean_session():
    assert find_conflicts(slot(1, time(10), time(11), room=1, people=[ANA]),
                          [slot(2, time(11), time(12), room=1, people=[ANA])], DAYS) == []


def test_person_in_two_overlapping_sessions_of_this_event():
    warnings = find_conflicts(slot(1, time(10), time(11), people=[ANA]),
                              [slot(2, time(10, 30), time(12), people=[ANA], title="Panel B")], DAYS)
    assert warnings == ["Ana Pérez está también en «Panel B» de este evento el mismo día de 10:30 a 12:00."]


def test_person_in_an_overlapping_session_of_another_event():
    other = slot(9, time(9, 30), time(10, 30), event_id=2, event_title="Foro Regional — Texcoco",
                 people=[ANA], title="Mesa de trabajo")
    warnings = find_conflicts(slot(1, time(10), time(11), people=[ANA]), [other], DAYS)
    assert warnings == ["Ana Pérez está también en «Mesa de trabajo» del evento «Foro Regional — Texcoco» el "
                        "mismo día de 09:30 a 10:30."]


def test_same_room_overlap_in_this_event_only():
    mine = slot(1, time(10), time(11), room=3)
    same_room = slot(2, time(10, 45), time(11, 30), room=3, title="Taller")
    assert find_conflicts(mine, [same_room], DAYS) == [
        "La sala «Sala 3» ya está ocupada por «Taller» de 10:45 a 11:30."]
    # A room id of another event is another room: no warning.
    assert find_conflicts(mine, [slot(2, time(10), time(11), room=3, event_id=2)], DAYS) == []


def test_outside_the_event_days():
    warnings = find_conflicts(slot(1, time(10), time(11), day=date(2026, 6, 7)), [], DAYS)
    assert len(warnings) == 1 and "fuera de los días del evento" in warnings[0]


def test_outside_the_venue_hours():
    warnings = find_conflicts(slot(1, time(17), time(19)), [], DAYS)
    assert warnings == ["La sesión queda fuera del horario de la sede ese día (de 09:00 a 18:00)."]


def test_the_session_itself_and_touching_sessions_do_not_count():
    mine = slot(1, time(10), time(11), room=1, people=[ANA])
    assert find_conflicts(mine, [mine, slot(2, time(11), time(12), room=1, people=[ANA])], DAYS) == []


def test_ending_before_starting_is_refused_as_a_field_error(app):
    event = make_event()
    data = sessions.SessionInput(title="Panel", type_id=1, day=event.days[0].day, starts=time(11),
                                 ends=time(10))
    with pytest.raises(DomainError) as err:
        sessions.save_session(event, data)
    assert err.value.code == "invalid_session"
    assert "termina antes de empezar" in err.value.fields["ends"][0]


def test_loader_finds_a_person_across_events_and_the_room(app):
    foro = make_event(title="Foro Regional — Texcoco", slug="foro-texcoco")
    jornada = make_event(title="Jornadas de Gobierno Abierto", slug="jornadas")
    ana = make_person("Ana Pérez")
    make_session(foro, "Mesa en Texcoco", starts=time(10), ends=time(11), people=[(ana, "panelista")])
    room = sessions.create_room(jornada, name="Sala A", capacity=50, for_venue=False)
    make_session(jornada, "Conferencia", starts=time(10), ends=time(10, 30), room=room)
    panel = make_session(jornada, "Panel", starts=time(10, 15), ends=time(11, 15), room=room,
                         people=[(ana, "moderador")])
    db.session.refresh(panel, ["people"])
    warnings = session_conflicts(panel)
    assert "Ana Pérez está también en «Mesa en Texcoco» del evento «Foro Regional — Texcoco» el mismo día de " \
           "10:00 a 11:00." in warnings
    assert "La sala «Sala A» ya está ocupada por «Conferencia» de 10:00 a 10:30." in warnings
    # Warnings never block: the session was saved; a cancelled session warns about nothing.
    sessions.set_session_status(panel, SessionStatus.CANCELLED)
    assert session_conflicts(panel) == []


def test_save_returns_warnings_without_blocking(app):
    event = make_event()  # 9:00 to 14:00
    type_id = sessions.session_types()[0].id
    data = sessions.SessionInput(title="Clausura tardía", type_id=type_id, day=event.days[0].day,
                                 starts=time(13, 30), ends=time(15))
    session, warnings = sessions.save_session(event, data)
    assert session.id is not None
    assert warnings == ["La sesión queda fuera del horario de la sede ese día (de 09:00 a 14:00)."]
