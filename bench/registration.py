"""Registration throughput and latency under gunicorn, beside a trivial endpoint of the same server.

    .venv/bin/python bench/registration.py [--seconds 10] [--concurrency 1,16,64] [--workers 2]

Starts ``gunicorn wsgi:app`` as in production (sync workers, FOROS_ENV=production, e-mail enqueued to an
embedded Huey queue) on a fresh SQLite file, seeds one published event with a large capacity, then for each
concurrency fires, for ``--seconds`` each, GET /healthz (the trivial endpoint: one ``SELECT 1``) and
POST /api/v1/events/<slug>/registrations with unique e-mails. Prints req/s, p50, p99, errors and the ratio
registration/trivial. With FOROS_BENCH_DATABASE_URI=postgresql://… it does the same on PostgreSQL after
SQLite — that database is EMPTIED (schema dropped and rebuilt): point it at a scratch database.

Load generator: wrk (C, 2 threads) when installed (Debian: ``apt-get install wrk``), with a Lua script that
gives every POST a unique e-mail; otherwise a small asyncio client in this process (one coroutine per
simulated client, raw HTTP/1.1 over asyncio streams). gunicorn's sync workers close the connection after
every response, so either way each request is connect + send + read to the end. The client's own CPU use is
printed: it shares the 2 cores with the server, and wrk needs far less of it. See bench/README.md.
"""

import argparse
import asyncio
import itertools
import json
import os
import platform
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import closing
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from foros.events.models import Event  # noqa: E402
from foros.extensions import db  # noqa: E402
from foros.registration.models import Registration, RegistrationStatus  # noqa: E402
from tests.conftest import make_event  # noqa: E402
from tests.support.server import HOST, prepare_database, start_gunicorn  # noqa: E402

#: Targets from issue 4 (SQLite, this 2-core machine).
TARGET_RATIO = 0.30
TARGET_P99_MS_AT_16 = 100.0
BIG_CAPACITY = 1_000_000  # the most an event allows
TRIVIAL = "trivial GET /healthz"
REGISTRATION = "POST registration"
_CONTENT_LENGTH = re.compile(rb"\r\ncontent-length:[ \t]*(\d+)", re.IGNORECASE)


@dataclass
class Cell:
    """One endpoint at one concurrency for a fixed time."""

    database: str
    endpoint: str
    concurrency: int
    seconds: float = 0.0
    ok: int = 0
    errors: Counter = field(default_factory=Counter)
    p50_ms: float = float("nan")
    p99_ms: float = float("nan")
    client_cpu: float = 0.0  # share of one core used by the load generator
    server_cpu: float = 0.0  # share of one core used by gunicorn (master + workers)
    p99_worst_ms: float = float("nan")  # the worst round's p99 (merge_rounds)
    rounds: int = 1

    @property
    def rps(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def set_percentiles(self, latencies: list[float]) -> None:
        """Nearest-rank p50 and p99 of the successful requests' latencies (seconds), in ms."""
        ordered = sorted(latencies)
        if ordered:
            rank = lambda q: ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]  # noqa: E731
            self.p50_ms, self.p99_ms = rank(0.50) * 1000, rank(0.99) * 1000

    def summary(self) -> dict:
        data = asdict(self)
        data.update(rps=round(self.rps, 1), errors=dict(self.errors))
        return data


def merge_rounds(parts: list[Cell]) -> Cell:
    """One cell from its rounds: requests and seconds summed, CPU weighted by time, errors added up, and the
    median of the rounds' p50 and p99 (``p99_worst_ms`` keeps the worst round's). Rounds alternate with the
    other endpoints of the same concurrency, so a slow spell of the shared machine hits them all alike."""
    first = parts[0]
    cell = Cell(first.database, first.endpoint, first.concurrency)
    cell.seconds = sum(p.seconds for p in parts)
    cell.ok = sum(p.ok for p in parts)
    for part in parts:
        cell.errors.update(part.errors)
    cell.p50_ms = statistics.median(p.p50_ms for p in parts)
    cell.p99_ms = statistics.median(p.p99_ms for p in parts)
    cell.p99_worst_ms = max(p.p99_ms for p in parts)
    if cell.seconds:
        cell.server_cpu = sum(p.server_cpu * p.seconds for p in parts) / cell.seconds
        cell.client_cpu = sum(p.client_cpu * p.seconds for p in parts) / cell.seconds
    cell.rounds = len(parts)
    return cell


async def _exchange(port: int, request: bytes) -> int:
    """One request on its own connection (sync workers close it anyway); return the status code."""
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        length = _CONTENT_LENGTH.search(head)
        if length:
            await reader.readexactly(int(length.group(1)))
        else:
            await reader.read()
        return int(head[9:12])
    finally:
        writer.close()


