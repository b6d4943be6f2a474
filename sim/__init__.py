"""Reclamare: an agent-based simulator of push advertising versus dialogue on a social network.

The few names a Python user needs::

    from sim import BrandModel, load_scenario, run_scenario

    model = BrandModel(arm={"name": "push", "budget": 20, "push_share": 1.0}, rng=42)
    model.run_for(52)

    outcome = run_scenario("default", replicates=4)   # a results folder, like `run_sim.py run`

The package is in layers, and imports run one way only (docs/dev/ARCHITECTURE.md has the map):
``params`` <- ``network`` <- ``engine`` <- ``study`` <- ``outputs`` <- ``viz``, ``api`` <- ``cli``.
The names above are loaded on first use, so importing one module of a low layer (say
``sim.params``) does not load the whole package.
"""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["BrandModel", "load_scenario", "run_scenario"]


def __getattr__(name: str):
    if name == "BrandModel":
        from sim.engine.model import BrandModel

        return BrandModel
    if name == "load_scenario":
        from sim.study.scenario import load_scenario

        return load_scenario
    if name == "run_scenario":
        from sim.api import run_scenario

        return run_scenario
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
