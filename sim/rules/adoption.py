"""Step 4 of the week, adoption and experience: aware customers buy; use shapes attitude."""

from __future__ import annotations

import numpy as np
from scipy.special import expit, logit

from sim.jit import compiled
from sim.params import AdoptionSpec
from sim.state import CustomerState


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
    u = rng.random(state.aware.size)
    # Only customers whose uniform is below the largest probability anyone has can adopt:
    # screen with that bound first, then evaluate the logistic for those few only. The bound is
    # the probability at the highest attitude of all customers (it rises with attitude, slope
    # >= 0), raised by a relative 1e-9 against rounding; the decision itself is
    # ``u < adoption_probability``, so the screen changes no result.
    top = float(state.attitude.max()) if attitudes and state.attitude.size else 0.0
    bound = float(adoption_probability(spec, np.array([top]))[0]) * (1.0 + 1e-9)
    candidates = _screen(state.aware, state.adopted, u, bound)
    a = state.attitude[candidates] if attitudes else np.zeros(candidates.size)
    new = candidates[u[candidates] < adoption_probability(spec, a)]
    _adopt_and_use(
        state.adopted, state.attitude, new, product_fit, experience_rate if attitudes else 0.0
    )
    return int(new.size)


@compiled
def _screen(aware, adopted, u, bound):
    """Aware non-adopters whose uniform number is below ``bound`` (customer indices)."""
    count = 0
    for i in range(u.size):
        count += aware[i] and not adopted[i] and u[i] < bound
    candidates = np.empty(count, dtype=np.int64)
    k = 0
    for i in range(u.size):
        if aware[i] and not adopted[i] and u[i] < bound:
            candidates[k] = i
            k += 1
    return candidates


@compiled
def _adopt_and_use(adopted, attitude, new, product_fit, experience_rate):
    """Mark the ``new`` adopters; then every adopter's attitude moves ``experience_rate`` of
    the way toward the product's fit: ``a += rate * (fit - a)``."""
    for who in new:
        adopted[who] = True
    if experience_rate > 0:
        for i in range(attitude.size):
            if adopted[i]:
                attitude[i] += (product_fit - attitude[i]) * experience_rate
