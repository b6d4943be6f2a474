"""Run every benchmark script in benchmarks/ (``make bench``), each writing its docs section.

Runs each ``benchmarks/bench_*.py`` present, one after the other in its own process, passing
``--quick`` (and ``--no-write``) through. Each script prints its table and writes its own section
of docs/performance.md. Benchmarks that need optional packages (NDlib) say so and are skipped;
install them with ``.venv/bin/pip install -e '.[bench]'``.

Usage::

    python benchmarks/run_all.py            # everything (about 10-15 minutes on 2 cores)
    python benchmarks/run_all.py --quick    # smaller sizes, fewer repeats (about 2 minutes)
    python benchmarks/run_all.py --only engine mesa
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = ("network", "engine", "step", "national", "mesa", "ndlib", "viz")
NEEDS = {"ndlib": ("ndlib", "six")}


def scripts() -> list[Path]:
    found = sorted(HERE.glob("bench_*.py"))
    rank = {name: i for i, name in enumerate(ORDER)}
    return sorted(found, key=lambda p: (rank.get(p.stem[6:], len(ORDER)), p.name))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer repeats")
    parser.add_argument("--no-write", action="store_true", help="print only, leave docs alone")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="e.g. engine mesa ndlib")
    args = parser.parse_args(argv)
    failed, skipped = [], []
    for script in scripts():
        name = script.stem[6:]
        if args.only and name not in args.only:
            continue
        missing = [m for m in NEEDS.get(name, ()) if importlib.util.find_spec(m) is None]
        if missing:
            print(
                f"\n=== {script.name}: skipped, needs {', '.join(missing)}: "
                f"run  .venv/bin/pip install -e '.[bench]'",
                flush=True,
            )
            skipped.append(name)
            continue
        command = [sys.executable, str(script)]
        command += ["--quick"] if args.quick else []
        command += ["--no-write"] if args.no_write else []
        if name == "viz" and not args.quick and shutil.which("chromium"):
            command += ["--browser"]  # clicks timed in a real browser when one is installed
        print(f"\n=== {script.name} {' '.join(command[2:])}", flush=True)
        start = time.perf_counter()
        code = subprocess.call(command, cwd=HERE.parent)
        print(f"=== {script.name}: exit {code} after {time.perf_counter() - start:.0f} s")
        if code != 0:
            failed.append(name)
    if skipped:
        print(f"\nskipped: {', '.join(skipped)} (pip install -e '.[bench]')")
    if failed:
        print(f"failed: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
