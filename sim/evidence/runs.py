"""Carry out the evidence runs on the study machinery (in this process, or on Dask).

Every run of the validation is a ``sim.study.runner.RunTask`` (resolved parameters, arms, a
replicate seed from ``run_seed``), so ``--workers N`` / ``--scheduler`` spread them over Dask
exactly as for a study, and the results do not depend on where or in what order they ran.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable

import pandas as pd

from sim.params import ModelParams
from sim.study.arms import run_seed
from sim.study.runner import InProcessExecutor, RunTask


def task(
    key: str,
    params: ModelParams,
    arms: list,
    master_seed: int,
    replicate: int,
    weeks: int,
    point: dict | None = None,
) -> RunTask:
    """A run task: ``arms`` (ArmSpec or dicts) on ``params`` with the replicate's seed.

    The seed depends on ``master_seed``, ``replicate`` and ``point`` only (``run_seed``); give
    runs that should share random numbers (common random numbers) the same three.
    """
    return RunTask(
        key=key,
        params=params.model_dump(mode="json"),
        arms=[a if isinstance(a, dict) else a.model_dump(mode="json") for a in arms],
        seed=run_seed(master_seed, replicate, point),
        weeks=weeks,
        replicate=replicate,
    )


def run_all(
    tasks: Iterable[RunTask], executor=None, label: str = "runs", quiet: bool = True
) -> dict[str, pd.DataFrame]:
    """Run ``tasks`` on ``executor`` (default: in this process); ``{key: weekly records}``."""
    tasks = list(tasks)
    executor = executor or InProcessExecutor()
    bar = None
    if not quiet:
        from tqdm import tqdm

        bar = tqdm(total=len(tasks), desc=label, unit="run", file=sys.stderr, disable=None)
    out = {}
    for done, frame in executor.map_unordered(tasks):
        out[done.key] = frame
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    return out
