"""Exports bench (issue 12): build an event with 10 000 registrations, then time each section and its peak memory.

    .venv/bin/python bench/exports.py [--registrations 10000] [--certificates 1000] [--only certificates]
                                      [--repeat 3]

Each section runs in a forked child process (so one section's memory does not count against the next): the
time is the wall time of the work itself (seeding excluded), the memory the child's peak resident set
(``ru_maxrss``, which includes the Python interpreter and the app already loaded, ~100 MB). With ``--repeat N``
each section runs N times (a fresh child each) and the fastest run is kept: the machine is shared, and the
minimum is the figure least disturbed by other work. A fixed pure-Python reference loop is timed the same way
first and printed with the load average, so runs on a busier or quieter machine can be compared. Runs on a fresh
SQLite file; with FOROS_BENCH_DATABASE_URI=postgresql://… on that database instead — it is EMPTIED.

Add a section: write ``def bench_<name>(app, world) -> str`` (returns a one-line note) and put it in SECTIONS
with its targets. See bench/README.md for results.
"""

import argparse
import io
import os
import resource
import sys
import tempfile
import time
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select  # noqa: E402

from foros import create_app  # noqa: E402
from foros.attendance import exports as attendance_exports  # noqa: E402
from foros.attendance import services as attendance  # noqa: E402
from foros.certificates import pdf as certificate_pdf  # noqa: E402
from foros.certificates import services as certificates  # noqa: E402
from foros.checkin.models import Checkin, CheckinList, ScanResult  # noqa: E402
from foros.core.export import csv_chunks  # noqa: E402
from foros.core.time import utcnow  # noqa: E402
from foros.events.services import get_event  # noqa: E402
from foros.extensions import db  # noqa: E402
from foros.registration.inputs import RegistrationInput  # noqa: E402
from foros.registration.models import Registration  # noqa: E402
from foros.registration.signup import register_attendee  # noqa: E402
from tests.certificates.helpers import past_event, template_input  # noqa: E402
from tests.conftest import base_config, reset_database  # noqa: E402

MB = 1024 * 1024


@dataclass
class World:
    """What the seeding made: the event's slug and how many people came."""

    slug: str
    registrations: int
    admitted: int


def seed(app, registrations: int, admitted: int) -> World:
    """A finished event with ``registrations`` people; the first ``admitted`` of them came on day one."""
    with app.app_context():
        event = past_event(days=1, capacity_in_person=20_000, title="Jornadas de Gobierno Abierto — Ñuñoa y Peñón")
        for i in range(registrations):
            register_attendee(event, RegistrationInput(
                name=f"Persona Número {i} Ñandú Pérez", email=f"persona{i}@ejemplo.mx", sector="ciudadania",
                municipality_key="15031", organization="Colectivo Ciudadano de Ecatepec", privacy_consent=True),
                check_open=False, notify=False)
        db.session.commit()
        first_list = db.session.scalar(select(CheckinList.id).where(CheckinList.event_id == event.id)
                                       .order_by(CheckinList.id).limit(1))
        ids = db.session.scalars(select(Registration.id).where(Registration.event_id == event.id)
                                 .order_by(Registration.id).limit(admitted)).all()
        now = utcnow()
        db.session.execute(insert(Checkin), [
            {"scan_id": str(uuid.uuid4()), "list_id": first_list, "registration_id": rid,
             "result": ScanResult.ACCEPTED.value, "scanned_at": now, "received_at": now, "device": "bench"}
            for rid in ids])
        db.session.commit()
        world = World(event.slug, registrations, len(ids))
        db.session.remove()
    return world


def bench_certificates(app, world: World) -> str:
    """Issue the certificates (one e-mail each), then build the ZIP with one PDF per certificate."""
    with app.app_context():
        event = get_event(world.slug)
        template = certificates.save_template(event, template_input(), actor=None)
        started = time.perf_counter()
        issued = certificates.issue_certificates(event, actor=None)
        db.session.commit()
        issue_seconds = time.perf_counter() - started
        buffer = io.BytesIO()
        started = time.perf_counter()
        certificate_pdf.write_zip(certificates.live_certificates(event), template, buffer)
        zip_seconds = time.perf_counter() - started
        with zipfile.ZipFile(buffer) as archive:
            files = len(archive.namelist())
        return (f"{issued} issued in {issue_seconds:.2f} s; ZIP of {files} PDFs "
                f"({buffer.tell() / MB:.1f} MB) in {zip_seconds:.2f} s")


