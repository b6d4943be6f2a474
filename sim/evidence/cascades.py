"""The shape of story cascades: most tiny, a rare one large (Goel, Anderson, Hofman & Watts 2016).

``python -m sim.evidence.cascades`` runs the default scenario's arms (5,000 customers, 52 weeks,
a few replicates), pools every story cascade by arm and draws the share of cascades of at
least each size on log-log axes (the complementary cumulative distribution) into
docs/figures/validation/cascades.png, printing the summary (how many, the share that never
spread, the share of size 10 or more, the largest). The test suite checks the same pattern
(tests/test_cascades.py).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from sim.engine.model import BrandModel, build_network_for
from sim.engine.rules.stories import cascade_summary
from sim.study.arms import run_seed
from sim.study.scenario import load_scenario

FIGURE = Path(__file__).resolve().parents[2] / "docs" / "figures" / "validation" / "cascades.png"


def cascade_sizes(
    scenario: str = "default", n: int = 5000, replicates: int = 3, weeks: int = 52
) -> dict[str, np.ndarray]:
    """Every cascade's size (customers), pooled over replicates, by arm of ``scenario``."""
    loaded = load_scenario(scenario, [("network.n", n)], preflight=False)
    params, arms = loaded.resolve()
    sizes: dict[str, list[np.ndarray]] = {arm.name: [] for arm in arms}
    for replicate in range(replicates):
        seed = run_seed(loaded.seed, replicate)
        network = build_network_for(params, seed)
        for arm in arms:
            model = BrandModel(
                params.model_copy(update={"arm": arm}), network=network, rng=seed, collect=False
            )
            model.run_for(weeks)
            sizes[arm.name].append(model.cascades.current().copy())
    return {name: np.concatenate(parts) for name, parts in sizes.items()}


def draw(sizes: dict[str, np.ndarray], path: Path = FIGURE) -> Path:
    """Log-log complementary cumulative distribution of cascade sizes, one line per arm."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.2), dpi=120)
    for name, values in sizes.items():
        if values.size == 0:
            continue
        ordered = np.sort(values)
        at_least = 1.0 - np.arange(ordered.size) / ordered.size
        ax.step(ordered, at_least, where="post", label=f"{name} ({values.size} stories)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("cascade size (customers who started or took up the story)")
    ax.set_ylabel("share of cascades at least this large")
    ax.set_title("Story cascades: most stop at their start, a rare one grows large")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000, help="customers (default 5000)")
    parser.add_argument("--replicates", type=int, default=3, help="replicates (default 3)")
    parser.add_argument("--out", type=Path, default=FIGURE, help="figure path")
    args = parser.parse_args(argv)
    sizes = cascade_sizes(n=args.n, replicates=args.replicates)
    for name, values in sizes.items():
        print(name, cascade_summary(values))
    print("wrote", draw(sizes, args.out))


if __name__ == "__main__":
    main()
