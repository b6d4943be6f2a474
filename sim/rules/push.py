"""Step 1 of the week, push: bought impressions, adstock, wear-in/wear-out and reactance."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.params import PushSpec
from sim.state import HEARD_AD, CustomerState


def adstock_decay(half_life: float) -> float:
    """Weekly carry-over factor lambda = 0.5 ** (1 / half_life) (half_life in weeks)."""
    return 0.5 ** (1.0 / half_life)


def exposure_weight(adstock: np.ndarray, effective: float, irritation: float) -> np.ndarray:
    """Effect of one exposure, relative to its best, given the customer's adstock (exposures).

    Rises linearly up to 1 at the effective frequency (wear-in), falls linearly to 0 at the
    irritation threshold (wear-out) and is negative above it (reactance), floored at -1.
    """
    rising = adstock / effective
    falling = (irritation - adstock) / (irritation - effective)
    return np.clip(np.where(adstock <= effective, rising, falling), -1.0, 1.0)


@dataclass
class PushOutcome:
    impressions: int = 0
    spend: float = 0.0
    complainers: np.ndarray | None = None


def run_push(
    state: CustomerState,
    spec: PushSpec,
    budget: float,
    target: np.ndarray | None,
    rng: np.random.Generator,
    attitudes: bool,
) -> PushOutcome:
    """Buy ``floor(budget / cost_per_impression)`` impressions and deliver them.

    Each impression lands on a customer drawn uniformly (with replacement) from ``target``
    (customer indices; None = everyone), so a customer is reached at least once with probability
    ``1 - (1 - 1/len(target)) ** impressions``. Everyone's adstock decays by the half-life, then
    adds this week's exposures. Exposed customers become aware; with attitudes on, ``k`` exposures
    at weight ``w`` pull attitude toward the claim ``k`` times with strength ``c * mu * w`` (inside
    the confidence bound), or, when ``w < 0``, push it toward the opposite of the claim
    (reactance, no confidence bound). Irritated customers complain with ``complaint_prob``.

    Spend is ``impressions * cost_per_impression`` and never exceeds ``budget``.
    """
    n = state.aware.size
    state.adstock *= np.float32(adstock_decay(spec.half_life))
    impressions = int(np.floor(budget / spec.cost_per_impression + 1e-9)) if budget > 0 else 0
    outcome = PushOutcome(impressions=impressions, spend=impressions * spec.cost_per_impression)
    pool = n if target is None else target.size
    if impressions > 0 and pool > 0:
        hits = rng.integers(0, pool, size=impressions)
        if target is not None:
            hits = target[hits]
        exposures = np.bincount(hits, minlength=n)
        exposed = np.flatnonzero(exposures > 0)  # a bool mask is much faster to scan than int64
        k = exposures[exposed]
        state.adstock[exposed] += k.astype(np.float32)
        state.make_aware(exposed, HEARD_AD)
        if attitudes:
            _persuade(state, spec, exposed, k)
    else:
        outcome.impressions, outcome.spend = 0, 0.0
    state.irritated[:] = state.adstock > spec.irritation_threshold
    irritated = np.flatnonzero(state.irritated)
    # One draw per irritated customer; the push stream depends on the arm anyway.
    complains = rng.random(irritated.size) < spec.complaint_prob
    outcome.complainers = irritated[complains]
    return outcome


def _persuade(state: CustomerState, spec: PushSpec, exposed: np.ndarray, k: np.ndarray) -> None:
    """Move the attitudes of the ``exposed`` customers (``k`` exposures each, k >= 1).

    Exposures at weight ``w >= 0`` pull toward the claim with strength ``c * mu * w`` inside the
    confidence bound; at ``w < 0`` (reactance) they push toward the opposite of the claim with
    strength ``c * mu * |w|`` and no bound. Both cases are evaluated in one pass over the exposed
    with a per-customer message and strength; element for element the arithmetic is that of
    ``repeated_pull`` on each case separately (``-w`` of a negative ``w`` is ``|w|`` exactly).
    """
    weight = exposure_weight(
        state.adstock[exposed].astype(np.float64),
        spec.effective_frequency,
        spec.irritation_threshold,
    )
    a = state.attitude[exposed]
    reactant = weight < 0
    message = np.where(reactant, -spec.claim, spec.claim)
    strength = np.abs(weight)
    strength *= spec.credibility * spec.mu
    gap = message - a
    moved = (1.0 - strength) ** k
    moved *= gap
    np.subtract(message, moved, out=moved)
    # Inside the bound, or reactant (no bound): move; otherwise keep the attitude.
    keep = np.abs(gap) >= spec.epsilon
    keep &= ~reactant
    state.attitude[exposed] = np.where(keep, a, moved)
