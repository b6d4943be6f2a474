"""ABC-SMC evaluations that stop once the threshold is out of reach (pyabc's IntegratedModel).

A market's distance is a sum of non-negative per-target distances (``total_distance``), so once
the targets measured so far add up to more than the generation's threshold the market is
rejected whatever the rest would measure. ``ScreenedModel`` passes the threshold to the
simulator (``simulate(point, seed, screen=eps)``; ``sim.evidence.target_runs.measure_targets``
then runs the established brand first and stops there when its targets alone are too far) and
accepts or rejects as pyabc's uniform acceptor would (distance at most the threshold): the same
decisions and, for the markets accepted, the same values as the plain ``Model``, from fewer runs.

Imported only where pyabc is (the ``calibrate`` extra).
"""

from __future__ import annotations

from collections.abc import Sequence

import pyabc

from sim.evidence.targets import Target, total_distance


class ScreenedModel(pyabc.IntegratedModel):
    """pyabc model around ``sim.evidence.abc.Model`` whose simulator takes ``screen``."""

    def __init__(self, model, targets: Sequence[Target]):
        super().__init__(name="screened")
        self.model = model
        self.targets = tuple(targets)

    def integrated_simulate(self, pars, eps: float) -> pyabc.ModelResult:
        values = self.model(pars, screen=float(eps))
        distance = total_distance(values, self.targets)
        if distance > eps:
            return pyabc.ModelResult(accepted=False)
        return pyabc.ModelResult(sum_stat=values, distance=distance, accepted=True)
