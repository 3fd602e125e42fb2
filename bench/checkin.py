"""Check-in throughput and latency under gunicorn, beside a trivial endpoint of the same server.

    .venv/bin/python bench/checkin.py [--seconds 10] [--concurrency 1,8,32] [--workers 2]

Starts ``gunicorn wsgi:app`` as in production (sync workers, FOROS_ENV=production; same worker choice as
bench/registration.py) on a fresh SQLite file, seeds one published event happening today with tens of
thousands of confirmed registrations and a staff account (assigned, with an API token), then for each
concurrency fires, for ``--seconds`` each: GET /healthz (the trivial endpoint), and POST /api/v1/checkins
with (a) unique valid codes never scanned before → ``accepted``, (b) repeats of codes already admitted →
``already_checked_in`` (the scan is still recorded), (c) forged codes (right format, wrong signature) →
``invalid_signature`` without a database lookup. Prints req/s, p50, p99, errors and the ratio to the
trivial endpoint. Afterwards, the admitted rows in the database must equal the ``accepted`` answers.

Load generator: wrk (2 threads) with a Lua script that reads one file of codes per cell (each wrk thread
takes every other line) and builds a unique ``scan_id`` (UUID) per request; it counts the ``result`` of
every answer. wrk is required (``apt-get install wrk``). With FOROS_BENCH_DATABASE_URI=postgresql://… the
same runs on PostgreSQL after SQLite — that database is EMPTIED. See bench/README.md.
"""

import argparse
import base64
import json
import os
import platform
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from datetime import time as dtime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from flask import current_app  # noqa: E402
from sqlalchemy import func, insert, literal, select, update  # noqa: E402

from bench.registration import Cell, add_common_arguments, group_cpu_seconds, judge, merge_rounds, table_row  # noqa: E402
from foros.accounts import services as accounts  # noqa: E402
from foros.accounts.models import Role  # noqa: E402
from foros.checkin.models import Checkin  # noqa: E402
from foros.core.time import local_today  # noqa: E402
from foros.events.models import Event  # noqa: E402
from foros.events.services import DayInput  # noqa: E402
from foros.extensions import db  # noqa: E402
from foros.registration.codes import ID_BYTES, PREFIX, TAG_BYTES, make_code  # noqa: E402
from foros.registration.inputs import RegistrationInput  # noqa: E402
from foros.registration.models import Registration, registration_days  # noqa: E402
from foros.registration.signup import register_attendee  # noqa: E402
from tests.conftest import PASSWORD, make_event  # noqa: E402
from tests.support.server import prepare_database, start_gunicorn  # noqa: E402

#: Targets from issue 5 (SQLite, this 2-core machine).
TARGET_RATIO = 0.50
TARGET_P99_MS_AT_8 = 25.0
SIGNING_KEY = "bench-ticket-signing-key-0123456789-abcdefghij"  # the server gets it too (FOROS_TICKET_...)
TRIVIAL = "trivial GET /healthz"
UNIQUE = "check-in, unique valid codes"
REPEAT = "check-in, repeats (admitted)"
FORGED = "check-in, forged codes"
EXPECTED = {UNIQUE: "accepted", REPEAT: "already_checked_in", FORGED: "invalid_signature"}

