"""Step 4 of the week, adoption and experience: aware customers buy; use shapes attitude."""

from __future__ import annotations

import functools

import numpy as np
from numba import prange
from scipy.special import expit, logit

from sim.engine.jit import BLOCK, compiled, pick
from sim.engine.rules.selection import gather_flag
from sim.engine.state import CustomerState
from sim.engine.uniforms import half_uniform, week_key, word_at
from sim.params import AdoptionSpec


def adoption_probability(spec: AdoptionSpec, attitude: np.ndarray) -> np.ndarray:
    """Weekly adoption probability of an aware customer: logistic in attitude.

    ``expit(logit(base_rate) + attitude_slope * a)``; equals ``base_rate`` at ``a = 0``.
    """
    return expit(_log_odds(spec.base_rate) + spec.attitude_slope * attitude)


@functools.lru_cache(maxsize=256)
def _log_odds(probability: float) -> float:
    """scipy's ``logit(p)`` (-inf at 0, inf at 1), cached: it is asked every week."""
    with np.errstate(divide="ignore"):
        return float(logit(probability))


@functools.lru_cache(maxsize=256)
def _probability_table(base_rate: float, slope: float) -> np.ndarray:
    """The adoption probability at the attitudes ``-1 + 2 j / 128`` (read-only, cached: a model
    asks for the same table every week)."""
    table = expit(_log_odds(base_rate) + slope * np.linspace(-1.0, 1.0, _BINS + 1))
    table.flags.writeable = False
    return table


def run_adoption(
    state: CustomerState,
    spec: AdoptionSpec,
    experience_rate: float,
    product_fit: float,
    rng: np.random.Generator,
    attitudes: bool,
    eligible: np.ndarray | None = None,
) -> int:
    """Trial and experience. Aware non-adopters (of ``eligible``, a mask of aware customers;
    default: everyone aware) try the brand with ``adoption_probability``: they have bought it
    (``adopted``) and are its customers (``customer``). Then every customer of the brand's
    attitude moves ``experience_rate`` of the way toward the fit they experience,
    ``product_fit + taste`` clipped to [-1, 1] (ads cannot fix a bad product); customers who
    lapsed to the alternative no longer use the product.

    One uniform per customer per week (common random numbers across arms). With attitudes off
    everyone aware adopts with ``base_rate``. Returns the number of new adopters.
    """
    return adopt(state, spec, experience_rate, product_fit, rng, attitudes, eligible).size


def adopt(
    state: CustomerState,
    spec: AdoptionSpec,
    experience_rate: float,
    product_fit: float,
    rng: np.random.Generator,
    attitudes: bool,
    eligible: np.ndarray | None = None,
    *,
    in_market: np.ndarray | None = None,
    tried_before: np.ndarray | None = None,
) -> np.ndarray:
    """:func:`run_adoption`, returning the new adopters (ascending indices) instead of their
    number. ``in_market`` (a mask): only aware customers in it are eligible (the same as
    ``eligible = aware & in_market``, without the pass that makes it). ``tried_before``: an
    array filled with ``adopted`` as it was before this week's trials (in the same pass)."""
    slope = spec.attitude_slope if attitudes else 0.0
    # The table of the probability bounds every customer's (see _adopt_sure).
    table = _probability_table(spec.base_rate, slope)
    aware = state.aware if eligible is None else eligible
    undecided, u, sure = pick(_adopt_sure)(
        aware,
        state.adopted,
        state.customer,
        state.attitude,
        week_key(rng),
        table,
        in_market,
        tried_before,
    )
    triers = sure
    if undecided.size:
        p = expit(_log_odds(spec.base_rate) + slope * state.attitude[undecided])
        trying = undecided[u < p]
        state.adopted[trying] = True
        state.customer[trying] = True
        triers = np.union1d(sure, trying)  # (disjoint, each ascending: sorted together)
    if attitudes and experience_rate > 0:
        pick(_use)(state.attitude, state.customer, state.taste, product_fit, experience_rate)
    return triers


# Points of the adoption probability table over attitudes [-1, 1] (see _adopt_sure).
_BINS = 128


