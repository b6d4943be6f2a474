"""Step 4 of the week, adoption and experience: aware customers buy; use shapes attitude."""

from __future__ import annotations

import numpy as np
from scipy.special import expit, logit

from sim.jit import compiled
from sim.params import AdoptionSpec
from sim.state import CustomerState
from sim.uniforms import half_uniform, week_key, word_at


def adoption_probability(spec: AdoptionSpec, attitude: np.ndarray) -> np.ndarray:
    """Weekly adoption probability of an aware customer: logistic in attitude.

    ``expit(logit(base_rate) + attitude_slope * a)``; equals ``base_rate`` at ``a = 0``.
    """
    with np.errstate(divide="ignore"):
        return expit(logit(spec.base_rate) + spec.attitude_slope * attitude)


def run_adoption(
    state: CustomerState,
    spec: AdoptionSpec,
    experience_rate: float,
    product_fit: float,
    rng: np.random.Generator,
    attitudes: bool,
) -> int:
    """Aware non-adopters adopt with ``adoption_probability``; then every adopter's attitude moves
    ``experience_rate`` of the way toward the product's fit (ads cannot fix a bad product).

    One uniform per customer per week (common random numbers across arms). Returns the number of
    new adopters.
    """
    with np.errstate(divide="ignore"):
        base_log_odds = float(logit(spec.base_rate))  # -inf at 0, inf at 1
    return int(
        _adopt(
            state.aware,
            state.adopted,
            state.attitude,
            week_key(rng),
            base_log_odds,
            spec.attitude_slope if attitudes else 0.0,
            product_fit,
            experience_rate if attitudes else 0.0,
        )
    )


@compiled
def _adopt(aware, adopted, attitude, key, base_log_odds, slope, product_fit, rate):
    """Compiled body of :func:`run_adoption`; returns the number of new adopters.

    Customer ``i``'s uniform number is the high half of word ``i`` of the week's ``key``
    (sim.uniforms).
    Only customers whose uniform number is below the largest probability anyone has can adopt:
    a first pass screens with that bound (the probability at the highest attitude, raised by a
    relative 1e-9 against rounding; it rises with attitude as ``slope >= 0``), so the logistic
    is evaluated for those few only. Adopters then move ``rate`` of the way toward the fit.
    """
    n = aware.size
    top = attitude.max() if n else 0.0
    bound = _logistic(base_log_odds + slope * top) * (1.0 + 1e-9)
    candidates = np.empty(n + 1, dtype=np.int64)
    count = 0
    for i in range(n):  # branch-free compaction of aware non-adopters below the bound
        candidates[count] = i
        count += aware[i] & ~adopted[i] & (half_uniform(word_at(key, i), False) < bound)
    new = 0
    for j in range(count):
        i = candidates[j]
        u = half_uniform(word_at(key, i), False)
        if u < _logistic(base_log_odds + slope * attitude[i]):
            adopted[i] = True
            new += 1
    if rate > 0:
        for i in range(n):  # adds (fit - a) * rate * 1.0 or * 0.0: vectorises
            attitude[i] += (product_fit - attitude[i]) * rate * adopted[i]
    return new


@compiled(inline=True)
def _logistic(x):
    """``expit(x) = 1 / (1 + exp(-x))`` (0 at -inf, 1 at inf)."""
    return 1.0 / (1.0 + np.exp(-x))
