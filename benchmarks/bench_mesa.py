"""The engine against the idiomatic per-agent Mesa version of the same rules, in the same run.

Both models get the same network (small world, mean degree 10), parameters and seed, and
simulate the same weeks; each is timed per customer-week (wall and CPU time, median of
repeats; model construction excluded and reported separately). The per-agent version is
``sim.engine.agentbased.AgentBrandModel``: one ``Customer`` agent per node of a Mesa ``Network``
space
with ``talk``/``advance`` methods, the way Mesa's examples are written. ``tests/test_agentbased.py``
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
        f"per-agent version costs {agents} per customer-week and the engine {engine} of CPU; "
        f"200x needs the engine at {need} per customer-week. Two things moved since the 300x "
        "and 498x measured before #11 (on another machine): the per-agent baseline lost its "
        "slow spots (about half the CPU per customer-week of the version before #11, see "
        "below), and the engine's week does more (media "
        "audiences, per-customer tolerance, forgetting, spread measures): on this machine the "
        "engine before #11 took 39-41 ns of CPU per customer-week at 100,000 customers, now "
        "50-55 (docs/NOTES.md, session 3; the media-weighted choice of each impression's "
        "customer reads a packed alias table at random, one cache line per impression). Both "
        "are honest: the ratio is what it is against an idiomatic per-agent version of the "
        "same rules."
    )


def section(results: dict) -> str:
    lines = [
        f"Measured by `python benchmarks/bench_mesa.py` on: {results['machine']}.",
        "",
        "Same network (small world, mean degree 10), parameters (the defaults: budget 20 per "
        "1,000 customers, half push, half dialogue; heterogeneous customers, media audience, "
        "forgetting) and seed, same weeks, timed in the same process one after the other; "
        "medians of the repeats shown. Model construction is excluded (shown separately). "
        "Target: at least 200x per customer-week.",
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
        "`Customer` agent per node of a Mesa `Network` space, with methods for a week of ads, a "
        "conversation, talking, and the second half of the week (`advance()`: weigh what was "
        "heard, maybe buy, use the product, remember or forget), and push and dialogue as "
        "brand-level campaign methods of the model, as in Mesa's `virus_on_network` example. It "
        "is also the readable statement of the weekly rules one customer at a time, for "
        "teaching. `tests/test_agentbased.py` runs 60 replicates of both on small networks in "
        "eight scenarios (heterogeneity, targeted push with reactance, dialogue with a crisis "
        "and learning, fast forgetting, the Bass limit, repeat purchases with a competitor "
        "launch, public complaints answered with service recovery, stories in cascades) and "
        "checks that replicate means of 37 weekly measures agree within 4.5 standard errors, "
        "so the comparison is between the same model.",
        "",
        "It is written to be fast in plain Python (issue #11 found an independent per-agent "
        "version, written from docs/model.md alone, about 2x faster than the previous one, and "
        "named its slow spots): each customer keeps a list of its neighbours (Mesa's "
        "`cell.neighborhood.select_random_agent()` rebuilds the neighbourhood's agent list on "
        "every call, about 2.4 µs); customers act in a fixed order (`AgentSet.do`, and a plain "
        "loop over the customers aware at the start of the week for talk), since talk is "
        "buffered and order does not matter; a week's impressions are drawn in one "
        "`random.choices` call over cumulative media weights; k exposures act through the "
        "closed form `m - (m - a)(1 - c mu)^k`; parameters and the numbers derived from them "
        "(decays, strengths, log-odds, forgetting probability) are plain attributes computed "
        "once. Measured side by side (2026-12-01, this machine, load about 5): 5.6 and 5.2 µs "
        "of CPU per customer-week at 10,000 and 100,000 customers, against 11.3 and 12.1 µs for "
        "the version before #11 (which had simpler rules); the engine before #11 took 68 and "
        "38 ns there, so the ratio was then 166x and 318x in those conditions.",
        "",
        "Where the difference comes from: a per-agent week costs microseconds per customer of "
        "Python attribute lookups, method calls and one-at-a-time random draws; the engine's week "
        "is one compiled loop per rule over arrays (numba, sim/engine/jit.py), nanoseconds per "
        "customer, plus a fixed cost of Python a week, which is why the ratio is smaller at "
        "10,000 customers.",
        "",
        "Is the per-agent version idiomatic? It follows Mesa's `virus_on_network` example: "
        "agents on a `Network` space, `do` for the second half of the week, model-level "
        "reporters only (no per-agent reporters, which several Mesa examples collect every step "
        "and which would make it slower). It skips no work the rules require; it does no work "
        "they do not (only customers aware at the start of the week are asked to talk, and only "
        "the media audience has ad pressure). So the comparison is not rigged in either "
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
