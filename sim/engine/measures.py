"""The weekly measures (Mesa model reporters): names, units and how each is computed."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.engine.jit import compiled
from sim.engine.state import HEARD_AD, HEARD_DIALOGUE, HEARD_WOM, CustomerState


@dataclass(frozen=True)
class Measure:
    name: str
    unit: str
    description: str


MEASURES: tuple[Measure, ...] = (
    Measure("awareness", "share of customers", "Customers who have heard of the brand."),
    Measure("adoption", "share of customers", "Customers who have bought."),
    Measure("mean_attitude", "attitude (-1..1)", "Mean attitude of aware customers."),
    Measure(
        "net_sentiment",
        "share of aware",
        "Advocates (a > 0.5) minus detractors (a < -0.5), as shares of aware customers.",
    ),
    Measure("wom_positive", "talks per 1,000 customers", "Positive (a >= 0) talks this week."),
    Measure(
        "wom_negative",
        "talks per 1,000 customers",
        "Negative talks this week (incl. ad complaints).",
    ),
    Measure(
        "public_mentions",
        "per 1,000 customers",
        "Public talks this week (the brand may hear them next week).",
    ),
    Measure("conversations", "per 1,000 customers", "Conversations the brand held this week."),
    Measure("complaints_answered", "per 1,000 customers", "Negative mentions answered this week."),
    Measure(
        "irritated",
        "share of customers",
        "Customers whose ad pressure is above the irritation threshold.",
    ),
    Measure("product_fit", "attitude (-1..1)", "Current product/offer fit (rises with learning)."),
    Measure("spend", "cu per 1,000 customers", "Money spent to date."),
    Measure("cost_per_aware", "cu per aware customer", "Money spent to date per aware customer."),
    Measure("groups_reached", "groups", "Groups with awareness above 10 %."),
    Measure(
        "awareness_outside_target",
        "share of customers",
        "Awareness among customers outside "
        "the push target group (empty when push targets everyone).",
    ),
    Measure("heard_via_ad", "share of aware", "Aware customers who first heard through an ad."),
    Measure("heard_via_wom", "share of aware", "Aware customers who first heard by word of mouth."),
    Measure(
        "heard_via_dialogue",
        "share of aware",
        "Aware customers who first heard in a conversation with the brand.",
    ),
)
MEASURE_NAMES = tuple(m.name for m in MEASURES)
# Short names for tables and figure axes (here, not in sim.outputs.figures, so that printing a
# summary
# does not import matplotlib).
LABELS = {
    "awareness": "Awareness",
    "adoption": "Adoption",
    "mean_attitude": "Mean attitude of the aware",
    "net_sentiment": "Net sentiment",
    "wom_positive": "Positive word of mouth",
    "wom_negative": "Negative word of mouth",
    "public_mentions": "Public mentions",
    "conversations": "Conversations",
    "complaints_answered": "Complaints answered",
    "irritated": "Irritated customers",
    "product_fit": "Product fit",
    "spend": "Spend to date",
    "cost_per_aware": "Cost per aware customer",
    "groups_reached": "Groups reached",
    "awareness_outside_target": "Awareness outside the target group",
    "heard_via_ad": "First heard via an ad",
    "heard_via_wom": "First heard via word of mouth",
    "heard_via_dialogue": "First heard via dialogue",
}
# Measures where less is better (the "winning" arm has the lowest value).
LOWER_IS_BETTER = {"wom_negative", "irritated", "cost_per_aware", "spend"}


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
) -> dict[str, float]:
    """All weekly measures from the state and this week's counters (see MEASURES for units).

    ``group_sizes`` (customers per group) may be given to save recounting it every week; passing
    ``groups`` as an ``np.intp`` array saves a cast. ``groups_reached_before`` is last week's
    ``groups_reached``: awareness never reverts, so once every group is reached it stays so and
    the per-group count is skipped. None of these changes any result.
    """
    n = state.aware.size
    per_1000 = 1000.0 / n
    count_groups = groups_reached_before < n_groups and n_groups > 1
    counts, attitude_sum, aware_by_group = _count(
        state.aware,
        state.adopted,
        state.irritated,
        state.attitude,
        state.heard_via,
        groups,
        n_groups if count_groups else 0,
    )
    aware_count, adopted, irritated, advocates, detractors, *via = counts.tolist()
    if aware_count:
        mean_attitude = attitude_sum / aware_count
        net = advocates / aware_count - detractors / aware_count
        # Unaware customers have heard_via == HEARD_NOT_YET, so the channel counts over everyone
        # count the aware only.
        via = [count / aware_count for count in via]
    else:
        mean_attitude, net, via = float("nan"), 0.0, [0.0, 0.0, 0.0]
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
        "adoption": adopted / n,
        "mean_attitude": mean_attitude,
        "net_sentiment": net,
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
    }


@compiled
def _count(aware, adopted, irritated, attitude, heard_via, groups, n_groups):
    """One pass over the customers: the counts (aware, adopted, irritated, advocates among the
    aware, detractors among the aware, first heard via ad, via word of mouth, via dialogue),
    the sum of the aware customers' attitudes, and the aware customers of each of the first
    ``n_groups`` groups (0: not counted).

    Written without branches (sums of 0/1 terms) so that the compiler vectorises it.
    """
    n_aware = n_adopted = n_irritated = advocates = detractors = 0
    via_ad = via_wom = via_dialogue = 0
    for i in range(aware.size):
        is_aware = aware[i]
        n_aware += is_aware
        advocates += is_aware & (attitude[i] > 0.5)
        detractors += is_aware & (attitude[i] < -0.5)
        n_adopted += adopted[i]
        n_irritated += irritated[i]
        via_ad += heard_via[i] == HEARD_AD
        via_wom += heard_via[i] == HEARD_WOM
        via_dialogue += heard_via[i] == HEARD_DIALOGUE
    # The aware customers' attitudes summed in four interleaved running sums: one running sum
    # waits for each addition to finish before the next (four times slower).
    sums = np.zeros(4)
    whole = aware.size - aware.size % 4
    for i in range(0, whole, 4):
        for lane in range(4):
            sums[lane] += attitude[i + lane] * aware[i + lane]
    for i in range(whole, aware.size):
        sums[0] += attitude[i] * aware[i]
    attitude_sum = (sums[0] + sums[1]) + (sums[2] + sums[3])
    aware_by_group = np.zeros(n_groups, dtype=np.int64)
    if n_groups:
        for i in range(aware.size):
            aware_by_group[groups[i]] += aware[i]
    counts = np.array(
        [n_aware, n_adopted, n_irritated, advocates, detractors, via_ad, via_wom, via_dialogue]
    )
    return counts, attitude_sum, aware_by_group