async def _client(port: int, make_request, expected: int, deadline: float, cell: Cell,
                  latencies: list[float]) -> None:
    """A closed-loop client: next request as soon as the previous one is answered, until the deadline."""
    while time.perf_counter() < deadline:
        request = make_request()
        start = time.perf_counter()
        try:
            status = await asyncio.wait_for(_exchange(port, request), timeout=30)
        except (OSError, EOFError, ValueError, TimeoutError, asyncio.IncompleteReadError,
                asyncio.LimitOverrunError) as exc:
            cell.errors[type(exc).__name__] += 1
            continue
        if status == expected:
            latencies.append(time.perf_counter() - start)
            cell.ok += 1
        else:
            cell.errors[str(status)] += 1


def group_cpu_seconds(pgid: int) -> float:
    """CPU seconds (user + system) used so far by every live process of a process group (Linux /proc)."""
    ticks = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields after "(comm)": state ppid pgrp ... utime(11) stime(12)
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def run_cell(cell: Cell, port: int, pid: int, make_request, expected: int, seconds: float) -> Cell:
    """Fire ``cell.concurrency`` closed-loop asyncio clients for ``seconds``; fill in the cell's figures."""
    latencies: list[float] = []

    async def main():
        deadline = time.perf_counter() + seconds
        await asyncio.gather(*(_client(port, make_request, expected, deadline, cell, latencies)
                               for _ in range(cell.concurrency)))

    cpu_client, cpu_server, start = time.process_time(), group_cpu_seconds(pid), time.perf_counter()
    asyncio.run(main())
    cell.seconds = time.perf_counter() - start
    cell.client_cpu = (time.process_time() - cpu_client) / cell.seconds
    cell.server_cpu = (group_cpu_seconds(pid) - cpu_server) / cell.seconds
    cell.set_percentiles(latencies)
    return cell


#: wrk script: unique e-mails for POST bodies (when BODY_TEMPLATE is set) and a JSON summary at the end.
WRK_LUA = """
local threads = 0
function setup(thread) threads = threads + 1; thread:set("tid", threads) end
function init(args) n = 0; run = args[1] or "run"; template = args[2] end
function request()
  if not template then return wrk.format("GET") end
  n = n + 1
  local body = string.format(template, n, run, tid, n)
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body)
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK_JSON {"requests": %d, "duration_us": %d, "connect": %d, "read": %d, '
    .. '"write": %d, "status": %d, "timeout": %d, "p50_us": %d, "p99_us": %d}\\n', summary.requests,
    summary.duration, e.connect, e.read, e.write, e.status, e.timeout, latency:percentile(50),
    latency:percentile(99)))
end
"""
#: JSON body for wrk's string.format: %d = counter, %s = run id, %d = thread, %d = counter.
WRK_BODY = ('{"name": "Persona de Prueba %d", "email": "wrk-%s-%d-%d@example.org", "sector": "ciudadania", '
            '"municipality": "15031", "privacy_consent": true}')


def run_cell_wrk(cell: Cell, url: str, pid: int, script: Path, seconds: float, body: str = "",
                 run_id: str = "") -> Cell:
    """The same cell measured by wrk (C, two threads) instead of the asyncio client."""
    threads = min(2, cell.concurrency)
    command = ["wrk", f"-t{threads}", f"-c{cell.concurrency}", f"-d{max(1, round(seconds))}s", "--timeout", "30s",
               "-s", str(script), url, "--", run_id or "run"] + ([body] if body else [])
    before, cpu_server = resource.getrusage(resource.RUSAGE_CHILDREN), group_cpu_seconds(pid)
    start = time.perf_counter()
    out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    cell.seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cell.client_cpu = (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) / cell.seconds
    cell.server_cpu = (group_cpu_seconds(pid) - cpu_server) / cell.seconds
    result = json.loads(out.split("WRK_JSON ", 1)[1].splitlines()[0])
    cell.seconds = result["duration_us"] / 1e6  # wrk's own measured window
    for kind in ("connect", "read", "write", "status", "timeout"):
        if result[kind]:
            cell.errors[kind] += result[kind]
    cell.ok = result["requests"] - result["status"]
    cell.p50_ms, cell.p99_ms = result["p50_us"] / 1000, result["p99_us"] / 1000
    return cell


def trivial_request(port: int):
    request = f"GET /healthz HTTP/1.1\r\nHost: {HOST}:{port}\r\nConnection: close\r\n\r\n".encode()
    return lambda: request