#: wrk script. Arguments: run number, codes file (absent for GET /healthz), number of wrk threads.
#: Thread t (1-based) takes lines t, t+threads, … of the file, in order; it wraps around (and counts it)
#: if it runs out. Every POST carries a fresh UUID scan_id built from (run, thread, counter).
WRK_LUA = """
local threads = {}
function setup(thread) table.insert(threads, thread); thread:set("tid", #threads) end
function init(args)
  run = tonumber(args[1]); file = args[2]; nthreads = tonumber(args[3] or "1")
  n = 0; codes = {}; pos = 0; wrapped = 0; counts = {}; bad = 0
  if file then
    local i = 0
    for line in io.lines(file) do
      if i % nthreads == tid - 1 then codes[#codes + 1] = line end
      i = i + 1
    end
  end
end
function request()
  if not file then return wrk.format("GET") end
  n = n + 1; pos = pos + 1
  if pos > #codes then pos = 1; wrapped = wrapped + 1 end
  local scan_id = string.format("%08x-%04x-4000-8000-%012x", run, tid, n)
  local body = '{"code":"' .. codes[pos] .. '","event":"EVENT","scan_id":"' .. scan_id .. '"}'
  return wrk.format("POST", nil, {["Content-Type"] = "application/json",
                                  ["Authorization"] = "Bearer TOKEN"}, body)
end
function response(status, headers, body)
  if status ~= 200 then bad = bad + 1; return end
  local result = file and string.match(body, '"result":%s*"([a-z_]+)"') or "ok"
  counts[result] = (counts[result] or 0) + 1
end
function done(summary, latency, requests)
  local total = {}; local wraps = 0; local non200 = 0
  for _, t in ipairs(threads) do
    wraps = wraps + t:get("wrapped"); non200 = non200 + t:get("bad")
    for k, v in pairs(t:get("counts")) do total[k] = (total[k] or 0) + v end
  end
  local parts = {}
  for k, v in pairs(total) do parts[#parts + 1] = string.format('"%s": %d', k, v) end
  local e = summary.errors
  io.write(string.format('WRK_JSON {"requests": %d, "duration_us": %d, "connect": %d, "read": %d, '
    .. '"write": %d, "status": %d, "timeout": %d, "p50_us": %d, "p99_us": %d, "wrapped": %d, '
    .. '"non200": %d, "results": {%s}}\\n', summary.requests, summary.duration, e.connect, e.read, e.write,
    e.status, e.timeout, latency:percentile(50), latency:percentile(99), wraps, non200,
    table.concat(parts, ", ")))
end
"""


def seed(count: int) -> dict:
    """A published event happening today (all day), a staff account assigned with a token, ``count``
    confirmed registrations for today; returns the slug, the token and every ticket code."""
    staff = accounts.create_user(email="staff@example.org", name="Sergio Staff", role=Role.STAFF,
                                 password=PASSWORD)
    event = make_event(title="Foro de prueba de acceso", capacity_in_person=1_000_000,
                       days=[DayInput(local_today(), dtime(0, 0), dtime(23, 59))])
    staff.events.append(event)
    _, token = accounts.create_token(staff, "Escáner de carga")
    first = register_attendee(event, RegistrationInput(
        name="Persona 0", email="persona0@example.org", sector="ciudadania", municipality_key="15031",
        organization="Colectivo", privacy_consent=True)).registration
    db.session.flush()
    # Copy the first registration (made by the real service) with new unique fields: fast and realistic.
    template = dict(db.session.execute(select(Registration.__table__).where(
        Registration.id == first.id)).mappings().one())
    template.pop("id")
    ticket_ids = [first.ticket_id]
    rows = []
    for n in range(1, count):
        ticket_id = secrets.token_hex(ID_BYTES)
        ticket_ids.append(ticket_id)
        email = f"persona{n}@example.org"
        rows.append({**template, "ticket_id": ticket_id, "access_token": secrets.token_urlsafe(32),
                     "name": f"Persona {n}", "email": email, "email_normalized": email})
    for start in range(0, len(rows), 5000):
        db.session.execute(insert(Registration.__table__), rows[start:start + 5000])
    day_id = event.days[0].id
    db.session.execute(insert(registration_days).from_select(
        ["registration_id", "event_day_id"],
        select(Registration.id, literal(day_id)).where(Registration.event_id == event.id,
                                                       Registration.id != first.id)))
    db.session.execute(update(Event).where(Event.id == event.id).values(confirmed_in_person=count))
    current_app.config["TICKET_SIGNING_KEY"] = SIGNING_KEY
    codes = [make_code(t) for t in ticket_ids]
    return {"slug": event.slug, "token": token, "codes": codes, "ticket_ids": ticket_ids}


def forged_codes(count: int) -> list[str]:
    """Well-formed codes (prefix, length, Base32) whose signature does not verify."""
    return [PREFIX + base64.b32encode(secrets.token_bytes(ID_BYTES + TAG_BYTES)).decode().rstrip("=")
            for _ in range(count)]


