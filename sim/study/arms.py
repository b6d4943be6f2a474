"""Runs of several campaign arms on one network with common random numbers.

A *run* is (resolved parameters, arms, replicate seed) -> tidy weekly records. It depends on
nothing else (no files, no global state), so any executor (in-process, Dask) can run it and the
results do not depend on which one did or in what order.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.engine.model import BrandModel, build_network_for
from sim.params import ArmSpec, ModelParams, make_params


def run_seed(master_seed: int, replicate: int, point: dict | None = None) -> int:
    """Seed of one replicate (at one sweep point), derived from the master seed.

    It depends only on the master seed, the replicate number and the sweep point's values (not on
    the arm, nor on the order in which runs are made), so all arms of a replicate share it.
    Returns an integer in [0, 2**63).
    """
    point_key = json.dumps(point or {}, sort_keys=True, default=str)
    digest = int.from_bytes(hashlib.sha256(point_key.encode()).digest()[:8], "little")
    sequence = np.random.SeedSequence(master_seed, spawn_key=(replicate, digest))
    return int(sequence.generate_state(2, dtype=np.uint32).view(np.uint64)[0] >> np.uint64(1))


def run_arms(
    params: ModelParams | dict,
    arms: Sequence[ArmSpec | dict],
    seed: int,
    weeks: int,
    *,
    base_dir=None,
) -> pd.DataFrame:
    """Run every arm for ``weeks`` weeks on one shared network with the same seed.

    The network is built once from ``seed``; every arm's model uses the same seed, so the streams
    that do not depend on the arm (initial state, word of mouth, adoption, crisis) are identical
    and arm differences are paired.

    Returns a tidy DataFrame: columns ``arm, week`` and every weekly measure, one row per arm and
    week (weeks 0 .. weeks).
    """
    params = make_params(params)
    network = build_network_for(params, seed, base_dir)
    frames = []
    for arm in arms:
        arm_spec = arm if isinstance(arm, ArmSpec) else ArmSpec.model_validate(arm)
        model = BrandModel(params, network=network, rng=seed, arm=arm_spec.model_dump())
        model.run_for(weeks)
        frame = model.weekly_frame()
        frame.insert(0, "arm", arm_spec.name)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def equal_spend_arms(budget: float) -> list[ArmSpec]:
    """The standard comparison at one weekly budget: none, push, dialogue, half-and-half."""
    return [
        ArmSpec(name="none", budget=0.0, push_share=0.0),
        ArmSpec(name="push", budget=budget, push_share=1.0),
        ArmSpec(name="dialogue", budget=budget, push_share=0.0),
        ArmSpec(name="mix", budget=budget, push_share=0.5),
    ]