def registration_request(port: int, slug: str, run_id: str):
    counter = itertools.count()
    head = (f"POST /api/v1/events/{slug}/registrations HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
            "Content-Type: application/json\r\nAccept: application/json\r\nConnection: close\r\n")

    def make():
        n = next(counter)
        body = json.dumps({"name": f"Persona de Prueba {n}", "email": f"bench-{run_id}-{n}@example.org",
                           "sector": "ciudadania", "municipality": "15031", "privacy_consent": True}).encode()
        return f"{head}Content-Length: {len(body)}\r\n\r\n".encode() + body

    return make


def seed_event() -> str:
    """One published, in-person event with room for everybody the bench registers."""
    return make_event(capacity_in_person=BIG_CAPACITY, title="Foro de prueba de carga").slug


def bench_database(label: str, uri: str, workdir: Path, args) -> list[Cell]:
    """Start gunicorn on ``uri``, run every cell, check the database afterwards."""
    app, slug = prepare_database(uri, seed_event)
    env = {"FOROS_ENV": "production", "FOROS_WORKER_ENQUEUE": "true" if args.enqueue else "false",
           "FOROS_HUEY_URL": f"sqlite:///{workdir / f'huey-{label}.sqlite3'}"}
    log_path = workdir / f"gunicorn-{label}.log"
    cells = []
    created = 0
    with start_gunicorn(uri, log_path, workers=args.workers, extra_env=env) as (url, pid):
        port = int(url.rsplit(":", 1)[1])
        run_id = datetime.now(UTC).strftime("%H%M%S")
        registration_path = f"/api/v1/events/{slug}/registrations"
        registrations = registration_request(port, slug, run_id)
        script = workdir / "bench.lua"
        script.write_text(WRK_LUA)

        measured = itertools.count()

        def measure(endpoint, concurrency, seconds):
            post = endpoint.startswith("POST")
            cell = Cell(label, endpoint, concurrency)
            if args.client == "wrk":  # every run gets its own e-mail prefix: a repeated e-mail is a 409
                return run_cell_wrk(cell, url + (registration_path if post else "/healthz"), pid, script, seconds,
                                    WRK_BODY if post else "", f"{run_id}-{next(measured)}")
            return run_cell(cell, port, pid, registrations if post else trivial_request(port),
                            201 if post else 200, seconds)

        # Warm-up (not reported): templates compiled, connections opened, caches filled in every worker.
        for endpoint in (TRIVIAL, REGISTRATION):
            warm = measure(endpoint, 4, args.warmup)
            created += warm.ok if endpoint == REGISTRATION else 0
        for concurrency in args.concurrency:
            parts: dict[str, list[Cell]] = {TRIVIAL: [], REGISTRATION: []}
            for _ in range(args.rounds):  # alternate the endpoints: a slow spell hits both
                for endpoint in (TRIVIAL, REGISTRATION):
                    part = measure(endpoint, concurrency, args.seconds / args.rounds)
                    created += part.ok if endpoint == REGISTRATION else 0
                    parts[endpoint].append(part)
            for endpoint in (TRIVIAL, REGISTRATION):
                cell = merge_rounds(parts[endpoint])
                cells.append(cell)
                print(table_row(cell, None), flush=True)
    log = log_path.read_text(errors="replace")
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == slug))
        confirmed = db.session.scalar(select(func.count()).select_from(Registration).where(
            Registration.status == RegistrationStatus.CONFIRMED))
        counter = event.confirmed_in_person
        db.session.remove()
        db.engine.dispose()
    # Every 201 is a row, and the seat counter agrees with the rows. wrk stops without reading the answers
    # still in flight at the end of a cell: those registrations exist but were not counted.
    in_flight = (sum(c.concurrency * c.rounds for c in cells if c.endpoint == REGISTRATION) + 4
                 if args.client == "wrk" else 0)
    consistent = confirmed == counter and created <= confirmed <= created + in_flight
    print(f"{label}: {created} registrations answered 201, {confirmed} confirmed rows, counter {counter}: "
          f"{'consistent' if consistent else 'INCONSISTENT'}; tracebacks in server log: {log.count('Traceback')}"
          f"; delivery tasks queued: {queued_tasks(workdir / f'huey-{label}.sqlite3')}")
    if not consistent:
        raise SystemExit(1)
    return cells


def queued_tasks(path: Path) -> str:
    """How many delivery tasks the server queued (no consumer runs during the bench): one per moment of a
    rush, not one per sign-up (``foros.worker.OutboxNotifier``)."""
    if not path.exists():
        return "none (enqueue off)"
    with closing(sqlite3.connect(path)) as conn:
        return str(conn.execute("SELECT count(*) FROM task").fetchone()[0])


