"""The week's census: one pass over the customers that counts what the measures are made of.

``take_census`` counts the aware, the adopters, the irritated, advocates and detractors, first
channels, customers and the told, sums attitudes, and bins the aware's (and customers')
attitudes in ``FINE_BINS`` bins; per group where the measures need it. A compiled kernel, by
blocks of customers (in parallel in its multi-threaded copy), the blocks added in order: the
same integers whatever the number of threads. ``sim.engine.measures`` turns the census into the
weekly measures.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import prange

from sim.engine.jit import BLOCK, compiled, pick
from sim.engine.state import HEARD_AD, HEARD_DIALOGUE, HEARD_WOM, CustomerState

# Quantiles are read from a histogram of this many bins over [-1, 1] (to within 2 / FINE_BINS).
FINE_BINS = 2000


# Positions in Census.counts.
AWARE, HEARD, ADOPTED, IRRITATED, ADVOCATES, DETRACTORS, TOP = range(7)
VIA_AD, VIA_WOM, VIA_DIALOGUE, CUSTOMERS, TOLD = range(7, 12)


@dataclass
class Census:
    """What the weekly measures need from every customer, from one parallel pass and one
    single-threaded pass over the state (:func:`take_census`).

    counts : int64, the positions above: aware, ever heard, adopted, irritated, advocates
        (a > cutoff) and detractors (a < -cutoff) and top box (a > top cutoff) among the aware,
        first heard via ad, word of mouth, dialogue; customers of the brand; customers who hold
        or held a story.
    sums : the aware's attitudes, their squares, and every customer's attitude.
    fine : the aware's attitudes in ``FINE_BINS`` bins over [-1, 1] (the last bin includes 1).
    customer_fine : the same for the brand's customers (empty unless asked for).
    aware_by_group, told_by_group : per group (empty unless asked for).
    """

    counts: np.ndarray
    sums: np.ndarray
    fine: np.ndarray
    customer_fine: np.ndarray
    aware_by_group: np.ndarray
    told_by_group: np.ndarray


def told_groups(story_groups_before: int, n_groups: int) -> int:
    """Groups :func:`take_census` counts story holders in for ``talk_measures`` (0: none)."""
    return n_groups if n_groups > 1 and story_groups_before < n_groups else 0


def take_census(
    state: CustomerState,
    groups: np.ndarray,
    aware_groups: int,
    story_groups: int,
    equity: bool,
    cutoff: float,
    top_cutoff: float,
) -> Census:
    """The :class:`Census` of ``state``: the aware counted in the first ``aware_groups`` groups
    and story holders in the first ``story_groups`` (0: not counted), the customers'
    attitude histogram when ``equity``."""
    counts, sums, fine, customer_fine, aware_by_group, told_by_group = pick(_census)(
        state.aware,
        state.heard,
        state.adopted,
        state.irritated,
        state.attitude,
        state.heard_via,
        state.customer,
        state.story_id,
        groups,
        aware_groups,
        story_groups,
        equity,
        cutoff,
        top_cutoff,
    )
    return Census(counts, sums, fine, customer_fine, aware_by_group, told_by_group)


@compiled(parallel=True)
def _census(
    aware,
    heard,
    adopted,
    irritated,
    attitude,
    heard_via,
    customer,
    story_id,
    groups,
    aware_groups,
    story_groups,
    equity,
    cutoff,
    top_cutoff,
):
    """Compiled body of :func:`take_census`.

    The counts and histograms are integers, counted per block of ``BLOCK`` customers (in
    parallel in the multi-threaded copy) and the blocks added in order: the same in any order.
    The attitudes are summed in a fixed order (a floating-point sum depends on its order), in
    four interleaved running sums (:func:`_attitude_sums`), by the first of the parallel loop's
    iterations while the others count the blocks.
    """
    n = aware.size
    blocks = (n + BLOCK - 1) // BLOCK
    partial = np.zeros((blocks, 12), dtype=np.int64)
    fine_of = np.zeros((blocks, FINE_BINS), dtype=np.int64)
    customer_of = np.zeros((blocks if equity else 0, FINE_BINS), dtype=np.int64)
    aware_of = np.zeros((blocks if aware_groups else 0, aware_groups), dtype=np.int64)
    told_of = np.zeros((blocks if story_groups else 0, story_groups), dtype=np.int64)
    sums = np.zeros(3)
    for task in prange(blocks + 1):  # task 0: the attitude sums; task b + 1: block b
        if task == 0:
            _attitude_sums(attitude, aware, sums)
            continue
        b = task - 1
        low, high = b * BLOCK, min(n, (b + 1) * BLOCK)
        _census_block(
            aware[low:high],
            heard[low:high],
            adopted[low:high],
            irritated[low:high],
            attitude[low:high],
            heard_via[low:high],
            customer[low:high],
            story_id[low:high],
            groups[low:high] if aware_groups or story_groups else groups[:0],
            b,
            partial,
            fine_of,
            customer_of,
            aware_of,
            told_of,
            cutoff,
            top_cutoff,
        )
    counts = _add_blocks(partial)
    fine = _add_blocks(fine_of)
    customer_fine = _add_blocks(customer_of)
    aware_by_group = _add_blocks(aware_of)
    told_by_group = _add_blocks(told_of)
    return counts, sums, fine, customer_fine, aware_by_group, told_by_group


@compiled
def _attitude_sums(attitude, aware, out):
    """The aware's attitudes, their squares and everyone's attitudes summed into ``out``.

    Lane ``l`` sums the customers ``i = l (mod 4)`` in increasing ``i`` (the tail of ``n % 4``
    customers after lane 0's), then the lanes are added as ``(0 + 1) + (2 + 3)``: always the
    same order, whatever the threads. One running sum would wait for each addition to finish
    before the next. An unaware customer adds ``+0.0`` (``attitude * False`` is ``-0.0`` for a
    negative attitude; a running sum that starts at ``+0.0`` is the same either way), and with
    the select the four lanes' loads and additions are done side by side (0.9 against 2.1 ms at
    1,000,000 customers).
    """
    n = attitude.size
    whole = n - n % 4
    s0 = s1 = s2 = s3 = q0 = q1 = q2 = q3 = e0 = e1 = e2 = e3 = 0.0
    for i in range(0, whole, 4):
        x0 = attitude[i]
        x1 = attitude[i + 1]
        x2 = attitude[i + 2]
        x3 = attitude[i + 3]
        a0 = x0 if aware[i] else 0.0
        a1 = x1 if aware[i + 1] else 0.0
        a2 = x2 if aware[i + 2] else 0.0
        a3 = x3 if aware[i + 3] else 0.0
        s0 += a0
        s1 += a1
        s2 += a2
        s3 += a3
        q0 += a0 * a0
        q1 += a1 * a1
        q2 += a2 * a2
        q3 += a3 * a3
        e0 += x0
        e1 += x1
        e2 += x2
        e3 += x3
    for i in range(whole, n):
        a = attitude[i] if aware[i] else 0.0
        s0 += a
        q0 += a * a
        e0 += attitude[i]
    out[0] = (s0 + s1) + (s2 + s3)
    out[1] = (q0 + q1) + (q2 + q3)
    out[2] = (e0 + e1) + (e2 + e3)


@compiled
def _census_block(
    aware,
    heard,
    adopted,
    irritated,
    attitude,
    heard_via,
    customer,
    story_id,
    groups,
    b,
    partial,
    fine_of,
    customer_of,
    aware_of,
    told_of,
    cutoff,
    top_cutoff,
):
    """Block ``b`` of :func:`_census` (views of its customers): row ``b`` of each output.

    A kernel of its own, called once per block, so that it is compiled as plain loops (inside
    numba's parallel loop the counting loop was not vectorised). The block stays in the cache
    between its loops: the counts, without branches (sums of 0 and 1, vectorised), each
    customer's attitude bin and whether they are aware and a customer as one code; then one
    histogram of the codes (one increment per customer for both histograms); then the groups
    (``customer_of``, ``aware_of``, ``told_of`` have no rows when not asked for).
    """
    m = aware.size
    n_aware = n_heard = n_adopted = n_irritated = advocates = detractors = top = 0
    via_ad = via_wom = via_dialogue = customers = told = 0
    scale = FINE_BINS / 2.0
    code = np.empty(m, dtype=np.int32)
    for i in range(m):
        is_aware = aware[i]
        n_aware += is_aware
        n_heard += heard[i]
        advocates += is_aware & (attitude[i] > cutoff)
        detractors += is_aware & (attitude[i] < -cutoff)
        top += is_aware & (attitude[i] > top_cutoff)
        n_adopted += adopted[i]
        n_irritated += irritated[i]
        via_ad += heard_via[i] == HEARD_AD
        via_wom += heard_via[i] == HEARD_WOM
        via_dialogue += heard_via[i] == HEARD_DIALOGUE
        customers += customer[i]
        told += story_id[i] >= 0
        k = min(max(np.int64((attitude[i] + 1.0) * scale), 0), FINE_BINS - 1)
        code[i] = np.int32(4 * k) + np.int32(is_aware) + np.int32(2) * np.int32(customer[i])
    codes = np.zeros(4 * FINE_BINS, dtype=np.int32)
    for i in range(m):
        codes[code[i]] += 1
    fine = fine_of[b]
    for k in range(FINE_BINS):
        fine[k] = codes[4 * k + 1] + codes[4 * k + 3]
    if customer_of.shape[0]:
        by_customer = customer_of[b]
        for k in range(FINE_BINS):
            by_customer[k] = codes[4 * k + 2] + codes[4 * k + 3]
    if aware_of.shape[0]:
        _by_group(groups, aware, aware_of[b])
    if told_of.shape[0] and told:
        held = np.empty(m, dtype=np.bool_)
        for i in range(m):
            held[i] = story_id[i] >= 0
        _by_group(groups, held, told_of[b])
    out = partial[b]
    out[AWARE] = n_aware
    out[HEARD] = n_heard
    out[ADOPTED] = n_adopted
    out[IRRITATED] = n_irritated
    out[ADVOCATES] = advocates
    out[DETRACTORS] = detractors
    out[TOP] = top
    out[VIA_AD] = via_ad
    out[VIA_WOM] = via_wom
    out[VIA_DIALOGUE] = via_dialogue
    out[CUSTOMERS] = customers
    out[TOLD] = told


# Up to this many groups, the counts by group are one pass over the block per group (see
# _by_group).
FEW_GROUPS = 8


@compiled(inline=True)
def _by_group(groups, flags, row):
    """``row[g] +=`` the number of flagged customers in group ``g``. For a few groups, one
    vectorised pass per four groups (customers are in groups at random, so one increment per
    customer of ``row[groups[i]]`` often waits for the previous one to the same group: 2.5
    times slower at four groups); for many groups, that increment."""
    if row.size <= FEW_GROUPS:
        for g in range(0, row.size, 4):  # four groups a pass
            c0 = c1 = c2 = c3 = 0
            for i in range(groups.size):
                flag, group = flags[i], groups[i] - g
                c0 += flag & (group == 0)
                c1 += flag & (group == 1)
                c2 += flag & (group == 2)
                c3 += flag & (group == 3)
            row[g] += c0
            if g + 1 < row.size:
                row[g + 1] += c1
            if g + 2 < row.size:
                row[g + 2] += c2
            if g + 3 < row.size:
                row[g + 3] += c3
    else:
        for i in range(groups.size):
            row[groups[i]] += flags[i]


@compiled(inline=True)
def _add_blocks(partial):
    """Column sums of an integer (blocks, k) array, block after block."""
    out = np.zeros(partial.shape[1], dtype=np.int64)
    for b in range(partial.shape[0]):
        for j in range(partial.shape[1]):
            out[j] += partial[b, j]
    return out


@compiled(inline=True)
def histogram(attitude, weight):
    """The ``weight`` (0 or 1) of each customer summed by attitude in ``FINE_BINS`` bins over
    [-1, 1] (the last bin includes 1). Counted per block of ``BLOCK`` customers (in parallel in
    a kernel's multi-threaded copy), then the blocks added in order: integers, so the same
    counts as one pass."""
    n = attitude.size
    blocks = (n + BLOCK - 1) // BLOCK
    partial = np.zeros((blocks, FINE_BINS), dtype=np.int64)
    scale = FINE_BINS / 2.0
    for b in prange(blocks):
        for i in range(b * BLOCK, min(n, (b + 1) * BLOCK)):
            k = min(max(np.int64((attitude[i] + 1.0) * scale), 0), FINE_BINS - 1)
            partial[b, k] += weight[i]
    counts = np.zeros(FINE_BINS, dtype=np.int64)
    for b in range(blocks):
        for k in range(FINE_BINS):
            counts[k] += partial[b, k]
    return counts
