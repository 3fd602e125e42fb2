"""CPU time per request of the hot endpoints, in-process, against ``GET /healthz`` of the same app.

    .venv/bin/python bench/cpu_per_request.py [--requests 1500] [--profile "check-in accepted"]

Builds the app with production settings on a fresh SQLite file (as a gunicorn worker would), seeds an event
happening today with confirmed registrations and a staff token (``bench/checkin.py``'s seed), then calls the
WSGI app directly — no sockets, no server — ``--requests`` times per kind and prints the CPU milliseconds
per request (``time.process_time``) and the ratio to ``/healthz``. No network or load generator shares the
two cores, so this is the steadiest figure on a noisy machine; the throughput targets are measured by
``bench/registration.py`` and ``bench/checkin.py`` under gunicorn. ``--profile KIND`` prints cProfile's top
functions for one kind.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.checkin import SIGNING_KEY, forged_codes, seed  # noqa: E402
from tests.support.server import SECRET_KEY, prepare_database  # noqa: E402

KINDS = ("healthz", "check-in accepted", "check-in repeat", "check-in forged", "registration")


def environ(method: str, path: str, body: bytes = b"", headers: dict | None = None) -> dict:
    env = {
        "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "5000", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr,
        "wsgi.multithread": False, "wsgi.multiprocess": True, "wsgi.run_once": False,
        "HTTP_HOST": "127.0.0.1:5000", "CONTENT_LENGTH": str(len(body)),
    }
    if body:
        env["CONTENT_TYPE"] = "application/json"
    for key, value in (headers or {}).items():
        env["HTTP_" + key.upper().replace("-", "_")] = value
    return env


def call(app, env: dict) -> str:
    status = []
    chunks = app(env, lambda s, h, exc_info=None: status.append(s))
    try:
        for _ in chunks:
            pass
    finally:
        if hasattr(chunks, "close"):
            chunks.close()
    return status[0]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1500, help="per kind, over all batches")
    parser.add_argument("--batches", type=int, default=10)
    parser.add_argument("--profile", choices=KINDS, default=None)
    parser.add_argument("--kinds", default=",".join(KINDS), help="comma-separated subset (healthz always runs)")
    args = parser.parse_args(argv)
    n = args.requests
    workdir = Path(tempfile.mkdtemp(prefix="foros-cpu-"))
    uri = f"sqlite:///{workdir / 'bench.sqlite3'}"
    _, seeded = prepare_database(uri, lambda: seed(n + 100))
    os.environ.update({"FOROS_ENV": "production", "FOROS_SECRET_KEY": SECRET_KEY,
                       "FOROS_SQLALCHEMY_DATABASE_URI": uri, "FOROS_TICKET_SIGNING_KEY": SIGNING_KEY,
                       "FOROS_RATELIMIT_ENABLED": "false", "FOROS_WORKER_ENQUEUE": "false",
                       "FOROS_HUEY_URL": "memory://"})
    from foros import create_app

    app = create_app().wsgi_app
    codes = iter(seeded["codes"])
    repeats = seeded["codes"][-10:]
    forged = forged_codes(n)
    auth = {"Authorization": "Bearer " + seeded["token"]}
    counter = iter(range(10**9))

    def checkin(code):
        body = json.dumps({"code": code, "event": seeded["slug"], "scan_id": str(uuid.uuid4())}).encode()
        return environ("POST", "/api/v1/checkins", body, auth)

    def registration():
        k = next(counter)
        body = json.dumps({"name": f"Persona {k}", "email": f"cpu-{k}@example.org", "sector": "ciudadania",
                           "municipality": "15031", "privacy_consent": True}).encode()
        return environ("POST", f"/api/v1/events/{seeded['slug']}/registrations", body)

    makers = {
        "healthz": (lambda: environ("GET", "/healthz"), "200"),
        "check-in accepted": (lambda: checkin(next(codes)), "200"),
        "check-in repeat": (lambda: checkin(repeats[next(counter) % len(repeats)]), "200"),
        "check-in forged": (lambda: checkin(forged[next(counter) % len(forged)]), "200"),
        "registration": (registration, "201"),
    }
    kinds = ["healthz"] + [k for k in args.kinds.split(",") if k in KINDS and k != "healthz"]
    if any(k.startswith("check-in") for k in kinds):
        for code in repeats:  # admitted once, so the repeats answer already_checked_in
            call(app, checkin(code))
    for kind in kinds:
        make, expected = makers[kind]
        for _ in range(50):  # warm-up: caches, compiled statements, templates
            assert call(app, make()).startswith(expected), kind
    # Interleaved batches (every kind in turn, ``--batches`` times): a burst of load from elsewhere on the
    # machine then hits every kind alike; the median batch is reported, and the minimum (the least disturbed).
    per_batch = max(1, n // args.batches)
    times: dict[str, list[float]] = {kind: [] for kind in kinds}
    profiler = cProfile.Profile() if args.profile else None
    for _ in range(args.batches):
        for kind in kinds:
            make, expected = makers[kind]
            envs = [make() for _ in range(per_batch)]
            profiling = profiler is not None and kind == args.profile
            start = time.process_time()
            if profiling:
                profiler.enable()
            for env in envs:
                status = call(app, env)
                if not status.startswith(expected):
                    raise SystemExit(f"{kind}: {status}")
            if profiling:
                profiler.disable()
            times[kind].append((time.process_time() - start) / per_batch * 1000)
    if profiler is not None:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).sort_stats(os.environ.get("PROFILE_SORT", "cumulative"))
        stats.print_stats(45)
        if os.environ.get("PROFILE_CALLERS"):
            stats.print_callers(os.environ["PROFILE_CALLERS"])
        print(out.getvalue())
    base = statistics.median(times["healthz"])
    print(f"CPU per request, in-process, {args.batches} interleaved batches of {per_batch} requests per kind "
          f"(load average {os.getloadavg()[0]:.1f}); ratio = /healthz's median ÷ this median:")
    for kind, values in times.items():
        median = statistics.median(values)
        print(f"  {kind:<18} median {median:5.2f} ms   min {min(values):5.2f} ms   ratio {base / median:6.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
