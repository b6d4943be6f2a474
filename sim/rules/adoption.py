"""Step 4 of the week, adoption and experience: aware customers buy; use shapes attitude."""

from __future__ import annotations

import numpy as np
from scipy.special import expit, logit

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
    open_ = state.aware & ~state.adopted  # aware non-adopters
    # Only customers whose uniform is below the largest probability anyone has can adopt:
    # screen with that bound first, then evaluate the logistic for those few only. The bound is
    # the probability at the highest attitude of all customers (it rises with attitude, slope
    # >= 0), raised by a relative 1e-9 against rounding; the decision itself is
    # ``u < adoption_probability`` as before, so the result is the same, bit for bit.
    top = float(state.attitude.max()) if attitudes and state.attitude.size else 0.0
    bound = float(adoption_probability(spec, np.array([top]))[0]) * (1.0 + 1e-9)
    open_ &= u < bound
    candidates = np.flatnonzero(open_)
    a = state.attitude[candidates] if attitudes else np.zeros(candidates.size)
    new = candidates[u[candidates] < adoption_probability(spec, a)]
    state.adopted[new] = True
    if attitudes and experience_rate > 0:
        # a += rate * (fit - a) for adopters, as three whole-array passes: the pull times the
        # adopted flag (1.0 or 0.0), added to everyone. Adopters get exactly rate * (fit - a),
        # everyone else + 0.0, so this is bit-identical to the masked form; numpy's masked
        # (where=) loops are about five times slower than plain ones.
        attitude = state.attitude
        pull = np.subtract(product_fit, attitude)
        pull *= experience_rate
        pull *= state.adopted
        attitude += pull
    return int(new.size)
