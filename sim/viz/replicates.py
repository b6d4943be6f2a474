"""'Run 20 times' in the app: replicates of the current settings, their bands and differences.

Replicate ``r`` uses seed ``run_seed(master_seed, r)``, exactly as ``python run_sim.py run`` does,
so replicate 0 is the run the page shows, and both arms of a replicate share their seed (common
random numbers): the difference B - A of one replicate is caused by the campaign. Intervals are
95 % Student t intervals over replicates (``sim.study.stats``): of each arm's mean per week
(the bands on the charts) and of the paired difference B - A per week (the scoreboard's verdict).

The same holder carries the runs over plausible markets (``sim/viz/markets.py``: one run of A
and B in each of 20 markets of the calibrated set, ``markets`` set): then the scoreboard reads
:meth:`Replicates.lead_share`, the share of markets in which A is ahead of B.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from sim.study.arms import run_arms, run_seed
from sim.study.stats import Interval, band, paired_diff_ci, share_ci
from sim.viz.controls import REPLICATES, RunPlan


@dataclass(eq=False)  # a run of the replicates is itself: compared by identity (sim/viz/sink.py)
class Replicates:
    """Weekly values of every measure: ``values[arm][measure]`` is a (replicates x weeks+1) array.

    ``key`` identifies the settings they were run for (the page shows them only while the
    settings are unchanged). ``markets``: the number of plausible markets the rows are (one run
    each, ``sim/viz/markets.py``); 0 when the rows are replicates (seeds) of the page's market.
    """

    key: object
    arm_names: list[str]
    values: list[dict[str, np.ndarray]]
    weeks: int
    seconds: float = 0.0
    markets: int = 0
    _bands: dict = field(default_factory=dict, repr=False)

    @property
    def n(self) -> int:
        first = next(iter(self.values[0].values()))
        return int(first.shape[0])

    def bands(self, measures: list[str] | tuple[str, ...]) -> dict[int, dict[str, tuple]]:
        """``bands[arm][measure] = (low, high)``: 95 % interval of the mean, week by week."""
        out: dict[int, dict[str, tuple]] = {}
        for a, arm_values in enumerate(self.values):
            for m in measures:
                if m not in arm_values:
                    continue
                cache_key = (a, m)
                if cache_key not in self._bands:
                    _mean, low, high = band(arm_values[m])
                    self._bands[cache_key] = (low, high)
                out.setdefault(a, {})[m] = self._bands[cache_key]
        return out

    def difference(self, measure: str, week: int) -> Interval | None:
        """Paired 95 % interval of B - A at ``week`` (None with one arm or beyond the run)."""
        if len(self.values) < 2 or not 0 <= week <= self.weeks or measure not in self.values[0]:
            return None
        a = self.values[0][measure][:, week]
        b = self.values[1][measure][:, week]
        return paired_diff_ci(b, a)

    def lead_share(self, measure: str, week: int, higher_better: bool | None) -> Interval | None:
        """Share of the rows (markets) in which A is ahead of B at ``week``, ties counted half,
        with its Wilson 95 % interval (``sim.study.stats.share_ci``, as ``run --plausible``);
        "ahead" is lower where lower is better. None with one arm, beyond the run, or for a
        measure without a direction."""
        if (
            len(self.values) < 2
            or higher_better is None
            or not 0 <= week <= self.weeks
            or measure not in self.values[0]
        ):
            return None
        diff = self.values[0][measure][:, week] - self.values[1][measure][:, week]
        diff = diff[np.isfinite(diff)]
        ahead = (diff > 0) if higher_better else (diff < 0)
        return share_ci(float(ahead.sum() + 0.5 * (diff == 0).sum()), int(diff.size))

    def level(self, arm: int, measure: str, week: int) -> Interval | None:
        """95 % interval of one arm's mean at ``week``."""
        from sim.study.stats import mean_ci

        if not 0 <= week <= self.weeks or measure not in self.values[arm]:
            return None
        return mean_ci(self.values[arm][measure][:, week])


def verdict(interval: Interval | None, higher_better: bool | None) -> str:
    """``"B"``, ``"A"`` or ``"tie"`` from the B - A interval; ``""`` when unknown or when
    neither direction is better (the measure is only described)."""
    if interval is None or higher_better is None or not np.isfinite(interval.low):
        return ""
    if not interval.excludes_zero():
        return "tie"
    b_higher = interval.low > 0
    return "B" if b_higher == higher_better else "A"


def run_replicates(
    plan: RunPlan,
    key: object,
    replicates: int = REPLICATES,
    weeks: int | None = None,
    progress: Callable[[int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Replicates | None:
    """Run ``replicates`` replicates of the plan's arms for ``weeks`` (the scenario's weeks).

    Returns None when ``cancelled()`` turns true between replicates.
    """
    import time

    start = time.perf_counter()
    weeks = int(weeks if weeks is not None else plan.weeks)
    specs = [plan.arm_a] + ([plan.arm_b] if plan.arm_b is not None else [])
    names = [s.name for s in specs]
    params = plan.params.model_dump(mode="json")
    arms = [s.model_dump(mode="json") for s in specs]
    frames = []
    for r in range(replicates):
        if cancelled is not None and cancelled():
            return None
        frame = run_arms(params, arms, run_seed(plan.master_seed, r), weeks)
        frames.append(frame)
        if progress is not None:
            progress(r + 1)
    return Replicates(key, names, arm_values(frames, names), weeks, time.perf_counter() - start)


def arm_values(frames: list, names: list[str]) -> list[dict[str, np.ndarray]]:
    """Run frames (``run_arms``: columns ``arm``, ``week`` and the measures) as one
    (runs x weeks+1) array per arm and measure, in the order of ``frames``."""
    values: list[dict[str, np.ndarray]] = []
    for name in names:
        per_measure: dict[str, list[np.ndarray]] = {}
        for frame in frames:
            rows = frame[frame["arm"] == name].sort_values("week")
            for column in rows.columns:
                if column in ("arm", "week", "replicate"):
                    continue
                per_measure.setdefault(column, []).append(rows[column].to_numpy(dtype=float))
        values.append({m: np.vstack(v) for m, v in per_measure.items()})
    return values


__all__ = ["REPLICATES", "Replicates", "run_replicates", "verdict"]
