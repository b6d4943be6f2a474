"""Time Reclamare's network generators against networkx and record the results.

Times ``build_network`` for each generator at n = 10**4, 10**5 and 10**6 customers (mean degree
10, median of 3 repeats), and networkx's pure-Python ``watts_strogatz_graph``,
``barabasi_albert_graph`` and ``fast_gnp_random_graph`` (one repeat) for comparison. Prints a
markdown table and writes the "## Network generation" section of docs/performance.md (other
sections of that file are left alone).

Usage::

    python benchmarks/bench_network.py            # full run (networkx at 1e6 takes minutes)
    python benchmarks/bench_network.py --quick    # networkx only at n = 10**5
    python benchmarks/bench_network.py --no-write # print only
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import platform
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import networkx as nx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from common import DOC, cpu_model, write_section  # noqa: E402

from sim.network import build_network  # noqa: E402
from sim.params import NetworkSpec  # noqa: E402

SECTION = "## Network generation"
KINDS = ("ring", "small_world", "random", "scale_free", "clustered_scale_free", "communities")
SIZES = (10_000, 100_000, 1_000_000)
MEAN_DEGREE = 10


def _time(fn, repeats: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        result = None
        gc.collect()
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def _peak_mb(fn) -> float:
    """Peak memory traced during ``fn()`` (numpy reports its buffers to tracemalloc), in MB."""
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 1e6


def run(quick: bool, repeats: int) -> dict:
    ours: dict[str, dict] = {}
    for kind in KINDS:
        ours[kind] = {}
        for n in SIZES:
            spec = NetworkSpec(kind=kind, n=n, mean_degree=MEAN_DEGREE)
            seconds, net = _time(lambda spec=spec: build_network(spec, 1), repeats)
            ours[kind][n] = seconds
            print(f"  {kind:22s} n={n:>9,d}: {seconds:7.3f} s  mean degree {net.mean_degree:.3f}")
            ours[kind]["mean_degree"] = net.mean_degree
            del net
        spec = NetworkSpec(kind=kind, n=SIZES[-1], mean_degree=MEAN_DEGREE)
        ours[kind]["peak_mb"] = _peak_mb(lambda spec=spec: build_network(spec, 1))
    half = MEAN_DEGREE // 2
    nx_fns = {
        "small_world": lambda n: nx.watts_strogatz_graph(n, MEAN_DEGREE, 0.1, seed=1),
        "scale_free": lambda n: nx.barabasi_albert_graph(n, half, seed=1),
        "random": lambda n: nx.fast_gnp_random_graph(n, MEAN_DEGREE / (n - 1), seed=1),
    }
    nx_names = {
        "small_world": "watts_strogatz_graph",
        "scale_free": "barabasi_albert_graph",
        "random": "fast_gnp_random_graph",
    }
    theirs: dict[str, dict] = {}
    nx_sizes = (100_000,) if quick else (100_000, 1_000_000)
    for kind, fn in nx_fns.items():
        theirs[kind] = {"name": nx_names[kind]}
        for n in nx_sizes:
            seconds, graph = _time(lambda fn=fn, n=n: fn(n), 1)
            del graph
            theirs[kind][n] = seconds
            print(f"  networkx {nx_names[kind]:22s} n={n:>9,d}: {seconds:7.2f} s")
    return {"ours": ours, "networkx": theirs, "nx_sizes": nx_sizes, "repeats": repeats}


def _load() -> float:
    try:
        return os.getloadavg()[0]
    except OSError:
        return float("nan")


def markdown(results: dict) -> str:
    ours, theirs, nx_sizes = results["ours"], results["networkx"], results["nx_sizes"]
    big = SIZES[-1]
    head = " | ".join(f"n = {n:,}" for n in SIZES)
    lines = [
        f"| generator | {head} | mean degree at {big:,} | peak memory at {big:,} | "
        f"networkx at {big:,} |",
        "|---" * (len(SIZES) + 4) + "|",
    ]
    for kind in KINDS:
        row = ours[kind]
        cells = " | ".join(f"{row[n]:.3f} s" for n in SIZES)
        if kind in theirs:
            nx_cell = (
                f"{theirs[kind][big]:.1f} s ({theirs[kind]['name']})"
                if big in nx_sizes
                else f"not run (--quick); {theirs[kind][100_000]:.1f} s at 100,000"
            )
        else:
            nx_cell = "-"
        lines.append(
            f"| {kind} | {cells} | {row['mean_degree']:.3f} | {row['peak_mb']:.0f} MB | {nx_cell} |"
        )
    return "\n".join(lines)


def section(results: dict) -> str:
    table = markdown(results)
    machine = (
        f"{os.cpu_count()} cores (`nproc`), {cpu_model()}; Python {platform.python_version()}, "
        f"numpy {np.__version__}, networkx {nx.__version__}; {dt.date.today().isoformat()}; "
        f"load average {results['load']:.1f} at the start (other jobs share the cores, so "
        "timings vary by about +-30 %)"
    )
    return f"""Measured by `python benchmarks/bench_network.py` on: {machine}.

