"""Compile (or load from numba's cache) every kernel a run uses, once, before anyone waits for it.

``make`` runs ``python -m sim.engine.warmup`` after installing, so the first real run starts at
full speed; the browser app calls :func:`warm_up` when it starts. It lives apart from
``sim.engine.jit`` (the decorator every kernel imports) so that the kernels' modules never
import the model that uses them.
"""

from __future__ import annotations

import time

from sim.engine.model import BrandModel


def warm_up_model(weeks: int = 4) -> BrandModel:
    """A small model with every rule active, run for ``weeks``: push to a target group with
    irritation and complaints, dialogue answering them with outreach, word of mouth, adoption,
    a crisis, and a category with repeat purchases and a competitor launch."""
    model = BrandModel(
        network={"kind": "communities", "n": 300, "groups": 3},
        arm={"budget": 400, "push_share": 0.6, "target_group": "g1", "outreach": "hubs"},
        push={"effective_frequency": 1.0, "irritation_threshold": 2.0, "complaint_prob": 0.5},
        crisis={"week": 2},
        market={"potential": 0.8, "purchase_rate": 0.3, "launch_week": 3},
        rng=1,
    )
    model.run_for(weeks)
    return model


def warm_up() -> float:
    """Compile (or load from the cache) every kernel a run uses; returns the seconds it took."""
    start = time.perf_counter()
    warm_up_model()
    return time.perf_counter() - start


def warm_up_threads() -> float:
    """Compile (or load) the kernels' multi-threaded copies too (sim.engine.jit), which runs
    with ``--threads`` above 1 use; returns the seconds it took (0 on a one-core machine)."""
    from sim.engine.jit import most_threads, set_threads, threads

    if most_threads() < 2:
        return 0.0
    before = threads()
    set_threads(2)
    try:
        return warm_up()
    finally:
        set_threads(before)


if __name__ == "__main__":
    print("Compiling Reclamare's weekly rules (numba; once after installing or changing them)...")
    print(f"done in {warm_up():.1f} s")
    print("... and their multi-threaded copies (for --threads):")
    print(f"done in {warm_up_threads():.1f} s")