def table_row(cell: Cell, ratio: float | None) -> str:
    errors = sum(cell.errors.values())
    ratio_text = f"{ratio:.1%}" if ratio is not None else ""
    return (f"| {cell.database} | {cell.concurrency} | {cell.endpoint} | {cell.rps:,.0f} | "
            f"{cell.p50_ms:.1f} | {cell.p99_ms:.1f} ({cell.p99_worst_ms:.1f}) | {errors} | {ratio_text} | "
            f"{cell.server_cpu:.0%} | {cell.client_cpu:.0%} |")


HEADER = ("| database | concurrency | endpoint | req/s | p50 ms | p99 ms (worst round) | errors "
          "| registration / trivial | server CPU (1 core = 100%) | client CPU |\n"
          "|---|---|---|---|---|---|---|---|---|---|")


def judge(cells: list[Cell], *, header: str, judged: str, name: str, target_ratio: float,
          p99_concurrency: int, p99_target_ms: float) -> tuple[str, bool]:
    """The Markdown table (each non-trivial cell with its ratio to the trivial endpoint of the same database
    and concurrency), the verdict lines for the ``judged`` endpoint on SQLite, and whether every target is met
    (errors in any cell count as a miss). Shared by the registration and check-in benches."""
    lines, verdicts, met = [header], [], True
    by_key = {(c.database, c.endpoint, c.concurrency): c for c in cells}
    for cell in cells:
        ratio = None
        if cell.endpoint != TRIVIAL:
            trivial = by_key[(cell.database, TRIVIAL, cell.concurrency)]
            ratio = cell.rps / trivial.rps if trivial.rps else 0.0
            if cell.database == "sqlite" and cell.endpoint == judged:
                ok = ratio >= target_ratio
                met &= ok
                verdicts.append(f"- SQLite, concurrency {cell.concurrency}: {name} at {ratio:.1%} of the "
                                f"trivial endpoint (target ≥ {target_ratio:.0%}): {'met' if ok else 'MISSED'}")
                if cell.concurrency == p99_concurrency:
                    ok = cell.p99_ms < p99_target_ms
                    met &= ok
                    verdicts.append(f"- SQLite, concurrency {p99_concurrency}: {name} p99 {cell.p99_ms:.1f} ms "
                                    f"(target < {p99_target_ms:.0f} ms): {'met' if ok else 'MISSED'}")
        if sum(cell.errors.values()):
            met = False
            verdicts.append(f"- {cell.database} {cell.endpoint} @{cell.concurrency}: errors {dict(cell.errors)}")
        lines.append(table_row(cell, ratio))
    return "\n".join(lines) + "\n\n" + "\n".join(verdicts), met


def report(cells: list[Cell]) -> tuple[str, bool]:
    """The Markdown table of every cell, the verdict lines, and whether the SQLite targets are met."""
    return judge(cells, header=HEADER, judged=REGISTRATION, name="registration", target_ratio=TARGET_RATIO,
                 p99_concurrency=16, p99_target_ms=TARGET_P99_MS_AT_16)


def add_common_arguments(parser: argparse.ArgumentParser, concurrency: list[int]) -> None:
    """The options both gunicorn benches take."""
    parser.add_argument("--seconds", type=float, default=10.0, help="measured time per cell (default 10)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds per cell, alternating with the other endpoints (default 3)")
    parser.add_argument("--warmup", type=float, default=2.0, help="unreported warm-up per endpoint (default 2)")
    parser.add_argument("--concurrency", type=lambda s: [int(x) for x in s.split(",")], default=concurrency,
                        help=f"comma-separated client counts (default {','.join(map(str, concurrency))})")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2: one per core)")
    parser.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_common_arguments(parser, [1, 16, 64])
    parser.add_argument("--no-enqueue", dest="enqueue", action="store_false",
                        help="do not enqueue the e-mail task in Huey after each registration")
    parser.add_argument("--client", choices=["auto", "asyncio", "wrk"], default="auto",
                        help="load generator: wrk when installed (auto, the default), else the asyncio client")
    args = parser.parse_args(argv)
    if args.client == "auto":
        args.client = "wrk" if shutil.which("wrk") else "asyncio"
    elif args.client == "wrk" and not shutil.which("wrk"):
        parser.error("wrk is not installed (Debian: apt-get install wrk); use --client asyncio")

    started = datetime.now().astimezone()
    print(f"# bench/registration.py — {started:%Y-%m-%d %H:%M %Z} — {platform.node()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, {args.workers} gunicorn sync workers, {args.seconds:g} s per "
          f"cell in {args.rounds} alternating rounds, client {args.client}, "
          f"e-mail enqueue {'on' if args.enqueue else 'off'}, "
          f"load average {os.getloadavg()[0]:.2f}")
    print(HEADER, flush=True)
    cells = []
    with tempfile.TemporaryDirectory(prefix="foros-bench-") as tmp:
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
