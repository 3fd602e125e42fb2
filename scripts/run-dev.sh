#!/usr/bin/env bash
# Development server: the Huey worker (e-mail delivery, retries) in the background beside `flask run`.
# Both stop together: when the web server exits (Ctrl-C included), the EXIT trap stops the worker.
# Production runs the worker as its own process instead:  huey_consumer foros.worker.huey -w 2 -k thread
set -euo pipefail

BIN=${BIN:-.venv/bin}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-5000}
export FLASK_APP=${FLASK_APP:-wsgi}
# Links in e-mail are built on FOROS_PUBLIC_URL (never on the request's Host): follow the chosen port.
export FOROS_PUBLIC_URL=${FOROS_PUBLIC_URL:-http://$HOST:$PORT}

"$BIN/huey_consumer" foros.worker.huey -w 1 -k thread &
worker=$!

stop_worker() {
    if kill -0 "$worker" 2>/dev/null; then
        kill -INT "$worker" 2>/dev/null || true  # SIGINT: Huey finishes the task in hand, then exits
        for _ in $(seq 50); do kill -0 "$worker" 2>/dev/null || break; sleep 0.1; done
        kill -TERM "$worker" 2>/dev/null || true
    fi
    wait "$worker" 2>/dev/null || true
}
trap stop_worker EXIT

"$BIN/flask" run --host "$HOST" --port "$PORT"
