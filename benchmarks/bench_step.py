"""The weekly step at n = 1,000,000 on the default push arm, at 1 and 2 threads (issue #24).

The default scenario's push arm (its media plan, the default market) on its
network kind (small world, mean degree 10), scaled to ``--n`` customers. One process builds
one model per thread count from the same seed and network and steps them in turn, a week each
(``sim.engine.jit.set_threads`` before each), so every thread count sees the same machine
state; the first week is not timed. Prints the median and lowest wall time per customer-week
for each thread count, checks that the models' weekly measures are identical, and writes the
"## Weekly step" section of docs/performance.md.

Usage::

    python benchmarks/bench_step.py                  # n = 1,000,000, 52 weeks, 1 and 2 threads
    python benchmarks/bench_step.py --quick          # n = 200,000, 20 weeks
    python benchmarks/bench_step.py --threads 1 2 4  # (NUMBA_NUM_THREADS must allow 4)
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import default_push_plan, machine, publish  # noqa: E402

TITLE = "## Weekly step"


def headroom(counts: list[int], repeats: int = 5) -> dict[int, float]:
    """Seconds a pure computation (no memory traffic) takes at each thread count, in turn: what
    the machine gives more threads right now (on a shared machine often nothing)."""
    import numba
    import numpy as np
    from numba import njit, prange

    import sim.engine.jit  # noqa: F401 (sets OMP_WAIT_POLICY before numba starts its threads)

    @njit(parallel=True)
    def spin(values):
        out = np.empty_like(values)
        for i in prange(values.size):
            x = values[i]
            for _ in range(100):
                x = x * 1.0000001 + 1e-9
            out[i] = x
        return out

    values = np.ones(1_000_000)
    spin(values)
    times = {threads: [] for threads in counts}
    for _ in range(repeats):
        for threads in counts:
            numba.set_num_threads(threads)
            start = time.perf_counter()
            spin(values)
            times[threads].append(time.perf_counter() - start)
    return {threads: statistics.median(t) for threads, t in times.items()}


def measure(n: int, weeks: int, counts: list[int]) -> dict:
    """Per-week wall times (s) by thread count, and whether the results were identical."""
    from sim.engine.jit import set_threads
    from sim.engine.model import BrandModel, build_network_for
    from sim.engine.warmup import warm_up
    from sim.study.scenario import load_scenario

    scenario = load_scenario("default", overrides=[("network.n", n)])
    params, arms = scenario.resolve()
    arm = next(a for a in arms if a.name == "push").model_dump()
    network = build_network_for(params, 1)
    models = {}
    for threads in counts:
        set_threads(threads)
        warm_up()  # the kernels' copy for this thread count, compiled or loaded before timing
        models[threads] = BrandModel(params, network=network, rng=1, arm=arm)
        models[threads].step()
    times = {threads: [] for threads in counts}
    loads = [os.getloadavg()[0]]
    for _ in range(weeks):
        for threads in counts:
            set_threads(threads)
            start = time.perf_counter()
            models[threads].step()
            times[threads].append(time.perf_counter() - start)
        loads.append(os.getloadavg()[0])
    frames = [models[t].weekly_frame() for t in counts]
    same = all(frames[0].equals(frame) for frame in frames[1:])
    set_threads(1)
    return {"times": times, "same": same, "loads": loads}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200,000 customers, 20 weeks")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--n", type=int, default=None, help="customers (default 1,000,000)")
    parser.add_argument("--weeks", type=int, default=None, help="timed weeks (default 52)")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args(argv)
    n = args.n or (200_000 if args.quick else 1_000_000)
    weeks = args.weeks or (20 if args.quick else 52)
    header = machine()
    before = headroom(args.threads)
    result = measure(n, weeks, args.threads)
    after = headroom(args.threads)
    loads = result["loads"]
    one = min(args.threads)
    spare = ", ".join(
        f"{t} threads {before[one] / before[t]:.2f}x before and {after[one] / after[t]:.2f}x after"
        for t in args.threads
        if t != one
    )
    rows = [
        "| threads | median ns per customer-week | lowest | median ms per week |",
        "|---|---|---|---|",
    ]
    for threads, times in result["times"].items():
        median = statistics.median(times)
        rows.append(
            f"| {threads} | {median / n * 1e9:.1f} | {min(times) / n * 1e9:.1f} "
            f"| {median * 1e3:.1f} |"
        )
    body = (
        f"Measured by `python benchmarks/bench_step.py` on: {header}; load average "
        f"{min(loads):.1f}-{max(loads):.1f} while timing.\n\n"
        f"The default scenario's push arm ({default_push_plan()}) on its small world of "
        f"{n:,} customers, {weeks} weeks timed, the thread counts stepped in turn in one "
        f"process (a week each). Results identical at every thread count: "
        f"{'yes' if result['same'] else 'NO'}. What the machine gave more threads meanwhile "
        f"(a pure computation, no memory traffic, against {one} thread): {spare}.\n\n"
        + "\n".join(rows)
    )
    publish(TITLE, body, not args.no_write)
    return 0 if result["same"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
