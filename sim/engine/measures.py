"""The weekly measures (Mesa model reporters): how each is computed, labels and units.

Their names, units and descriptions are listed in ``sim.engine.measure_names`` (named here too).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numba import prange

from sim.engine.jit import BLOCK, compiled, pick
from sim.engine.measure_names import (  # noqa: F401 (named here too)
    HIST_BINS,
    HIST_EDGES,
    HIST_NAMES,
    MEASURE_NAMES,
    MEASURES,
    Measure,
)
from sim.engine.state import HEARD_AD, HEARD_DIALOGUE, HEARD_WOM, CustomerState
from sim.i18n import N_

# Quantiles are read from a histogram of this many bins over [-1, 1] (to within 2 / FINE_BINS).
FINE_BINS = 2000

# Short names for tables and figure axes (here, not in sim.outputs.figures, so that printing a
# summary does not import matplotlib). English; show them through :func:`label` (or
# ``_(LABELS[m])``) to get the reader's language. Units are translated the same way.
HIST_LABEL = N_("Attitude {low} to {high}")
LABELS = {
    "awareness": N_("Awareness"),
    "ever_aware": N_("Ever heard of the brand"),
    "adoption": N_("Adoption"),
    "mean_attitude": N_("Mean attitude of the aware"),
    "net_sentiment": N_("Net sentiment"),
    "top_box": N_("Top box (attitude above 0.6)"),
    "attitude_sd": N_("Spread of attitudes (sd)"),
    "attitude_p10": N_("Attitude, 10th percentile"),
    "attitude_p50": N_("Attitude, median"),
    "attitude_p90": N_("Attitude, 90th percentile"),
    "wom_positive": N_("Positive word of mouth"),
    "wom_negative": N_("Negative word of mouth"),
    "public_mentions": N_("Public mentions"),
    "conversations": N_("Conversations"),
    "complaints_answered": N_("Complaints answered"),
    "irritated": N_("Irritated customers"),
    "product_fit": N_("Product fit"),
    "spend": N_("Spend to date"),
    "cost_per_aware": N_("Cost per aware customer"),
    "groups_reached": N_("Groups reached"),
    "awareness_outside_target": N_("Awareness outside the target group"),
    "heard_via_ad": N_("First heard via an ad"),
    "heard_via_wom": N_("First heard via word of mouth"),
    "heard_via_dialogue": N_("First heard via dialogue"),
    "forgot": N_("Forgot the brand this week"),
    "customers": N_("Customers of the brand now"),
    "market_share": N_("Market share"),
    "units": N_("Units sold this week"),
    "lapsed": N_("Lapsed to the alternative this week"),
    "returned": N_("Came back this week"),
    "revenue": N_("Revenue this week"),
    "gross_profit": N_("Gross profit this week"),
    "profit": N_("Profit to date (after spend)"),
    "roi": N_("Return on marketing spend"),
    "customer_equity": N_("Customer equity"),
    "mention_views": N_("Reads of public posts"),
    "mention_readers": N_("Readers of public posts"),
    "rating": N_("Visible rating"),
    "rating_readers": N_("Looked at the rating"),
    "stories_started": N_("Stories started"),
    "stories_retold": N_("Stories retold"),
    "story_reach": N_("Reached by a story"),
    "story_groups": N_("Groups reached by stories"),
    "largest_cascade": N_("Largest story cascade"),
    **{
        name: HIST_LABEL.format(low=f"{HIST_EDGES[k]:+.1f}", high=f"{HIST_EDGES[k + 1]:+.1f}")
        for k, name in enumerate(HIST_NAMES)
    },
    "mean_attitude_all": N_("Mean attitude of all customers"),
    "grps": N_("GRPs this week"),
    "grps_to_date": N_("GRPs to date"),
    "weekly_reach": N_("Weekly reach"),
    "frequency": N_("Average frequency of the reached"),
    "ad_to_sales": N_("Advertising-to-sales ratio"),
}
UNITS = {m.name: m.unit for m in MEASURES}


def label(measure: str, _: Callable[[str], str] | None = None) -> str:
    """Display name of ``measure`` in the language of the translator ``_`` (English without one).

    Unknown names come back unchanged (a column of an older results folder, say).
    """
    if measure in HIST_NAMES and _ is not None:
        k = HIST_NAMES.index(measure)
        return _(HIST_LABEL).format(low=f"{HIST_EDGES[k]:+.1f}", high=f"{HIST_EDGES[k + 1]:+.1f}")
    text = LABELS.get(measure, measure)
    return _(text) if _ is not None and measure in LABELS else text


def unit(measure: str, _: Callable[[str], str] | None = None) -> str:
    """Unit of ``measure`` in the language of ``_`` (empty for an unknown measure)."""
    text = UNITS.get(measure, "")
    return _(text) if _ is not None and text else text


# Measures where less is better (the "winning" arm has the lowest value).
LOWER_IS_BETTER = {"wom_negative", "irritated", "cost_per_aware", "spend", "forgot", "lapsed"}
# Money measures (cu), for tables and figures that show money apart from shares.
MONEY_MEASURES = ("revenue", "gross_profit", "profit", "customer_equity", "spend")


def money_measures(
    n: int,
    customers: int,
    units: int,
    category_units: int | None,
    lapsed: int,
    returned: int,
    units_total: int,
    spend_total: float,
    equity: float,
    price: float,
    unit_margin: float,
) -> dict[str, float]:
    """The market and money measures (see MEASURES for units) from absolute counts and money:
    this week's units of the brand and of the category (None: no category simulated), lapses
    and returns, units sold and money spent to date (cu), customer equity (cu)."""
    per_1000 = 1000.0 / n
    if category_units is None:
        share = float("nan")
    else:
        share = units / category_units if category_units else float("nan")
    profit_total = unit_margin * units_total - spend_total
    return {
        "customers": customers / n,
        "market_share": share,
        "units": units * per_1000,
        "lapsed": lapsed * per_1000,
        "returned": returned * per_1000,
        "revenue": price * units * per_1000,
        "gross_profit": unit_margin * units * per_1000,
        "profit": profit_total * per_1000,
        "roi": profit_total / spend_total if spend_total > 0 else float("nan"),
        "customer_equity": equity * per_1000,
    }


def talk_measures(
    state: CustomerState,
    week_counts: dict[str, float],
    rating: float,
    largest_cascade: int,
    groups: np.ndarray,
    group_sizes: np.ndarray,
    story_groups_before: int,
    census: Census | None = None,
) -> dict[str, float]:
    """The measures of public talk and stories (see MEASURES for units): ``rating`` is the
    visible rating (NaN while none is visible), ``largest_cascade`` the size of the largest
    story cascade so far, ``story_groups_before`` last week's ``story_groups`` (reached stays
    reached). ``census``: this week's :func:`take_census` with the customers who hold or held a
    story counted by group (``told_groups(story_groups_before, group_sizes.size)``)."""
    n = state.aware.size
    per_1000 = 1000.0 / n
    reached = story_groups_before
    n_groups = group_sizes.size
    if census is None:
        told = state.story_id >= 0
        told_count = int(np.count_nonzero(told))
        if story_groups_before < n_groups:
            by_group = np.bincount(groups[told], minlength=n_groups)
    else:
        told_count = int(census.counts[TOLD])
        by_group = census.told_by_group if n_groups > 1 else np.array([told_count])
    if story_groups_before < n_groups:
        reached = max(reached, int(np.count_nonzero(by_group > 0.1 * group_sizes)))
    return {
        "mention_views": week_counts["mention_views"] * per_1000,
        "mention_readers": week_counts["mention_readers"] * per_1000,
        "rating": rating,
        "rating_readers": week_counts["rating_readers"] * per_1000,
        "stories_started": week_counts["stories_started"] * per_1000,
        "stories_retold": week_counts["stories_retold"] * per_1000,
        "story_reach": float(told_count) / n,
        "story_groups": reached,
        "largest_cascade": largest_cascade,
    }


def media_measures(
    n: int,
    impressions: int,
    reached: int,
    impressions_total: int,
    push_spend_total: float,
    revenue_total: float,
) -> dict[str, float]:
    """The media-plan measures (see MEASURES for units) from this week's impressions served
    and customers reached, the impressions served to date, push money spent to date (cu) and
    revenue to date (cu), all absolute, for ``n`` customers."""
    return {
        "grps": 100.0 * impressions / n,
        "grps_to_date": 100.0 * impressions_total / n,
        "weekly_reach": reached / n,
        "frequency": impressions / reached if reached else float("nan"),
        "ad_to_sales": push_spend_total / revenue_total if revenue_total > 0 else float("nan"),
    }


def compute_measures(
    state: CustomerState,
    week_counts: dict[str, float],
    spend_total: float,
    product_fit: float,
    groups: np.ndarray,
    n_groups: int,
    outside_target: np.ndarray | None,
    group_sizes: np.ndarray | None = None,
    groups_reached_before: int = 0,
    sentiment_cutoff: float = 0.5,
    top_box_cutoff: float = 0.6,
    census: Census | None = None,
) -> dict[str, float]:
    """All weekly measures from the state and this week's counters (see MEASURES for units).

    ``group_sizes`` (customers per group) may be given to save recounting it every week; passing
    ``groups`` as an ``np.intp`` array saves a cast. ``groups_reached_before`` is last week's
    ``groups_reached``; once every group is reached the per-group count is skipped (a group
    counts as reached once its awareness has passed 10 %, even if some forget later). None of
    these changes any result. ``census`` is this week's :func:`take_census` of the state with
    the same groups and cut-offs (taken here when not given).
    """
    n = state.aware.size
    per_1000 = 1000.0 / n
    if census is None:
        count_groups = groups_reached_before < n_groups and n_groups > 1
        census = take_census(
            state,
            groups,
            n_groups if count_groups else 0,
            0,
            False,
            sentiment_cutoff,
            top_box_cutoff,
        )
    counts, sums, aware_by_group, fine = (
        census.counts,
        census.sums,
        census.aware_by_group,
        census.fine,
    )
    aware_count, heard, adopted, irritated, advocates, detractors, top, *via = counts[:10].tolist()
    attitude_sum, square_sum, everyone_sum = sums
    spread = {"attitude_sd": float("nan"), **dict.fromkeys(QUANTILE_NAMES, float("nan"))}
    hist = dict.fromkeys(HIST_NAMES, 0.0)
    if aware_count:
        mean_attitude = attitude_sum / aware_count
        net = advocates / aware_count - detractors / aware_count
        top_box = top / aware_count
        variance = max(square_sum / aware_count - mean_attitude**2, 0.0)
        spread["attitude_sd"] = variance**0.5
        spread.update(_quantiles(fine, aware_count))
        coarse = fine.reshape(HIST_BINS, -1).sum(axis=1)
        hist = {name: int(c) / aware_count for name, c in zip(HIST_NAMES, coarse, strict=True)}
    else:
        mean_attitude, net, top_box = float("nan"), 0.0, 0.0
    # How customers first heard: shares of everyone who ever heard (those who forgot keep
    # their first channel).
    via = [count / heard for count in via] if heard else [0.0, 0.0, 0.0]
    if groups_reached_before >= n_groups:
        reached = n_groups
    elif n_groups == 1:
        reached = int(aware_count / n > 0.10)
    else:
        size_by_group = (
            np.bincount(groups, minlength=n_groups) if group_sizes is None else group_sizes
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            reached = int(((aware_by_group / size_by_group) > 0.10).sum())
        reached = max(reached, groups_reached_before)
    outside = (
        float(state.aware[outside_target].mean())
        if outside_target is not None and outside_target.size
        else float("nan")
    )
    if aware_count:
        cost_per_aware = spend_total / aware_count
    else:
        cost_per_aware = float("nan") if spend_total > 0 else 0.0
    return {
        "awareness": aware_count / n,
        "ever_aware": heard / n,
        "adoption": adopted / n,
        "mean_attitude": mean_attitude,
        "net_sentiment": net,
        "top_box": top_box,
        **spread,
        "wom_positive": week_counts["wom_positive"] * per_1000,
        "wom_negative": week_counts["wom_negative"] * per_1000,
        "public_mentions": week_counts["public_mentions"] * per_1000,
        "conversations": week_counts["conversations"] * per_1000,
        "complaints_answered": week_counts["complaints_answered"] * per_1000,
        "irritated": irritated / n,
        "product_fit": product_fit,
        "spend": spend_total * per_1000,
        "cost_per_aware": cost_per_aware,
        "groups_reached": reached,
        "awareness_outside_target": outside,
        "heard_via_ad": via[0],
        "heard_via_wom": via[1],
        "heard_via_dialogue": via[2],
        "forgot": week_counts.get("forgot", 0) * per_1000,
        **hist,
        # Everyone counts, the unaware at the latent attitude they hold (docs/model.md 7.9).
        "mean_attitude_all": everyone_sum / n,
    }


QUANTILES = (0.1, 0.5, 0.9)
QUANTILE_NAMES = ("attitude_p10", "attitude_p50", "attitude_p90")


def _quantiles(fine: np.ndarray, total: int) -> dict[str, float]:
    """The 10th, 50th and 90th percentiles of the aware's attitudes from their fine histogram
    (``FINE_BINS`` bins over [-1, 1]), by linear interpolation inside the bin that holds the
    quantile's rank: exact to within one bin, 0.001."""
    cumulative = np.cumsum(fine)
    width = 2.0 / fine.size
    out = {}
    for q, name in zip(QUANTILES, QUANTILE_NAMES, strict=True):
        rank = q * total
        b = int(np.searchsorted(cumulative, rank, side="left"))
        b = min(b, fine.size - 1)
        below = cumulative[b] - fine[b]
        inside = (rank - below) / fine[b] if fine[b] else 0.0
        out[name] = -1.0 + width * (b + min(max(inside, 0.0), 1.0))
    return out


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
    The attitudes are summed in a second, single-threaded pass in a fixed order (a
    floating-point sum depends on its order), in four interleaved running sums: one running sum
    waits for each addition to finish before the next (four times slower).
    """
    n = aware.size
    blocks = (n + BLOCK - 1) // BLOCK
    partial = np.zeros((blocks, 12), dtype=np.int64)
    fine_of = np.zeros((blocks, FINE_BINS), dtype=np.int64)
    customer_of = np.zeros((blocks if equity else 0, FINE_BINS), dtype=np.int64)
    aware_of = np.zeros((blocks if aware_groups else 0, aware_groups), dtype=np.int64)
    told_of = np.zeros((blocks if story_groups else 0, story_groups), dtype=np.int64)
    for b in prange(blocks):
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
    # Lane l sums the customers i = l (mod 4) in increasing i (the tail of n % 4 customers
    # after lane 0's), each lane in a fixed order whatever the threads: the two pairs of lanes
    # may run on two threads, and the sums are the same as one pass's.
    sums = np.zeros(4)
    squares = np.zeros(4)
    everyone = np.zeros(4)
    whole = n - n % 4
    for pair in prange(2):
        first = 2 * pair
        s0 = s1 = q0 = q1 = e0 = e1 = 0.0
        for i in range(first, whole, 4):
            a0 = attitude[i] * aware[i]
            a1 = attitude[i + 1] * aware[i + 1]
            s0 += a0
            s1 += a1
            q0 += a0 * a0
            q1 += a1 * a1
            e0 += attitude[i]
            e1 += attitude[i + 1]
        if pair == 0:
            for i in range(whole, n):
                a = attitude[i] * aware[i]
                s0 += a
                q0 += a * a
                e0 += attitude[i]
        sums[first] = s0
        sums[first + 1] = s1
        squares[first] = q0
        squares[first + 1] = q1
        everyone[first] = e0
        everyone[first + 1] = e1
    attitude_sum = (sums[0] + sums[1]) + (sums[2] + sums[3])
    square_sum = (squares[0] + squares[1]) + (squares[2] + squares[3])
    everyone_sum = (everyone[0] + everyone[1]) + (everyone[2] + everyone[3])
    total = np.array([attitude_sum, square_sum, everyone_sum])
    return counts, total, fine, customer_fine, aware_by_group, told_by_group


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
    numba's parallel loop the counting loop was not vectorised). Three loops over the block
    (it stays in the cache): the counts, without branches (sums of 0 and 1, vectorised), then
    the histograms (``customer_of``, ``aware_of``, ``told_of`` have no rows when not asked for),
    then the groups.
    """
    n_aware = n_heard = n_adopted = n_irritated = advocates = detractors = top = 0
    via_ad = via_wom = via_dialogue = customers = told = 0
    for i in range(aware.size):
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
    scale = FINE_BINS / 2.0
    fine = fine_of[b]
    if customer_of.shape[0]:
        by_customer = customer_of[b]
        for i in range(aware.size):
            k = min(max(np.int64((attitude[i] + 1.0) * scale), 0), FINE_BINS - 1)
            fine[k] += aware[i]
            by_customer[k] += customer[i]
    else:
        for i in range(aware.size):
            k = min(max(np.int64((attitude[i] + 1.0) * scale), 0), FINE_BINS - 1)
            fine[k] += aware[i]
    if aware_of.shape[0]:
        row = aware_of[b]
        for i in range(aware.size):
            row[groups[i]] += aware[i]
    if told_of.shape[0]:
        row = told_of[b]
        for i in range(aware.size):
            row[groups[i]] += story_id[i] >= 0
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
