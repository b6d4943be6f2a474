"""Step 1 of the week, push: bought impressions, adstock, wear-in/wear-out and reactance."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.jit import compiled
from sim.params import PushSpec
from sim.state import HEARD_AD, CustomerState
from sim.uniforms import full_uniform, week_key, word_at


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
    if impressions == 0 or pool == 0:
        impressions = outcome.impressions = 0
        outcome.spend = 0.0
    irritated = _deliver(
        state.aware,
        state.heard_via,
        state.attitude,
        state.adstock,
        state.irritated,
        week_key(rng),
        impressions,
        _EVERYONE if target is None else target.astype(np.int64, copy=False),
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
    if irritated.size:
        irritated = irritated[rng.random(irritated.size) < spec.complaint_prob]
    outcome.complainers = irritated
    return outcome


_EVERYONE = np.empty(0, dtype=np.int64)


@compiled
def _deliver(
    aware,
    heard_via,
    attitude,
    adstock,
    irritated,
    key,
    impressions,
    target,
    decay32,
    threshold32,
    effective,
    irritation,
    claim,
    strength,
    epsilon,
    attitudes,
):
    """Compiled body of :func:`run_push` after the draws.

    Impression ``j`` lands on the customer that word ``j`` of the week's ``key`` picks
    uniformly from ``target`` (empty: everyone; sim.uniforms).
    Then one pass over the customers decays adstock, adds the exposures, makes the exposed
    aware and marks who is irritated; a second pass over the exposed persuades them
    (:func:`_persuade`). Returns the irritated customers' indices.
    """
    n = aware.size
    exposures = np.zeros(n, dtype=np.int32)
    if target.size == 0:
        for j in range(impressions):
            exposures[np.int64(full_uniform(word_at(key, j)) * n)] += 1
    else:
        for j in range(impressions):
            exposures[target[np.int64(full_uniform(word_at(key, j)) * target.size)]] += 1
    n_irritated = 0
    many = 0  # customers exposed 8 times or more this week
    rising = 1.0 / effective
    falling = 1.0 / (irritation - effective)
    for i in range(n):  # without branches (selects), so that the compiler vectorises it
        k = exposures[i]
        seen = k > 0
        adstock[i] = adstock[i] * decay32 + np.float32(k)
        irritated[i] = adstock[i] > threshold32
        n_irritated += irritated[i]
        heard_via[i] = HEARD_AD if seen and not aware[i] else heard_via[i]
        aware[i] |= seen
        if attitudes:
            many += k >= 8
            attitude[i] = _persuade(
                attitude[i],
                adstock[i],
                k,
                effective,
                irritation,
                rising,
                falling,
                claim,
                strength,
                epsilon,
            )
    if attitudes and many:
        for i in range(n):
            if exposures[i] >= 8:
                attitude[i] = _persuade_many(
                    attitude[i],
                    adstock[i],
                    exposures[i],
                    effective,
                    irritation,
                    rising,
                    falling,
                    claim,
                    strength,
                    epsilon,
                )
    who = np.empty(n_irritated, dtype=np.int64)
    j = 0
    for i in range(n if n_irritated else 0):
        if irritated[i]:
            who[j] = i
            j += 1
    return who


@compiled(inline=True)
def _persuade(a, adstock, k, effective, irritation, rising, falling, claim, strength, epsilon):
    """New attitude of a customer exposed ``k`` times this week (0 <= k < 8; at k >= 8 the
    attitude is returned unchanged for :func:`_persuade_many`), adstock already updated.

    Exposures at weight ``w >= 0`` (:func:`exposure_weight`; ``rising`` and ``falling`` are
    ``1 / effective`` and ``1 / (irritation - effective)``) pull toward the claim ``k`` times
    with strength ``c * mu * w`` inside the confidence bound, ``m - (m - a) * (1 - s) ** k``
    (``repeated_pull``); at ``w < 0`` (reactance) they push toward the opposite of the claim
    with strength ``c * mu * |w|`` and no bound. Selects, not branches: it is evaluated for
    every customer.
    """
    stock = np.float64(adstock)
    weight = stock * rising if stock <= effective else (irritation - stock) * falling
    weight = min(max(weight, -1.0), 1.0)
    reactant = weight < 0
    message = -claim if reactant else claim
    gap = message - a
    moved = message - _power_below_8(1.0 - abs(weight) * strength, k) * gap
    keep = (k == 0) | (k >= 8) | ((abs(gap) >= epsilon) & ~reactant)
    return a if keep else moved


@compiled(inline=True)
def _persuade_many(a, adstock, k, effective, irritation, rising, falling, claim, strength, epsilon):
    """:func:`_persuade` for any ``k >= 1`` (with a loop; for the rare k >= 8)."""
    stock = np.float64(adstock)
    weight = stock * rising if stock <= effective else (irritation - stock) * falling
    weight = min(max(weight, -1.0), 1.0)
    reactant = weight < 0
    message = -claim if reactant else claim
    gap = message - a
    moved = message - whole_power(1.0 - abs(weight) * strength, k) * gap
    return a if abs(gap) >= epsilon and not reactant else moved


@compiled(inline=True)
def _power_below_8(base, k):
    """``base ** (k % 8)`` by three squarings and selects (what :func:`whole_power` does for
    the three lowest bits), without a loop."""
    result = base if k & 1 else 1.0
    base *= base
    result *= base if k & 2 else 1.0
    base *= base
    result *= base if k & 4 else 1.0
    return result


@compiled(inline=True)
def whole_power(base, k):
    """``base ** k`` for a whole ``k >= 0`` by repeated squaring (exact for k = 0, 1, 2).

    Plain multiplications round the same way on every machine, whereas ``pow`` (numpy's, or the
    C library's) may differ in the last bit between processors (numpy uses vectorised SVML code
    on AVX-512 machines), which would make seeded runs differ between laptops.
    """
    result = _power_below_8(base, k)
    base *= base
    base *= base
    k >>= 3
    while k > 0:
        base *= base
        if k & 1:
            result *= base
        k >>= 1
    return result