@compiled(parallel=True)
def _adopt_sure(aware, adopted, customer, attitude, key, table, in_market=None, before=None):
    """Adopt the aware non-adopters whose decision the table settles (``adopted`` and
    ``customer`` become True); return the others.

    Customer ``i``'s uniform number ``u`` is the high half of word ``i`` of the week's ``key``
    (sim.engine.uniforms); the rule is ``u < adoption_probability(a)``. ``table`` holds that
    probability at the attitudes ``-1 + 2 j / 128``. It rises with attitude (``slope >= 0``), so
    a customer between points ``k`` and ``k + 1`` has a probability between the table's values
    one point further out on each side (the extra point absorbs rounding): ``u`` below the
    lower value adopts, ``u`` at or above the upper one does not. ``in_market`` (None: not
    used): only aware customers in the category may adopt; ``before`` (None: not wanted) gets
    ``adopted`` as it was before. Returns the rest (under 1 %
    of customers) and their uniform numbers, the caller evaluating the logistic for them, and
    the customers who adopted here (ascending). Same decisions as evaluating it for everyone,
    and no ``exp`` in compiled code (a call to the C library's ``exp`` in a loop was
    miscompiled by numba 0.68 / LLVM 22 here: docs/NOTES.md).
    """
    n = aware.size
    bins = table.size - 1
    # First a cheap screen without branches, by blocks (vectorised; in parallel in the threads'
    # copy): only customers whose number is below the highest probability anyone can have (at
    # attitude 1) may adopt. Then the screened, each on their own (in parallel too), and the
    # lists in order.
    blocks = (n + BLOCK - 1) // BLOCK
    codes = np.empty(n, dtype=np.uint8)
    per_block = np.zeros(blocks, dtype=np.int64)
    market = aware if in_market is None else in_market  # (aware & aware: the aware)
    keep = adopted[:0] if before is None else before
    for b in prange(blocks):
        low, high = b * BLOCK, min(n, (b + 1) * BLOCK)
        per_block[b] = _screen_block(
            low,
            codes[low:high],
            aware[low:high],
            market[low:high],
            adopted[low:high],
            keep[low:high] if keep.size else keep,
            key,
            table[bins],
        )
    screened = gather_flag(codes, 0, per_block)
    m = screened.size
    outcome = np.empty(m, dtype=np.uint8)  # 1: adopts, 2: undecided, 0: does not adopt
    for j in prange(m):
        i = screened[j]
        u = half_uniform(word_at(key, i), False)
        k = min(max(np.int64((attitude[i] + 1.0) * (bins / 2)), 0), bins - 1)
        if u < table[max(k - 1, 0)]:
            adopted[i] = True
            customer[i] = True
            outcome[j] = 1
        elif u < table[min(k + 2, bins)]:
            outcome[j] = 2
        else:
            outcome[j] = 0
    sure = np.empty(m, dtype=np.int64)
    undecided = np.empty(m, dtype=np.int64)
    n_sure = count = 0
    for j in range(m):
        sure[n_sure] = screened[j]
        undecided[count] = screened[j]
        n_sure += outcome[j] == 1
        count += outcome[j] == 2
    u_undecided = np.empty(count)
    for j in range(count):
        u_undecided[j] = half_uniform(word_at(key, undecided[j]), False)
    return undecided[:count], u_undecided, sure[:n_sure]


@compiled
def _screen_block(low, codes, aware, in_market, adopted, before, key, highest):
    """Block ``low, low + 1, ...`` of :func:`_adopt_sure`'s screen (views): ``codes`` 1 for an
    aware non-adopter in the category whose number is below ``highest``, else 0; returns how
    many; ``before`` (empty: not wanted) gets ``adopted``. A kernel of its own, so that the
    loops are vectorised (inside numba's parallel loop they were not)."""
    for j in range(before.size):
        before[j] = adopted[j]
    for j in range(codes.size):
        may = aware[j] & in_market[j] & (not adopted[j])
        may &= half_uniform(word_at(key, low + j), False) < highest
        codes[j] = np.uint8(may)
    count = 0
    for j in range(codes.size):
        count += np.int64(codes[j])
    return count


@compiled(parallel=True)
def _use(attitude, customer, taste, product_fit, rate):
    """Every customer of the brand's attitude moves ``rate`` of the way toward the fit they
    experience, ``min(max(product_fit + taste, -1), 1)`` (adds ``* 1.0`` or ``* 0.0``, so the
    loop vectorises)."""
    for i in prange(attitude.size):
        experienced = min(max(product_fit + np.float64(taste[i]), -1.0), 1.0)
        attitude[i] += (experienced - attitude[i]) * rate * customer[i]
