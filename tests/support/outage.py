"""Database outages on demand: a PostgreSQL server of the test's own, and SQLite files made unwritable.

    with own_postgres() as pg:            # initdb + pg_ctl start on a free port, its data in a temporary folder
        ... pg.uri ...
        pg.stop()                         # the database goes away under whoever uses it
        pg.start()                        # and comes back on the same port, with the same data

    with unwritable(path_a, path_b):      # chattr +i: refused even to root (the tests run as root)
        ...

Neither is possible everywhere (no PostgreSQL binaries; a file system without the immutable flag): then
the test is skipped, except under ``CI=true``, where it fails — the outage tests must run in CI.
"""

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest

from tests.support.server import HOST, free_port


def unavailable(reason: str) -> None:
    """Skip the test (fail it under CI=true, where every outage test must run)."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: this test must run in CI)")
    pytest.skip(reason)


@contextmanager
def unwritable(*paths: Path) -> Iterator[None]:
    """Make ``paths`` unwritable for every process, root included (the immutable flag), until the block ends."""
    names = [str(path) for path in paths]
    done = subprocess.run(["chattr", "+i", *names], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        subprocess.run(["chattr", "-i", *names], capture_output=True, check=False)
        unavailable(f"chattr +i is not possible here: {done.stderr.strip()}")
    try:
        yield
    finally:
        # Always: an immutable file left behind could not even be deleted by pytest's tmp_path cleanup.
        subprocess.run(["chattr", "-i", *names], check=True)


class OwnPostgres:
    """A PostgreSQL server for one test (trust authentication on 127.0.0.1, fsync off)."""

    def __init__(self, bin_dir: str, data_dir: str, port: int):
        self.bin_dir, self.data_dir, self.port = bin_dir, data_dir, port
        self.uri = f"postgresql://postgres@{HOST}:{port}/postgres"

    def _run(self, program: str, *args: str, timeout: float = 60) -> None:
        command = [os.path.join(self.bin_dir, program), *args]
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
        if done.returncode != 0:
            log = Path(self.data_dir, "server.log")
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{program} failed ({done.returncode}): {done.stdout}{done.stderr}\n{tail}")

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        self._run("pg_ctl", "-D", self.data_dir, "-l", os.path.join(self.data_dir, "server.log"), "-w",
                  "-o", f"-h {HOST} -p {self.port} -k {self.data_dir} -c fsync=off", "start")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (``fast``: open connections are closed at once) and wait until it is gone."""
        self._run("pg_ctl", "-D", self.data_dir, "-m", mode, "-w", "stop")


@contextmanager
def own_postgres() -> Iterator[OwnPostgres]:
    """A fresh PostgreSQL cluster, started; stopped and deleted when the block ends."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    bin_dir = os.path.dirname(found[-1]) if found else (os.path.dirname(shutil.which("pg_ctl") or "") or None)
    if bin_dir is None:
        unavailable("PostgreSQL server binaries (pg_ctl, initdb) are not installed")
    data_dir = tempfile.mkdtemp(prefix="foros-outage-pg-")
    try:
        if os.geteuid() == 0:
            shutil.chown(data_dir, "postgres", "postgres")
        server = OwnPostgres(bin_dir, data_dir, free_port())
        server._run("initdb", "-D", data_dir, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C",
                    "--no-sync")
        server.start()
        try:
            yield server
        finally:
            with suppress(RuntimeError):
                server.stop("immediate")
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
