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
    candidates = np.flatnonzero(state.aware & ~state.adopted)
    a = state.attitude[candidates] if attitudes else np.zeros(candidates.size)
    new = candidates[u[candidates] < adoption_probability(spec, a)]
    state.adopted[new] = True
    if attitudes and experience_rate > 0:
        # a += rate * (fit - a) for adopters, as whole-array operations with a where-mask (no
        # gather/scatter of the adopters; same arithmetic, so bit-identical to the masked form).
        attitude = state.attitude
        pull = np.subtract(product_fit, attitude)
        pull *= experience_rate
        np.add(attitude, pull, out=attitude, where=state.adopted)
    return int(new.size)
