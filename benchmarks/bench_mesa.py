"""The engine against the idiomatic per-agent Mesa version of the same rules, in the same run.

Both models get the same network (small world, mean degree 10), parameters and seed, and
simulate the same weeks; each is timed per customer-week (wall and CPU time, median of
repeats; model construction excluded and reported separately). The per-agent version is
``sim.engine.agentbased.AgentBrandModel``: one ``Customer`` agent per node of a Mesa ``Network``
space
with ``step``/``advance`` methods, the way Mesa's examples are written. ``tests/test_agentbased.py``
checks that the two agree in distribution. Writes the "## Against per-agent Mesa" section of
docs/performance.md.

Usage::

    python benchmarks/bench_mesa.py             # 10,000 and 100,000 customers (a few minutes)
    python benchmarks/bench_mesa.py --quick     # 1,000 and 10,000 customers
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import machine, publish  # noqa: E402

from sim.engine.agentbased import AgentBrandModel  # noqa: E402
from sim.engine.model import BrandModel, build_network_for  # noqa: E402
from sim.params import make_params  # noqa: E402

SECTION = "## Against per-agent Mesa"
# (customers, weeks, engine repeats, per-agent repeats)
FULL = ((10_000, 20, 5, 3), (100_000, 10, 5, 1))
QUICK = ((1_000, 20, 3, 1), (10_000, 10, 3, 1))


def _time_model(make, weeks: int, repeats: int) -> tuple[float, float, float]:
    """Median wall and CPU seconds of ``weeks`` steps, and median construction time."""
    walls, cpus, setups = [], [], []
    for _ in range(repeats):
        model = None
        gc.collect()  # the per-agent models leave reference cycles behind: collect them first
        start = time.perf_counter()
        model = make()
        setups.append(time.perf_counter() - start)
        wall0, cpu0 = time.perf_counter(), time.process_time()
        model.run_for(weeks)
        walls.append(time.perf_counter() - wall0)
        cpus.append(time.process_time() - cpu0)
    return statistics.median(walls), statistics.median(cpus), statistics.median(setups)


def run(quick: bool) -> dict:
    rows = []
    for n, weeks, engine_repeats, agent_repeats in QUICK if quick else FULL:
        params = make_params(network={"n": n})
        net = build_network_for(params, 1)
        engine = _time_model(
            lambda p=params, g=net: BrandModel(p, network=g, rng=1), weeks, engine_repeats
        )
        agents = _time_model(
            lambda p=params, g=net: AgentBrandModel(p, network=g, rng=1), weeks, agent_repeats
        )
        cw = n * weeks
        row = dict(
            n=n,
            weeks=weeks,
            engine=engine[0] / cw,
            engine_cpu=engine[1] / cw,
            agents=agents[0] / cw,
            agents_cpu=agents[1] / cw,
            agents_setup=agents[2],
            engine_setup=engine[2],
            repeats=(engine_repeats, agent_repeats),
        )
        rows.append(row)
        print(
            f"n={n:>7,}: engine {row['engine'] * 1e9:.0f} ns, per-agent Mesa "
            f"{row['agents'] * 1e6:.1f} µs per customer-week -> "
            f"{row['agents'] / row['engine']:.0f}x "
            f"(CPU {row['agents_cpu'] / row['engine_cpu']:.0f}x)",
            flush=True,
        )
    return dict(rows=rows, machine=machine())


def not_met(rows: list[dict]) -> str:
    """The paragraph saying by how much the 200x target is missed (from the measured rows)."""
    walls = ", ".join(f"{r['agents'] / r['engine']:.0f}x" for r in rows)
    cpus = ", ".join(f"{r['agents_cpu'] / r['engine_cpu']:.0f}x" for r in rows)
    engine = ", ".join(f"{r['engine_cpu'] * 1e9:.0f} ns" for r in rows)
    agents = ", ".join(f"{r['agents'] * 1e6:.1f} µs" for r in rows)
    need = ", ".join(f"{r['agents'] / 200 * 1e9:.0f} ns" for r in rows)
    return (
        f"Target not met: the measured speed-up is {walls} wall ({cpus} CPU), not 200x. The "
        f"per-agent version costs {agents} per customer-week (most customers do little in a "
        f"given week: unaware customers do not talk, few are reached by the brand), and the "
        f"engine {engine} of CPU per customer-week (about 40 whole-array passes plus, at "
        f"10,000 customers, roughly 0.3 ms of Python per week). 200x needs the engine at {need} "
        "per customer-week. What is left is mostly the random numbers (four float64 uniforms "
        "per customer-week for common random numbers, about 10 ns), the word-of-mouth "
        "messages (sampling a neighbour, gathering attitudes, summing per listener) and the "
        "push persuasion (a float64 power per exposed customer). Closing the gap would take "
        "fused loops in a compiled kernel (numba or Cython: a new dependency) or float32 random "
        "numbers and attitudes (changes every result and the exactness of the rule tests); "
        "neither was done. Every optimisation made keeps results bit for bit identical."
    )


def section(results: dict) -> str:
    lines = [
        f"Measured by `python benchmarks/bench_mesa.py` on: {results['machine']}.",
        "",
        "Same network (small world, mean degree 10), parameters (default arm: budget 20 per "
        "1,000 customers, half push, half dialogue) and seed, same weeks, timed in the same "
        "process one after the other; medians of the repeats shown. Model construction is "
        "excluded (shown separately). Target: at least 200x per customer-week.",
        "",
        "| customers | weeks | repeats (engine, per-agent) | engine | per-agent Mesa "
        "| speed-up (wall) | speed-up (CPU) | construction (engine, per-agent) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results["rows"]:
        lines.append(
            f"| {r['n']:,} | {r['weeks']} | {r['repeats'][0]}, {r['repeats'][1]} "
            f"| {r['engine'] * 1e9:.0f} ns | {r['agents'] * 1e6:.1f} µs "
            f"| {r['agents'] / r['engine']:.0f}x | {r['agents_cpu'] / r['engine_cpu']:.0f}x "
            f"| {r['engine_setup']:.2f} s, {r['agents_setup']:.1f} s |"
        )
    best = max(r["agents"] / r["engine"] for r in results["rows"])
    if best < 200:
        lines += ["", not_met(results["rows"])]
    lines += [
        "",
        "The per-agent version is [`sim/engine/agentbased.py`](../sim/engine/agentbased.py): one "
        "`Customer` "
        "agent per node of a Mesa `Network` space, with `step()` (word of mouth: maybe talk) "
        "and `advance()` (weigh what was heard, maybe buy, use the product) methods, and push "
        "and dialogue as brand-level campaign methods of the model, as in Mesa's "
        "`virus_on_network` example. It is also the readable statement of the weekly rules one "
        "customer at a time, for teaching. It is written plainly but not wastefully (no "
        "deliberate slowness: neighbours come from Mesa's cached cell neighbourhoods, random "
        "numbers from `self.random`). `tests/test_agentbased.py` runs 40 replicates of both on "
        "small networks in four scenarios and checks that replicate means of ten weekly "
        "measures agree within 4.5 standard errors, so the comparison is between the same model.",
        "",
        "Where the difference comes from: a per-agent week costs several microseconds per "
        "customer of Python attribute lookups, method calls and one-at-a-time random draws; the "
        "engine's week is one compiled loop per rule over arrays (numba, sim/engine/jit.py), a few "
        "nanoseconds per customer, plus a fixed 60-80 microseconds of Python a week, which is "
        "why the ratio is smaller at 10,000 customers. The engine was made compiled for this "
        'target; docs/NOTES.md, "Compiled weekly rules", has the steps and the measurements '
        "(numpy only: 58x and 167x).",
        "",
        "Is the per-agent version idiomatic? It follows Mesa's `virus_on_network` example "
        "closely: agents on a `Network` space, `shuffle_do` and `do` for staged activation, "
        "parameters read through the model, model-level reporters only (no per-agent "
        "reporters, which several Mesa examples collect every step and which would make it "
        "slower). It skips no work the rules require; it does no work they do not (unaware "
        "customers return at once from `talk`). So the comparison is not rigged in either "
        "direction.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 and 10,000 customers")
    parser.add_argument("--no-write", action="store_true", help="do not update the doc")
    args = parser.parse_args(argv)
    publish(SECTION, section(run(args.quick)), write=not args.no_write)


if __name__ == "__main__":
    main()
