"""The engine's word-of-mouth and attitude steps against NDlib on the same graph.

NDlib (the Network Diffusion Library, ``pip install ndlib``; ``pip install -e .[bench]``) is
what one would reach for to simulate diffusion and opinion dynamics on a network. Two of its
models are close to two of our steps:

- Independent Cascades (each newly active node gets one chance to activate each neighbour,
  edge threshold 0.1) against our word of mouth with attitudes off (aware customers tell a
  random neighbour, who becomes aware: the Bass limit);
- AlgorithmicBias with gamma = 0 (bounded-confidence pairs, Deffuant-Weisbuch: n random
  interactions per iteration, epsilon 0.3 on [0, 1]) against our word of mouth with attitudes
  on (talk, bounded-confidence pull of every listener), everyone aware.

Both run on the same graph (our small world, mean degree 10, handed to NDlib as a networkx
graph); each is timed per customer-step (one iteration or week divided by the number of
customers), median over iterations, setup excluded. Writes the "## Against NDlib" section of
docs/performance.md.

Usage::

    python benchmarks/bench_ndlib.py            # 10,000 and 100,000 customers
    python benchmarks/bench_ndlib.py --quick    # 1,000 and 10,000 customers
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import numpy as np  # noqa: E402
from common import machine, publish  # noqa: E402

from sim.engine.model import BrandModel, build_network_for  # noqa: E402
from sim.network.convert import to_networkx  # noqa: E402
from sim.params import make_params  # noqa: E402

SECTION = "## Against NDlib"
FULL = ((10_000, 10, 3), (100_000, 6, 2))  # customers, our weeks, NDlib iterations
QUICK = ((1_000, 10, 3), (10_000, 6, 2))


def _ours(n: int, weeks: int, attitudes: bool) -> float:
    """Median seconds of one word-of-mouth step (sim.engine.rules.wom.run_wom) per customer."""
    import sim.engine.model as model_module

    params = make_params(
        network={"n": n},
        arm={"budget": 0.0},
        population={"initial_awareness": 1.0 if attitudes else 0.01, "attitude_spread": 1.0},
        attitudes=attitudes,
    )
    net = build_network_for(params, 1)
    model = BrandModel(params, network=net, rng=1, collect=False)
    times = []
    original = model_module.run_wom

    def timed(*args, **kwargs):
        start = time.perf_counter()
        out = original(*args, **kwargs)
        times.append(time.perf_counter() - start)
        return out

    model_module.run_wom = timed
    try:
        model.run_for(weeks)
    finally:
        model_module.run_wom = original
    return statistics.median(times) / n


def _ndlib_opinions():
    """NDlib's AlgorithmicBiasModel without its package ``__init__``, which imports
    scikit-learn (for another model) though NDlib does not declare it."""
    import importlib
    import importlib.util
    import types

    import ndlib.models

    name = "ndlib.models.opinions"
    if name not in sys.modules:
        spec = importlib.util.find_spec(name)
        package = types.ModuleType(name)
        package.__path__ = list(spec.submodule_search_locations)
        sys.modules[name] = package
        ndlib.models.opinions = package
    module = importlib.import_module(f"{name}.AlgorithmicBiasModel")
    return types.SimpleNamespace(AlgorithmicBiasModel=module.AlgorithmicBiasModel)


def _ndlib(n: int, iterations: int, which: str) -> float:
    """Median seconds of one NDlib iteration per customer (iteration 0 is setup, skipped)."""
    import ndlib.models.epidemics as ep
    import ndlib.models.ModelConfig as mc

    op = _ndlib_opinions()

    graph = to_networkx(build_network_for(make_params(network={"n": n}), 1))
    np.random.seed(1)  # noqa: NPY002 - NDlib draws from the legacy global generator
    config = mc.Configuration()
    if which == "ic":
        model = ep.IndependentCascadesModel(graph, seed=1)
        config.add_model_parameter("fraction_infected", 0.01)
        for edge in graph.edges():
            config.add_edge_configuration("threshold", edge, 0.1)
    else:
        model = op.AlgorithmicBiasModel(graph, seed=1)
        config.add_model_parameter("epsilon", 0.3)
        config.add_model_parameter("gamma", 0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.set_initial_status(config)
        model.iteration()  # iteration 0 only reports the initial state
        times = []
        for _ in range(iterations):
            start = time.perf_counter()
            model.iteration()
            times.append(time.perf_counter() - start)
    return statistics.median(times) / n


def run(quick: bool) -> dict:
    rows = []
    for n, weeks, iterations in QUICK if quick else FULL:
        row = dict(
            n=n,
            wom=_ours(n, weeks, attitudes=False),
            attitude=_ours(n, weeks, attitudes=True),
            ic=_ndlib(n, iterations, "ic"),
            bias=_ndlib(n, iterations, "bias"),
            iterations=iterations,
            weeks=weeks,
        )
        rows.append(row)
        print(
            f"n={n:>7,}: IC {row['ic'] * 1e9:,.0f} ns vs our WOM {row['wom'] * 1e9:,.0f} ns "
            f"({row['ic'] / row['wom']:.0f}x); AlgorithmicBias {row['bias'] * 1e9:,.0f} ns vs "
            f"our attitude step {row['attitude'] * 1e9:,.0f} ns "
            f"({row['bias'] / row['attitude']:.0f}x)",
            flush=True,
        )
    import ndlib

    return dict(rows=rows, machine=machine(), ndlib=getattr(ndlib, "__version__", "6"))


def section(results: dict) -> str:
    lines = [
        f"Measured by `python benchmarks/bench_ndlib.py` on: {results['machine']}; NDlib "
        f"{results['ndlib']}.",
        "",
        "Per customer-step (one NDlib iteration or one of our weekly steps, divided by the "
        "number of customers); medians over the iterations / weeks shown; the same small-world "
        "graph (mean degree 10) for both. Target: at least 20x.",
        "",
        "| customers | NDlib Independent Cascades | our word of mouth (awareness) | speed-up "
        "| NDlib AlgorithmicBias (gamma 0) | our word of mouth with attitudes | speed-up |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results["rows"]:
        lines.append(
            f"| {r['n']:,} | {r['ic'] * 1e9:,.0f} ns | {r['wom'] * 1e9:,.0f} ns "
            f"| {r['ic'] / r['wom']:.0f}x | {r['bias'] * 1e9:,.0f} ns "
            f"| {r['attitude'] * 1e9:,.0f} ns | {r['bias'] / r['attitude']:.0f}x |"
        )
    lines += [
        "",
        "The steps are close but not identical: Independent Cascades gives each newly active "
        "node one chance per tie, our word of mouth lets every aware customer talk every week "
        "with a probability and reach one random neighbour (the Bass limit); AlgorithmicBias "
        "makes n random pairs average their opinions when within epsilon, our step lets every "
        "talker pull one neighbour with peer credibility (with a random number for every "
        "customer who could talk, for common random numbers). Both do comparable work per "
        "customer and step. NDlib loops over nodes in Python (dictionaries of node states, one "
        "NumPy call per interaction for AlgorithmicBias); ours are compiled loops over arrays "
        "(numba). NDlib's "
        "Independent Cascades also needs one edge-configuration entry per tie "
        "(`add_edge_configuration`), set up before timing.",
        "",
        "Network generation against networkx (for 1,000,000 customers) is in the "
        '"Network generation" section above.',
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 and 10,000 customers")
    parser.add_argument("--no-write", action="store_true", help="do not update the doc")
    args = parser.parse_args(argv)
    try:
        import ndlib  # noqa: F401
    except ImportError:
        print("bench_ndlib: NDlib is not installed; run: .venv/bin/pip install -e '.[bench]'")
        sys.exit(3)
    publish(SECTION, section(run(args.quick)), write=not args.no_write)


if __name__ == "__main__":
    main()
