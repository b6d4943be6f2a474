"""Step 1 of the week, push: bought impressions, adstock, wear-in/wear-out and reactance."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import prange

from sim.engine.influence import whole_power
from sim.engine.jit import BLOCK, compiled, pick, threads
from sim.engine.rules.media import Audience, build_audience
from sim.engine.rules.media import pick as pick_member
from sim.engine.rules.selection import gather_flag
from sim.engine.state import HEARD_AD, CustomerState
from sim.engine.uniforms import full_uniform, week_key, word_at
from sim.params import PushSpec


def adstock_decay(half_life: float) -> float:
    """Weekly carry-over factor lambda = 0.5 ** (1 / half_life) (half_life in weeks)."""
    return 0.5 ** (1.0 / half_life)


@compiled(inline=True)
def exposure_weight(adstock, effective, irritation, reactance):
    """Effect of one exposure, relative to its best, given the customer's adstock (exposures).

    Full (1) up to the effective frequency; above it the effect wears out linearly to 0 at the
    irritation threshold; above the threshold it is negative (reactance) and deepens linearly
    to ``-reactance`` at ``irritation + (irritation - effective)``, then stays there. So the
    response to more exposures is concave (each adds less than the one before) and the
    negative effect is bounded and weaker than the positive one (``reactance`` < 1).
    """
    if adstock <= effective:
        return 1.0
    gap = irritation - effective
    if adstock <= irritation:
        return (irritation - adstock) / gap
    return -reactance * min((adstock - irritation) / gap, 1.0)


@dataclass
class PushOutcome:
    """What a week of push did: impressions served (and paid), spend (cu), customers reached
    (exposed at least once), impressions not served because of the frequency cap (not paid),
    and the customers who complain this week."""

    impressions: int = 0
    spend: float = 0.0
    complainers: np.ndarray | None = None
    reached: int = 0
    unserved: int = 0
    exposed: np.ndarray | None = None


_NO_FLAGS = np.zeros(0, dtype=bool)

# The frequency cap when there is none: more than any week can serve one customer (exposures
# are counted in int32).
NO_CAP = np.iinfo(np.int32).max


def run_push(
    state: CustomerState,
    spec: PushSpec,
    budget: float,
    audience: Audience | np.ndarray | None,
    rng: np.random.Generator,
    attitudes: bool,
    was_aware: np.ndarray | None = None,
) -> PushOutcome:
    """Buy ``floor(budget / cost_per_impression)`` impressions and deliver them.

    Each impression lands on a member of the ``audience`` (the reachable customers of the
    target), drawn with replacement in proportion to their media weight (sim.engine.rules.media).
    Everyone's adstock decays by the half-life, then adds this week's exposures. Exposed
    customers become aware (and are reminded of the brand); with attitudes on, ``k`` exposures
    at weight ``w`` (:func:`exposure_weight`, with the customer's own effective frequency and
    irritation threshold: the push values times their tolerance) pull attitude toward the
    claim ``k`` times with strength ``c * mu * w`` (inside the confidence bound), or, when
    ``w < 0``, push it toward the opposite of the claim (reactance, no confidence bound).
    Customers whose adstock is above their threshold are irritated and complain with
    ``complaint_prob``. ``exposed`` records who saw at least one ad this week.

    With ``frequency_cap`` set, a customer is served at most that many impressions a week;
    the impressions that would land on them beyond it are not served and not paid.

    ``audience`` may also be given as target indices (None: everyone), all equally reachable.
    Spend is ``impressions served * cost_per_impression`` and never exceeds ``budget``.
    ``was_aware`` (an array, or None): filled with ``aware`` as it was before push, in the same
    pass.
    """
    if not isinstance(audience, Audience):
        n = state.aware.size
        audience = build_audience(n, audience, np.ones(n, dtype=bool), None)
    impressions = int(np.floor(budget / spec.cost_per_impression + 1e-9)) if budget > 0 else 0
    outcome = PushOutcome(impressions=impressions, spend=impressions * spec.cost_per_impression)
    if impressions == 0 or audience.size == 0:
        impressions = outcome.impressions = 0
        outcome.spend = 0.0
    cap = NO_CAP if spec.frequency_cap is None else spec.frequency_cap
    irritated, outcome.reached, outcome.unserved, outcome.exposed = pick(_deliver)(
        state.aware,
        state.heard,
        state.heard_via,
        state.reminded,
        state.attitude,
        state.adstock,
        state.irritated,
        state.tolerance,
        state.exposed,
        week_key(rng),
        impressions,
        audience.members,
        audience.table,
        np.float32(adstock_decay(spec.half_life)),
        np.float32(spec.irritation_threshold),  # adstock is float32: compare as numpy would
        spec.effective_frequency,
        spec.irritation_threshold,
        spec.reactance,
        spec.claim,
        spec.credibility * spec.mu,
        spec.epsilon,
        attitudes,
        cap,
        threads(),
        _NO_FLAGS if was_aware is None else was_aware,
    )
    outcome.impressions -= outcome.unserved  # capped impressions are not served, not paid
    outcome.spend = outcome.impressions * spec.cost_per_impression
    # One draw per irritated customer; the push stream depends on the arm anyway.
    if irritated.size:
        irritated = irritated[rng.random(irritated.size) < spec.complaint_prob]
    outcome.complainers = irritated
    return outcome


@compiled(parallel=True)
def _deliver(
    aware,
    heard,
    heard_via,
    reminded,
    attitude,
    adstock,
    irritated,
    tolerance,
    exposed,
    key,
    impressions,
    members,
    table,
    decay32,
    threshold32,
    effective,
    irritation,
    reactance,
    claim,
    strength,
    epsilon,
    attitudes,
    cap,
    parts,
    was_aware,
):
    """Compiled body of :func:`run_push` after the draws.

    Impression ``j`` lands on the audience member that word ``j`` of the week's ``key`` picks
    (:func:`sim.engine.rules.media.pick` on the packed alias ``table``; ``members`` empty: any
    customer, uniformly; ``table`` empty: any member, uniformly). Then one pass over the
    customers decays adstock, adds the exposures, makes the exposed aware and marks who is
    irritated (:func:`_deliver_block`), and the exposed are persuaded (:func:`_ad_pull`). A
    customer's exposures are first cut to the frequency ``cap`` (the impressions beyond it are
    not served). ``parts``: how many ranges of customers count the impressions in parallel
    (any number gives the same counts). Returns the irritated customers' indices, the number
    of customers reached, the number of impressions not served and the exposed customers'
    indices (ascending).
    """
    n = aware.size
    exposures = np.empty(n, dtype=np.int32)
    for i in prange(n):  # (zeroed in parallel)
        exposures[i] = 0
    # Who each impression lands on (in parallel in the multi-threaded copy), then the counts
    # (many impressions may land on one customer: each of ``parts`` ranges of customers counts
    # its own, in parallel). Three loops rather than one with the choice inside (see
    # docs/NOTES.md: a branch in the loop body slows the common case several times).
    lands = np.empty(impressions, dtype=np.int64)
    if members.size == 0:
        for j in prange(impressions):
            lands[j] = np.int64(full_uniform(word_at(key, j)) * n)
    elif table.shape[0] == 0:
        for j in prange(impressions):
            lands[j] = members[np.int64(full_uniform(word_at(key, j)) * members.size)]
    else:
        for j in prange(impressions):
            lands[j] = pick_member(full_uniform(word_at(key, j)), table)
    parts = min(parts, n)
    for part in prange(parts):
        low, high = part * n // parts, (part + 1) * n // parts
        for j in range(impressions):
            i = lands[j]
            if low <= i < high:  # (a write only to this part's customers)
                exposures[i] += 1
    # Then every customer, by blocks: adstock, irritation and awareness, without branches (so
    # that the compiler vectorises it), with each block's count of the exposed and the
    # irritated (:func:`_deliver_block`); then the lists of both.
    blocks = (n + BLOCK - 1) // BLOCK
    codes = np.empty(n, dtype=np.uint8)
    per_block = np.zeros((3, blocks), dtype=np.int64)
    for b in prange(blocks):
        low, high = b * BLOCK, min(n, (b + 1) * BLOCK)
        _deliver_block(
            codes[low:high],
            exposures[low:high],
            aware[low:high],
            heard[low:high],
            heard_via[low:high],
            reminded[low:high],
            was_aware[low:high] if was_aware.size else was_aware,
            adstock[low:high],
            irritated[low:high],
            tolerance[low:high],
            exposed[low:high],
            decay32,
            threshold32,
            cap,
            per_block[:, b],
        )
    unserved = reached = 0
    for b in range(blocks):
        reached += per_block[0, b]
        unserved += per_block[2, b]
    seen = gather_flag(codes, 0, per_block[0])
    who = gather_flag(codes, 1, per_block[1])
    if attitudes:
        # Only the exposed are persuaded (:func:`_ad_pull`): ``k`` exposures act as
        # ``m - (m - a) * (1 - s) ** k``, with the power by squarings (``whole_power``).
        for j in prange(seen.size):
            i = seen[j]
            k = min(exposures[i], cap)
            tolerance64 = np.float64(tolerance[i])  # (numpy would multiply in float32)
            ad = (effective * tolerance64, irritation * tolerance64, reactance, claim, strength)
            message, gap, keep_share, reactant = _ad_pull(attitude[i], adstock[i], ad)
            if abs(gap) < epsilon or reactant:
                attitude[i] = message - whole_power(keep_share, k) * gap
    return who, reached, unserved, seen


@compiled
def _deliver_block(
    codes,
    exposures,
    aware,
    heard,
    heard_via,
    reminded,
    was_aware,
    adstock,
    irritated,
    tolerance,
    exposed,
    decay32,
    threshold32,
    cap,
    counts,
):
    """A block of customers of :func:`_deliver` (views of its arrays): each customer's
    exposures cut to the frequency ``cap`` (the impressions beyond it are not served), adstock,
    irritation, the exposed made aware, heard and reminded (``was_aware``, unless empty, gets
    ``aware`` first); ``codes`` bit 0 exposed, bit 1
    irritated; ``counts`` the block's exposed, irritated and unserved impressions. A kernel of
    its own, as loops without branches, so that the compiler vectorises them (inside numba's
    parallel loop it did not); several loops over the block (it stays in the cache) rather than
    one, since one loop over ten arrays with three sums was not vectorised (1.8 against 0.9 ms
    at 1,000,000 customers), and sums in a loop of their own (a loop that also writes flags
    with them was slower)."""
    for i in range(codes.size):
        k = min(exposures[i], cap)  # (not written back: the attitude pass cuts again)
        stock = adstock[i] * decay32 + np.float32(k)
        adstock[i] = stock
        irritation = stock > threshold32 * tolerance[i]
        irritated[i] = irritation
        codes[i] = np.uint8(k > 0) | (np.uint8(irritation) << 1)
    reached = n_irritated = unserved = 0
    for i in range(codes.size):
        reached += np.int64(codes[i] & 1)
        n_irritated += np.int64(codes[i] >> 1)
    if cap < NO_CAP:
        for i in range(codes.size):
            unserved += exposures[i] - min(exposures[i], cap)
    for i in range(codes.size):
        seen = (codes[i] & 1) != 0
        exposed[i] = seen
        heard_via[i] = HEARD_AD if seen & ~heard[i] else heard_via[i]
        heard[i] |= seen
    for i in range(was_aware.size):  # (empty: not wanted)
        was_aware[i] = aware[i]
    for i in range(codes.size):
        seen = (codes[i] & 1) != 0
        aware[i] |= seen
        reminded[i] |= seen
    counts[0] = reached
    counts[1] = n_irritated
    counts[2] = unserved


@compiled(inline=True)
def _ad_pull(a, adstock, ad):
    """How this week's exposures act on attitude ``a`` (adstock already updated).

    ``ad`` is (the customer's effective frequency, their irritation threshold, reactance,
    claim, c * mu). An exposure at weight ``w`` (:func:`exposure_weight`) pulls toward the claim
    with strength ``c * mu * w`` when ``w >= 0``, and when ``w < 0`` (reactance) pushes toward
    the opposite of the claim with strength ``c * mu * |w|`` and no confidence bound. ``k``
    exposures give ``m - (m - a) * (1 - s) ** k`` (``repeated_pull``). Returns (message m,
    gap m - a, 1 - s, reactant).
    """
    effective, irritation, reactance, claim, strength = ad
    weight = exposure_weight(np.float64(adstock), effective, irritation, reactance)
    reactant = weight < 0
    message = -claim if reactant else claim
    return message, message - a, 1.0 - abs(weight) * strength, reactant
