"""A national market end to end (issue #24, item 3): 5.5 million customers, one arm, 52 weeks.

Runs ``run_sim.py run benchmarks/national.toml --no-figures`` (network built, every measure of
every week recorded, timeseries and summaries written) in a fresh process for each thread
count, in turn, and reports its wall time, processor time and peak resident memory (the
child's ``ru_maxrss`` from ``wait4``), and whether timeseries.csv is the same at every thread
count. Writes the "## National market" section of docs/performance.md.

Usage::

    python benchmarks/bench_national.py                # threads 1 and 2, once each
    python benchmarks/bench_national.py --repeats 3    # medians of three
    python benchmarks/bench_national.py --quick        # 550,000 customers (a tenth)
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, machine, publish  # noqa: E402

TITLE = "## National market"
SCENARIO = ROOT / "benchmarks" / "national.toml"


def run_once(threads: int, out: Path, customers: int | None) -> dict:
    command = [sys.executable, str(ROOT / "run_sim.py"), "run", str(SCENARIO)]
    command += ["--threads", str(threads), "--no-figures", "--quiet", "--out", str(out)]
    if customers:
        command += ["--set", f"network.n={customers}"]
    env = {**os.environ, "NUMBA_NUM_THREADS": str(max(threads, os.cpu_count() or 1))}
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode})")
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "peak": usage.ru_maxrss * 1024,
        "table": (out / "timeseries.csv").read_bytes(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the customers")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args(argv)
    customers = 550_000 if args.quick else None
    header = machine()
    runs: dict[int, list[dict]] = {t: [] for t in args.threads}
    loads = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory() as folder:
        for repeat in range(args.repeats):
            for threads in args.threads:
                out = Path(folder) / f"t{threads}-{repeat}"
                runs[threads].append(run_once(threads, out, customers))
                loads.append(os.getloadavg()[0])
    tables = {run["table"] for results in runs.values() for run in results}
    rows = [
        "| threads | wall time (s) | processor time (s) | peak memory (GB) |",
        "|---|---|---|---|",
    ]
    for threads, results in runs.items():
        wall = statistics.median(r["wall"] for r in results)
        cpu = statistics.median(r["cpu"] for r in results)
        peak = max(r["peak"] for r in results)
        rows.append(f"| {threads} | {wall:.1f} | {cpu:.1f} | {peak / 1e9:.2f} |")
    n = customers or 5_500_000
    body = (
        f"Measured by `python benchmarks/bench_national.py` on: {header}; load average "
        f"{min(loads):.1f}-{max(loads):.1f} during the runs.\n\n"
        f"`run_sim.py run benchmarks/national.toml --no-figures` end to end ({n:,} customers "
        f"on the default small world, the default push arm, 52 weeks: network, every measure "
        f"of every week, timeseries.csv and summaries written), a fresh process per run, "
        f"median of {args.repeats}; peak memory is the process's largest resident set. "
        f"timeseries.csv identical at every thread count: "
        f"{'yes' if len(tables) == 1 else 'NO'}.\n\n" + "\n".join(rows)
    )
    publish(TITLE, body, not args.no_write)
    return 0 if len(tables) == 1 else 1


if __name__ == "__main__":
    raise SystemExit(main())
