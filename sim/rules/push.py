"""Step 1 of the week, push: bought impressions, adstock, wear-in/wear-out and reactance."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.jit import compiled
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
    impressions = int(np.floor(budget / spec.cost_per_impression + 1e-9)) if budget > 0 else 0
    outcome = PushOutcome(impressions=impressions, spend=impressions * spec.cost_per_impression)
    pool = n if target is None else target.size
    if impressions > 0 and pool > 0:
        hits = rng.integers(0, pool, size=impressions)
        if target is not None:
            hits = target[hits]
    else:
        hits = _NO_HITS
        outcome.impressions, outcome.spend = 0, 0.0
    irritated = _deliver(
        state.aware,
        state.heard_via,
        state.attitude,
        state.adstock,
        state.irritated,
        hits,
        np.float32(adstock_decay(spec.half_life)),
        np.float32(spec.irritation_threshold),  # adstock is float32: compare as numpy would
        spec.effective_frequency,
        spec.irritation_threshold,
        spec.claim,
        spec.credibility * spec.mu,
        spec.epsilon,
        attitudes,
    )
    # One draw per irritated customer; the push stream depends on the arm anyway.
    complains = rng.random(irritated.size) < spec.complaint_prob
    outcome.complainers = irritated[complains]
    return outcome


_NO_HITS = np.empty(0, dtype=np.int64)


@compiled
def _deliver(
    aware,
    heard_via,
    attitude,
    adstock,
    irritated,
    hits,
    decay32,
    threshold32,
    effective,
    irritation,
    claim,
    strength,
    epsilon,
    attitudes,
):
    """Compiled body of :func:`run_push` after the draws: one pass over the customers.

    Decays everyone's adstock, adds each customer's exposures (``hits`` lists the customer of
    every impression), makes the exposed aware, persuades them (:func:`_persuade`), and marks
    who is irritated. Returns the irritated customers' indices.
    """
    n = aware.size
    exposures = np.zeros(n, dtype=np.int64)
    for h in hits:
        exposures[h] += 1
    irritated_count = 0
    for i in range(n):
        adstock[i] *= decay32
        k = exposures[i]
        if k > 0:
            adstock[i] += np.float32(k)
            if not aware[i]:
                aware[i] = True
                heard_via[i] = HEARD_AD
            if attitudes:
                attitude[i] = _persuade(
                    attitude[i], adstock[i], k, effective, irritation, claim, strength, epsilon
                )
        irritated[i] = adstock[i] > threshold32
        irritated_count += irritated[i]
    who = np.empty(irritated_count, dtype=np.int64)
    j = 0
    for i in range(n):
        if irritated[i]:
            who[j] = i
            j += 1
    return who


@compiled(inline=True)
def _persuade(a, adstock, k, effective, irritation, claim, strength, epsilon):
    """New attitude of a customer ``k`` times exposed (k >= 1), adstock already updated.

    Exposures at weight ``w >= 0`` pull toward the claim ``k`` times with strength
    ``c * mu * w`` inside the confidence bound: ``m - (m - a) * (1 - s) ** k``; at ``w < 0``
    (reactance) they push toward the opposite of the claim with strength ``c * mu * |w|`` and
    no bound. The operations are those of :func:`exposure_weight` and ``repeated_pull``,
    except that ``(1 - s) ** k`` is :func:`whole_power`.
    """
    stock = np.float64(adstock)
    if stock <= effective:
        weight = stock / effective
    else:
        weight = (irritation - stock) / (irritation - effective)
    weight = min(max(weight, -1.0), 1.0)
    reactant = weight < 0
    message = -claim if reactant else claim
    s = abs(weight) * strength
    gap = message - a
    moved = message - whole_power(1.0 - s, k) * gap
    if abs(gap) >= epsilon and not reactant:
        return a
    return moved


@compiled(inline=True)
def whole_power(base, k):
    """``base ** k`` for a whole ``k >= 0`` by repeated squaring (exact for k = 0, 1, 2).

    Plain multiplications round the same way on every machine, whereas ``pow`` (numpy's, or the
    C library's) may differ in the last bit between processors (numpy uses vectorised SVML code
    on AVX-512 machines), which would make seeded runs differ between laptops.
    """
    result = 1.0
    while k > 0:
        if k & 1:
            result *= base
        base *= base
        k >>= 1
    return result
