"""The weekly measures (Mesa model reporters): how each is computed, labels and units.

Their names, units and descriptions are listed in ``sim.engine.measure_names`` (named here too);
the counts they are made of come from one pass over the customers (``sim.engine.census``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sim.engine.census import TOLD, Census, take_census
from sim.engine.measure_names import (  # noqa: F401 (named here too)
    HIST_BINS,
    HIST_EDGES,
    HIST_NAMES,
    MEASURE_NAMES,
    MEASURES,
    Measure,
)
from sim.engine.state import CustomerState
from sim.i18n import N_

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
