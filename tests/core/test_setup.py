"""Set-up on a fresh machine: ``make run`` says how to use another port, and package installs wait for the
package manager's lock instead of failing."""

import fcntl
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APT_INSTALL = ROOT / "scripts" / "apt-install.sh"


def test_make_run_and_the_readme_say_how_to_use_another_port():
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    # -n: print what `make run` would do (its messages included) without doing it.
    printed = subprocess.run(["make", "-n", "run", "PORT=8123"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout
    assert "PORT=8000 make run" in printed
    assert "PORT=8123 scripts/run-dev.sh" in printed
    assert "PORT=8000 make run" in (ROOT / "README.md").read_text()


def test_every_package_install_goes_through_the_waiting_script():
    for path in (ROOT / "Makefile", ROOT / ".ci" / "run"):
        text = path.read_text()
        assert "scripts/apt-install.sh" in text, path
        assert "apt-get" not in text, f"{path}: a bare apt-get fails when another install holds the lock"
    assert "DPkg::Lock::Timeout" in APT_INSTALL.read_text()


def test_apt_update_waits_for_the_package_lists_lock(tmp_path):
    """A real ``apt-get update`` on a private lists folder whose lock another process holds for ~3 s."""
    if shutil.which("apt-get") is None:
        pytest.skip("apt-get is not installed (not a Debian system)")
    lists, cache = tmp_path / "lists", tmp_path / "cache"
    (lists / "partial").mkdir(parents=True)
    (cache / "archives" / "partial").mkdir(parents=True)
    sources = tmp_path / "sources.list"
    sources.write_text("")  # no sources: nothing is downloaded, only the lock matters
    options = (f"-o Dir::State::Lists={lists} -o Dir::Cache={cache} -o Dir::Etc::SourceList={sources} "
               f"-o Dir::Etc::SourceParts={tmp_path / 'none'}")
    env = {**os.environ, "APT_OPTIONS": options, "APT_LOCK_TIMEOUT": "60"}

    # apt takes POSIX (fcntl) locks; one held by this process blocks apt-get, which is another process.
    holder = os.open(lists / "lock", os.O_RDWR | os.O_CREAT, 0o640)
    fcntl.lockf(holder, fcntl.LOCK_EX)
    released = threading.Timer(3.0, lambda: os.close(holder))
    released.start()
    try:
        started = time.monotonic()
        done = subprocess.run([str(APT_INSTALL)], env=env, capture_output=True, text=True, timeout=60, check=False)
        waited = time.monotonic() - started
    finally:
        released.join()
    assert done.returncode == 0, done.stderr
    assert waited >= 2.5, "apt-get update ran while the lock was held"
    assert "waiting" in done.stderr

    # And a wait that outlasts APT_LOCK_TIMEOUT fails with apt's own message.
    holder = os.open(lists / "lock", os.O_RDWR)
    fcntl.lockf(holder, fcntl.LOCK_EX)
    try:
        done = subprocess.run([str(APT_INSTALL)], env={**env, "APT_LOCK_TIMEOUT": "1"}, capture_output=True,
                              text=True, timeout=60, check=False)
    finally:
        os.close(holder)
    assert done.returncode != 0
    assert "Could not get lock" in done.stderr