def run_cell(cell: Cell, url: str, pid: int, script: Path, seconds: float, run: int,
             codes_file: Path | None) -> tuple[Cell, dict]:
    """One cell measured by wrk (2 threads); returns the cell and wrk's JSON (answers counted by result)."""
    threads = min(2, cell.concurrency)
    command = ["wrk", f"-t{threads}", f"-c{cell.concurrency}", f"-d{max(1, round(seconds))}s", "--timeout", "30s",
               "-s", str(script), url, "--", str(run)] + ([str(codes_file), str(threads)] if codes_file else [])
    before, cpu_server = resource.getrusage(resource.RUSAGE_CHILDREN), group_cpu_seconds(pid)
    start = time.perf_counter()
    out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cell.client_cpu = (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) / wall
    cell.server_cpu = (group_cpu_seconds(pid) - cpu_server) / wall
    result = json.loads(out.split("WRK_JSON ", 1)[1].splitlines()[0])
    cell.seconds = result["duration_us"] / 1e6
    for kind in ("connect", "read", "write", "status", "timeout"):
        if result[kind]:
            cell.errors[kind] += result[kind]
    expected = EXPECTED.get(cell.endpoint, "ok")
    # A wrong answer (say ``accepted`` for a repeat) is an error too; so is running out of unique codes.
    for answer, n in result["results"].items():
        if answer != expected:
            cell.errors[answer] += n
    if result["wrapped"] and cell.endpoint == UNIQUE:
        cell.errors["codes exhausted"] += result["wrapped"]
    cell.ok = result["results"].get(expected, 0)
    cell.p50_ms, cell.p99_ms = result["p50_us"] / 1000, result["p99_us"] / 1000
    return cell, result


def bench_database(label: str, uri: str, workdir: Path, args) -> list[Cell]:
    """Seed, start gunicorn on ``uri``, run every cell, check the database afterwards."""
    per_cell = args.codes_per_cell
    unique_cells = len(args.concurrency) + 1  # + warm-up
    started = time.perf_counter()
    app, seeded = prepare_database(uri, lambda: seed(per_cell * unique_cells))
    print(f"{label}: seeded {len(seeded['codes']):,} confirmed registrations in "
          f"{time.perf_counter() - started:.0f} s", flush=True)
    codes = seeded["codes"]
    env = {"FOROS_ENV": "production", "FOROS_WORKER_ENQUEUE": "false", "FOROS_TICKET_SIGNING_KEY": SIGNING_KEY,
           "FOROS_HUEY_URL": f"sqlite:///{workdir / f'huey-{label}.sqlite3'}"}
    log_path = workdir / f"gunicorn-{label}.log"
    script = workdir / "checkin.lua"
    script.write_text(WRK_LUA.replace("EVENT", seeded["slug"]).replace("TOKEN", seeded["token"]))
    files = {}
    rounds = args.rounds
    per_round = per_cell // rounds
    for n in range(unique_cells):
        cell_codes = codes[n * per_cell:(n + 1) * per_cell]
        for r in range(rounds):  # each round of a cell gets codes never scanned before
            files[("unique", n, r)] = workdir / f"unique-{n}-{r}.txt"
            files[("unique", n, r)].write_text("\n".join(cell_codes[r * per_round:(r + 1) * per_round]) + "\n")
    forged = workdir / "forged.txt"
    forged.write_text("\n".join(forged_codes(20_000)) + "\n")
    repeats = workdir / "repeats.txt"
    cells: list[Cell] = []
    accepted = 0
    run = int(datetime.now(UTC).strftime("%H%M%S"))
    with start_gunicorn(uri, log_path, workers=args.workers, extra_env=env) as (url, pid):
        def measure(endpoint, concurrency, seconds, codes_file):
            nonlocal run
            run += 1
            cell = Cell(label, endpoint, concurrency)
            target = url + ("/healthz" if endpoint == TRIVIAL else "/api/v1/checkins")
            return run_cell(cell, target, pid, script, seconds, run, codes_file)

        # Warm-up (not reported): every endpoint, so every worker has its caches, lists and connections.
        warm, result = measure(UNIQUE, 4, args.warmup, files[("unique", 0, 0)])
        accepted += result["results"].get("accepted", 0)
        # The repeats are the codes the warm-up admitted (read back from the database the server writes).
        by_ticket = dict(zip(seeded["ticket_ids"], codes, strict=True))
        with app.app_context():
            admitted_tickets = db.session.scalars(select(Registration.ticket_id).join(
                Checkin, Checkin.registration_id == Registration.id).where(Checkin.result == "accepted")).all()
            db.session.remove()
        used = [by_ticket[t] for t in admitted_tickets]
        assert used, "the warm-up admitted nobody"
        repeats.write_text("\n".join(used) + "\n")
        measure(TRIVIAL, 4, args.warmup, None)
        measure(FORGED, 4, args.warmup, forged)
        for index, concurrency in enumerate(args.concurrency, start=1):
            parts: dict[str, list[Cell]] = {TRIVIAL: [], UNIQUE: [], REPEAT: [], FORGED: []}
            for r in range(rounds):  # alternate the endpoints: a slow spell of the machine hits them all
                for endpoint, codes_file in ((TRIVIAL, None), (UNIQUE, files[("unique", index, r)]),
                                             (REPEAT, repeats), (FORGED, forged)):
                    part, result = measure(endpoint, concurrency, args.seconds / rounds, codes_file)
                    accepted += result["results"].get("accepted", 0)
                    parts[endpoint].append(part)
            for endpoint in (TRIVIAL, UNIQUE, REPEAT, FORGED):
                cell = merge_rounds(parts[endpoint])
                cells.append(cell)
                print(table_row(cell, None), flush=True)
    log = log_path.read_text(errors="replace")
    with app.app_context():
        admitted = db.session.scalar(select(func.count()).select_from(Checkin).where(
            Checkin.result == "accepted"))
        distinct = db.session.scalar(select(func.count(func.distinct(Checkin.registration_id))).where(
            Checkin.result == "accepted"))
        scans = db.session.scalar(select(func.count()).select_from(Checkin))
        db.session.remove()
        db.engine.dispose()
    # wrk stops without reading the answers still in flight at the end of a cell: those scans may have been
    # admitted without being counted, at most one per client per cell.
    in_flight = sum(args.concurrency) * rounds + 4
    consistent = admitted == distinct and accepted <= admitted <= accepted + in_flight
    print(f"{label}: {accepted:,} answers 'accepted', {admitted:,} admitted rows ({distinct:,} distinct "
          f"registrations), {scans:,} scans recorded: {'consistent' if consistent else 'INCONSISTENT'} "
          f"(in flight at most {in_flight}); tracebacks in server log: {log.count('Traceback')}")
    if not consistent or "Traceback" in log:
        raise SystemExit(1)
    return cells


