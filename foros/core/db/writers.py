"""The writer queue: SQLite writers across processes queue on an OS file lock before ``BEGIN IMMEDIATE``."""

import fcntl
import os
import time

from sqlalchemy import event

from foros.core.db.availability import DatabaseUnavailable, database_file


class WriterQueue:
    """Writers across processes queue on an OS file lock before ``BEGIN IMMEDIATE``.

    SQLite's own busy handler sleeps 1, 2, 5, 10 … 100 ms between retries, so under a rush a waiting
    writer often sleeps long after the lock was freed (p99 of hundreds of ms at 16 clients, see
    bench/README.md). ``flock`` hands the lock over as soon as it is released. Each pooled connection
    has its own descriptor (flock locks belong to open file descriptions, so threads queue too); the
    lock is released when the connection goes back to the pool, after its COMMIT or ROLLBACK. Waiting
    is bounded by the busy timeout; after that the BEGIN IMMEDIATE waits and fails as SQLite would.
    """

    def __init__(self, engine, busy_ms: int):
        self.busy_s = busy_ms / 1000
        database = database_file(engine)
        self.path = None if database is None else database + ".lock"
        if self.path is None:
            return
        event.listen(engine, "checkin", lambda _dbapi, record: self.leave(record.info))
        event.listen(engine, "close", lambda _dbapi, record: self.leave(record.info, close=True))
        event.listen(engine, "invalidate", lambda _dbapi, record, _exc: self.leave(record.info, close=True))
        event.listen(engine, "rollback", self._after_rollback)

    def enter(self, info: dict) -> None:
        if self.path is None or info.get("foros_write_locked"):
            return
        fd = info.get("foros_lock_fd")
        if fd is None:
            try:
                fd = info["foros_lock_fd"] = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError as error:  # e.g. the folder or the lock file was made read-only
                raise DatabaseUnavailable(f"cannot open the writer lock file: {error.strerror}") from error
        deadline = time.monotonic() + self.busy_s
        pause = 0.00005
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                info["foros_write_locked"] = True
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return
                time.sleep(pause)
                pause = min(pause * 2, 0.0005)

    def _after_rollback(self, conn) -> None:
        if not conn.invalidated:  # an invalidated connection left the queue when it was invalidated
            self.leave(conn.connection.info)

    @staticmethod
    def leave(info: dict, close: bool = False) -> None:
        fd = info.get("foros_lock_fd")
        if fd is None:
            return
        if info.pop("foros_write_locked", False):
            fcntl.flock(fd, fcntl.LOCK_UN)
        if close:
            os.close(info.pop("foros_lock_fd"))
