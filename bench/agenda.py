"""Agenda bench (issue 13): an event with 200 sessions and 300 people; time the public programme page, the
event's calendar feed and the programme PDF (target: each under one second on this machine).

    .venv/bin/python bench/agenda.py [--sessions 200] [--people 300] [--repeat 5] [--check]

Seeds a fresh SQLite file (or FOROS_BENCH_DATABASE_URI=postgresql://… — that database is EMPTIED), releases
the programme once, then requests each URL through the app's test client ``--repeat`` times after one warm-up
request, and prints the fastest and the median wall time per URL (the whole request: routing, the release read,
rendering). ``--check`` exits 1 when a median misses the target. Results in bench/README.md.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import time as clock
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from foros import create_app  # noqa: E402
from foros.agenda.models import Person, Room, Session, SessionPerson, SessionRole, SessionType  # noqa: E402
from foros.agenda.releases import release_programme  # noqa: E402
from foros.core.time import local_to_utc, local_today  # noqa: E402
from foros.events.models import Modality  # noqa: E402
from foros.events.services import DayInput  # noqa: E402
from foros.extensions import db  # noqa: E402
from tests.conftest import base_config, make_event, reset_database  # noqa: E402

TARGET_SECONDS = 1.0
ROLES = list(SessionRole)


def seed(app, n_sessions: int, n_people: int) -> str:
    """A hybrid three-day event whose released programme has ``n_sessions`` in 6 rooms and ``n_people`` people."""
    with app.app_context():
        start = local_today() + timedelta(days=30)
        days = [DayInput(start + timedelta(days=i), clock(8, 0), clock(20, 0)) for i in range(3)]
        event = make_event(title="Jornadas de Gobierno Abierto — programa de prueba", modality=Modality.HIBRIDA,
                           capacity_virtual=5000, days=days)
        rooms = [Room(event_id=event.id, name=f"Sala {chr(65 + i)}") for i in range(6)]
        db.session.add_all(rooms)
        types = db.session.scalars(select(SessionType).order_by(SessionType.position)).all()
        people = [Person(name=f"Mtra. Persona Ponente {i} Ñúñez", cargo="Comisionada" if i % 2 else "Titular",
                         institution=f"Institución pública número {i % 40}", bio="Semblanza breve. " * 8)
                  for i in range(n_people)]
        db.session.add_all(people)
        db.session.flush()
        per_day = -(-n_sessions // len(days))
        for n in range(n_sessions):
            day = event.days[n // per_day]
            slot, room = divmod(n % per_day, len(rooms))
            starts = local_to_utc(day.day, clock(8, 0)) + timedelta(minutes=45 * slot)
            session = Session(event_id=event.id, event_day_id=day.id, type_id=types[n % len(types)].id,
                              title=f"Sesión {n}: gobierno abierto, datos y participación ciudadana en lo local",
                              starts_at=starts, ends_at=starts + timedelta(minutes=40), room_id=rooms[room].id,
                              modality=Modality.HIBRIDA if n % 3 == 0 else Modality.PRESENCIAL,
                              online_url=f"https://example.org/sala/{n}" if n % 3 == 0 else "",
                              description="Descripción de la sesión con algunos detalles. " * 3)
            db.session.add(session)
            db.session.flush()
            for k in range(3 if n % 2 else 1):  # 2 people per session on average, everyone on at least one
                person = people[(n * 2 + k) % n_people]
                db.session.add(SessionPerson(session_id=session.id, person_id=person.id,
                                             role=ROLES[k % len(ROLES)], position=k))
        db.session.flush()
        release_programme(event, "Versión de prueba")
        db.session.commit()
        return event.slug


def measure(client, url: str, repeat: int) -> tuple[float, float, int]:
    response = client.get(url)  # warm-up (templates compiled, caches filled)
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - began)
        assert response.status_code == 200
    return min(times), statistics.median(times), len(response.data)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--check", action="store_true", help="exit 1 when a median misses the target")
    args = parser.parse_args()
    uri = os.environ.get("FOROS_BENCH_DATABASE_URI")
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(base_config(uri or f"sqlite:///{folder}/agenda.sqlite3", RATELIMIT_ENABLED=False))
        with app.app_context():
            reset_database(app)
        slug = seed(app, args.sessions, args.people)
        client = app.test_client()
        print(f"{args.sessions} sessions, {args.people} people, {uri.split('://')[0] if uri else 'sqlite'}; "
              f"load average {os.getloadavg()[0]:.2f}")
        missed = False
        for label, url in (("public programme page", f"/eventos/{slug}/programa"),
                           ("event calendar feed", f"/eventos/{slug}/programa.ics"),
                           ("programme PDF", f"/eventos/{slug}/programa.pdf")):
            fastest, median, size = measure(client, url, args.repeat)
            ok = median < TARGET_SECONDS
            missed |= not ok
            print(f"  {label:24} fastest {fastest * 1000:7.0f} ms   median {median * 1000:7.0f} ms   "
                  f"{size / 1024:7.0f} KB   {'ok' if ok else 'MISSED'} (< {TARGET_SECONDS:.0f} s)")
    return 1 if missed and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
