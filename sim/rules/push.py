"""Step 1 of the week, push: bought impressions, adstock, wear-in/wear-out and reactance."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.influence import repeated_pull
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
    weight = exposure_weight(
        state.adstock[exposed].astype(np.float64),
        spec.effective_frequency,
        spec.irritation_threshold,
    )
    a = state.attitude[exposed]
    base = spec.credibility * spec.mu
    positive = weight >= 0
    if positive.all():  # nobody irritated: no need to split the exposed (same arithmetic)
        state.attitude[exposed] = repeated_pull(a, spec.claim, base * weight, k, spec.epsilon)
        return
    new = np.empty_like(a)
    new[positive] = repeated_pull(
        a[positive], spec.claim, base * weight[positive], k[positive], spec.epsilon
    )
    reactant = ~positive
    new[reactant] = repeated_pull(
        a[reactant], -spec.claim, base * -weight[reactant], k[reactant], None
    )
    state.attitude[exposed] = new
