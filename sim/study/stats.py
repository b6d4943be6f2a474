"""Confidence intervals over replicates: Student t intervals of means and of paired differences.

Replicates of one study are independent draws of the model's randomness, so the mean of a measure
over ``n`` replicates has the usual t interval ``mean +/- t(1 - alpha/2, n - 1) * sd / sqrt(n)``.
Arms of one replicate share their seed (common random numbers), so two arms are compared through
the per-replicate differences (a paired t interval), which is much sharper than comparing two
independent intervals.

These intervals describe the model's own randomness, not the uncertainty of the parameters.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.special import stdtrit

CONFIDENCE = 0.95


@dataclass(frozen=True)
class Interval:
    """A mean with its confidence interval. ``low``/``high`` are NaN when ``n < 2``."""

    mean: float
    low: float
    high: float
    n: int

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2.0

    def excludes_zero(self) -> bool:
        """True when the whole interval is above or below zero."""
        return bool(self.low > 0.0 or self.high < 0.0)

    def as_dict(self) -> dict:
        return {
            "mean": _num(self.mean),
            "low": _num(self.low),
            "high": _num(self.high),
            "n": self.n,
        }


def _num(x: float) -> float | None:
    """JSON-safe float: NaN becomes None."""
    return None if x is None or not math.isfinite(x) else float(x)


def t_quantile(n: int, confidence: float = CONFIDENCE) -> float:
    """Two-sided Student t critical value for ``n`` observations (``n - 1`` degrees of freedom)."""
    if n < 2:
        return float("nan")
    # scipy.special.stdtrit is the function scipy.stats.t.ppf evaluates (same values, checked);
    # importing it instead of scipy.stats saves about 0.3-0.6 s of start-up.
    return float(stdtrit(n - 1, 0.5 + confidence / 2.0))


def mean_ci(values: Sequence[float] | np.ndarray, confidence: float = CONFIDENCE) -> Interval:
    """Mean and Student t confidence interval of ``values`` (NaNs are left out).

    With one value the interval is undefined (NaN bounds); with no values everything is NaN.
    With zero spread the interval collapses onto the mean.
    """
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = int(x.size)
    if n == 0:
        return Interval(float("nan"), float("nan"), float("nan"), 0)
    mean = float(x.mean())
    if n == 1:
        return Interval(mean, float("nan"), float("nan"), 1)
    sd = float(x.std(ddof=1))
    half = t_quantile(n, confidence) * sd / math.sqrt(n)
    return Interval(mean, mean - half, mean + half, n)


def paired_diff_ci(
    a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray, confidence: float = CONFIDENCE
) -> Interval:
    """Mean of ``a - b`` over matched pairs (same replicate) and its paired t interval.

    Pairs where either value is NaN are left out.
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"paired values need equal lengths, got {a.size} and {b.size}")
    return mean_ci(a - b, confidence)


def band(values: np.ndarray, confidence: float = CONFIDENCE) -> tuple[np.ndarray, ...]:
    """Column-wise mean and t interval of a (replicates x weeks) array: (mean, low, high).

    NaNs are left out per column; bounds are NaN where fewer than two values remain.
    """
    x = np.asarray(values, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        n = np.sum(~np.isnan(x), axis=0)
        mean = np.where(n > 0, np.nansum(x, axis=0) / np.maximum(n, 1), np.nan)
        dev = np.where(np.isnan(x), 0.0, x - mean)
        var = np.where(n > 1, np.sum(dev**2, axis=0) / np.maximum(n - 1, 1), np.nan)
        tq = np.array([t_quantile(int(k), confidence) for k in np.atleast_1d(n)])
        half = tq * np.sqrt(var) / np.sqrt(np.maximum(n, 1))
    return mean, mean - half, mean + half