def _attendance_export(app, world: World, fmt: str) -> str:
    """One attendance export of the whole event (every column), as the organizer page builds it."""
    with app.app_context():
        event = get_event(world.slug)
        scope = attendance.resolve(event, attendance.AttendanceFilter())
        # CSV and XLSX with every column; the printed PDF list with the default ones (a signature sheet).
        columns = attendance.choose_columns(list(attendance.COLUMNS) if fmt != "pdf" else [])
        if fmt == "csv":  # streamed: count the chunks as a response would send them
            size = rows = 0
            counted = attendance.attendance_rows(scope, columns)
            for chunk in csv_chunks(columns, counted):
                size += len(chunk)
            rows = attendance.count_rows(scope)
        else:
            data, _mimetype = attendance_exports.build_bytes(scope, columns, fmt)
            size, rows = len(data), attendance.count_rows(scope)
        return f"{rows} rows, {len(columns)} columns, {size / MB:.1f} MB"


def bench_attendance_csv(app, world: World) -> str:
    return _attendance_export(app, world, "csv")


def bench_attendance_xlsx(app, world: World) -> str:
    return _attendance_export(app, world, "xlsx")


def bench_attendance_pdf(app, world: World) -> str:
    return _attendance_export(app, world, "pdf")


#: name → (function, target seconds, target peak MB)
SECTIONS = {
    "attendance_csv": (bench_attendance_csv, 1.0, 300),
    "attendance_xlsx": (bench_attendance_xlsx, 4.0, 300),
    "attendance_pdf": (bench_attendance_pdf, 6.0, 300),
    "certificates": (bench_certificates, 20.0, 300),
}


def run_section(app, world: World, name: str) -> tuple[float, float, str]:
    """Run one section in a forked child; (seconds, peak MB, note)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read)
        function = SECTIONS[name][0]
        started = time.perf_counter()
        try:
            note = function(app, world)
        except BaseException as exc:  # report, never hang the parent
            note = f"FAILED: {exc!r}"
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        os.write(write, f"{seconds}\t{peak}\t{note}".encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        data = pipe.read().decode()
    os.waitpid(pid, 0)
    seconds, peak, note = data.split("\t", 2)
    return float(seconds), float(peak), note


def reference_seconds() -> float:
    """A fixed pure-Python workload (the machine's speed right now, to compare runs with)."""
    started = time.perf_counter()
    total = 0
    for i in range(2_000_000):
        total += i * i % 7
    return time.perf_counter() - started


def fastest(app, world: World, name: str, repeat: int) -> tuple[float, float, str]:
    """The fastest of ``repeat`` runs of a section (its peak memory the highest seen)."""
    runs = [run_section(app, world, name) for _ in range(repeat)]
    best = min(runs, key=lambda run: run[0])
    return best[0], max(run[1] for run in runs), best[2]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registrations", type=int, default=10_000)
    parser.add_argument("--certificates", type=int, default=1_000)
    parser.add_argument("--only", choices=sorted(SECTIONS), action="append")
    parser.add_argument("--repeat", type=int, default=1, help="runs per section; the fastest is reported")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        uri = os.environ.get("FOROS_BENCH_DATABASE_URI") or f"sqlite:///{tmp}/bench.sqlite3"
        app = create_app(base_config(uri, TESTING=False, WORKER_ENQUEUE=False))
        reset_database(app)
        started = time.perf_counter()
        world = seed(app, args.registrations, args.certificates)
        print(f"seeded {world.registrations} registrations, {world.admitted} admitted "
              f"({time.perf_counter() - started:.1f} s, {uri.split(':', 1)[0]})")
        ok = True
        reference = min(reference_seconds() for _ in range(max(args.repeat, 1)))
        print(f"reference loop {reference:.2f} s (load average {os.getloadavg()[0]:.1f}); "
              f"fastest of {args.repeat} run(s) per section")
        print(f"{'section':<14} {'time':>8} {'peak':>9}  verdict  note")
        for name in args.only or SECTIONS:
            _function, target_s, target_mb = SECTIONS[name]
            seconds, peak, note = fastest(app, world, name, max(args.repeat, 1))
            good = seconds < target_s and peak < target_mb and not note.startswith("FAILED")
            ok &= good
            print(f"{name:<14} {seconds:>7.2f}s {peak:>6.0f} MB  {'ok' if good else 'SLOW':<7}  {note}"
                  f"  (targets < {target_s:.0f} s, < {target_mb} MB)")
        with app.app_context():
            db.engine.dispose()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
