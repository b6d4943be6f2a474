"""Step 5 of the week, purchases: customers in the category buy the brand or the alternative.

With repeat purchases switched on (``market.purchase_rate``), every customer in the category
(``in_market``) has a purchase occasion in a week with probability ``h = 1 - exp(-rate)``
(Poisson occasions, at most one counted a week). At an occasion:

- a customer who tried the brand this week (step 4) has made the week's purchase: the brand;
- a customer who has never tried the brand, or who has forgotten it, buys the alternative;
- a customer who has tried the brand and remembers it chooses between the brand and the
  alternative by a logit in attitude minus the alternative's attractiveness ``c``:
  ``P(brand) = 1 / (1 + exp(-choice_slope * (a - c)))``, where ``a`` is the attitude plus the
  customer's service-recovery loyalty (after an answered complaint), at most 1. Choosing the
  alternative makes a customer of the brand a lapsed one; choosing the brand makes a lapsed
  customer a customer again. So the weekly probability of lapsing, ``h * (1 - P)``, falls with
  attitude.

This is the trial-and-repeat structure of new-brand forecasting (Parfitt & Collins 1968): the
brand's sales are its triers times how often they buy the category times the share of their
purchases it keeps. Without repeat purchases (the default) only trials are sold, nobody lapses
and a customer stays one: the first version's one-off adoption, which the Bass limit uses.

Customer equity (Gupta & Lehmann 2005) values today's customers: a customer of attitude ``a``
is expected to give ``m = unit_margin * h * P(a)`` a week and to still be a customer next week
with probability ``r = 1 - h * (1 - P(a))``; their lifetime value is ``m * r / (1 + d - r)``
with ``d`` the weekly discount rate (a customer once lost is counted as lost for good, so this
is a conservative value: lapsed customers here may come back).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
from numba import prange
from scipy.special import expit

from sim.engine.census import FINE_BINS, histogram
from sim.engine.jit import BLOCK, compiled, pick
from sim.engine.rules.selection import gather_flag
from sim.engine.state import CustomerState
from sim.engine.uniforms import half_uniform, week_key, word_at

# Points of the choice probability table over attitudes [-1, 1] (see _shop).
_BINS = 128


@dataclass(frozen=True)
class Purchases:
    """What was bought in one week (whole units; a purchase is one unit).

    brand : units of the brand (trials of the week included).
    category : units bought in the category, the brand's and the alternative's.
    lapsed : customers of the brand who chose the alternative this week.
    returned : lapsed customers who chose the brand again this week.
    """

    brand: int
    category: int
    lapsed: int
    returned: int


def occasion_probability(purchase_rate: float | None) -> float:
    """Weekly probability of a category purchase occasion: ``1 - exp(-rate)`` for Poisson
    occasions at ``rate`` a week (None: 0, no repeat purchases)."""
    return 0.0 if purchase_rate is None else -math.expm1(-purchase_rate)


def choice_probability(slope: float, attractiveness: float, attitude: np.ndarray) -> np.ndarray:
    """Probability of choosing the brand over the alternative at an occasion: logistic in
    ``slope * (attitude - attractiveness)``; 1/2 when attitude equals the alternative's
    attractiveness, rising with attitude (so lapsing falls with it)."""
    return expit(slope * (np.asarray(attitude, dtype=np.float64) - attractiveness))


@functools.lru_cache(maxsize=256)
def _choice_table(slope: float, attractiveness: float) -> np.ndarray:
    """The choice probability at the attitudes ``-1 + 2 j / 128`` (read-only, cached)."""
    table = choice_probability(slope, attractiveness, np.linspace(-1.0, 1.0, _BINS + 1))
    table.flags.writeable = False
    return table


def run_purchases(
    state: CustomerState,
    occasion: float,
    slope: float,
    attractiveness: float,
    tried_before: np.ndarray,
    rng: np.random.Generator,
) -> Purchases:
    """The week's purchases after trial (step 4), as the module docstring states.

    ``occasion`` is the weekly occasion probability (:func:`occasion_probability`),
    ``tried_before`` who had tried the brand before this week (a copy of ``adopted`` taken
    before step 4). Customer ``i`` uses word ``i`` of the week's key from the (arm-independent)
    market stream: its high half decides the occasion, its low half the choice (common random
    numbers across arms). Updates ``customer``; returns the week's :class:`Purchases`.
    """
    key = week_key(rng)
    table = _choice_table(float(slope), float(attractiveness))
    counts, undecided, u = pick(_shop)(
        state.in_market,
        state.aware,
        state.adopted,
        tried_before,
        state.customer,
        state.attitude,
        state.loyalty,
        key,
        occasion,
        table,
    )
    brand, outside, lapsed, returned = (int(c) for c in counts)
    if undecided.size:
        chose = u < choice_probability(slope, attractiveness, _chooses_at(state, undecided))
        was = state.customer[undecided]
        lapsed += int(np.count_nonzero(was & ~chose))
        returned += int(np.count_nonzero(~was & chose))
        brand += int(np.count_nonzero(chose))
        outside += int(np.count_nonzero(~chose))
        state.customer[undecided] = chose
    return Purchases(brand=brand, category=brand + outside, lapsed=lapsed, returned=returned)


def _chooses_at(state: CustomerState, who: np.ndarray) -> np.ndarray:
    """The attitude ``who`` choose with: attitude plus service-recovery loyalty, at most 1."""
    return np.minimum(state.attitude[who] + state.loyalty[who].astype(np.float64), 1.0)


@compiled(parallel=True)
def _shop(
    in_market, aware, adopted, tried_before, customer, attitude, loyalty, key, occasion, table
):
    """Compiled body of :func:`run_purchases`.

    Returns the counts (brand units, alternative units, lapses, returns) of the customers whose
    choice the table settles, and the others (few) with their uniform numbers: ``table`` holds
    the choice probability at the attitudes ``-1 + 2 j / 128``; it rises with attitude, so a
    number below the table's value one point further down chooses the brand and one at or above
    the value one point further up chooses the alternative (as in adoption's ``_adopt_sure``;
    no ``exp`` in compiled code, docs/NOTES.md).

    First a pass without branches by blocks (the compiler vectorises it) counts this week's
    triers and flags who has an occasion; then only those are visited (a branch per customer
    in one loop over everyone was twice as slow: the branches are random, so mispredicted),
    each on their own (in parallel in the threads' copy).
    """
    n = in_market.size
    bins = table.size - 1
    blocks = (n + BLOCK - 1) // BLOCK
    codes = np.empty(n, dtype=np.uint8)
    per_block = np.zeros((2, blocks), dtype=np.int64)
    for b in prange(blocks):
        low, high = b * BLOCK, min(n, (b + 1) * BLOCK)
        _occasions_block(
            low,
            codes[low:high],
            in_market[low:high],
            adopted[low:high],
            tried_before[low:high],
            key,
            occasion,
            per_block[:, b],
        )
    brand = outside = lapsed = returned = 0
    for b in range(blocks):
        brand += per_block[1, b]
    shoppers = gather_flag(codes, 0, per_block[0])
    m = shoppers.size
    # Each shopper on their own (in parallel in the threads' copy; the counts are integers).
    undecided_at = np.empty(m, dtype=np.bool_)
    for j in prange(m):
        i = shoppers[j]
        undecided_at[j] = False
        if not (tried_before[i] and aware[i]):  # never tried it, or forgot it
            outside += 1
            lapsed += customer[i]
            customer[i] = False
            continue
        u = half_uniform(word_at(key, i), True)
        chooses_at = min(attitude[i] + np.float64(loyalty[i]), 1.0)
        k = min(max(np.int64((chooses_at + 1.0) * (bins / 2)), 0), bins - 1)
        if u < table[max(k - 1, 0)]:
            brand += 1
            returned += not customer[i]
            customer[i] = True
        elif u >= table[min(k + 2, bins)]:
            outside += 1
            lapsed += customer[i]
            customer[i] = False
        else:
            undecided_at[j] = True
    undecided = np.empty(m, dtype=np.int64)
    count = 0
    for j in range(m):
        undecided[count] = shoppers[j]
        count += undecided_at[j]
    u_undecided = np.empty(count)
    for j in range(count):
        u_undecided[j] = half_uniform(word_at(key, undecided[j]), True)
    return np.array([brand, outside, lapsed, returned]), undecided[:count], u_undecided


@compiled
def _occasions_block(low, codes, in_market, adopted, tried_before, key, occasion, counts):
    """Block ``low, low + 1, ...`` of :func:`_shop` (views): ``codes`` bit 0 for a customer in
    the category with a purchase occasion who did not try the brand this week, bit 1 for one in
    the category who tried it this week (their purchase); ``counts`` how many of each. A kernel
    of its own, so that the loops are vectorised (inside numba's parallel loop they were not),
    the flags and their counts in two loops (one loop with the sums was slower)."""
    for j in range(codes.size):
        tried_now = adopted[j] & ~tried_before[j]
        has_occasion = half_uniform(word_at(key, low + j), False) < occasion
        shop = in_market[j] & ~tried_now & has_occasion
        codes[j] = np.uint8(shop) | (np.uint8(in_market[j] & tried_now) << 1)
    shopping = tried = 0
    for j in range(codes.size):
        shopping += np.int64(codes[j] & 1)
        tried += np.int64(codes[j] >> 1)
    counts[0] = shopping
    counts[1] = tried


def customer_equity(
    customer: np.ndarray,
    attitude: np.ndarray,
    occasion: float,
    slope: float,
    attractiveness: float,
    unit_margin: float,
    discount_rate: float,
    counts: np.ndarray | None = None,
) -> float:
    """Discounted expected margin of today's customers of the brand (cu, absolute), the sum of
    ``m * r / (1 + d - r)`` over them (module docstring). Each customer is valued at the middle
    of their attitude's bin of width 0.001 (``FINE_BINS`` over [-1, 1]): within 0.1 % of
    valuing each exactly. 0 without repeat purchases (today's customers will not buy again).
    ``counts``: the customers' attitude histogram when known (``Census.customer_fine``)."""
    if occasion <= 0.0 or unit_margin == 0.0:
        return 0.0
    if counts is None:
        counts = pick(_attitude_counts)(customer, attitude)
    else:
        counts = counts.astype(np.float64)
    value = _lifetime_values(occasion, slope, attractiveness, unit_margin, discount_rate)
    return float(counts @ value)


@functools.lru_cache(maxsize=64)
def _lifetime_values(
    occasion: float, slope: float, attractiveness: float, unit_margin: float, discount_rate: float
) -> np.ndarray:
    """Lifetime value ``m r / (1 + d - r)`` of a customer at the middle of each attitude bin
    (read-only, cached: a run asks for the same values every week)."""
    centres = -1.0 + (np.arange(FINE_BINS) + 0.5) * (2.0 / FINE_BINS)
    choice = choice_probability(slope, attractiveness, centres)
    margin = unit_margin * occasion * choice
    retention = 1.0 - occasion * (1.0 - choice)
    value = margin * retention / (1.0 + discount_rate - retention)
    value.flags.writeable = False
    return value


@compiled(parallel=True)
def _attitude_counts(customer, attitude):
    """The customers' attitudes in ``FINE_BINS`` bins over [-1, 1] (the last bin includes 1)."""
    return histogram(attitude, customer).astype(np.float64)
