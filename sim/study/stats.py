"""Confidence intervals over replicates: Student t intervals of means and of paired differences.

Replicates of one study are independent draws of the model's randomness, so the mean of a measure
over ``n`` replicates has the usual t interval ``mean +/- t(1 - alpha/2, n - 1) * sd / sqrt(n)``.
Arms of one replicate share their seed (common random numbers), so two arms are compared through
the per-replicate differences (a paired t interval), which is much sharper than comparing two
independent intervals.

A claim that two arms do *not* differ is an equivalence claim (:func:`tost`): two one-sided t
tests on the paired differences against a stated margin, which hold together exactly when the
``1 - 2 alpha`` (90 % at the 5 % level) interval lies inside ``(-margin, +margin)``. An interval
that merely includes zero is absence of evidence, not evidence of equivalence.
:func:`replicates_for_equivalence` says how many replicates such a claim needs.

These intervals describe the model's own randomness, not the uncertainty of the parameters.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.special import nctdtr, stdtr, stdtrit

CONFIDENCE = 0.95
EQUIVALENCE_ALPHA = 0.05  # each one-sided test of an equivalence claim (TOST) at 5 %


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


def share_ci(successes: float, n: int, confidence: float = CONFIDENCE) -> Interval:
    """A share ``successes / n`` with its Wilson score interval (Wilson 1927), which stays
    inside [0, 1] and is sensible at shares of 0 or 1 and small ``n`` (where the normal
    approximation is not). ``successes`` may be a half-integer (ties counted half)."""
    if n <= 0:
        return Interval(float("nan"), float("nan"), float("nan"), 0)
    from scipy.special import ndtri

    z = float(ndtri(0.5 + confidence / 2.0))
    p = successes / n
    denominator = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return Interval(p, max(0.0, centre - half), min(1.0, centre + half), n)


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


@dataclass(frozen=True)
class Equivalence:
    """Two one-sided tests (TOST) of ``|mean difference| < margin`` on paired differences.

    ``mean``, ``low``, ``high`` and ``margin`` are in the measure's units; ``low``/``high`` is
    the ``1 - 2 alpha`` t interval (90 % at ``alpha = 0.05``); ``sd`` is the standard deviation
    of the differences (ddof 1); ``p`` the TOST p-value (the larger of the two one-sided
    p-values); ``held`` is ``p < alpha``, which is the same as ``-margin < low`` and
    ``high < margin``. With fewer than two differences everything but ``mean`` and ``n`` is NaN
    and ``held`` is False.
    """

    mean: float
    low: float
    high: float
    n: int
    sd: float
    margin: float
    alpha: float
    p: float
    held: bool

    @property
    def level(self) -> float:
        """Confidence of the interval shown (0.90 at ``alpha = 0.05``)."""
        return 1.0 - 2.0 * self.alpha


def check_margin(margin: float) -> float:
    """``margin`` as a float; ValueError (one line) unless it is a finite number above 0."""
    value = float(margin)
    if not math.isfinite(value) or value <= 0.0:
        raise ValueError(f"margin = {margin!r}: must be a finite number > 0")
    return value


def tost(
    differences: Sequence[float] | np.ndarray, margin: float, alpha: float = EQUIVALENCE_ALPHA
) -> Equivalence:
    """Two one-sided t tests that the mean of ``differences`` lies within ``(-margin, +margin)``.

    ``differences`` are paired differences (arm minus versus, one per replicate; NaNs are left
    out); ``margin`` (> 0, the measure's units) is the largest difference that would not matter.
    H0: ``|mean| >= margin``. The lower test uses ``t = (mean + margin) / se``, the upper
    ``t = (mean - margin) / se``, each with ``n - 1`` degrees of freedom; equivalence holds
    when both reject at ``alpha``. With zero spread it holds exactly when ``|mean| < margin``.
    """
    margin = check_margin(margin)
    if not 0.0 < alpha < 0.5:
        raise ValueError(f"alpha = {alpha!r}: must be between 0 and 0.5")
    x = np.asarray(differences, dtype=float)
    x = x[~np.isnan(x)]
    n = int(x.size)
    nan = float("nan")
    if n < 2:
        mean = float(x.mean()) if n else nan
        return Equivalence(mean, nan, nan, n, nan, margin, alpha, nan, False)
    mean = float(x.mean())
    sd = float(x.std(ddof=1))
    se = sd / math.sqrt(n)
    half = t_quantile(n, 1.0 - 2.0 * alpha) * se
    if se > 0.0:
        p_lower = float(stdtr(n - 1, -(mean + margin) / se))  # H0: mean <= -margin
        p_upper = float(stdtr(n - 1, (mean - margin) / se))  # H0: mean >= +margin
        p = max(p_lower, p_upper)
    else:
        p = 0.0 if abs(mean) < margin else 1.0
    return Equivalence(mean, mean - half, mean + half, n, sd, margin, alpha, p, bool(p < alpha))


def equivalence_power(
    sd: float,
    margin: float,
    n: int,
    true_difference: float = 0.0,
    alpha: float = EQUIVALENCE_ALPHA,
) -> float:
    """Chance (0..1) that :func:`tost` shows equivalence with ``n`` paired replicates.

    ``sd``: standard deviation of the paired differences, ``margin`` and ``true_difference``
    (the real mean difference): the measure's units. Uses the two noncentral t distributions of
    the one-sided statistics, ``power = P(T_upper < -c) - P(T_lower <= c)`` with ``c`` the
    one-sided critical value (the usual approximation that ignores their shared sd estimate;
    within about 0.02 of simulation for powers above 0.5). Zero when ``|true_difference| >=
    margin`` would make the claim false.
    """
    margin = check_margin(margin)
    if n < 2:
        return 0.0
    if not math.isfinite(sd) or sd < 0.0:
        raise ValueError(f"sd = {sd!r}: must be a finite number >= 0")
    if sd == 0.0:
        return 1.0 if abs(true_difference) < margin else 0.0
    df = n - 1
    c = float(stdtrit(df, 1.0 - alpha))
    scale = math.sqrt(n) / sd
    lower = float(nctdtr(df, (true_difference + margin) * scale, c))
    upper = float(nctdtr(df, (true_difference - margin) * scale, -c))
    return max(0.0, min(1.0, upper - lower))


def replicates_for_equivalence(
    sd: float,
    margin: float,
    power: float = 0.8,
    true_difference: float = 0.0,
    alpha: float = EQUIVALENCE_ALPHA,
    most: int = 10_000,
) -> int | None:
    """The fewest replicates (>= 2) that give an equivalence claim ``power`` (0..1).

    ``sd`` is the measured standard deviation of the paired differences and ``true_difference``
    the difference assumed real (both in the measure's units; use the measured mean, or 0 for
    the best case). None when even ``most`` replicates would not do (e.g. ``|true_difference|``
    at or beyond ``margin``).
    """
    if not 0.0 < power < 1.0:
        raise ValueError(f"power = {power!r}: must be between 0 and 1")
    if abs(true_difference) >= check_margin(margin):
        return None
    low, high = 2, 2
    while equivalence_power(sd, margin, high, true_difference, alpha) < power:
        if high >= most:
            return None
        low, high = high, min(most, high * 2)
    while low < high:  # power rises with n: the smallest n that reaches it
        mid = (low + high) // 2
        if equivalence_power(sd, margin, mid, true_difference, alpha) >= power:
            high = mid
        else:
            low = mid + 1
    return high