Wall-clock time of `build_network` (mean degree {MEAN_DEGREE}, median of {results["repeats"]}
repeats; includes the symmetric CSR, random groups and all bookkeeping), peak memory traced
while building the largest network, and networkx's pure-Python generator for the same model
(one repeat, only building the `nx.Graph`).

{table}

**Approach.** Every generator is vectorised numpy; there is no Python loop over customers or ties,
and no compiled code (numba compiles the weekly rules only, not the generators). Ties are sampled
in bulk, then one module (`sim/network/csr.py`) turns tie arrays into the symmetric CSR: self-loops
are dropped, ties are deduplicated by sorting the int64 keys `max * n + min` (numpy's timsort is
quick on these nearly sorted keys for lattices and preferential attachment), and each row is filled
with its lower neighbours in that order, then its upper neighbours in `min * n + max` order (one
more sort), so rows come out sorted without a merge. Sorting 5 million int64 keys twice is most of
the time at n = 1,000,000.

- `random` (G(n, m)): pairs drawn in bulk, deduplicated, topped up until exactly m distinct.
- `small_world`: ring lattice, each tie's far end moved with probability `rewire`; rewired ties
  landing on an existing tie are dropped (mean degree a hair below k).
- `scale_free` / `clustered_scale_free`: Batagelj-Brandes edge-list sampling (pick a uniform tie
  end = linear preferential attachment), resolved for all customers at once by pointer-chasing
  rounds (about log2 of the number of ties). Holme-Kim triad steps take the other end of the tie
  through which the preferential step found its target, i.e. a uniformly random neighbour of it.
  Unlike networkx an arrival may draw the same target twice; those duplicates are dropped (about
  1 % of ties at n = 2,000, negligible at 10**5 and above; Holme-Kim triad steps that hit an
  existing tie are dropped too, about 2 % of ties).
- `communities`: within- and between-group ties sampled like G(n, m): a uniform customer, then
  a uniform other customer of its own group (or of another group), topped up until distinct.

Memory: indices stay int32, so the final network of a million customers with mean degree 10
takes about 50 MB; the peak while building it is 250-350 MB (a handful of int64 arrays of 5-10
million tie ends alive at once), far below networkx, whose Python objects need several GB for
the same graph.

Files: edge lists are parsed by a plain Python loop (about 2.5-3 s per million lines with
labels and weights). Groups of file networks without a group attribute are detected with
networkx's Louvain, which is pure Python (about 10 s for 100,000 ties, minutes for a million),
so it is only run up to 200,000 customers and 200,000 ties; bigger networks get one group.
"""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip networkx at n = 10**6")
    parser.add_argument("--no-write", action="store_true", help="do not update the doc")
    parser.add_argument("--repeats", type=int, default=3, help="repeats per generator (median)")
    args = parser.parse_args(argv)
    load = _load()
    results = run(args.quick, args.repeats)
    results["load"] = load
    print()
    print(markdown(results))
    if not args.no_write:
        write_section(SECTION, section(results))
        print(f"\nwrote the '{SECTION}' section of {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
