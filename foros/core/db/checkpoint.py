"""WAL checkpoints by a background thread, off the request path."""

import logging
import os
import sqlite3
import threading
from urllib.parse import quote

log = logging.getLogger(__name__)


class BackgroundCheckpointer:
    """Copies SQLite's WAL back into the database file from a thread, so that no request pays for it.

    In WAL mode SQLite checkpoints inside the commit that takes the WAL past ``wal_autocheckpoint`` pages
    (1,000 by default): that request copies the pages and fsyncs both files while it still holds the write
    transaction and our writer queue. In the check-in bench that cost a quarter of the throughput and most of
    the p99 (bench/README.md). Here a daemon thread per process runs ``PRAGMA wal_checkpoint(PASSIVE)`` —
    which never blocks writers or readers — every ``interval`` seconds on its own connection, while request
    connections keep a high automatic threshold (``SAFETY_PAGES``) as a safety net: if the thread stalls,
    commits checkpoint as before and the WAL stays bounded. The thread starts with the first connection in
    each process (gunicorn forks its workers after loading the app) and stops when the engine is disposed.
    """

    SAFETY_PAGES = 10_000  # about 40 MB of WAL

    def __init__(self, path: str, interval: float):
        self.path, self.interval = path, interval
        self._pid: int | None = None
        self._stop = threading.Event()
        self._guard = threading.Lock()

    def ensure_started(self) -> None:
        if self._pid == os.getpid():
            return
        with self._guard:
            if self._pid == os.getpid():
                return
            self._pid, self._stop = os.getpid(), threading.Event()
            threading.Thread(target=self._run, args=(self._stop,), name="foros-wal-checkpoint",
                             daemon=True).start()

    def stop(self) -> None:
        self._stop.set()
        self._pid = None

    def _run(self, stop: threading.Event) -> None:
        conn = None
        while not stop.wait(self.interval):
            try:
                if conn is None:  # mode=rw: never create an empty database where the file went away
                    conn = sqlite3.connect(f"file:{quote(self.path)}?mode=rw", uri=True, timeout=0,
                                           isolation_level=None, check_same_thread=False)
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            except sqlite3.Error:
                log.warning("WAL checkpoint failed; commits will checkpoint instead.", exc_info=True)
                if conn is not None:
                    conn.close()
                conn = None
        if conn is not None:
            conn.close()