HEADER = ("| database | concurrency | endpoint | req/s | p50 ms | p99 ms (worst round) | errors | / trivial "
          "| server CPU (1 core = 100%) | client CPU |\n|---|---|---|---|---|---|---|---|---|---|")


def report(cells: list[Cell]) -> tuple[str, bool]:
    """The Markdown table, the verdict lines, and whether the SQLite targets are met."""
    return judge(cells, header=HEADER, judged=UNIQUE, name="check-in (unique codes)", target_ratio=TARGET_RATIO,
                 p99_concurrency=8, p99_target_ms=TARGET_P99_MS_AT_8)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_common_arguments(parser, [1, 8, 32])
    parser.add_argument("--codes-per-cell", type=int, default=40_000,
                        help="unique codes seeded per unique-code cell (default 40,000; must exceed req/s × s)")
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        parser.error("wrk is not installed (Debian: apt-get install wrk)")

    started = datetime.now().astimezone()
    print(f"# bench/checkin.py — {started:%Y-%m-%d %H:%M %Z} — {platform.node()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, {args.workers} gunicorn sync workers, {args.seconds:g} s per "
          f"cell in {args.rounds} alternating rounds, client wrk, load average {os.getloadavg()[0]:.2f}",
          flush=True)
    cells = []
    with tempfile.TemporaryDirectory(prefix="foros-bench-checkin-") as tmp:
        workdir = Path(tmp)
        cells += bench_database("sqlite", f"sqlite:///{workdir / 'bench.sqlite3'}", workdir, args)
        pg_uri = os.environ.get("FOROS_BENCH_DATABASE_URI", "")
        if pg_uri:
            cells += bench_database("postgresql", pg_uri, workdir, args)
    table, met = report(cells)
    print(f"\n## Results ({started:%Y-%m-%d %H:%M %Z}, load average after: {os.getloadavg()[0]:.2f})\n")
    print(table)
    if args.json:
        args.json.write_text(json.dumps({"started": started.isoformat(), "args": {
            k: str(v) for k, v in vars(args).items()}, "cells": [c.summary() for c in cells]}, indent=2))
    return 1 if args.check and not met else 0


if __name__ == "__main__":
    sys.exit(main())
