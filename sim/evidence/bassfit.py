"""The Bass model fitted to a series by non-linear least squares (Srinivasan & Mason 1986).

New adopters in period ``k`` (periods of the series' own length, starting at t = 0) are
``m * (F(k + 1) - F(k))`` with the closed form ``F`` of ``sim.engine.bass.bass_closed_form``;
for given ``(p, q)`` the best market size ``m`` is a linear least-squares solution, so only
``p`` and ``q`` are searched (log scale, a grid of starts, then ``scipy.optimize``).
Intervals: a wild bootstrap of the residuals (each period keeps its own residual, with a random
sign, scaled by sqrt(k / (k - 3)) for the three fitted parameters; refit; 2.5 and 97.5
percentiles). Wild, because the scatter of adoption counts grows with their size. Measured
coverage on Bass series with Poisson noise (15 periods, 20 seeds, 150 resamples): 80 % (p),
90 % (q), 95 % (m) for a nominal 95 %: the intervals are somewhat too narrow on short series.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import least_squares

from sim.engine.bass import bass_closed_form


@dataclass(frozen=True)
class BassFit:
    """``p``, ``q`` per period of the series, ``m`` in the series' unit, and the fitted values."""

    p: float
    q: float
    m: float
    fitted: np.ndarray
    sse: float


def increments(p: float, q: float, periods: int) -> np.ndarray:
    """Share of the market adopting in each of ``periods`` periods (closed form)."""
    return np.diff(bass_closed_form(p, q, np.arange(periods + 1, dtype=float)))


def best_scale(shape: np.ndarray, y: np.ndarray) -> float:
    """The ``m >= 0`` minimising ``|y - m * shape|^2``."""
    denominator = float(shape @ shape)
    return max(0.0, float(shape @ y) / denominator) if denominator > 0 else 0.0


STARTS = tuple((p0, q0) for p0 in (0.001, 0.01, 0.05) for q0 in (0.1, 0.4, 1.0))


def fit_bass(y: np.ndarray, starts=STARTS) -> BassFit:
    """Least-squares Bass fit of new adopters per period ``y`` (best of the ``(p, q)`` starts)."""
    y = np.asarray(y, dtype=float)
    periods = y.size

    def residuals(theta):
        p, q = np.exp(theta)
        shape = increments(p, q, periods)
        return y - best_scale(shape, y) * shape

    best = None
    for p0, q0 in starts:
        result = least_squares(
            residuals,
            np.log([p0, q0]),
            bounds=(np.log([1e-6, 1e-4]), np.log([1.0, 5.0])),
        )
        if best is None or result.cost < best.cost:
            best = result
    p, q = np.exp(best.x)
    shape = increments(p, q, periods)
    m = best_scale(shape, y)
    fitted = m * shape
    return BassFit(float(p), float(q), m, fitted, float(((y - fitted) ** 2).sum()))


def wild_residuals(residuals: np.ndarray, fitted_parameters: int) -> np.ndarray:
    """Residuals scaled by ``sqrt(k / (k - fitted_parameters))`` (least squares shrinks them)."""
    k = residuals.size
    return residuals * np.sqrt(k / max(1, k - fitted_parameters))


def bootstrap_bass(y: np.ndarray, fit: BassFit, resamples: int, seed: int) -> dict:
    """Percentile intervals of ``p``, ``q``, ``m`` from a wild bootstrap of ``fit`` (each
    resample refitted from the point estimate)."""
    rng = np.random.default_rng(seed)
    residuals = wild_residuals(np.asarray(y, float) - fit.fitted, 3)
    draws = []
    for _ in range(resamples):
        sample = np.clip(
            fit.fitted + residuals * rng.choice((-1.0, 1.0), residuals.size), 0.0, None
        )
        refit = fit_bass(sample, starts=((fit.p, fit.q),))
        draws.append((refit.p, refit.q, refit.m))
    draws = np.array(draws)
    low, high = np.percentile(draws, [2.5, 97.5], axis=0)
    return {name: (float(low[i]), float(high[i])) for i, name in enumerate(("p", "q", "m"))}
