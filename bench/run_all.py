"""Run every benchmark in bench/ (``make bench``): each ``bench/*.py`` script in turn, in its own process.

    .venv/bin/python bench/run_all.py [--only NAME ...]

Scripts whose name starts with ``_`` and this file are skipped. Exits non-zero when a script fails
(a budget such as the page weight is exceeded, or a bench could not run).
"""

import argparse
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
TIMEOUT_SECONDS = 30 * 60  # per script; the registration bench takes about 2 minutes by default


def scripts() -> list[Path]:
    return sorted(p for p in BENCH.glob("*.py") if not p.name.startswith("_") and p.name != Path(__file__).name)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Run the benches in bench/.")
    parser.add_argument("--only", nargs="*", default=[], help="script names without .py (default: all)")
    args = parser.parse_args(argv)
    failed = []
    for script in scripts():
        if args.only and script.stem not in args.only:
            continue
        print(f"\n=== {script.name} ===", flush=True)
        start = time.monotonic()
        try:
            code = subprocess.run([sys.executable, str(script)], cwd=BENCH.parent,
                                  timeout=TIMEOUT_SECONDS).returncode
        except subprocess.TimeoutExpired:
            code = "timeout"
        outcome = "ok" if code == 0 else f"FAILED ({code})"
        print(f"=== {script.name}: {outcome} in {time.monotonic() - start:.0f} s", flush=True)
        if code != 0:
            failed.append(script.name)
    if failed:
        print(f"\nFailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
