"""Independent run tasks and the executors that carry them out.

A ``RunTask`` holds everything one run needs (resolved parameters as plain data, the arms, the
replicate seed, weeks); ``run_task`` turns it into tidy records. Executors only decide *where*
tasks run: results never depend on the executor, the worker count or the completion order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import pandas as pd

from sim.study.arms import run_arms


@dataclass(frozen=True)
class RunTask:
    """One replicate (at one sweep point) of every arm.

    Attributes
    ----------
    key : str
        Stable identity, unique within a study, safe as a file name (e.g. ``"p003-r0007"``).
    params : dict
        Fully resolved ``ModelParams`` as plain data (``model_dump(mode="json")``).
    arms : list of dict
        ``ArmSpec`` of each arm as plain data.
    seed : int
        Replicate seed (``sim.study.arms.run_seed``).
    weeks : int
        Weeks to simulate.
    replicate : int
    point : dict
        Sweep point (dotted parameter path -> value); empty when not a sweep.
    base_dir : str or None
        Folder that relative network file paths are resolved against.
    """

    key: str
    params: dict
    arms: list
    seed: int
    weeks: int
    replicate: int = 0
    point: dict = field(default_factory=dict)
    base_dir: str | None = None


def run_task(task: RunTask) -> pd.DataFrame:
    """Run one task: tidy records with columns ``point_*``, ``arm, replicate, week`` + measures."""
    frame = run_arms(task.params, task.arms, task.seed, task.weeks, base_dir=task.base_dir)
    frame.insert(1, "replicate", task.replicate)
    for i, (path, value) in enumerate(sorted(task.point.items())):
        frame.insert(i, path, value)
    return frame


class InProcessExecutor:
    """Runs tasks one after another in this process (the default)."""

    def map_unordered(
        self, tasks: Iterable[RunTask], fn: Callable[[RunTask], pd.DataFrame] = run_task
    ) -> Iterator[tuple[RunTask, pd.DataFrame]]:
        """Yield ``(task, records)`` as each task finishes."""
        for task in tasks:
            yield task, fn(task)

    def close(self) -> None:
        pass
